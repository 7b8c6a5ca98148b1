"""Shared resources and small widgets for the app's pages.

The database is opened anew on every script run (sqlite3 connections must not cross
Streamlit's threads); the embedding model and spaCy pipeline are cached resources.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

import streamlit as st

from claims.store import VERDICTS, open_db
from sources.errors import SourceError

VERDICT_COLOURS = {
    "SUPPORTED": "#c8ecc9", "REFUTED": "#f7c5c0", "NOT_ENOUGH_EVIDENCE": "#e4e4e4", "CONFLICTING": "#fbe3a6",
}


def local_time(iso: str | None, zone: str | None = None, offset_minutes: int | None = None) -> str:
    """A stored time (ISO 8601, UTC) as the reader's clock shows it: in the IANA `zone` the browser
    reports, else at its UTC offset, else in UTC, said so ("2026-12-04 13:05 CET")."""
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    if not iso:
        return ""
    try:
        t = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    try:
        tz = ZoneInfo(zone) if zone else None
    except (ValueError, KeyError, OSError):
        tz = None
    if tz is None and offset_minutes is not None:
        # the browser's getTimezoneOffset(): minutes *behind* UTC
        tz = timezone(timedelta(minutes=-int(offset_minutes)))
    t = t.astimezone(tz or timezone.utc)
    name = t.tzname() or ""
    return t.strftime("%Y-%m-%d %H:%M") + (f" {name}" if name else "")


def shown_time(iso: str | None) -> str:
    """`local_time` in the time zone of the browser this page is shown in."""
    try:
        zone, offset = st.context.timezone, st.context.timezone_offset
    except Exception:
        zone = offset = None
    return local_time(iso, zone, offset)


def relevance(e: dict) -> str:
    """How close a passage is to the claim, in words a reviewer can compare across claims: the
    meaning similarity (the embedding model's cosine, 0-100%) and whether the claim's words occur."""
    parts = []
    if e.get("dense_score") is not None:
        parts.append(f"{max(0, min(100, round(100 * e['dense_score'])))}% similar in meaning")
    if e.get("lexical_score") is not None:
        parts.append("shares the claim's key words")
    return " · ".join(parts) or "not scored (added by hand)"


def db_path() -> str:
    """The database file: FACTCHECK_DB or ./factcheck.db."""
    return os.environ.get("FACTCHECK_DB", "factcheck.db")


def get_db():
    """A fresh connection for this script run; a database that cannot be used (damaged, newer,
    not SQLite, busy) is one line on the page, which then stops."""
    try:
        return open_db(db_path())
    except SourceError as exc:
        st.error(md_text(str(exc)))
        st.stop()


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


LOCAL_ADDRESSES = (None, "", "127.0.0.1", "::1", "localhost")


def current_user(db=None) -> dict | None:
    """Who uses this browser session, as {username, name, role, anonymous}.

    With the `sign_in` setting on: the user app.py signed in (looked up again on every run, so a
    removed user or a changed role takes effect at once), or None. With it off: the person at this
    computer, an admin of their own workbench under the name typed in the sidebar ("" until typed)."""
    from claims.accounts import get_user, sign_in_required

    close = db is None
    db = db if db is not None else get_db()
    try:
        if sign_in_required(db):
            signed = st.session_state.get("user") or {}
            user = get_user(db, signed.get("username"))
            return {**user, "anonymous": False} if user else None
    finally:
        if close:
            db.close()
    name = (st.session_state.get("reviewer_input", st.session_state.get("reviewer")) or "").strip()
    return {"username": name, "name": name, "role": "admin", "anonymous": True}


def may(user: dict | None, action: str) -> bool:
    """Whether this session's user may do `action` (claims.accounts.ACTIONS)."""
    from claims.accounts import may as role_may

    return user is not None and role_may(user["role"], action)


def refusal(user: dict | None, action: str) -> str | None:
    """Why this session's user may not do `action` (one line), or None when they may; with no
    sign-in, until a name is typed."""
    from claims.accounts import ACTIONS

    if user is None:
        return f"Sign in to {ACTIONS[action]}."
    if user["anonymous"] and not user["username"]:
        return "Enter your name in the sidebar first: every change records who made it."
    if not may(user, action):
        return f"You are signed in as a {user['role']}: a {user['role']} may not {ACTIONS[action]}."
    return None


def locked(user: dict | None, action: str) -> str | None:
    """Why a signed-in user's role keeps a button of `action` disabled (None: enabled). Without
    sign-in nothing is locked: the one person at this computer may do everything."""
    if user is not None and user["anonymous"]:
        return None
    return refusal(user, action)


def reviewer_box() -> str:
    """Who is working: with sign-in, the signed-in user (app.py names them in the sidebar, with
    Sign out); without, a name chosen once per browser session, in the sidebar. Stops a page that needs a
    signed-in user when there is none (a page opened without the router)."""
    db = get_db()
    try:
        user = current_user(db)
        from claims.accounts import sign_in_required

        required = sign_in_required(db)
    finally:
        db.close()
    if required:
        if user is None:
            st.warning("Sign in first (open the workbench's start page).")
            st.stop()
        return user["username"]  # app.py names them in the sidebar, with Sign out
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


def keyboard_shortcuts(mapping: dict[str, str], keep_focus: Iterable[str] = ()) -> None:
    """Keyboard shortcuts that click the buttons with the given widget keys, e.g.
    {"save_12": "alt+enter"}. Each shortcut needs a modifier, so typing in a field never fires one.

    Pressed while typing in a field, a shortcut first takes the focus off the field, which makes
    Streamlit send what was typed (it sends a field's value on blur), and clicks a moment later:
    a click alone would save the note as it was before the typing (issue 12). The buttons in
    `keep_focus` give the focus back to the field afterwards, so typing can go on.

    The listener lives in the page itself (st.html with its script allowed), not in a component
    iframe: streamlit-shortcuts 1.2.2 attaches its listener from an iframe that Streamlit
    re-creates when the page layout shifts, after which its shortcuts stop working.
    """
    import json

    st.html("<script>(function(){const w=window; w.__fcKeys=" + json.dumps(mapping).replace("</", "<\\/") + ";"
            "w.__fcKeep=" + json.dumps(list(keep_focus)) + ";"
            "if(w.__fcKeyListener){return;}"
            "const button=function(key){const b=document.querySelector('.st-key-'+key+' button');"
            " return b&&!b.disabled?b:null;};"
            "w.__fcKeyListener=function(e){"
            " for(const [key,combo] of Object.entries(w.__fcKeys||{})){"
            "  const parts=combo.toLowerCase().split('+'); const main=parts[parts.length-1];"
            "  if(parts.includes('alt')!==e.altKey||parts.includes('ctrl')!==e.ctrlKey||"
            "     parts.includes('shift')!==e.shiftKey){continue;}"
            # e.code too: on a Mac, Option+S types "ß", but the key pressed is still KeyS
            "  const k=(e.key||'').toLowerCase(), c=(e.code||'').toLowerCase();"
            "  if(k!==main&&c!=='key'+main&&c!==main){continue;}"
            "  if(!button(key)){return;}"
            "  e.preventDefault();"
            "  const field=document.activeElement;"
            "  if(!field||!field.matches('textarea,input')){button(key).click(); return;}"
            "  const keep=(w.__fcKeep||[]).includes(key);"
            "  field.blur();"
            "  setTimeout(function(){const b=button(key); if(b){b.click();}"
            "   if(keep&&field.isConnected){field.focus();}}, 60);"
            "  return;}};"
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


# Untrusted text (sources, articles, claims, archived fact-checks, reviewers) is shown as text
# (issue #13): Streamlit renders Markdown in st.markdown, st.write, st.caption, headings, alerts and
# every label, and raw HTML where unsafe_allow_html is set. Everything such text reaches goes
# through md_text, html_text or md_link.
WORD_JOINER = "\u2060"
# what CommonMark, GFM, KaTeX and Streamlit's directives (:red[...]) act on anywhere in a line
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$:&/@])")
# what they act on at the start of a line: list items, setext underlines, ordered lists
_MD_LINE_START = re.compile(r"^([-+=]|\d{1,9}(?=[.)]))")
# Streamlit also rewrites the parsed text, where escapes no longer count: URLs, www. names and
# e-mail addresses become links, shortcodes (:smile:, :streamlit:) emoji or a logo, "->" an arrow.
# An invisible word joiner inside each keeps it from matching.
_REWRITES = re.compile(r"(?i)(?=https?://|www\.)|(?<=@)(?=[-\w])|(?<=:)(?=[a-z+-][\w+-]*:)|"
                       r"(?:(?<=\s)|^)([-<>~])(?=(?:->|[->=])(?:\s|$))")


