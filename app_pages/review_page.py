"""Review claims one at a time: a filtered queue, the claim in context, its evidence, the
suggestion, your verdict and the claim's history.

Keyboard: Alt+S / Alt+R / Alt+N / Alt+C pick a verdict, Alt+Enter saves and moves on,
Alt+J / Alt+K go to the next / previous claim.
"""

import html
import json
import time

import streamlit as st

from app_pages.common import (VERDICTS, dashboard, get_db, get_embedder, highlight_matches, keyboard_shortcuts, kept,
                              reviewer_box, verdict_badge)
from claims.errors import ClaimsError
from claims.store import (QUEUE_SORTS, QUEUE_STATES, add_evidence, add_review, claim_evidence, claim_matches,
                          claim_queue, claim_reviews, claim_types, confirm_match, confirmed_links, get_article,
                          get_claim, get_claims, latest_review_id, list_articles, reviewers, reviews_since, stats)

PAGE_SIZE = 50
SHORTCUTS = {"verdict_SUPPORTED": "alt+s", "verdict_REFUTED": "alt+r", "verdict_NOT_ENOUGH_EVIDENCE": "alt+n",
             "verdict_CONFLICTING": "alt+c", "save_next": "alt+enter", "next_claim": "alt+j", "prev_claim": "alt+k"}

ss = st.session_state
ss.setdefault("queue_pos", 0)
ss.setdefault("choice", {})          # claim id -> verdict picked but not yet saved
ss.setdefault("opened", {})          # claim id -> newest review id when this browser opened it
ss.setdefault("search_results", {})  # claim id -> hits of the reviewer's own search

st.title("Review claims")
reviewer = reviewer_box()
db = get_db()
dashboard(stats(db))

articles = list_articles(db)
if not articles:
    st.info("No articles checked yet. Use **Check an article** first.")
    st.stop()

FILTER_DEFAULTS = {"q_article": None, "q_state": "all", "q_verdict": None, "q_type": None, "q_reviewer": None,
                   "q_sort": "checkworthiness", "q_min_cw": 0.0}

# arriving from the check page ("Open" on a claim, or a fresh check): show that article, in order
focus = ss.pop("focus_claim", None)
if focus is not None or ss.get("article_id") != ss.get("_queue_article_seen"):
    ss["_queue_article_seen"] = ss.get("article_id")
    if ss.get("article_id") is not None:
        ss.setdefault("_kept", {}).update({**FILTER_DEFAULTS, "q_article": ss["article_id"], "q_sort": "position"})
        for k in FILTER_DEFAULTS:
            ss.pop(k, None)
        ss.queue_pos = 0
    if focus is not None:
        ss["focus_id"] = focus


def reset_position(key):
    keep = kept(key, FILTER_DEFAULTS[key])

    def changed():
        keep()
        ss.queue_pos = 0
    return changed


article_ids = [None] + [a["id"] for a in articles]
titles = {a["id"]: f"{a['id']}: {a['title']} ({a['reviewed']}/{a['claims']} reviewed)" for a in articles}
with st.expander("Queue filters", expanded=False):
    f = st.columns(4)
    on = {k: reset_position(k) for k in FILTER_DEFAULTS}
    if ss.get("q_article") not in article_ids:
        ss["q_article"] = None
    article_id = f[0].selectbox("Article", article_ids, key="q_article", on_change=on["q_article"],
                                format_func=lambda i: "all articles" if i is None else titles[i])
    if ss.get("q_state") not in QUEUE_STATES:
        ss["q_state"] = "all"
    state = f[1].selectbox("State", QUEUE_STATES, key="q_state", on_change=on["q_state"])
    verdict_filter = f[2].selectbox("Verdict (reviewed, else suggested)", [None, *VERDICTS], key="q_verdict",
                                    on_change=on["q_verdict"], format_func=lambda v: "any" if v is None else v)
    types = [None, *claim_types(db)]
    if ss.get("q_type") not in types:
        ss["q_type"] = None
    claim_type = f[3].selectbox("Type", types, key="q_type", on_change=on["q_type"],
                                format_func=lambda v: "any" if v is None else v)
    g = st.columns(3)
    people = [None, *reviewers(db)]
    if ss.get("q_reviewer") not in people:
        ss["q_reviewer"] = None
    who = g[0].selectbox("Reviewed by", people, key="q_reviewer", on_change=on["q_reviewer"],
                         format_func=lambda v: "anyone" if v is None else v)
    min_cw = g[1].slider("Check-worthiness at least", 0.0, 1.0, step=0.05, key="q_min_cw", on_change=on["q_min_cw"])
    sort = g[2].radio("Order", QUEUE_SORTS, key="q_sort", on_change=on["q_sort"], horizontal=True,
                      format_func=lambda v: "most check-worthy first" if v == "checkworthiness" else "article order")

ids = claim_queue(db, article_id=article_id, state=state, verdict=verdict_filter, claim_type=claim_type,
                  min_checkworthiness=min_cw, reviewer=who, sort=sort)
