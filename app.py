"""Streamlit app: a router over the pages in app_pages/. Run with `make run`.

Every page has its own address (/check, /review, /sources, /export); "/" opens /check. The pages
are listed in the sidebar as plain text links (no icon fonts or emoji needed)."""

import streamlit as st

st.set_page_config(page_title="Fact-check workbench", layout="wide")

PAGES = [
    st.Page("app_pages/check_page.py", title="Check an article", url_path="check"),
    st.Page("app_pages/review_page.py", title="Review claims", url_path="review"),
    st.Page("app_pages/sources_page.py", title="Sources", url_path="sources"),
    st.Page("app_pages/export_page.py", title="Export", url_path="export"),
]
# a default page of its own only sends "/" on to /check: the default page itself has no address
page = st.navigation([st.Page("app_pages/home.py", title="Fact-check workbench", default=True), *PAGES],
                     position="hidden")
for p in PAGES:
    st.sidebar.page_link(p)
page.run()
