"""Streamlit app: a router over the pages in app_pages/. Run with `make run`."""

import streamlit as st

st.set_page_config(page_title="Fact-check workbench", page_icon="🔎", layout="wide")

pages = [
    st.Page("app_pages/check_page.py", title="Check an article", icon="📰", url_path="check", default=True),
    st.Page("app_pages/review_page.py", title="Review claims", icon="✅", url_path="review"),
    st.Page("app_pages/sources_page.py", title="Sources", icon="📚", url_path="sources"),
    st.Page("app_pages/export_page.py", title="Export", icon="⬇️", url_path="export"),
]
st.navigation(pages).run()