if not ids:
    st.info("No claims match these filters.")
    st.stop()
if ss.get("focus_id") in ids:
    ss.queue_pos = ids.index(ss.pop("focus_id"))
ss.pop("focus_id", None)
pos = max(0, min(ss.queue_pos, len(ids) - 1))
ss.queue_pos = pos
claim = get_claim(db, ids[pos])
cid = claim["id"]
if cid not in ss.opened:
    ss.opened[cid] = latest_review_id(db, cid)
st.progress((pos + 1) / len(ids), text=f"Claim {pos + 1} of {len(ids)} in this queue")

with st.expander(f"Queue — page {pos // PAGE_SIZE + 1} of {(len(ids) - 1) // PAGE_SIZE + 1}"):
    start = pos // PAGE_SIZE * PAGE_SIZE
    page_rows = get_claims(db, ids[start:start + PAGE_SIZE])
    st.dataframe([{"#": start + k + 1, "claim": r["id"], "text": r["text"], "check-worthiness":
                   round(r["checkworthiness"], 2), "suggested": r["suggested_verdict"], "reviewed": r["human_verdict"]}
                  for k, r in enumerate(page_rows)], hide_index=True, height=240)
    j = st.columns([1, 1, 2])
    jump = j[0].number_input("Go to #", 1, len(ids), pos + 1, key=f"jump_{pos}")
    if j[1].button("Go", key="jump_go") and int(jump) - 1 != pos:
        ss.queue_pos = int(jump) - 1
        st.rerun()

# someone else reviewed this claim since this browser opened it: say so (nothing is overwritten)
for other in reviews_since(db, cid, ss.opened[cid], reviewer):
    st.warning(f"{other['reviewer']} reviewed this claim as {other['verdict']} at {other['created_at']} since you "
               "opened it. Saving adds your review beside theirs; nothing is overwritten.")

article = get_article(db, claim["article_id"])
text = article["text"]
lo, hi = max(0, claim["start"] - 300), min(len(text), claim["end"] + 300)
context, p = [], lo
for s, e in claim["spans"] or [(claim["start"], claim["end"])]:
    context.append(html.escape(text[p:s]) + "<mark>" + html.escape(text[s:e]) + "</mark>")
    p = e
context.append(html.escape(text[p:hi]))
st.caption(f"From “{article['title']}”")
st.markdown("<div style='white-space:pre-wrap;border-left:3px solid #ccc;padding-left:8px'>…"
            + "".join(context) + "…</div>", unsafe_allow_html=True)
st.markdown(f"### {claim['text']}")
if claim["original"] and claim["original"] != claim["text"]:
    st.caption(f"The article's words: “{claim['original']}”")
st.caption(f"type {claim['type']} · check-worthiness {claim['checkworthiness']:.2f} · claim id {cid}")
st.markdown(f"**Suggested:** {verdict_badge(claim['suggested_verdict'])} "
            f"(confidence {claim['confidence'] or 0:.2f}) — {html.escape(claim['rationale'] or '')}",
            unsafe_allow_html=True)

matches = claim_matches(db, cid)
if matches:
    st.subheader("Checked before?")
for mt in matches:
    label = "Same claim as" if mt["level"] == "same" else "Possibly checked before:"
    where = f" · [{mt['url']}]({mt['url']})" if (mt["url"] or "").startswith("http") else ""
    who = " · ".join(x for x in (mt["publisher"], (mt["date"] or "")[:10]) if x)
    with st.container(border=True):
        st.markdown(f"**{label}** “{html.escape(mt['text'])}” — {verdict_badge(mt['verdict'])} "
                    f"(similarity {mt['similarity']:.2f}{' · ' + html.escape(who) if who else ''}){where}",
                    unsafe_allow_html=True)
        if mt["confirmed"]:
            st.caption(f"Confirmed as the same claim by {mt['confirmed']}")
        elif st.button("Confirm: this is the same claim", key=f"confirm_match_{mt['id']}"):
            if not reviewer:
                st.error("Enter your name in the sidebar first: a confirmed match records who confirmed it.")
            else:
                confirm_match(db, mt["id"], reviewer)
                ss.flash = "Match confirmed; it shows in both claims' histories."
                st.rerun()

evidence = claim_evidence(db, cid)
cited = claim["suggested_passage_id"]
last = claim_reviews(db, cid)
marked_before = set(json.loads(last[-1]["passage_ids"])) if last else ({cited} if cited is not None else set())
st.subheader("Evidence")
if not evidence:
    st.write("No passages found in the library. Search below with your own words.")
