"""Review claims one at a time: context, evidence, suggestion, your verdict, history."""

import html

import streamlit as st

from app_pages.common import VERDICTS, get_db, reviewer_box, verdict_badge
from claims.errors import ClaimsError
from claims.store import add_review, claim_evidence, claim_reviews, get_article, list_articles, list_claims, stats

st.title("Review claims")
reviewer = reviewer_box()
db = get_db()

s = stats(db)
m = st.columns(5)
m[0].metric("Claims", s["claims"])
m[1].metric("Reviewed", s["reviewed"])
for col, label in zip(m[2:], ("SUPPORTED", "REFUTED", "CONFLICTING")):
    col.metric(label.title(), s["by_verdict"].get(label, 0))

articles = list_articles(db)
if not articles:
    st.info("No articles checked yet. Use **Check an article** first.")
    st.stop()
ids = [a["id"] for a in articles]
current = st.session_state.get("article_id")
index = ids.index(current) if current in ids else 0
article_id = st.selectbox("Article", ids, index=index, key="review_article",
                          format_func=lambda i: next(f"{a['id']}: {a['title']} ({a['reviewed']}/{a['claims']} reviewed)"
                                                     for a in articles if a["id"] == i))
if article_id != st.session_state.get("article_id"):
    st.session_state.article_id = article_id
    st.session_state.claim_index = 0
claims = list_claims(db, article_id=article_id)
if not claims:
    st.info("This article has no check-worthy claims.")
    st.stop()
i = min(st.session_state.get("claim_index", 0), len(claims) - 1)
claim = claims[i]
st.progress((i + 1) / len(claims), text=f"Claim {i + 1} of {len(claims)}")

article = get_article(db, article_id)
text = article["text"]
lo, hi = max(0, claim["start"] - 300), min(len(text), claim["end"] + 300)
context, pos = [], lo
for s, e in claim["spans"] or [(claim["start"], claim["end"])]:
    context.append(html.escape(text[pos:s]) + "<mark>" + html.escape(text[s:e]) + "</mark>")
    pos = e
context.append(html.escape(text[pos:hi]))
st.markdown("<div style='white-space:pre-wrap;border-left:3px solid #ccc;padding-left:8px'>…"
            + "".join(context) + "…</div>", unsafe_allow_html=True)
st.markdown(f"### {claim['text']}")
if claim["original"] and claim["original"] != claim["text"]:
    st.caption(f"The article's words: “{claim['original']}”")
st.caption(f"type {claim['type']} · check-worthiness {claim['checkworthiness']:.2f} · claim id {claim['id']}")
st.markdown(f"**Suggested:** {verdict_badge(claim['suggested_verdict'])} "
            f"(confidence {claim['confidence'] or 0:.2f}) — {html.escape(claim['rationale'] or '')}",
            unsafe_allow_html=True)

evidence = claim_evidence(db, claim["id"])
st.subheader("Evidence")
if not evidence:
    st.write("No passages found in the library.")
cited = claim["suggested_passage_id"]
for e in evidence:
    mark = " · cited by the suggestion" if e["passage_id"] == cited else ""
    with st.expander(f"#{e['rank']} {e['source_title']} — score {e['score']:.3f}{mark}",
                     expanded=e["rank"] <= 2 or bool(mark)):
        st.write(e["text"])
        dense = f"{e['dense_score']:.3f}" if e["dense_score"] is not None else "–"
        lexical = f"{e['lexical_score']:.3g}" if e["lexical_score"] is not None else "–"
        st.caption(f"passage {e['passage_id']} · dense {dense} · BM25 {lexical} · {e['source_url'] or e['source']}")

st.subheader("Your verdict")
choices = [None] + [e["passage_id"] for e in evidence]
with st.form(key=f"review_form_{claim['id']}"):
    default = VERDICTS.index(claim["suggested_verdict"]) if claim["suggested_verdict"] in VERDICTS else 2
    verdict = st.radio("Verdict", VERDICTS, index=default, horizontal=True, key=f"review_verdict_{claim['id']}")
    passage = st.selectbox("Evidence the verdict rests on", choices, key=f"review_passage_{claim['id']}",
                           index=choices.index(cited) if cited in choices else 0,
                           format_func=lambda p: "none" if p is None else f"passage {p}")
    note = st.text_area("Note", key=f"review_note_{claim['id']}")
    saved = st.form_submit_button("Save and next", type="primary")
if saved:
    if not reviewer:
        st.error("Enter your name in the sidebar first: every review records who made it.")
    else:
        try:
            add_review(db, claim["id"], verdict, reviewer, note=note, passage_id=passage)
            st.session_state.claim_index = min(i + 1, len(claims) - 1)
            st.session_state.flash = f"Saved {verdict} for claim {claim['id']}."
            st.rerun()
        except ClaimsError as exc:
            st.error(str(exc))
if st.session_state.get("flash"):
    st.success(st.session_state.pop("flash"))

nav = st.columns(2)
if nav[0].button("◀ Previous", key="review_prev", disabled=i == 0):
    st.session_state.claim_index = i - 1
    st.rerun()
if nav[1].button("Next ▶", key="review_next", disabled=i >= len(claims) - 1):
    st.session_state.claim_index = i + 1
    st.rerun()

history = claim_reviews(db, claim["id"])
if history:
    st.subheader("History")
    st.dataframe([{"time": h["created_at"], "reviewer": h["reviewer"], "verdict": h["verdict"], "note": h["note"],
                   "passage": h["passage_id"]} for h in reversed(history)], hide_index=True)
