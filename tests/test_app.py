"""Every page of the Streamlit app through AppTest, on a real database and the real model."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from claims.store import add_review, claim_evidence, claim_reviews, get_claim, list_claims, open_db, save_check
from claims.verdict import Verdict

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["app_pages/check_page.py", "app_pages/review_page.py", "app_pages/sources_page.py",
         "app_pages/export_page.py"]
SOURCE = "The Golden Gate Bridge opened in 1937. Its main span is 1,280 metres long."
ARTICLE = ("The Golden Gate Bridge opened in 1937 with a main span of 1,280 metres. "
           "The Golden Gate Bridge opened in 1941, one guidebook says. Will it be repainted?")


@pytest.fixture
def app_db(db_path, monkeypatch, embedder, nlp):
    monkeypatch.setenv("FACTCHECK_DB", str(db_path))
    return db_path


def page(path, **state):
    at = AppTest.from_file(str(ROOT / path), default_timeout=180)
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def button(at, label):
    """The review page's button whose label starts with `label` ("Refuted", "Save and next")."""
    return next(b for b in at.button if b.label.startswith(label))


def pinned(at):
    """The page as a browser keeps it until the next run arrives: every field keeps its value."""
    for w in [*at.text_area, *at.text_input, *at.number_input]:
        w.set_value(w.value)
    return at


def shown_claim(at) -> int:
    """The claim id the review page shows (its caption says "claim id N")."""
    return int(next(c.value for c in at.caption if "claim id " in c.value).rsplit("claim id ", 1)[1])


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_on_an_empty_database(app_db, path):
    at = page(path)
    assert not at.exception, [e.value for e in at.exception]


def test_router_renders():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    assert not at.exception


def test_sources_check_review_export_flow(app_db):
    at = page("app_pages/sources_page.py")
    at.radio(key="src_how").set_value("Paste text").run()
    at.text_input(key="src_title").input("Bridge facts")
    at.text_area(key="src_text").input(SOURCE)
    at.button(key="src_add").click().run()
    assert not at.exception and any("added source" in s.value for s in at.success)

    at.button(key="src_add").click().run()  # same text again: a no-op that says so
    assert any("already in the library" in i.value for i in at.info)

    at = page("app_pages/check_page.py")
    at.text_area(key="check_text").input(ARTICLE)
    at.button(key="check_go").click().run()
    assert not at.exception and not at.error
    article_id = at.session_state["article_id"]
    db = open_db(app_db)
    claims = list_claims(db, article_id=article_id)
    assert [c["suggested_verdict"] for c in claims] == ["SUPPORTED", "REFUTED"]
    assert any("<mark" in m.value for m in at.markdown)

    cid = claims[1]["id"]
    at = page("app_pages/review_page.py", article_id=article_id, focus_claim=cid, reviewer="ana")
    assert not at.exception
    assert any(claims[1]["text"] in m.value for m in at.markdown)
    button(at, "Refuted").click().run()
    at.text_area(key=f"note_{cid}").input("opened in 1937")
    button(at, "Save and next").click().run()
    assert not at.exception and any("Saved REFUTED" in s.value for s in at.success)
    history = claim_reviews(open_db(app_db), cid)
    assert [(h["verdict"], h["reviewer"], h["note"]) for h in history] == [("REFUTED", "ana", "opened in 1937")]
    # the passage the suggestion cites is marked as evidence unless the reviewer unticks it
    assert history[0]["passage_id"] == claims[1]["suggested_passage_id"] is not None
    assert json.loads(history[0]["passage_ids"]) == [claims[1]["suggested_passage_id"]]

    at = page("app_pages/export_page.py")
    assert not at.exception and any("2 rows" in m.value for m in at.markdown)
    at.checkbox(key="export_reviewed").check().run()
    assert any("1 rows" in m.value for m in at.markdown)
    assert any("1 ClaimReview documents" in m.value for m in at.markdown)
    at.text_input(key="setting_org_name").input("The Check Desk").run()
    from claims.store import get_settings
    assert get_settings(open_db(app_db))["org_name"] == "The Check Desk"
    # a bad value for a checked setting is one clear line, and nothing is stored
    at.text_input(key="setting_rerank_evidence").input("maybe").run()
    assert not at.exception and any("'on' or 'off'" in e.value for e in at.error)
    assert get_settings(open_db(app_db))["rerank_evidence"] == "off"


