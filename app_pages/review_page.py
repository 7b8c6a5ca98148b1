"""Review claims one at a time: a filtered queue, the claim in context, its evidence, the
suggestion, your verdict and the claim's history.

Keyboard: Alt+S / Alt+R / Alt+N / Alt+C pick a verdict, Alt+Enter saves and moves on,
Alt+J / Alt+K go to the next / previous claim.
"""

import json
import sqlite3
import time

import streamlit as st

from app_pages.common import (VERDICTS, current_user, dashboard, get_db, get_embedder, get_nlp, highlight_matches,
                              html_text, keyboard_shortcuts, kept, locked, md_link, md_text, refusal, relevance, reviewer_box,
                              shown_time, verdict_badge)
from claims import workflow
from claims.store import (QUEUE_SORTS, QUEUE_STATES, UNASSIGNED, add_evidence, add_review, claim_changes,
                          claim_evidence, claim_matches, claim_queue, claim_reviews, claim_state, claim_types,
                          confirm_match, confirmed_links, get_article, get_claim, get_claims, latest_review_id,
                          list_articles, reviewers, reviews_since, state_history, stats)
from sources.errors import SourceError
from sources.store import describe

PAGE_SIZE = 50
SHORTCUTS = {"SUPPORTED": "alt+s", "REFUTED": "alt+r", "NOT_ENOUGH_EVIDENCE": "alt+n", "CONFLICTING": "alt+c",
             "save": "alt+enter", "next": "alt+j", "prev": "alt+k"}

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

# "" stands for "any" in the filters: Streamlit shows a None value as "Choose an option"
ANY = ""
FILTER_DEFAULTS = {"q_article": ANY, "q_state": "all", "q_verdict": ANY, "q_type": ANY, "q_reviewer": ANY,
                   "q_sort": "checkworthiness", "q_min_cw": 0.0, "q_holder": ANY}
ME = "\x00me"  # the "Held by" filter's value for "me" (no name can be it)
user = current_user()

# arriving from the check page ("Open" on a claim, or a fresh check): show that article, in order
focus = ss.pop("focus_claim", None)
if focus is not None or ss.get("article_id") != ss.get("_queue_article_seen"):
    ss["_queue_article_seen"] = ss.get("article_id")
    if ss.get("article_id") is not None:
        ss.setdefault("_kept", {}).update({**FILTER_DEFAULTS, "q_article": ss["article_id"], "q_sort": "position"})
        for k in FILTER_DEFAULTS:
            ss.pop(k, None)
        ss.queue_pos = 0
        ss.pop("queue_claim", None)
    if focus is not None:
        ss["focus_id"] = focus


def failure(exc: Exception) -> str:
    """One line for a write that failed: the product's own message, or SQLite's read for a user."""
    if isinstance(exc, sqlite3.Error):
        return describe(exc) or f"database error ({exc})"
    return str(exc)


def reset_position(key):
    keep = kept(key, FILTER_DEFAULTS[key])

    def changed():
        keep()
        ss.queue_pos = 0
        ss.pop("queue_claim", None)
    return changed


