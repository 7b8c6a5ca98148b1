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


def kept(key: str, default):
    """Seed widget `key` from a value kept across page switches (Streamlit drops the state of
    widgets a page does not draw); pass `on_change=keep(key)` to the widget."""
    store = st.session_state.setdefault("_kept", {})
    if key not in st.session_state:
        st.session_state[key] = store.get(key, default)
    return keep(key)


def keep(key: str):
    """A widget callback that remembers the widget's value under `_kept`."""
    def remember():
        st.session_state.setdefault("_kept", {})[key] = st.session_state[key]
    return remember


def keyboard_shortcuts(mapping: dict[str, str]) -> None:
    """Keyboard shortcuts that click the buttons with the given widget keys, e.g.
    {"save_next": "alt+enter"}. Each shortcut needs a modifier, so typing in a field never fires one.

    The listener lives in the page itself (st.html with its script allowed), not in a component
    iframe: streamlit-shortcuts 1.2.2 attaches its listener from an iframe that Streamlit
    re-creates when the page layout shifts, after which its shortcuts stop working.
    """
    import json

    st.html("<script>(function(){const w=window; w.__fcKeys=" + json.dumps(mapping) + ";"
            "if(w.__fcKeyListener){return;}"
            "w.__fcKeyListener=function(e){"
            " for(const [key,combo] of Object.entries(w.__fcKeys||{})){"
            "  const parts=combo.toLowerCase().split('+'); const main=parts[parts.length-1];"
            "  if(parts.includes('alt')!==e.altKey||parts.includes('ctrl')!==e.ctrlKey||"
            "     parts.includes('shift')!==e.shiftKey){continue;}"
            # e.code too: on a Mac, Option+S types "ß", but the key pressed is still KeyS
            "  const k=(e.key||'').toLowerCase(), c=(e.code||'').toLowerCase();"
            "  if(k!==main&&c!=='key'+main&&c!==main){continue;}"
            "  const el=document.querySelector('.st-key-'+key+' button');"
            "  if(el&&!el.disabled){e.preventDefault(); el.click();} return;}};"
            "document.addEventListener('keydown', w.__fcKeyListener);})();</script>",
            unsafe_allow_javascript=True)


def dashboard(stats: dict) -> None:
    """Claims, reviewed and the verdicts given, with a small bar chart of the verdicts."""
    m = st.columns([1, 1, 1, 1, 3])
    m[0].metric("Claims", stats["claims"])
    m[1].metric("Reviewed", stats["reviewed"])
    m[2].metric("Refuted", stats["by_verdict"].get("REFUTED", 0))
    m[3].metric("Supported", stats["by_verdict"].get("SUPPORTED", 0))
    if stats["reviewed"]:
        import pandas as pd

        names = ["Supported", "Refuted", "Not enough evidence", "Conflicting"]
        data = pd.DataFrame({"verdict": names, "claims": [stats["by_verdict"].get(v, 0) for v in VERDICTS]})
        m[4].bar_chart(data, x="verdict", y="claims", horizontal=True, height=190, sort=False)
    else:
        m[4].caption("No reviews yet: the verdict chart appears with the first one.")


def highlight_matches(passage: str, claim: str) -> str:
    """The passage as HTML with the claim's numbers and content words marked."""
    import re

    from sources.search import STOPWORDS

    words = {w.lower() for w in re.findall(r"[A-Za-z][\w'-]{2,}", claim)} - STOPWORDS
    numbers = {n.replace(",", "") for n in re.findall(r"\d[\d,.]*\d|\d", claim)}
    out, pos = [], 0
    for m in re.finditer(r"\d[\d,.]*\d|\d|[A-Za-z][\w'-]*", passage):
        tok = m.group(0)
        hit = tok.replace(",", "") in numbers if tok[0].isdigit() else (
            tok.lower() in words or (len(tok) > 4 and any(tok.lower()[:5] == w[:5] for w in words if len(w) > 4)))
        if hit:
            out.append(html.escape(passage[pos:m.start()]))
            out.append(f"<mark>{html.escape(tok)}</mark>")
            pos = m.end()
    out.append(html.escape(passage[pos:]))
    return "".join(out)


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
           "verdict_badge", "highlight_article", "highlight_matches", "dashboard", "kept", "keep", "keyboard_shortcuts"]