def test_review_needs_a_reviewer_name(monkeypatch, demo_db):
    path, result = demo_db
    monkeypatch.setenv("FACTCHECK_DB", str(path))
    at = page("app_pages/review_page.py", article_id=result.article_id, reviewer="")
    button(at, "Save and next").click().run()
    assert any("Enter your name" in e.value for e in at.error)


@pytest.mark.parametrize("how,field,value,words", [
    ("Paste text", "check_text", "   ", "empty"),
    ("URL", "check_url", "http://127.0.0.1:9/unreachable", "refused"),
])
def test_check_errors_are_messages_not_tracebacks(app_db, how, field, value, words):
    at = page("app_pages/check_page.py")
    at.radio(key="check_how").set_value(how).run()
    (at.text_area if field == "check_text" else at.text_input)(key=field).input(value)
    at.button(key="check_go").click().run()
    assert not at.exception and any(words in e.value for e in at.error)


def fill(db, n_claims, article="A long report"):
    """An article with `n_claims` stored claims (no model needed): for the queue and pagination."""
    text = " ".join(f"Claim number {i} says the city has {i} bridges." for i in range(n_claims))
    claims, pos = [], 0
    for i in range(n_claims):
        sent = f"Claim number {i} says the city has {i} bridges."
        claims.append(SimpleNamespace(start=pos, end=pos + len(sent), text=sent, sentence=sent, sentence_start=pos,
                                      sentence_end=pos + len(sent), type="quantity" if i % 2 else "event",
                                      checkworthiness=(i % 10) / 10, quantities_json=lambda: [], entities=[],
                                      original=sent, spans=[(pos, pos + len(sent))]))
        pos += len(sent) + 1
    verdicts = [Verdict("NOT_ENOUGH_EVIDENCE" if i % 3 else "SUPPORTED", 0.5, "test") for i in range(n_claims)]
    return save_check(db, title=article, origin="pasted", url=None, text=text, claims=claims,
                      evidence=[[] for _ in claims], verdicts=verdicts, model_id="test")


def test_review_queue_paginates_filters_and_sorts(app_db):
    db = open_db(app_db)
    article_id, ids = fill(db, 120)
    at = page("app_pages/review_page.py", reviewer="ana")
    assert not at.exception
    assert any("page 1 of 3" in e.label for e in at.expander)
    assert len(at.dataframe[0].value) == 50  # one page of the queue, never the whole table
    # most check-worthy first: checkworthiness 0.9 comes first
    assert "number 9 " in at.markdown[[m.value.startswith("### ") for m in at.markdown].index(True)].value
    at.radio(key="q_sort").set_value("position").run()
    assert any(m.value == "### Claim number 0 says the city has 0 bridges." for m in at.markdown)
    at.selectbox(key="q_type").set_value("quantity").run()
    assert any(m.value == "### Claim number 1 says the city has 1 bridges." for m in at.markdown)
    assert any("of 60 in this queue" in (p.proto.text or "") for p in at.get("progress"))
    at.selectbox(key="q_verdict").set_value("SUPPORTED").run()  # odd and a multiple of 3
    assert any("of 20 in this queue" in (p.proto.text or "") for p in at.get("progress"))
    at.text_area(key=f"note_{shown_claim(at)}").input("from the city's register")  # it rests on no passage
    button(at, "Save and next").click().run()
    assert not at.exception
    at.selectbox(key="q_state").set_value("unreviewed").run()
    assert any("of 19 in this queue" in (p.proto.text or "") for p in at.get("progress"))
    at.selectbox(key="q_state").set_value("reviewed").run()
    at.selectbox(key="q_reviewer").set_value("ana").run()
    assert any("of 1 in this queue" in (p.proto.text or "") for p in at.get("progress"))


def test_review_warns_when_someone_else_reviewed_since_opening(app_db):
    db = open_db(app_db)
    article_id, ids = fill(db, 3)
    at = page("app_pages/review_page.py", reviewer="ana", article_id=article_id)
    assert not at.warning
    add_review(db, ids[0], "REFUTED", "ben", note="checked by phone")
    at.run()
    assert any("ben reviewed this claim as REFUTED" in w.value for w in at.warning)
    button(at, "Supported").click().run()
    at.text_area(key=f"note_{ids[0]}").input("checked by phone too")
    button(at, "Save and next").click().run()
    assert [(h["reviewer"], h["verdict"]) for h in claim_reviews(db, ids[0])] == [("ben", "REFUTED"),
                                                                                  ("ana", "SUPPORTED")]