article_ids = [ANY] + [a["id"] for a in articles]
# labels stay the same while counts change: the browser sends a choice back as its label, and a
# label with a live count no longer matched after a save, so the queue fell back to all articles (issue 12)
titles = {a["id"]: f"{a['id']}: {a['title']}" for a in articles}
counts = {a["id"]: f"{a['reviewed']} of {a['claims']} claims reviewed" for a in articles}
with st.expander("Queue filters", expanded=False):
    f = st.columns(4)
    on = {k: reset_position(k) for k in FILTER_DEFAULTS}
    if ss.get("q_article") not in article_ids:
        ss["q_article"] = ANY
    article_id = f[0].selectbox("Article", article_ids, key="q_article", on_change=on["q_article"],
                                format_func=lambda i: "all articles" if i == ANY else titles[i])
    article_id = None if article_id == ANY else article_id
    if article_id is not None:
        f[0].caption(counts[article_id])
    if ss.get("q_state") not in QUEUE_STATES:
        ss["q_state"] = "all"
    state = f[1].selectbox("State", QUEUE_STATES, key="q_state", on_change=on["q_state"],
                           format_func=lambda v: {"all": "any", "in_review": "in review",
                                                  "unreviewed": "not reviewed yet"}.get(v, v))
    if ss.get("q_verdict") not in (ANY, *VERDICTS):
        ss["q_verdict"] = ANY
    verdict_filter = f[2].selectbox("Verdict (reviewed, else suggested)", [ANY, *VERDICTS], key="q_verdict",
                                    on_change=on["q_verdict"], format_func=lambda v: "any" if v == ANY else v)
    types = [ANY, *claim_types(db)]
    if ss.get("q_type") not in types:
        ss["q_type"] = ANY
    claim_type = f[3].selectbox("Type", types, key="q_type", on_change=on["q_type"],
                                format_func=lambda v: "any" if v == ANY else v)
    g = st.columns(4)
    holders = [ANY, ME, UNASSIGNED, *sorted({r[0] for r in db.execute(
        "select assignee from claim_states where assignee is not null")} - {user and user["username"]})]
    if ss.get("q_holder") not in holders:
        ss["q_holder"] = ANY
    holder = g[3].selectbox("Held by", holders, key="q_holder", on_change=on["q_holder"],
                            format_func=lambda v: {ANY: "anyone or nobody", ME: "me (my claims)",
                                                   UNASSIGNED: "nobody"}.get(v, v))
    holder = (user["username"] if user and user["username"] else "\x00nobody-typed") if holder == ME else holder
    people = [ANY, *reviewers(db)]
    if ss.get("q_reviewer") not in people:
        ss["q_reviewer"] = ANY
    who = g[0].selectbox("Reviewed by", people, key="q_reviewer", on_change=on["q_reviewer"],
                         format_func=lambda v: "anyone" if v == ANY else v)
    min_cw = g[1].slider("Check-worthiness at least", 0.0, 1.0, step=0.05, key="q_min_cw", on_change=on["q_min_cw"])
    sort = g[2].radio("Order", QUEUE_SORTS, key="q_sort", on_change=on["q_sort"], horizontal=True,
                      format_func=lambda v: "most check-worthy first" if v == "checkworthiness" else "article order")

ids = claim_queue(db, article_id=article_id, state=state, verdict=verdict_filter or None,
                  claim_type=claim_type or None, min_checkworthiness=min_cw, reviewer=who or None, sort=sort,
                  assignee=holder or None)
if not ids:
    st.info("No claims match these filters.")
    st.stop()
if ss.get("focus_id") in ids:
    ss.queue_pos = ids.index(ss.pop("focus_id"))
elif ss.get("queue_claim") in ids:  # the claim on screen stays there when others' saves reshape the queue
    ss.queue_pos = ids.index(ss.queue_claim)
ss.pop("focus_id", None)
pos = max(0, min(ss.queue_pos, len(ids) - 1))
ss.queue_pos = pos
claim = get_claim(db, ids[pos])
cid = ss.queue_claim = claim["id"]
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
        ss.pop("queue_claim", None)
        st.rerun()

# someone else reviewed this claim since this browser opened it: say so (nothing is overwritten)
for other in reviews_since(db, cid, ss.opened[cid], reviewer):
    st.warning(f"{md_text(other['reviewer'])} reviewed this claim as {md_text(other['verdict'])} at "
               f"{md_text(shown_time(other['created_at']))} since you opened it. Saving adds your review beside theirs; "
               "nothing is overwritten.")

article = get_article(db, claim["article_id"])
text = article["text"]
lo, hi = max(0, claim["start"] - 300), min(len(text), claim["end"] + 300)
context, p = [], lo
for s, e in claim["spans"] or [(claim["start"], claim["end"])]:
    context.append(html_text(text[p:s]) + "<mark>" + html_text(text[s:e]) + "</mark>")
    p = e
context.append(html_text(text[p:hi]))
byline = " · ".join(x for x in (f"by {md_text(article['author'])}" if article.get("author") else "",
                                 md_text(article["publisher"]) if article.get("publisher") else "",
                                 f"published {article['published']}" if article.get("published") else "") if x)
