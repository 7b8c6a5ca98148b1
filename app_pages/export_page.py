"""Export verdicts as CSV, filtered by article and review state."""

import io

import streamlit as st

from app_pages.common import get_db, reviewer_box
from claims.export import write_csv
from claims.store import export_rows, list_articles

st.title("Export")
reviewer_box()
db = get_db()
articles = list_articles(db)
options = [None] + [a["id"] for a in articles]
article_id = st.selectbox("Article", options, key="export_article",
                          format_func=lambda i: "all articles" if i is None else
                          next(f"{a['id']}: {a['title']}" for a in articles if a["id"] == i))
reviewed_only = st.checkbox("Reviewed claims only", key="export_reviewed")
bom = st.checkbox("Excel-friendly (UTF-8 with BOM)", key="export_bom")
buf = io.StringIO()
n = write_csv(export_rows(db, article_id=article_id, reviewed_only=reviewed_only), buf)
data = ("\ufeff" if bom else "") + buf.getvalue()
st.write(f"{n} rows")
st.download_button("Download CSV", data=data.encode("utf-8"), file_name="factcheck-verdicts.csv",
                   mime="text/csv", key="export_csv", disabled=n == 0)