def test_review_search_adds_evidence_with_who_added_it(app_db, embedder):
    from sources.library import add_text

    db = open_db(app_db)
    add_text(db, SOURCE, embedder, title="Bridge facts")
    article_id, ids = fill(db, 2)
    at = page("app_pages/review_page.py", reviewer="ana", article_id=article_id)
    at.text_input(key=f"search_q_{ids[0]}").input("Golden Gate main span length")
    at.button(key="search_go").click().run()
    assert not at.exception
    button(at, "Add to this claim's evidence").click().run()
    ev = claim_evidence(db, ids[0])
    assert len(ev) == 1 and ev[0]["added_by"] == "ana" and "1,280" in ev[0]["text"]
    assert any("added by ana" in e.label for e in at.expander)


def test_review_article_choices_keep_their_labels_while_counts_change(app_db):
    """The browser sends a selectbox choice back as its label, so a label with a live count
    ("3/16 reviewed") stopped matching after any save and the queue fell back to all articles,
    position 1, under the reviewer's next click (issue 12)."""
    db = open_db(app_db)
    article_id, ids = fill(db, 4)
    at = page("app_pages/review_page.py", reviewer="ana", article_id=article_id)
    before = at.selectbox(key="q_article").options
    at.text_area(key=f"note_{ids[0]}").input("from the register")
    button(at, "Save and next").click().run()
    add_review(db, ids[2], "REFUTED", "ben")  # another reviewer saves
    fill(db, 2, article="Another report")     # an article finishes checking elsewhere
    at.run()
    assert not at.exception
    assert set(before) <= set(at.selectbox(key="q_article").options)
    assert at.selectbox(key="q_article").value == article_id
    assert shown_claim(at) == ids[1]


def test_review_save_lands_on_the_claim_on_screen_when_the_queue_moves(app_db):
    db = open_db(app_db)
    article_id, ids = fill(db, 6)
    at = page("app_pages/review_page.py", reviewer="ana", article_id=article_id)
    assert shown_claim(at) == ids[0]
    button(at, "Refuted").click().run()
    at.text_area(key=f"note_{ids[0]}").input("first claim")
    at.session_state["queue_pos"] = 3  # the queue moved underneath, as the reset of issue 12 did
    button(at, "Save and next").click().run()
    assert not at.exception and not at.error
    assert [(h["verdict"], h["note"]) for h in claim_reviews(db, ids[0])] == [("REFUTED", "first claim")]
    assert not claim_reviews(db, ids[3])


def test_review_refuses_a_save_for_a_claim_no_longer_on_screen(app_db):
    """A click that arrives from an out-of-date page (the browser still showed claim 1 while the
    server had moved on to claim 2) is refused with one line; nothing is saved anywhere."""
    db = open_db(app_db)
    article_id, ids = fill(db, 3)
    at = page("app_pages/review_page.py", reviewer="ana", article_id=article_id)
    stale_save = button(pinned(at), "Save and next")
    button(at, "Next").click().run()
    assert shown_claim(at) == ids[1]
    before = [get_claim(db, i)["text"] for i in ids]
    at = stale_save.click().run()  # the old page's button, with the old page's widget states
    assert not at.exception
    # (AppTest also sends the old page's correction buttons; a browser sends only the one clicked)
    assert [e.value for e in at.error if "Not saved" in e.value] == [
        f"Not saved\\: claim {ids[0]} is no longer the one on this page (it shows claim {ids[1]}). "
        "Check the claim below and save again."]
    assert not any(claim_reviews(db, i) for i in ids)
    assert [get_claim(db, i)["text"] for i in ids] == before  # nothing changed either


def test_review_save_failure_is_one_line_not_a_traceback(app_db):
    db = open_db(app_db)
    article_id, ids = fill(db, 2)
    db.execute("create trigger full_disk before insert on reviews "
               "begin select raise(abort, 'database or disk is full'); end")
    at = page("app_pages/review_page.py", reviewer="ana", article_id=article_id)
    at.text_area(key=f"note_{ids[0]}").input("from the register")
    button(at, "Save and next").click().run()
    assert not at.exception
    assert len(at.error) == 1 and "Not saved" in at.error[0].value and "full" in at.error[0].value
    assert not claim_reviews(db, ids[0]) and shown_claim(at) == ids[0]