st.caption(f"From “{md_text(article['title'])}”" + (f" ({byline})" if byline else ""))
st.markdown("<div style='white-space:pre-wrap;border-left:3px solid #ccc;padding-left:8px'>…"
            + "".join(context) + "…</div>", unsafe_allow_html=True)
st.markdown(f"### {md_text(claim['text'])}")
if claim.get("claimant"):
    st.markdown(f"**Claimed by:** {md_text(claim['claimant'])}")
if claim["original"] and claim["original"] != claim["text"]:
    st.caption(f"The article's words: “{md_text(claim['original'])}”")
st.caption(f"type {md_text(claim['type'])} · check-worthiness {claim['checkworthiness']:.2f} · claim id {cid}")
st.markdown(f"**Suggested:** {verdict_badge(claim['suggested_verdict'])} "
            f"(confidence {claim['confidence'] or 0:.2f}) — {html_text(claim['rationale'])}",
            unsafe_allow_html=True)


def move(action: str, claim_id: int, key: str):
    """The workflow buttons (issue 17, step 2): take the claim (or take it over), step it back,
    publish or reopen it; each recorded with who, when and why."""
    me = current_user()
    why = refusal(me, {"take": "take", "back": "take", "publish": "publish", "reopen": "reopen"}[action])
    if why:
        ss.wf_error = why
        return
    reason = ss.get(key, "")
    conn = get_db()
    try:
        if action == "take":
            workflow.take(conn, claim_id, me, reason=reason)
            ss.flash = f"Claim {claim_id} is in review, held by you."
        elif action == "back":
            now = workflow.step_back(conn, claim_id, me, reason=reason)
            ss.flash = f"Claim {claim_id} stepped back: it is {workflow.LABELS[now['state']]}."
        elif action == "publish":
            workflow.publish(conn, [claim_id], me)
            ss.flash = f"Claim {claim_id} published."
        else:
            workflow.reopen(conn, claim_id, me, reason=reason)
            ss.flash = f"Claim {claim_id} reopened: it is in review, held by you."
    except (SourceError, sqlite3.Error) as exc:
        ss.wf_error = "Not changed: " + failure(exc)
    else:
        ss.wf_round = ss.get("wf_round", 0) + 1  # the reason box starts empty
        ss.opened[claim_id] = latest_review_id(conn, claim_id)
    finally:
        conn.close()


now_state = claim_state(db, cid)
me = user["username"] if user else ""
held_by_other = now_state["state"] == "in_review" and now_state["assignee"] not in (None, me)
since = f" since {md_text(shown_time(now_state['since']))}" if now_state["since"] else ""
held = (f", held by **{md_text(now_state['assignee'])}**" if now_state["state"] == "in_review"
        and now_state["assignee"] else "")
st.markdown(f"**State:** {workflow.LABELS[now_state['state']]}{held}{since}"
            + (f" — {md_text(now_state['reason'])}" if now_state["reason"] else ""))
if held_by_other:
    # said when the claim is opened, not after a save (issue 17): saving is refused until taken over
    st.warning(f"{md_text(now_state['assignee'])} holds this claim: they may be reviewing it now. Your review "
               "would not be saved; take it over (with a reason) if you are to review it instead.")
wf_key = f"wf_reason_{cid}_{ss.get('wf_round', 0)}"
wf = st.columns([3, 1, 1])
acts = []
if now_state["state"] == "new":
    acts.append(("take", "Take this claim", "take"))
elif now_state["state"] == "in_review":
    acts.append(("take", "Take it over", "take") if held_by_other else ("back", "Step back: release it", "take"))
elif now_state["state"] == "reviewed":
    acts += [("publish", "Publish", "publish"), ("back", "Step back to review", "take")]
else:
    acts.append(("reopen", "Reopen", "reopen"))
if any(a in ("back", "reopen") for a, _, _ in acts) or held_by_other:
    wf[0].text_input("Reason (kept in the claim's history)", key=wf_key, label_visibility="collapsed",
                     placeholder="Why (needed to take over, step back or reopen)")
for col, (action, label, right) in zip(wf[1:], acts):
    col.button(label, key=f"wf_{action}_{cid}", on_click=move, args=(action, cid, wf_key),
               disabled=refusal(user, right) is not None, use_container_width=True)
