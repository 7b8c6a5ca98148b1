"""Accounts and the review workflow (issue 17, steps 1 and 2) on a real database: users with roles
and bcrypt hashes, sign-in as a setting, and the claim states new -> in review -> reviewed ->
published with steps back, reopening and who did each, append-only."""

import sqlite3
from types import SimpleNamespace

import pytest

from claims import accounts, workflow
from claims.errors import InvalidAccount, InvalidReview, WorkflowError
from claims.store import (UNASSIGNED, add_review, claim_queue, claim_state, open_db, save_check, set_setting,
                          state_history)
from claims.verdict import Verdict


def fill(db, n=4):
    """An article with `n` claims, stored without the models."""
    sents = [f"Line {i} says {i} bridges were built." for i in range(n)]
    claims, pos = [], 0
    for s in sents:
        claims.append(SimpleNamespace(start=pos, end=pos + len(s), text=s, sentence=s, sentence_start=pos,
                                      sentence_end=pos + len(s), type="quantity", checkworthiness=0.5,
                                      quantities_json=lambda: [], entities=[], original=s, spans=[(pos, pos + len(s))]))
        pos += len(s) + 1
    return save_check(db, title="T", origin="test", url=None, text=" ".join(sents), claims=claims,
                      evidence=[[] for _ in sents], verdicts=[Verdict("NOT_ENOUGH_EVIDENCE", 0.5, "t") for _ in sents],
                      model_id="test")[1]


@pytest.fixture
def team(db):
    accounts.add_user(db, "ed", "editor-pass-1", name="Ed Itor", role="admin")
    accounts.add_user(db, "ana", "ana-pass-123", role="reviewer")
    accounts.add_user(db, "bo", "bo-pass-1234", role="reviewer")
    accounts.add_user(db, "vi", "viewer-pass-1", role="viewer")
    set_setting(db, "sign_in", "on")
    return {u["username"]: u for u in accounts.list_users(db)}


def test_passwords_are_hashed_and_checked(db):
    accounts.add_user(db, "Ana", "correct horse", role="reviewer")
    stored = db.execute("select password_hash from users where username = 'ana'").fetchone()[0]
    assert "correct horse" not in stored and stored.startswith("$2")
    assert accounts.verify(db, "ana", "correct horse")["role"] == "reviewer"
    assert accounts.verify(db, "ana", "wrong horse!") is None
    assert accounts.verify(db, "nobody", "correct horse") is None
    accounts.set_password(db, "ana", "battery staple")
    assert accounts.verify(db, "ana", "correct horse") is None and accounts.verify(db, "ana", "battery staple")
    assert set(accounts.credentials(db)["usernames"]["ana"]) >= {"name", "password", "roles"}


@pytest.mark.parametrize("name, password, role, words", [
    ("ana", "short", "reviewer", "at least 8"),
    ("ana", "x" * 80, "reviewer", "72 bytes"),
    ("Ana Smith", "long enough", "reviewer", "lower-case"),
    ("", "long enough", "reviewer", "lower-case"),
    ("ana", "long enough", "boss", "unknown role"),
])
def test_bad_users_are_refused_in_one_line(db, name, password, role, words):
    with pytest.raises(InvalidAccount, match=words):
        accounts.add_user(db, name, password, role=role)
    assert accounts.list_users(db) == []


def test_a_user_is_added_once_and_a_removed_user_keeps_their_name_in_the_history(db):
    accounts.add_user(db, "ana", "long enough")
    with pytest.raises(InvalidAccount, match="exists"):
        accounts.add_user(db, "ana", "other password")
    (cid, *_) = fill(db)
    add_review(db, cid, "SUPPORTED", "ana")
    accounts.remove_user(db, "ana")
    assert accounts.get_user(db, "ana") is None and accounts.verify(db, "ana", "long enough") is None
    assert [u["username"] for u in accounts.list_users(db, include_removed=True)] == ["ana"]
    assert db.execute("select reviewer from reviews").fetchall() == [("ana",)]
    accounts.add_user(db, "ana", "back again", role="viewer")  # brought back with a new password and role
    assert accounts.verify(db, "ana", "back again")["role"] == "viewer"


def test_sign_in_needs_an_admin_and_the_last_admin_stays(db):
    with pytest.raises(InvalidReview, match="admin first"):
        set_setting(db, "sign_in", "on")
    accounts.add_user(db, "ed", "editor-pass-1", role="admin")
    set_setting(db, "sign_in", "on")
    with pytest.raises(InvalidAccount, match="last admin"):
        accounts.remove_user(db, "ed")
    with pytest.raises(InvalidAccount, match="last admin"):
        accounts.set_role(db, "ed", "reviewer")
    assert accounts.get_user(db, "ed")["role"] == "admin"


def test_roles_decide_who_acts(db, team):
    assert accounts.acting_user(db, "ana", "review")["username"] == "ana"
    with pytest.raises(InvalidAccount, match="viewer may not save a review"):
        accounts.acting_user(db, "vi", "review")
    with pytest.raises(InvalidAccount, match="must be a user"):
        accounts.acting_user(db, "stranger", "review")
    with pytest.raises(InvalidAccount, match="reviewer may not publish"):
        accounts.acting_user(db, "ana", "publish")
    set_setting(db, "sign_in", "off")  # one person on this computer: any name, acting as an admin
    assert accounts.acting_user(db, "whoever", "publish")["role"] == "admin"