def test_review_keeps_the_claim_on_screen_when_others_reshape_the_queue(app_db):
    db = open_db(app_db)
    article_id, ids = fill(db, 4)
    at = page("app_pages/review_page.py", reviewer="ana", article_id=article_id)
    at.selectbox(key="q_state").set_value("unreviewed").run()
    button(at, "Next").click().run()
    assert shown_claim(at) == ids[1]
    add_review(db, ids[0], "REFUTED", "ben")  # the claim before this one leaves the unreviewed queue
    at.run()
    assert shown_claim(at) == ids[1]
    assert any("Claim 1 of 3 in this queue" in (p.proto.text or "") for p in at.get("progress"))


def test_review_last_claim_says_so_and_is_not_saved_twice(app_db):
    """Save and next on the last claim: the page says it was the last one and clears the note; a
    second press of the same save (nothing changed) is refused, not stored as a duplicate."""
    db = open_db(app_db)
    article_id, ids = fill(db, 2)
    at = page("app_pages/review_page.py", reviewer="ana", article_id=article_id)
    button(at, "Next").click().run()
    assert shown_claim(at) == ids[-1]
    at.text_area(key=f"note_{ids[-1]}").set_value("checked twice").run()
    button(at, "Save and next").click().run()
    assert not at.exception and "last claim" in at.success[0].value
    assert at.text_area(key=f"note_{ids[-1]}").value == ""
    at.text_area(key=f"note_{ids[-1]}").set_value("checked twice").run()
    button(at, "Save and next").click().run()
    assert len(at.error) == 1 and "Not saved again" in at.error[0].value
    assert [r["note"] for r in claim_reviews(db, ids[-1])] == ["checked twice"]


def test_review_does_not_pretick_a_passage_no_verdict_rests_on(app_db):
    """The passage a SUPPORTED suggestion rests on is pre-ticked; a NOT_ENOUGH_EVIDENCE suggestion's
    closest passage is not (a tick nobody noticed would be saved as the reviewer's evidence)."""
    db = open_db(app_db)
    article_id, ids = fill(db, 2)
    for cid, verdict in zip(ids, ("SUPPORTED", "NOT_ENOUGH_EVIDENCE")):
        db.execute("insert into evidence (claim_id, rank, passage_id, source_id, score, text, source_title, source) "
                   "values (?, 1, ?, 1, 0.5, 'The records list bridges.', 'Records', 'records.txt')", [cid, 100 + cid])
        db.execute("update suggestions set verdict = ?, passage_id = ? where claim_id = ?", [verdict, 100 + cid, cid])
    at = page("app_pages/review_page.py", reviewer="ana", article_id=article_id)
    assert shown_claim(at) == ids[0]
    assert any(c.value for c in at.checkbox if c.key.startswith(f"ev_{ids[0]}_"))
    button(at, "Next").click().run()
    assert shown_claim(at) == ids[1]
    assert not any(c.value for c in at.checkbox if c.key.startswith(f"ev_{ids[1]}_"))
    assert any("quoted by the suggestion, no verdict rests on it" in e.label for e in at.expander)
    assert not any("closest" in e.label for e in at.expander)  # the reason's "closest" may be another passage
    button(at, "Save and next").click().run()
    assert claim_reviews(db, ids[1])[-1]["passage_ids"] == "[]"