if ss.get("wf_error"):  # said beside the buttons, not at the foot of the page
    st.error(md_text(ss.pop("wf_error")))


def correct(action: str, claim_id: int, article_id: int, next_id, form: str):
    """The "Correct this claim" buttons (issue 17, step 3): edit, split, remove, or add a claim from
    the article's words; each new text is searched and suggested again, and the change recorded."""
    from claims import editing

    who = current_user()
    if refusal(who, "correct"):
        ss.fix_error = refusal(who, "correct")
        return
    name = who["username"]
    if action == "remove" and ss.get("confirm_remove") != claim_id:  # asked once, inside the form
        ss.confirm_remove = claim_id
        return
    ss.pop("confirm_remove", None)
    reason = ss.get(f"fix_reason_{form}", "")
    conn = get_db()
    try:
        if action == "edit":
            editing.edit_claim(conn, claim_id, ss.get(f"fix_text_{form}", ""), get_embedder(), reviewer=name,
                               reason=reason, nlp=get_nlp())
            ss.flash = f"Claim {claim_id} corrected, searched and suggested again."
        elif action == "split":
            texts = [t for t in ss.get(f"fix_split_{form}", "").splitlines() if t.strip()]
            got = editing.split_claim(conn, claim_id, texts, get_embedder(), reviewer=name, reason=reason,
                                      nlp=get_nlp())
            ss.flash = f"Claim {claim_id} split into claims {', '.join(str(c['id']) for c in got)}."
        elif action == "remove":
            editing.remove_claim(conn, claim_id, reviewer=name, reason=reason)
            ss.flash = f"Claim {claim_id} removed; it stays in the article's history of corrections."
            ss["focus_id"] = next_id
        else:
            new = editing.add_claim(conn, article_id, ss.get(f"fix_fragment_{form}", ""), get_embedder(),
                                    reviewer=name, text=ss.get(f"fix_as_{form}") or None, reason=reason,
                                    nlp=get_nlp())
            ss.flash = f"Claim {new['id']} added: {new['text']}"
            ss["focus_id"] = new["id"]
    except (SourceError, sqlite3.Error) as exc:
        ss.fix_error = "Not changed: " + failure(exc)
    finally:
        conn.close()
    if not ss.get("fix_error"):
        # done: the form starts afresh as new widgets (a browser sends an old widget's text back,
        # so a split claim's box kept the sentence it had; on a failure what was typed stays)
        ss.fix_round[claim_id] = ss.fix_round.get(claim_id, 0) + 1


settled = bool(claim_reviews(db, cid)) or bool(confirmed_links(db, cid))
ss.setdefault("fix_round", {})
form = f"{cid}_{ss.fix_round.get(cid, 0)}"  # the correction form's widgets, new after each correction
with st.expander("Correct this claim"):
    if settled:
        st.caption("This claim has been reviewed (or matched to an earlier fact-check), so it stays as its reviews "
                   "name it. Add a corrected claim beside it below.")
    else:
        st.text_area("The claim in your words (the article's words stay stored)", value=claim["text"],
                     key=f"fix_text_{form}", height=68)
        st.text_area("Or split it: one claim per line", key=f"fix_split_{form}", height=68,
                     placeholder="Each line becomes a claim of its own, searched and suggested.")
    st.text_input("Or add a claim the check missed: the article's words, copied as they stand",
                  key=f"fix_fragment_{form}")
    st.text_input("… in self-contained words (optional)", key=f"fix_as_{form}")
    st.text_input("Why (kept in the claim's history)", key=f"fix_reason_{form}")
    b = st.columns(4)
    nxt = ids[pos + 1] if pos + 1 < len(ids) else (ids[pos - 1] if pos else None)
    fixed = locked(user, "correct") is not None
    b[0].button("Save the corrected claim", key=f"fix_edit_{cid}", disabled=settled or fixed, on_click=correct,
                args=("edit", cid, claim["article_id"], nxt, form), use_container_width=True)
    b[1].button("Split into these claims", key=f"fix_split_go_{cid}", disabled=settled or fixed, on_click=correct,
                args=("split", cid, claim["article_id"], nxt, form), use_container_width=True)
    b[2].button("Remove this claim", key=f"fix_remove_{cid}", disabled=settled or fixed, on_click=correct,
                args=("remove", cid, claim["article_id"], nxt, form), use_container_width=True)
    b[3].button("Add the claim", key=f"fix_add_{cid}", disabled=fixed, on_click=correct,
                args=("add", cid, claim["article_id"], nxt, form), use_container_width=True)
    if ss.get("confirm_remove") == cid:
        st.warning(f"Remove claim {cid} from the article? It stays in the article's history of corrections.")
        y = st.columns([1, 1, 2])
        y[0].button("Yes, remove it", key=f"fix_remove_yes_{cid}", type="primary", on_click=correct,
                    args=("remove", cid, claim["article_id"], nxt, form), use_container_width=True)
        y[1].button("Cancel", key=f"fix_remove_no_{cid}", on_click=lambda: ss.pop("confirm_remove", None),
                    use_container_width=True)
    if ss.get("fix_error"):  # said inside the form, where the buttons are
        st.error(md_text(ss.pop("fix_error")))