for e in evidence:
    pid = e["passage_id"]
    note = " · cited by the suggestion" if pid == cited else ""
    note += f" · added by {e['added_by']}" if e.get("added_by") else ""
    with st.expander(f"#{e['rank']} {e['source_title']} — score {e['score']:.3f}{note}",
                     expanded=e["rank"] <= 2 or pid == cited or bool(e.get("added_by"))):
        st.markdown(highlight_matches(e["text"], claim["text"]), unsafe_allow_html=True)
        dense = f"{e['dense_score']:.3f}" if e["dense_score"] is not None else "–"
        lexical = f"{e['lexical_score']:.3g}" if e["lexical_score"] is not None else "–"
        link = e["source_url"] or e["source"]
        shown = f"[{link}]({link})" if str(link).startswith("http") else link
        st.caption(f"passage {pid} · dense {dense} · BM25 {lexical} · {shown}")
        st.checkbox("The verdict rests on this passage", value=pid in marked_before, key=f"ev_{cid}_{pid}")

st.subheader("Your verdict")
choice = ss.choice.get(cid) or claim["human_verdict"] or claim["suggested_verdict"] or "NOT_ENOUGH_EVIDENCE"


def pick(label):
    ss.choice[cid] = label


cols = st.columns(4)
for col, label in zip(cols, VERDICTS):
    col.button(f"{label.replace('_', ' ').title()} ({SHORTCUTS['verdict_' + label].title()})",
               key=f"verdict_{label}", type="primary" if label == choice else "secondary",
               on_click=pick, args=(label,), use_container_width=True)
st.markdown(f"Chosen: {verdict_badge(choice)}", unsafe_allow_html=True)
note = st.text_area("Note", key=f"note_{cid}", height=80)
nav = st.columns([2, 1, 1])
saved = nav[0].button("Save and next (Alt+Enter)", type="primary", key="save_next", use_container_width=True)
if saved:
    if not reviewer:
        st.error("Enter your name in the sidebar first: every review records who made it.")
    else:
        t0 = time.perf_counter()
        marked = [e["passage_id"] for e in evidence if ss.get(f"ev_{cid}_{e['passage_id']}")]
        try:
            add_review(db, cid, choice, reviewer, note=note, passage_ids=marked)
            ss.choice.pop(cid, None)
            ss.opened.pop(cid, None)
            ss["focus_id"] = ids[pos + 1] if pos + 1 < len(ids) else None
            ss.queue_pos = pos + 1 if pos + 1 < len(ids) else pos
            ss.flash = f"Saved {choice} for claim {cid}."
            ss.save_started = t0
            st.rerun()
        except ClaimsError as exc:
            st.error(str(exc))
if nav[1].button("◀ Previous (Alt+K)", key="prev_claim", disabled=pos == 0, use_container_width=True):
    ss.queue_pos = pos - 1
    st.rerun()
if nav[2].button("Next ▶ (Alt+J)", key="next_claim", disabled=pos >= len(ids) - 1, use_container_width=True):
    ss.queue_pos = pos + 1
    st.rerun()
if ss.get("flash"):
    took = (time.perf_counter() - ss.pop("save_started")) * 1000 if "save_started" in ss else None
    st.success(ss.pop("flash") + (f" Next claim shown in {took:.0f} ms." if took is not None else ""))
keyboard_shortcuts(SHORTCUTS)

st.subheader("Search the library yourself")
q = st.text_input("Your query", key=f"search_q_{cid}", placeholder="e.g. the person's name and the number")
if st.button("Search", key="search_go") and q.strip():
    from sources.search import Searcher

    ss.search_results[cid] = Searcher(db, get_embedder()).search_many([q.strip()], top_k=5)[0]
for k, hit in enumerate(ss.search_results.get(cid, [])):
    with st.container(border=True):
        st.markdown(f"**{hit.source_title}** · score {hit.score:.3f} · passage {hit.passage_id}")
        st.markdown(highlight_matches(hit.text, q or claim["text"]), unsafe_allow_html=True)
        if st.button("Add to this claim's evidence", key=f"add_ev_{k}"):
            if not reviewer:
                st.error("Enter your name in the sidebar first: added evidence records who added it.")
            else:
                added = add_evidence(db, cid, hit, reviewer)
                ss.flash = "Added to the evidence." if added else "That passage is already in the evidence."
                st.rerun()

history = claim_reviews(db, cid)
events = [{"time": h["created_at"], "reviewer": h["reviewer"], "verdict": h["verdict"], "note": h["note"],
           "passages": ", ".join(str(x) for x in json.loads(h["passage_ids"]))} for h in history]
for link in confirmed_links(db, cid):
    other = (f"archived fact-check {link['target_id']}" if link["kind"] == "archive" else
             f"claim {link['target_id'] if link['claim_id'] == cid else link['claim_id']}")
    events.append({"time": link["created_at"], "reviewer": link["reviewer"], "verdict": "",
                   "note": f"confirmed same claim as {other} (similarity {link['similarity']:.2f})", "passages": ""})
st.subheader("History")
if not events:
    st.caption("Not reviewed yet.")
else:
    st.dataframe(sorted(events, key=lambda e: e["time"], reverse=True), hide_index=True)