def test_review_of_a_decided_verdict_resting_on_no_passage_asks_first(app_db):
    """Every verdict should trace to a passage: REFUTED with no passage ticked and no note is not
    saved on the first press (one line says why and what to do); a second press saves it, and a
    note saying why saves it at once. NOT_ENOUGH_EVIDENCE needs no passage."""
    db = open_db(app_db)
    article_id, ids = fill(db, 4)
    for cid in ids:
        db.execute("insert into evidence (claim_id, rank, passage_id, source_id, score, text, source_title, source) "
                   "values (?, 1, ?, 1, 0.5, 'The records list bridges.', 'Records', 'records.txt')", [cid, 100 + cid])
        db.execute("update suggestions set verdict = 'NOT_ENOUGH_EVIDENCE', passage_id = ? where claim_id = ?",
                   [100 + cid, cid])
    at = page("app_pages/review_page.py", reviewer="ana", article_id=article_id)
    assert shown_claim(at) == ids[0]
    button(at, "Refuted").click().run()
    button(at, "Save and next").click().run()
    assert not at.exception and len(at.error) == 1
    assert "rests on no passage" in at.error[0].value and "Tick the passage" in at.error[0].value
    assert not claim_reviews(db, ids[0]) and shown_claim(at) == ids[0]
    button(at, "Save and next").click().run()  # pressed again: saved as it is
    assert [r["verdict"] for r in claim_reviews(db, ids[0])] == ["REFUTED"]
    assert shown_claim(at) == ids[1]
    button(at, "Supported").click().run()
    at.text_area(key=f"note_{ids[1]}").input("the city's own register, not in the library")
    button(at, "Save and next").click().run()
    assert not at.error and [r["verdict"] for r in claim_reviews(db, ids[1])] == ["SUPPORTED"]
    assert shown_claim(at) == ids[2]
    button(at, "Refuted").click().run()
    next(c for c in at.checkbox if c.key == f"ev_{ids[2]}_{100 + ids[2]}").check().run()
    button(at, "Save and next").click().run()
    assert not at.error and claim_reviews(db, ids[2])[-1]["passage_ids"] == f"[{100 + ids[2]}]"
    button(at, "Not Enough").click().run()
    button(at, "Save and next").click().run()
    assert not at.error and [r["verdict"] for r in claim_reviews(db, ids[3])] == ["NOT_ENOUGH_EVIDENCE"]


def checked_db(db_path, embedder, nlp):
    """A library with one source and one article checked against it, as `check` stores them."""
    from claims.pipeline import check_article
    from sources.library import add_text
    from sources.parse import parse_document

    db = open_db(db_path)
    add_text(db, SOURCE, embedder, title="Bridge facts")
    doc = parse_document(ARTICLE.encode(), origin="pasted", title="Bridge report")
    return db, check_article(db, doc, embedder, nlp=nlp)


def fix(at, kind, name, cid):
    """The correction form's widget `name` of claim `cid` (its key changes after each correction)."""
    return next(w for w in getattr(at, kind) if w.key.startswith(f"fix_{name}_{cid}_"))


