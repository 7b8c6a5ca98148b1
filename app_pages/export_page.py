"""Export verdicts as CSV or ClaimReview JSON-LD, filtered by article and review state."""

import io

import streamlit as st

from app_pages.common import get_db, md_text, reviewer_box
from claims.claimreview import publishing_gaps, write_claimreview
from claims.export import export_filename, write_csv
from claims.store import OPERATOR_SETTINGS, SETTINGS, export_rows, get_settings, list_articles, set_setting
from sources.errors import SourceError

st.title("Export")
reviewer_box()
db = get_db()
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

st.subheader("ClaimReview (schema.org JSON-LD)")
settings = get_settings(db)
with st.expander("Publishing organisation and team settings", expanded=not settings["review_url"]):
    for key, (_, help_text) in SETTINGS.items():
        if key in OPERATOR_SETTINGS:  # who may reach the intranet is the operator's call (CLI), not a user's
            continue
        value = st.text_input(help_text[:1].upper() + help_text[1:], value=settings[key], key=f"setting_{key}")
        if value != settings[key]:
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