def test_the_workflow_from_new_to_published_and_back(db, team):
    a, b, *_ = fill(db)
    ed, ana, bo = team["ed"], team["ana"], team["bo"]
    assert claim_state(db, a)["state"] == "new"
    workflow.take(db, a, ana)
    assert (claim_state(db, a)["state"], claim_state(db, a)["assignee"]) == ("in_review", "ana")
    assert claim_queue(db, state="in_review", assignee="ana") == [a]
    assert set(claim_queue(db, assignee=UNASSIGNED)) == set(claim_queue(db)) - {a}
    # someone else holds it: a review is refused until it is taken over, with a reason
    with pytest.raises(WorkflowError, match="held by ana"):
        add_review(db, a, "SUPPORTED", "bo")
    with pytest.raises(WorkflowError, match="needs a reason"):
        workflow.take(db, a, bo)
    workflow.take(db, a, bo, reason="ana is away")
    add_review(db, a, "SUPPORTED", "bo")
    assert claim_state(db, a)["state"] == "reviewed"
    # publishing: an admin's, only reviewed claims, all or nothing
    with pytest.raises(InvalidAccount, match="may not publish"):
        workflow.publish(db, [a], bo)
    with pytest.raises(WorkflowError, match=f"claim {b} is not reviewed"):
        workflow.publish(db, [a, b], ed)
    assert claim_state(db, a)["state"] == "reviewed"
    assert workflow.publish(db, [a], ed) == [a]
    with pytest.raises(WorkflowError, match="reopen it"):
        add_review(db, a, "REFUTED", "bo")
    with pytest.raises(InvalidAccount, match="may not reopen"):
        workflow.reopen(db, a, bo, reason="new figures")
    workflow.reopen(db, a, ed, reason="new figures came out")
    assert (claim_state(db, a)["state"], claim_state(db, a)["assignee"]) == ("in_review", "ed")
    workflow.step_back(db, a, ed, reason="let the desk take it")
    assert claim_state(db, a)["state"] == "new" and a in claim_queue(db, assignee=UNASSIGNED)
    hist = [(h["state"], h["assignee"], h["actor"], h["reason"]) for h in state_history(db, a)]
    assert hist == [("in_review", "ana", "ana", ""), ("in_review", "bo", "bo", "ana is away"),
                    ("reviewed", "bo", "bo", ""), ("published", "bo", "ed", ""),
                    ("in_review", "ed", "ed", "new figures came out"), ("new", None, "ed", "let the desk take it")]


def test_assigning_others_is_an_admins_and_needs_a_user(db, team):
    a, *_ = fill(db)
    with pytest.raises(InvalidAccount, match="may not assign"):
        workflow.take(db, a, team["ana"], assignee="bo")
    with pytest.raises(WorkflowError, match="no user 'zed'"):
        workflow.take(db, a, team["ed"], assignee="zed")
    workflow.take(db, a, team["ed"], assignee="bo")
    assert claim_queue(db, assignee="bo") == [a]
    with pytest.raises(InvalidAccount, match="viewer may not take"):
        workflow.take(db, a, team["vi"], reason="mine")


def test_a_step_back_needs_a_reason_and_a_stage_to_go_back_to(db, team):
    a, *_ = fill(db)
    with pytest.raises(WorkflowError, match="no stage before"):
        workflow.step_back(db, a, team["ana"], reason="x")
    add_review(db, a, "SUPPORTED", "ana")
    with pytest.raises(WorkflowError, match="needs a reason"):
        workflow.step_back(db, a, team["ana"], reason=" ")
    workflow.step_back(db, a, team["ana"], reason="wrong passage")
    assert (claim_state(db, a)["state"], claim_state(db, a)["assignee"]) == ("in_review", "ana")
    add_review(db, a, "REFUTED", "ana")  # the holder reviews it again
    with pytest.raises(WorkflowError, match="step it back"):
        workflow.take(db, a, team["bo"])


def test_a_database_from_before_the_workflow_reads_its_reviews_as_reviewed(db):
    a, b, *_ = fill(db)
    db.execute("insert into reviews (claim_id, verdict, note, reviewer, created_at, passage_ids) "
               "values (?, 'SUPPORTED', '', 'old', '2025-01-01T00:00:00+00:00', '[]')", [a])
    assert claim_state(db, a)["state"] == "reviewed" and claim_state(db, b)["state"] == "new"
    assert claim_queue(db, state="reviewed") == [a] and b in claim_queue(db, state="new")


def test_state_changes_are_append_only(db, team):
    a, *_ = fill(db)
    workflow.take(db, a, team["ana"])
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("update claim_states set assignee = 'bo'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("delete from claim_states")


def test_a_claim_someone_else_holds_is_not_corrected_under_them(db, team):
    from claims.errors import InvalidEdit
    from claims.store import correctable_claim, remove_claim

    a, *_ = fill(db)
    workflow.take(db, a, team["ana"])
    with pytest.raises(InvalidEdit, match="held by ana"):
        remove_claim(db, a, reviewer="bo", reason="not a claim")
    assert correctable_claim(db, a, "ana")["id"] == a  # the holder may
    remove_claim(db, a, reviewer="ana", reason="not a claim")
