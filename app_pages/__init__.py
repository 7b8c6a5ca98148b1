"""Pages of the Streamlit app; `common` holds the cached resources they share."""
