"""Check an article: paste text, upload a file or give a URL; see its claims in place."""

import dataclasses

import streamlit as st

from app_pages.common import (current_user, get_db, get_embedder, get_nlp, highlight_article, locked, md_text,
                              reviewer_box, shown_time, verdict_badge)
from claims.article import article_from_text
from claims.errors import AlreadyChecked
from claims.pipeline import bring_back, check_article, time_left
from claims.store import article_asides, claim_matches, get_article, get_settings, list_claims
from sources.errors import SourceError
from sources.library import read_url
from sources.parse import parse_document

st.title("Check an article")
reviewer_box()
db = get_db()

how = st.radio("Article from", ["Paste text", "Upload a file", "URL"], horizontal=True, key="check_how")
title = st.text_input("Title (optional)", key="check_title")
published = st.date_input("Published (optional: \"last year\" and \"in the last two years\" are read against it; "
                          "when empty, the article's own date: a web page's metadata or a \"Published ...\" line)",
                          value=None, key="check_date", format="YYYY-MM-DD")
pasted = uploaded = url = None
if how == "Paste text":
    pasted = st.text_area("Article text", height=220, key="check_text")
elif how == "Upload a file":
    uploaded = st.file_uploader("Article file (.txt, .md, .html, .pdf)", type=["txt", "md", "html", "htm", "pdf"],
                                key="check_file")
else:
    url = st.text_input("Article URL", key="check_url")

keep_all = st.checkbox("Read every part for claims (also the headline, captions, bylines and links to other stories, "
                       "which are otherwise left out and listed)", key="check_keep_all")
no = locked(current_user(db), "check")
go = st.button("Check", type="primary", key="check_go", disabled=no is not None)
if no:
    st.caption(no)
again = st.session_state.pop("check_again", False)  # "Check it again" under a text checked before
if go or again:
    st.session_state.pop("check_duplicate", None)
    bar = st.progress(0.0, text="Reading the article")
    try:
        if how == "Paste text":
            doc, doc_url = article_from_text(pasted or "", title=title or None), None
        elif how == "Upload a file":
            if uploaded is None:
                raise SourceError("choose a file to upload first")
            doc = parse_document(uploaded.getvalue(), origin=uploaded.name, filename=uploaded.name,
                                 title=title or None)
            doc_url = None
        else:
            if not (url or "").strip():
                raise SourceError("enter a URL first")
            doc, doc_url = read_url(url, title=title or None,
                                    allow_networks=get_settings(db)["fetch_allow_networks"])
        if published is not None:
            doc = dataclasses.replace(doc, date=published.isoformat())
        result = check_article(db, doc, get_embedder(), url=doc_url, nlp=get_nlp(), again=again, keep_all=keep_all,
                               progress=time_left(lambda frac, line: bar.progress(frac, text=line)))
        st.session_state.article_id = result.article_id
        bar.progress(1.0, text=f"Done in {result.timings['total_s']:.1f} s")
        if result.message:
            st.info(md_text(result.message))
    except AlreadyChecked as exc:
        bar.empty()
        st.session_state.check_duplicate = exc.article
        st.session_state.pop("article_id", None)
    except SourceError as exc:
        bar.empty()
        st.error(md_text(str(exc)))
        st.session_state.pop("article_id", None)  # the article shown below would look like this check's

dup = st.session_state.get("check_duplicate")
if dup:
    st.warning(f"This text was checked before: article {dup['id']}, “{md_text(dup['title'])}”, on "
               f"{shown_time(dup['checked_at'])}, {dup['claims']} claims, {dup['reviewed']} reviewed. "
               "Nothing new was stored.")
    left, right = st.columns(2)
    if left.button(f"Open article {dup['id']}", type="primary", key="dup_open"):
        st.session_state.article_id = dup["id"]
        st.session_state.pop("check_duplicate", None)
        st.rerun()
    if right.button("Check it again as a new copy", key="dup_again"):
        st.session_state.check_again = True
        st.session_state.pop("check_duplicate", None)
        st.rerun()

article_id = st.session_state.get("article_id")
article = get_article(db, article_id) if article_id else None
if article:
    claims = list_claims(db, article_id=article_id)
    st.subheader(f"{md_text(article['title'])} — {len(claims)} claim{'' if len(claims) == 1 else 's'}")
    about = " · ".join(x for x in (f"By {md_text(article['author'])}" if article.get("author") else "",
                                    md_text(article["publisher"]) if article.get("publisher") else "",
                                    f"Published {article['published']}" if article.get("published") else "") if x)
    if about:
        st.caption(about)
    parts = article_asides(db, article_id)
    left = [(n, p) for n, p in enumerate(parts, 1) if not p["restored"]]
    if left:
        with st.expander(f"Left out of the claims: {len(left)} part{'' if len(left) == 1 else 's'} that "
                         f"{'does' if len(left) == 1 else 'do'} not look like the article's own text"):
            for n, p in left:
                row = st.columns([6, 2])
                row[0].markdown(f"**{md_text(p['kind'].capitalize())}** ({md_text(p['why'])}): {md_text(p['text'])}")
                if row[1].button("Bring it back", key=f"bring_{article_id}_{n}"):
                    bar = st.progress(0.0, text="Reading the part")
                    done = bring_back(db, article_id, n, get_embedder(), nlp=get_nlp(),
                                      progress=time_left(lambda frac, line: bar.progress(frac, text=line)))
                    st.session_state.check_brought = done.message
                    st.rerun()
    brought = st.session_state.pop("check_brought", None)
    if brought:
        st.success(md_text(brought))
    st.markdown(highlight_article(article["text"], claims), unsafe_allow_html=True)
    st.divider()
    for c in claims:
        cols = st.columns([6, 2, 1])
        cols[0].markdown(f"**{c['id']}.** {md_text(c['text'])}")
        if c.get("claimant"):
            cols[0].caption(f"Claimed by {md_text(c['claimant'])}")
        seen = claim_matches(db, c["id"])
        if seen:
            top = seen[0]
            cols[0].caption(f"{'Same claim as' if top['level'] == 'same' else 'Possibly checked before:'} "
                            f"“{md_text(top['text'][:90])}” — {md_text(top['verdict'] or '?')} "
                            f"(similarity {top['similarity']:.2f})")
        cols[1].markdown(verdict_badge(c["human_verdict"] or c["suggested_verdict"]), unsafe_allow_html=True)
        if cols[2].button("Open", key=f"open_{c['id']}"):
            st.session_state.focus_claim = c["id"]
            st.switch_page("app_pages/review_page.py")
