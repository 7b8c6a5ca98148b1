"""The address without a page ("/") opens the first page at its own address ("/check")."""

import streamlit as st

st.switch_page("app_pages/check_page.py")