matches = claim_matches(db, cid)
if matches:
    st.subheader("Checked before?")
for mt in matches:
    label = "Same claim as" if mt["level"] == "same" else "Possibly checked before:"
    where = f" · {md_link(mt['url'])}" if mt["url"] else ""
    who = " · ".join(x for x in (mt["publisher"], (mt["date"] or "")[:10]) if x)
    with st.container(border=True):
        st.markdown(f"**{label}** “{html_text(mt['text'])}” — {verdict_badge(mt['verdict'])} "
                    f"(similarity {mt['similarity']:.2f}{' · ' + html_text(who) if who else ''}){where}",
                    unsafe_allow_html=True)
        if mt["confirmed"]:
            st.caption(f"Confirmed as the same claim by {md_text(mt['confirmed'])}")
        elif st.button("Confirm: this is the same claim", key=f"confirm_match_{mt['id']}"):
            if refusal(user, "review"):
                st.error(refusal(user, "review"))
            else:
                try:
                    confirm_match(db, mt["id"], reviewer)
                except (SourceError, sqlite3.Error) as exc:
                    st.error(md_text("Not confirmed: " + failure(exc)))
                else:
                    ss.flash = "Match confirmed; it shows in both claims' histories."
                    st.rerun()

evidence = claim_evidence(db, cid)
cited = claim["suggested_passage_id"]
last = claim_reviews(db, cid)
# a passage is pre-ticked only when a verdict rests on it: a NOT_ENOUGH_EVIDENCE suggestion's
# "closest" passage is not evidence, and a tick a reviewer does not notice is saved as theirs
rests_on = cited is not None and claim["suggested_verdict"] not in (None, "NOT_ENOUGH_EVIDENCE")
marked_before = set(json.loads(last[-1]["passage_ids"])) if last else ({cited} if rests_on else set())
st.subheader("Evidence")
if not evidence:
    st.write("No passages found in the library. Search below with your own words.")
for e in evidence:
    pid = e["passage_id"]
    # an undecided suggestion's passage is the one its reason quotes last (with a stance hint, the
    # hint's passage, not the "closest" one the reason names first): say only that it is quoted
    note = (" · cited by the suggestion" if rests_on else " · quoted by the suggestion, no verdict rests on it"
            ) if pid == cited else ""
    note += f" · added by {md_text(e['added_by'])}" if e.get("added_by") else ""
    with st.expander(f"#{e['rank']} {md_text(e['source_title'])} — {relevance(e)}{note}",
                     expanded=e["rank"] <= 2 or pid == cited or bool(e.get("added_by"))):
        st.markdown(highlight_matches(e["text"], claim["text"]), unsafe_allow_html=True)
        dense = f"{e['dense_score']:.3f}" if e["dense_score"] is not None else "–"
        lexical = f"{e['lexical_score']:.3g}" if e["lexical_score"] is not None else "–"
        st.caption(f"rank {e['rank']} of {len(evidence)} · passage {pid} · fused score {e['score']:.3f} · dense {dense} · "
                   f"BM25 {lexical} · {md_link(e['source_url'] or e['source'])}")
        st.checkbox("The verdict rests on this passage", value=pid in marked_before, key=f"ev_{cid}_{pid}")

