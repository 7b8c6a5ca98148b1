"""`factcheck users` and the workflow commands (`claims assign / step-back / publish / reopen`,
`claims list --state --assignee`, `review --take-over`) on a real database file."""

import json

import pytest
from click.testing import CliRunner

from claims.cli import cli
from claims.store import claim_state, open_db
from tests.test_accounts import fill


@pytest.fixture
def fc(db_path):
    runner = CliRunner()

    def invoke(*args, ok=True, input=None):
        r = runner.invoke(cli, ["--db", str(db_path), *args], input=input, catch_exceptions=False)
        assert (r.exit_code == 0) == ok, r.output
        assert "Traceback" not in r.output
        return r

    return invoke


def team(fc):
    for name, role in (("ed", "admin"), ("ana", "reviewer"), ("bo", "reviewer"), ("vi", "viewer")):
        fc("users", "add", name, "--role", role, "--password-stdin", input=f"{name}-secret-pw\n")
    fc("settings", "set", "sign_in", "on")


def test_users_are_managed_from_the_cli_and_passwords_never_shown(fc, db_path):
    r = fc("users", "add", "ana", "--name", "Ana Ruiz", input="a-good-password\na-good-password\n")
    assert "ana (Ana Ruiz) added as reviewer" in r.output and "a-good-password" not in r.output
    fc("users", "add", "bo", input="one-password\nanother-password\n", ok=False)  # the two typings differ
    fc("users", "add", "cy", "--password-stdin", input="short\n", ok=False)
    listed = json.loads(fc("users", "list", "--json").stdout)
    assert [u["username"] for u in listed["users"]] == ["ana"] and listed["sign_in"] is False
    assert "hash" not in json.dumps(listed) and "$2" not in json.dumps(listed)
    fc("users", "role", "ana", "viewer")
    fc("users", "password", "ana", "--password-stdin", input="new-password-1\n")
    from claims.accounts import verify

    assert verify(open_db(db_path), "ana", "new-password-1")["role"] == "viewer"
    fc("users", "remove", "ana")
    assert "ana" not in fc("users", "list").stdout
    assert "removed" in fc("users", "list", "--all").stdout
    r = fc("settings", "set", "sign_in", "on", ok=False)
    assert "admin first" in r.output


def test_with_sign_in_on_the_cli_acts_as_a_user_whose_role_allows_it(fc, db_path):
    a, b, *_ = fill(open_db(db_path))
    team(fc)
    assert "must be a user" in fc("review", str(a), "--verdict", "SUPPORTED", "--reviewer", "zed", ok=False).output
    assert "viewer may not save a review" in fc("review", str(a), "--verdict", "SUPPORTED", "--reviewer", "vi",
                                                ok=False).output
    fc("claims", "assign", str(a), "--reviewer", "ana")
    r = fc("review", str(a), "--verdict", "REFUTED", "--reviewer", "bo", ok=False)
    assert "held by ana" in r.output
    fc("review", str(a), "--verdict", "REFUTED", "--reviewer", "bo", "--take-over")
    assert claim_state(open_db(db_path), a)["state"] == "reviewed"
    assert "may not assign" in fc("claims", "assign", str(b), "--to", "bo", "--reviewer", "ana", ok=False).output
    assert "is in review, held by bo" in fc("claims", "assign", str(b), "--to", "bo", "--reviewer", "ed").output
    mine = json.loads(fc("claims", "list", "--assignee", "me", "--reviewer", "bo", "--json").stdout)["claims"]
    assert {c["id"] for c in mine} == {a, b} and {c["state"] for c in mine} == {"reviewed", "in_review"}
    assert "in review (bo)" in fc("claims", "list", "--state", "in_review").stdout


def test_publish_step_back_and_reopen_from_the_cli(fc, db_path):
    db = open_db(db_path)
    a, b, *_ = fill(db)
    team(fc)
    article = db.execute("select article_id from claims where id = ?", [a]).fetchone()[0]
    fc("review", str(a), "--verdict", "SUPPORTED", "--reviewer", "ana")
    assert "reviewer may not publish" in fc("claims", "publish", str(a), "--reviewer", "ana", ok=False).output
    assert f"claim {b} is not reviewed" in fc("claims", "publish", str(a), str(b), "--reviewer", "ed",
                                              ok=False).output
    assert f"published 1 claim: {a}" in fc("claims", "publish", "--article", str(article), "--reviewer", "ed").output
    assert "reopen it" in fc("review", str(a), "--verdict", "REFUTED", "--reviewer", "ana", ok=False).output
    fc("claims", "reopen", str(a), "--reviewer", "ed", ok=False)  # a reason is required
    assert "in review, held by ed" in fc("claims", "reopen", str(a), "--reviewer", "ed",
                                         "--reason", "the figure was revised").output
    assert "is new" in fc("claims", "step-back", str(a), "--reviewer", "ed", "--reason", "back to the desk").output
    hist = fc("claims", "history", str(article)).stdout
    assert "published" in hist and "the figure was revised" in hist and "back to the desk" in hist
    states = json.loads(fc("claims", "history", str(article), "--json").stdout)["states"]
    assert [(s["state"], s["actor"]) for s in states] == [("reviewed", "ana"), ("published", "ed"),
                                                          ("in_review", "ed"), ("new", "ed")]