def _unrewritable(s: str) -> str:
    return _REWRITES.sub(lambda m: (m.group(1) or "") + WORD_JOINER, s)


def md_text(text, paragraphs: bool = False) -> str:
    """`text` as Markdown that Streamlit shows literally: every character that Markdown, GFM
    (tables, strikethrough), KaTeX ($) or Streamlit's directives (:red[...]) and icons act on is
    escaped, what it rewrites after parsing (autolinks, shortcodes, arrows) is broken by an
    invisible word joiner, and runs of white space become one space (blank lines stay paragraph
    breaks with `paragraphs`). For untrusted text in any element that renders Markdown."""
    if paragraphs:
        return "\n\n".join(md_text(p) for p in re.split(r"\n\s*\n", str(text or "")) if p.strip())
    s = _MD_SPECIAL.sub(r"\\\1", _unrewritable(" ".join(str(text or "").split())))
    return _MD_LINE_START.sub(lambda m: m[0] + "\\" if m[0][0].isdigit() else "\\" + m[0], s, count=1)


def html_text(text) -> str:
    """`text` for an HTML fragment inside st.markdown(..., unsafe_allow_html=True): HTML-escaped,
    with every ASCII punctuation mark and control character (line breaks too) as a numeric
    character reference, so Markdown finds nothing to act on either: a blank line would end the
    HTML block and make the rest Markdown again."""
    s = _unrewritable(str(text or "").replace("\r\n", "\n"))
    return "".join(c if c.isalnum() or c == " " or ord(c) > 127 else f"&#{ord(c)};" for c in s)