st.subheader("Your verdict")
choice = ss.choice.get(cid) or claim["human_verdict"] or claim["suggested_verdict"] or "NOT_ENOUGH_EVIDENCE"


# what this browser is shown: a save must name this claim, or it is refused (issue 12)
ss.review_shown = {"claim": cid, "verdict": choice, "passages": [e["passage_id"] for e in evidence], "pos": pos,
                   "next": ids[pos + 1] if pos + 1 < len(ids) else None}


def pick(claim_id, label):
    """A verdict button: remember the choice for the claim the button belongs to."""
    ss.choice[claim_id] = label


def go_to(claim_id):
    """Previous / Next: show that claim (by id, so a queue that changed meanwhile cannot shift it)."""
    ss["focus_id"] = claim_id


DECIDED = ("SUPPORTED", "REFUTED", "CONFLICTING")


def save_review(claim_id):
    """Save and next. The claim, its verdict, note and passages all come from the widgets keyed by
    the claim the browser showed when Save was pressed, never from the queue as this run
    recomputes it; a save for a claim this page no longer shows is refused."""
    shown = ss.get("review_shown") or {}
    if shown.get("claim") != claim_id:
        now = f" (it shows claim {shown['claim']})" if shown.get("claim") is not None else ""
        ss.review_error = (f"Not saved: claim {claim_id} is no longer the one on this page{now}. "
                           "Check the claim below and save again.")
        return
    who = current_user()
    if refusal(who, "review"):
        ss.review_error = "Not saved: " + refusal(who, "review")
        return
    name = who["username"]
    # a verdict pressed in the same round trip as Save counts, whichever callback runs first
    pressed = [v for v in VERDICTS if ss.get(f"verdict_{claim_id}_{v}") is True]
    verdict = pressed[-1] if pressed else ss.choice.get(claim_id) or shown["verdict"]
    marked = [pid for pid in shown["passages"] if ss.get(f"ev_{claim_id}_{pid}")]
    note = ss.get(f"note_{claim_id}", "")
    if ss.get("last_saved") == (claim_id, verdict, note, tuple(marked)):
        ss.review_error = (f"Not saved again: claim {claim_id} already has this verdict and note from you "
                           "(change something to add another review).")
        return
    if verdict in DECIDED and not marked and not note.strip() and ss.get("unbacked_ok") != (claim_id, verdict):
        # every verdict should be traceable to a passage: a decided one resting on none, with no
        # note to say why, is said so once and saved as it is only when Save is pressed again
        ss.unbacked_ok = (claim_id, verdict)
        tick = "Tick the passage it rests on" if shown["passages"] else "Add the passage it rests on (search below)"
        ss.review_error = (f"Not saved yet: {verdict} rests on no passage. {tick}, say in the note why it "
                           "rests on none, or press Save and next again to save it as it is.")
        return
    ss.pop("unbacked_ok", None)
    t0 = time.perf_counter()
    try:
        conn = get_db()
        try:
            add_review(conn, claim_id, verdict, name, note=note, passage_ids=marked)
        finally:
            conn.close()
    except (SourceError, sqlite3.Error) as exc:
        ss.review_error = "Not saved: " + failure(exc)
        return
    ss.review_shown = None  # a second press before the next claim is drawn is refused, not saved twice
    ss.choice.pop(claim_id, None)
    ss.opened.pop(claim_id, None)
    ss["focus_id"] = shown["next"]
    ss.queue_pos = shown["pos"] + (shown["next"] is not None)
    ss.pop("queue_claim", None)
    ss.last_saved = (claim_id, verdict, note, tuple(marked))
    ss.flash = f"Saved {verdict} for claim {claim_id}."
    if shown["next"] is None:  # the last claim stays on screen: say so, and start its form afresh
        ss.pop(f"note_{claim_id}", None)
        ss.flash += " That was the last claim in this queue: change the filters or go back to review more."
    else:
        ss.save_started = t0


