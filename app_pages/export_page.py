"""Export verdicts as CSV or ClaimReview JSON-LD, filtered by article and review state."""

import io

import streamlit as st

from app_pages.common import current_user, get_db, locked, md_text, reviewer_box
from claims import workflow
from claims.claimreview import publishing_gaps, write_claimreview
from claims.export import export_filename, write_csv
from claims.store import (OPERATOR_SETTINGS, SETTINGS, claim_queue, export_rows, get_settings, list_articles,
                          set_setting)
from sources.errors import SourceError

st.title("Export")
reviewer_box()
db = get_db()
user = current_user(db)
articles = list_articles(db)
options = [None] + [a["id"] for a in articles]
article_id = st.selectbox("Article", options, key="export_article",
                          format_func=lambda i: "all articles" if i is None else
                          next(f"{a['id']}: {a['title']}" for a in articles if a["id"] == i))
reviewed_only = st.checkbox("Reviewed claims only", key="export_reviewed")

st.subheader("CSV")
bom = st.checkbox("Excel-friendly (UTF-8 with BOM)", key="export_bom")
buf = io.StringIO()
n = write_csv(export_rows(db, article_id=article_id, reviewed_only=reviewed_only), buf)
data = ("\ufeff" if bom else "") + buf.getvalue()
st.write(f"{n} rows")
chosen = next((a for a in articles if a["id"] == article_id), None)
title = chosen["title"] if chosen else None
st.download_button("Download CSV", data=data.encode("utf-8"),
                   file_name=export_filename(title, "verdicts", "csv", article_id=article_id),
                   mime="text/csv", key="export_csv", disabled=n == 0)

st.subheader("Publish")
waiting = claim_queue(db, article_id=article_id, state="reviewed", sort="position")
published = claim_queue(db, article_id=article_id, state="published", sort="position")
unreviewed = claim_queue(db, article_id=article_id, state="unreviewed", sort="position")
st.write(f"{len(published)} published · {len(waiting)} reviewed, not yet published · {len(unreviewed)} not reviewed yet"
         + (" (this article)" if article_id is not None else " (all articles)"))
no_publish = locked(user, "publish")


def publish_reviewed(ids):
    conn = get_db()
    try:
        done = workflow.publish(conn, ids, current_user(conn))
        st.session_state.export_flash = f"Published {len(done)} claim{'s' if len(done) != 1 else ''}."
    except SourceError as exc:
        st.session_state.export_error = f"Not published: {exc}"
    finally:
        conn.close()


st.button(f"Publish the {len(waiting)} reviewed claim{'s' if len(waiting) != 1 else ''}", key="export_publish",
          disabled=not waiting or no_publish is not None, on_click=publish_reviewed, args=(waiting,))
if no_publish:
    st.caption(no_publish)
if st.session_state.get("export_error"):
    st.error(md_text(st.session_state.pop("export_error")))
if st.session_state.get("export_flash"):
    st.success(st.session_state.pop("export_flash"))

st.subheader("ClaimReview (schema.org JSON-LD)")
settings = get_settings(db)
fixed = locked(user, "settings")
with st.expander("Publishing organisation and team settings", expanded=not settings["review_url"]):
    if fixed:
        st.caption(fixed)
    for key, (_, help_text) in SETTINGS.items():
        if key in OPERATOR_SETTINGS:  # the intranet and sign-in are the operator's call (CLI), not a user's
            continue
        value = st.text_input(help_text[:1].upper() + help_text[1:], value=settings[key], key=f"setting_{key}",
                              disabled=fixed is not None)
        if value != settings[key] and not fixed:
            try:
                set_setting(db, key, value)
                settings[key] = value
            except SourceError as exc:
                st.error(md_text(str(exc)))
for gap in publishing_gaps(settings):
    st.warning(md_text(gap[:1].upper() + gap[1:] + "."))
buf = io.StringIO()
m = write_claimreview(export_rows(db, article_id=article_id, reviewed_only=True), buf, settings)
st.write(f"{m} ClaimReview documents (reviewed claims only)")
st.download_button("Download ClaimReview JSON", data=buf.getvalue().encode("utf-8"),
                   file_name=export_filename(title, "claimreview", "json", article_id=article_id),
                   mime="application/ld+json", key="export_claimreview", disabled=m == 0)