def safe_href(url) -> str | None:
    """`url` percent-encoded for a link, when it is an http(s) URL with a host; else None.
    Quotes, brackets, parentheses and spaces are encoded, so nothing in it can end the link."""
    u = str(url or "").strip()
    try:
        parts = urlsplit(u)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an invalid port or IPv6 host
        ok = False
    if not ok:
        return None
    return quote(u, safe="/:?#[]@&+,;=%-._~").replace(":material/", "%3Amaterial/")


def md_link(url, text=None) -> str:
    """A Markdown link to `url` if it is an http(s) URL, showing `text` (default: the URL), both
    escaped; anything else is the escaped text alone, never a link."""
    shown, href = md_text(url if text is None else text), safe_href(url)
    if href is None:
        return shown
    destination = href.replace("&", "\\&")  # "&amp;" in a destination would be read as "&"
    return f"[{shown}]({destination})"


def highlight_matches(passage: str, claim: str) -> str:
    """The passage as one HTML block with the claim's numbers and content words marked."""
    from sources.search import STOPWORDS

    words = {w.lower() for w in re.findall(r"[A-Za-z][\w'-]{2,}", claim)} - STOPWORDS
    numbers = {n.replace(",", "") for n in re.findall(r"\d[\d,.]*\d|\d", claim)}
    out, pos = [], 0
    for m in re.finditer(r"\d[\d,.]*\d|\d|[A-Za-z][\w'-]*", passage):
        tok = m.group(0)
        hit = tok.replace(",", "") in numbers if tok[0].isdigit() else (
            tok.lower() in words or (len(tok) > 4 and any(tok.lower()[:5] == w[:5] for w in words if len(w) > 4)))
        if hit:
            out.append(html_text(passage[pos:m.start()]))
            out.append(f"<mark>{html_text(tok)}</mark>")
            pos = m.end()
    out.append(html_text(passage[pos:]))
    return "<div>" + "".join(out) + "</div>"


def verdict_badge(label: str | None) -> str:
    """An HTML badge for a verdict label."""
    if not label:
        return "<span style='padding:2px 6px;border-radius:4px;background:#f0f0f0'>not reviewed</span>"
    colour = VERDICT_COLOURS.get(label, "#eee")
    return f"<span style='padding:2px 6px;border-radius:4px;background:{colour}'>{html_text(label)}</span>"


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
        out.append(html_text(text[pos:s]))
        out.append(f"<mark title='claim {cid}: {html_text(label)}' "
                   f"style='background:{colour};padding:0 2px'>{html_text(text[s:e])}<sup>{cid}</sup></mark>")
        pos = e
    out.append(html_text(text[pos:]))
    return "<div style='white-space:pre-wrap;line-height:1.6'>" + "".join(out) + "</div>"


__all__ = ["VERDICTS", "VERDICT_COLOURS", "db_path", "get_db", "get_embedder", "get_nlp", "reviewer_box",
           "current_user", "may", "refusal", "locked",
           "verdict_badge", "highlight_article", "highlight_matches", "md_text", "html_text", "md_link", "safe_href",
           "dashboard", "kept", "keep", "keyboard_shortcuts"]
