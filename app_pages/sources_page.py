"""The source library: add by URL, upload or paste; list, set credibility, remove, read."""

import streamlit as st

from app_pages.common import current_user, get_db, get_embedder, locked, md_link, md_text, reviewer_box, shown_time
from claims.store import get_settings, list_archive
from sources.errors import SourceError
from sources.library import add_document, add_text, add_url, remove_source
from sources.parse import parse_document
from sources.store import get_source, list_sources, set_credibility, source_passages

st.title("Sources")
reviewer_box()
db = get_db()
no = locked(current_user(db), "sources")  # a viewer reads the library, and does not change it
if no:
    st.caption(no)

with st.expander("Add a source", expanded=not list_sources(db)):
    how = st.radio("From", ["Upload a file", "URL", "Paste text"], horizontal=True, key="src_how")
    title = st.text_input("Title (optional)", key="src_title")
    upload = url = pasted = None
    if how == "Upload a file":
        upload = st.file_uploader("File (.txt, .md, .html, .pdf)", type=["txt", "md", "html", "htm", "pdf"],
                                  key="src_file")
    elif how == "URL":
        url = st.text_input("URL", key="src_url")
    else:
        pasted = st.text_area("Text", height=160, key="src_text")
    if st.button("Add to library", type="primary", key="src_add", disabled=no is not None):
        bar = st.progress(0.0, text="Embedding passages")
        progress = lambda done, total: bar.progress(done / max(total, 1), text=f"Embedded {done}/{total} passages")
        try:
            if how == "Upload a file":
                if upload is None:
                    raise SourceError("choose a file to upload first")
                doc = parse_document(upload.getvalue(), origin=upload.name, filename=upload.name, title=title or None)
                result = add_document(db, doc, get_embedder(), progress=progress)
            elif how == "URL":
                if not (url or "").strip():
                    raise SourceError("enter a URL first")
                result = add_url(db, url.strip(), get_embedder(), title=title or None, progress=progress,
                                 allow_networks=get_settings(db)["fetch_allow_networks"])
            else:
                result = add_text(db, pasted or "", get_embedder(), title=title or None, progress=progress)
            bar.progress(1.0, text="Done")
            (st.success if result.added else st.info)(md_text(result.message))
        except SourceError as exc:
            bar.empty()
            st.error(md_text(str(exc)))

rows = list_sources(db)
st.subheader(f"{len(rows)} sources")
for r in rows:
    cols = st.columns([5, 1, 2, 1])
    cols[0].markdown(f"**{r['id']}. {md_text(r['title'])}**  \n{md_link(r['url'] or r['origin'])}")
    cols[1].write(f"{r['passages']} passages  \nadded {shown_time(r['fetched_at'])}")
    cred = cols[2].slider("Credibility", 0.0, 1.0, float(r["credibility"]), 0.1, key=f"cred_{r['id']}", disabled=no is not None)
    if cred != r["credibility"]:
        try:
            set_credibility(db, r["id"], cred)
        except SourceError as exc:
            st.error(md_text(str(exc)))
    if cols[3].button("Remove", key=f"rm_{r['id']}", disabled=no is not None):
        st.session_state.confirm_remove = r["id"]
    if st.session_state.get("confirm_remove") == r["id"]:
        st.warning(f"Remove “{md_text(r['title'])}” with its {r['passages']} passages?")
        yes, no = st.columns(2)
        if yes.button("Yes, remove", key=f"rm_yes_{r['id']}"):
            try:
                remove_source(db, r["id"])
            except SourceError as exc:
                st.error(md_text(str(exc)))
            else:
                st.session_state.pop("confirm_remove", None)
                st.rerun()
        if no.button("Cancel", key=f"rm_no_{r['id']}"):
            st.session_state.pop("confirm_remove", None)
            st.rerun()

if rows:
    sid = st.selectbox("Read a source", [r["id"] for r in rows], key="src_view",
                       format_func=lambda i: next(f"{r['id']}: {r['title']}" for r in rows if r["id"] == i))
    src = get_source(db, sid)
    if src:
        for p in source_passages(db, sid):
            st.markdown(f"`{p['id']}` · chars {p['start']}–{p['end']}")
            st.markdown(md_text(p["text"], paragraphs=True))

st.subheader("Earlier fact-checks")
st.caption("Import ClaimReview JSON-LD, a page that embeds it, or CSV (claim, verdict, url, date): every new "
           "claim is matched against these and against claims already reviewed here.")
with st.expander("Import fact-checks", expanded=False):
    fc_file = st.file_uploader("File (.json, .jsonld, .html, .csv)", type=["json", "jsonld", "html", "htm", "csv"],
                               key="fc_file")
    fc_url = st.text_input("or a URL", key="fc_url")
    if st.button("Import", key="fc_go", disabled=no is not None):
        import tempfile
        from pathlib import Path

        from claims.claimreview import import_factchecks, import_factchecks_url

        try:
            if fc_file is not None:
                with tempfile.TemporaryDirectory() as tmp:
                    p = Path(tmp) / Path(fc_file.name).name
                    p.write_bytes(fc_file.getvalue())
                    r = import_factchecks(db, str(p))
            elif (fc_url or "").strip():
                r = import_factchecks_url(db, fc_url.strip())
            else:
                raise SourceError("choose a file or enter a URL first")
            st.success(f"{r['found']} fact-checks found, {r['added']} added, {r['already_there']} already there")
        except SourceError as exc:
            st.error(md_text(str(exc)))
archived = list_archive(db, limit=200)
if archived:
    st.dataframe([{"id": a["id"], "claim": a["claim"], "verdict": a["verdict"], "rating": a["rating"],
                   "publisher": a["publisher"], "date": a["date"], "url": a["url"]} for a in archived],
                 hide_index=True)