def test_review_page_corrects_a_claim_splits_removes_and_adds_one(app_db, embedder, nlp):
    """The "Correct this claim" part of the review page: each change is searched and suggested
    again, recorded in the claim's history with who made it, and a reviewed claim is left alone."""
    db, result = checked_db(app_db, embedder, nlp)
    at = page("app_pages/review_page.py", reviewer="ana", article_id=result.article_id)
    at.radio(key="q_sort").set_value("position").run()
    cid = shown_claim(at)
    first = get_claim(db, cid)
    fix(at, "text_area", "text", cid).set_value("The Golden Gate Bridge opened in 1941.")
    fix(at, "text_input", "reason", cid).set_value("the rewrite lost the year")
    at.button(key=f"fix_edit_{cid}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    now = get_claim(db, cid)
    assert now["text"] == "The Golden Gate Bridge opened in 1941." and now["suggested_verdict"] == "REFUTED"
    assert now["original"] == first["original"]
    assert any("corrected" in m.value for m in at.success)
    assert any("the rewrite lost the year" in str(v) for v in at.dataframe[-1].value["note"])
    # split: one claim per line
    fix(at, "text_area", "split", cid).set_value("The Golden Gate Bridge opened in 1941.\n"
                                                   "The main span is 1,280 metres long.")
    at.button(key=f"fix_split_go_{cid}").click().run()
    assert not at.error, [e.value for e in at.error]
    assert sum(c["original"] == first["original"] for c in list_claims(db)) == 2
    # the form shows the claim as it now is, not the sentence it had (a trial's save would have undone the split)
    assert fix(at, "text_area", "text", cid).value == "The Golden Gate Bridge opened in 1941."
    assert fix(at, "text_area", "split", cid).value == ""
    # add a claim from the article's words, then remove it
    fix(at, "text_input", "fragment", cid).set_value("a main span of 1,280 metres")
    fix(at, "text_input", "as", cid).set_value("The Golden Gate Bridge has a main span of 1,280 metres.")
    at.button(key=f"fix_add_{cid}").click().run()
    assert not at.error, [e.value for e in at.error]
    added = shown_claim(at)
    assert get_claim(db, added)["text"] == "The Golden Gate Bridge has a main span of 1,280 metres."
    assert get_claim(db, added)["suggested_verdict"] == "SUPPORTED"
    at.button(key=f"fix_remove_{added}").click().run()  # asks first, inside the form
    assert any(f"Remove claim {added}" in w.value for w in at.warning) and get_claim(db, added)
    at.button(key=f"fix_remove_no_{added}").click().run()
    assert not at.warning and get_claim(db, added)
    at.button(key=f"fix_remove_{added}").click().run()
    at.button(key=f"fix_remove_yes_{added}").click().run()
    assert not at.error and all(c["id"] != added for c in list_claims(db))
    # words that are not the article's: one line, nothing stored
    n = len(list_claims(db))
    cid = shown_claim(at)
    fix(at, "text_input", "fragment", cid).set_value("a span of 9,999 metres")
    at.button(key=f"fix_add_{cid}").click().run()
    assert len(at.error) == 1 and "not in the article's text" in at.error[0].value and len(list_claims(db)) == n
    # a reviewed claim cannot be changed here
    add_review(db, cid, "REFUTED", "ben", note="checked")
    at.run()
    assert at.button(key=f"fix_edit_{cid}").disabled and at.button(key=f"fix_remove_{cid}").disabled


# --- accounts and the workflow (issue 17, steps 1 and 2) --------------------------------------

@pytest.fixture
def team_db(app_db):
    from claims import accounts
    from claims.store import set_setting

    db = open_db(app_db)
    for name, role in (("ed", "admin"), ("ana", "reviewer"), ("vi", "viewer")):
        accounts.add_user(db, name, f"{name}-secret-pw", role=role)
    set_setting(db, "sign_in", "on")
    return db


def as_user(name):
    return {"user": {"username": name}}


def test_with_sign_in_on_a_page_opened_without_a_user_asks_to_sign_in(team_db):
    fill(team_db, 3)
    at = page("app_pages/review_page.py")
    assert not at.exception and any("Sign in first" in w.value for w in at.warning)
    assert not at.button  # nothing to press


def test_a_viewer_reads_but_cannot_save_correct_check_or_publish(team_db):
    fill(team_db, 3)
    at = page("app_pages/review_page.py", **as_user("vi"))
    assert not at.exception
    assert button(at, "Save and next").disabled and at.button(key=f"fix_add_{shown_claim(at)}").disabled
    assert any("a viewer may not save a review" in c.value for c in at.caption)
    assert at.button(key=f"wf_take_{shown_claim(at)}").disabled
    check = page("app_pages/check_page.py", **as_user("vi"))
    assert check.button(key="check_go").disabled
    export = page("app_pages/export_page.py", **as_user("vi"))
    assert all(t.disabled for t in export.text_input)


def test_a_reviewer_takes_a_claim_and_the_review_names_them(team_db):
    from claims.store import claim_state

    _, ids = fill(team_db, 3)
    at = page("app_pages/review_page.py", **as_user("ana"))
    cid = shown_claim(at)
    at.button(key=f"wf_take_{cid}").click().run()
    assert claim_state(team_db, cid)["assignee"] == "ana"
    assert any("held by **ana**" in m.value for m in at.markdown)
    button(at, "Not Enough Evidence").click().run()
    button(at, "Save and next").click().run()
    assert [(r["reviewer"], r["verdict"]) for r in claim_reviews(team_db, cid)] == [("ana", "NOT_ENOUGH_EVIDENCE")]


def test_a_removed_user_is_signed_out_at_once(team_db):
    from claims import accounts

    fill(team_db, 2)
    accounts.remove_user(team_db, "ana")
    at = page("app_pages/review_page.py", **as_user("ana"))
    assert any("Sign in first" in w.value for w in at.warning)


def test_the_admin_publishes_from_the_export_page(team_db):
    from claims.store import claim_state

    _, ids = fill(team_db, 3)
    add_review(team_db, ids[0], "SUPPORTED", "ana")
    at = page("app_pages/export_page.py", **as_user("ed"))
    at.button(key="export_publish").click().run()
    assert not at.exception and any("Published 1 claim" in s.value for s in at.success)
    assert claim_state(team_db, ids[0])["state"] == "published" and claim_state(team_db, ids[1])["state"] == "new"
    reviewer = page("app_pages/export_page.py", **as_user("ana"))
    assert reviewer.button(key="export_publish").disabled
