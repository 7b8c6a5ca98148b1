"""Shared resources and small widgets for the app's pages.

The database is opened anew on every script run (sqlite3 connections must not cross
Streamlit's threads); the embedding model and spaCy pipeline are cached resources.
"""

from __future__ import annotations

import html
import os

import streamlit as st

from claims.store import VERDICTS, open_db

VERDICT_COLOURS = {
    "SUPPORTED": "#c8ecc9", "REFUTED": "#f7c5c0", "NOT_ENOUGH_EVIDENCE": "#e4e4e4", "CONFLICTING": "#fbe3a6",
}


def db_path() -> str:
    """The database file: FACTCHECK_DB or ./factcheck.db."""
    return os.environ.get("FACTCHECK_DB", "factcheck.db")


def get_db():
    """A fresh connection for this script run."""
    return open_db(db_path())


@st.cache_resource(show_spinner="Loading the embedding model…")
def get_embedder(model: str | None = None):
    """The sentence-transformers model, loaded once per server."""
    from sources.embed import get_embedder as load

    return load(model)


@st.cache_resource(show_spinner="Loading the language model…")
def get_nlp():
    """spaCy's English pipeline, loaded once per server."""
    from claims.extract import get_nlp as load

    return load()


def reviewer_box() -> str:
    """The reviewer name, chosen once per browser session (sidebar)."""
    # widget state does not survive a page switch, so the name lives under its own key
    st.session_state.setdefault("reviewer", "")
    st.session_state["reviewer_input"] = st.session_state["reviewer"]

    def keep():
        st.session_state["reviewer"] = st.session_state["reviewer_input"]

    st.sidebar.text_input("Your name (stored with each review)", key="reviewer_input", on_change=keep)
    return st.session_state["reviewer"].strip()


def verdict_badge(label: str | None) -> str:
    """An HTML badge for a verdict label."""
    if not label:
        return "<span style='padding:2px 6px;border-radius:4px;background:#f0f0f0'>not reviewed</span>"
    colour = VERDICT_COLOURS.get(label, "#eee")
    return f"<span style='padding:2px 6px;border-radius:4px;background:{colour}'>{html.escape(label)}</span>"


def highlight_article(text: str, claims: list[dict]) -> str:
    """The article as HTML with each claim's words marked in its verdict's colour.

    Atomic claims of one sentence can share words (the subject of an apposition); a word is
    marked once, for the first claim that covers it.
    """
    marks = []
    for c in claims:
        label = c.get("human_verdict") or c.get("suggested_verdict")
        for s, e in c.get("spans") or [(c["start"], c["end"])]:
            marks.append((s, e, c["id"], label))
    out, pos = [], 0
    for s, e, cid, label in sorted(marks):
        if s < pos:
            continue
        colour = VERDICT_COLOURS.get(label, "#fff3b0")
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark title='claim {cid}: {html.escape(label or '')}' "
                   f"style='background:{colour};padding:0 2px'>{html.escape(text[s:e])}<sup>{cid}</sup></mark>")
        pos = e
    out.append(html.escape(text[pos:]))
    return "<div style='white-space:pre-wrap;line-height:1.6'>" + "".join(out) + "</div>"


__all__ = ["VERDICTS", "VERDICT_COLOURS", "db_path", "get_db", "get_embedder", "get_nlp", "reviewer_box",
           "verdict_badge", "highlight_article"]