with st.container(key=f"review_{cid}"):  # the element the browser tests read the claim id from
    cols = st.columns(4)
    for col, label in zip(cols, VERDICTS):
        col.button(f"{label.replace('_', ' ').title()} ({SHORTCUTS[label].title()})",
                   key=f"verdict_{cid}_{label}", type="primary" if label == choice else "secondary",
                   on_click=pick, args=(cid, label), use_container_width=True)
    st.markdown(f"Chosen: {verdict_badge(choice)}", unsafe_allow_html=True)
    st.text_area("Note", key=f"note_{cid}", height=80)
    nav = st.columns([2, 1, 1])
    nav[0].button("Save and next (Alt+Enter)", type="primary", key=f"save_{cid}", on_click=save_review, args=(cid,),
                  use_container_width=True, disabled=locked(user, "review") is not None)
    if locked(user, "review"):
        st.caption(locked(user, "review") + " You can read, search and export.")
    nav[1].button("◀ Previous (Alt+K)", key="prev_claim", disabled=pos == 0, on_click=go_to,
                  args=(ids[pos - 1] if pos else None,), use_container_width=True)
    nav[2].button("Next ▶ (Alt+J)", key="next_claim", disabled=pos >= len(ids) - 1, on_click=go_to,
                  args=(ss.review_shown["next"],), use_container_width=True)
if ss.get("review_error"):
    st.error(md_text(ss.pop("review_error")))
if ss.get("flash"):
    took = (time.perf_counter() - ss.pop("save_started")) * 1000 if "save_started" in ss else None
    st.success(ss.pop("flash") + (f" Next claim shown in {took:.0f} ms." if took is not None else ""))
keyboard_shortcuts({**{f"verdict_{cid}_{v}": SHORTCUTS[v] for v in VERDICTS}, f"save_{cid}": SHORTCUTS["save"],
                    "next_claim": SHORTCUTS["next"], "prev_claim": SHORTCUTS["prev"]},
                   keep_focus=[f"verdict_{cid}_{v}" for v in VERDICTS])

st.subheader("Search the library yourself")
q = st.text_input("Your query", key=f"search_q_{cid}", placeholder="e.g. the person's name and the number")
if st.button("Search", key="search_go") and q.strip():
    from sources.search import Searcher

    ss.search_results[cid] = Searcher(db, get_embedder()).search_many([q.strip()], top_k=5)[0]
for k, hit in enumerate(ss.search_results.get(cid, [])):
    with st.container(border=True):
        st.markdown(f"**{md_text(hit.source_title)}** · {relevance(vars(hit))} · passage {hit.passage_id}")
        st.markdown(highlight_matches(hit.text, q or claim["text"]), unsafe_allow_html=True)
        if st.button("Add to this claim's evidence", key=f"add_ev_{cid}_{k}"):
            if refusal(user, "review"):
                st.error(refusal(user, "review"))
            else:
                try:
                    added = add_evidence(db, cid, hit, reviewer)
                except (SourceError, sqlite3.Error) as exc:
                    st.error(md_text("Not added: " + failure(exc)))
                else:
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
for ch in claim_changes(db, claim_id=cid):
    was = (ch["before"] or {}).get("text")
    now = (ch["after"] or {}).get("text")
    what = {"edit": "corrected", "split": "split", "merge": "merged", "add": "added"}.get(ch["action"], ch["action"])
    said = f"{what}: “{was}” → “{now}”" if was and now and was != now else f"{what}: “{now or was}”"
    events.append({"time": ch["created_at"], "reviewer": ch["reviewer"], "verdict": "",
                   "note": said + (f" ({ch['reason']})" if ch["reason"] else ""), "passages": ""})
for h in state_history(db, cid):
    held = f", held by {h['assignee']}" if h["assignee"] and h["state"] == "in_review" else ""
    events.append({"time": h["created_at"], "reviewer": h["actor"], "verdict": "",
                   "note": f"state: {workflow.LABELS[h['state']]}{held}" + (f" ({h['reason']})" if h["reason"] else ""),
                   "passages": ""})
st.subheader("History")
if not events:
    st.caption("Not reviewed yet.")
else:
    st.dataframe([{**e, "time": shown_time(e["time"])} for e in sorted(events, key=lambda e: e["time"], reverse=True)],
                 hide_index=True)
