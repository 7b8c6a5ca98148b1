"""Accounts and the review workflow in a real headless Chromium against `streamlit run` (issue 17,
steps 1 and 2): real sign-in (streamlit-authenticator, bcrypt hashes in the database), two
reviewers on one claim, a viewer who cannot save, an admin who publishes, sign-out.

Skips on a machine without chromium, except in CI (FACTCHECK_REQUIRE_BROWSER=1), where it fails.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from claims.store import claim_reviews, claim_state, open_db, state_history
from tests.test_e2e_browser import SHOTS, _require_browser, browser, settle, streamlit_app  # noqa: F401

FACTCHECK = str(Path(sys.executable).with_name("factcheck"))
TEAM = {"ed": "admin", "ana": "reviewer", "bo": "reviewer", "vi": "viewer"}

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def team_server(tmp_path_factory):
    """The demo library and article, four users made with `factcheck users add`, sign-in on."""
    _require_browser()
    tmp = tmp_path_factory.mktemp("e2e_accounts")
    db = tmp / "team.db"
    env = dict(os.environ, FACTCHECK_DB=str(db), HF_HUB_OFFLINE="1")
    subprocess.run([FACTCHECK, "demo"], env=env, check=True, capture_output=True, timeout=300)
    for name, role in TEAM.items():
        subprocess.run([FACTCHECK, "users", "add", name, "--role", role, "--password-stdin"], env=env, check=True,
                       input=f"{name}-secret-pw\n", text=True, capture_output=True)
    subprocess.run([FACTCHECK, "settings", "set", "sign_in", "on"], env=env, check=True, capture_output=True)
    with streamlit_app(db, tmp) as url:
        yield url, db, tmp


def sign_in(browser, url, name, path="/review", password=None):
    page = browser.new_context(viewport={"width": 1400, "height": 1200}).new_page()
    page.set_default_timeout(60_000)
    page.goto(url + path)
    page.get_by_text("Sign in to the fact-check workbench").wait_for()
    settle(page)
    page.get_by_label("Username").fill(name)
    page.get_by_role("textbox", name="Password").fill(password or f"{name}-secret-pw")
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    return page


def signed_in(page, name):
    page.get_by_text(re.compile(rf"^Signed in as {name} \({name}, ")).wait_for()
    settle(page)


def has_cookie(page, present=True, seconds=20) -> bool:
    """Whether the sign-in cookie is (or, `present=False`, is no longer) in this browser within
    `seconds`: it is set and removed by a component in the page, after the run that signs in or out."""
    for _ in range(seconds * 4):
        if any(c["name"] == "factcheck_sign_in" for c in page.context.cookies()) == present:
            return True
        page.wait_for_timeout(250)
    return False


def shown_claim(page) -> int:
    return int(re.search(r"claim id (\d+)", page.get_by_text(re.compile(r"claim id \d+")).first.inner_text()).group(1))


def alerts(page) -> str:
    return " | ".join(page.locator("[data-testid='stAlert']").all_inner_texts())


def test_sign_in_two_reviewers_a_viewer_and_publishing(team_server, browser):
    url, db_file, tmp = team_server
    db = open_db(db_file)
    pages = []
    try:
        # a wrong password is refused; the right one opens the page asked for, and a reload stays signed in
        ana = sign_in(browser, url, "ana", password="not-her-password")
        pages.append(ana)
        ana.get_by_text("the username or password is wrong").wait_for()
        SHOTS.mkdir(parents=True, exist_ok=True)
        ana.screenshot(path=str(SHOTS / "sign-in.png"))
        ana.get_by_role("textbox", name="Password").fill("ana-secret-pw")
        ana.get_by_role("button", name="Sign in").click()
        signed_in(ana, "ana")
        assert ana.url.endswith("/review")
        ana.reload()
        signed_in(ana, "ana")
        claim = shown_claim(ana)
        ana.get_by_role("button", name="Take this claim").click()
        settle(ana)
        ana.get_by_text(re.compile("^State: in review, held by ana")).wait_for()
        assert claim_state(db, claim)["assignee"] == "ana"

        # a second reviewer opening the same claim is told before starting, and cannot save over it
        bo = sign_in(browser, url, "bo")
        pages.append(bo)
        signed_in(bo, "bo")
        assert shown_claim(bo) == claim
        bo.get_by_text("ana holds this claim").wait_for()
        bo.get_by_role("button", name=re.compile("^Refuted")).click()
        settle(bo)
        bo.get_by_role("button", name=re.compile("^Save and next")).click()
        settle(bo)
        assert "held by ana" in alerts(bo) and "Not saved" in alerts(bo)
        assert claim_reviews(db, claim) == []

        # the holder reviews it: the review names the signed-in user
        ana.get_by_role("button", name=re.compile("^Supported")).click()
        settle(ana)
        ana.get_by_role("button", name=re.compile("^Save and next")).click()
        settle(ana)
        if "rests on no passage" in alerts(ana):
            ana.get_by_role("button", name=re.compile("^Save and next")).click()
            settle(ana)
        ana.get_by_text(f"for claim {claim}").wait_for()
        (review,) = claim_reviews(db, claim)
        assert (review["reviewer"], review["verdict"]) == ("ana", "SUPPORTED")
        assert claim_state(db, claim)["state"] == "reviewed"

        # a viewer reads and cannot save
        vi = sign_in(browser, url, "vi")
        pages.append(vi)
        signed_in(vi, "vi")
        assert vi.get_by_role("button", name=re.compile("^Save and next")).is_disabled()
        vi.get_by_text("a viewer may not save a review").wait_for()

        # a reviewer cannot publish; the admin publishes the reviewed claim from the Export page.
        # bo clicked on at once after signing in: the cookie still arrives, so a new page load stays signed in
        assert has_cookie(bo)
        bo.goto(url + "/export")
        signed_in(bo, "bo")
        assert bo.get_by_role("button", name=re.compile("^Publish the")).is_disabled()
        ed = sign_in(browser, url, "ed", path="/export")
        pages.append(ed)
        signed_in(ed, "ed")
        ed.get_by_role("button", name="Publish the 1 reviewed claim").click()
        settle(ed)
        ed.get_by_text("Published 1 claim.").wait_for()
        assert claim_state(db, claim)["state"] == "published"
        assert [(h["state"], h["actor"]) for h in state_history(db, claim)] == [
            ("in_review", "ana"), ("reviewed", "ana"), ("published", "ed")]

        # signing out shows the form again, and a reload does not sign back in
        ana.get_by_role("button", name="Sign out").click()
        ana.get_by_text("Sign in to the fact-check workbench").wait_for()
        assert has_cookie(ana, present=False)
        ana.reload()
        ana.get_by_text("Sign in to the fact-check workbench").wait_for()
        settle(ana)
        assert ana.get_by_text(re.compile("^Signed in as")).count() == 0
    except Exception:
        for k, p in enumerate(pages):
            p.screenshot(path=str(tmp / f"failure-{k}.png"), full_page=True)
        print("streamlit log:", (tmp / "streamlit.log").read_text()[-3000:])
        raise
    finally:
        for p in pages:
            p.context.close()


def test_without_sign_in_the_app_opens_straight_in(tmp_path, browser):
    """`make run`'s case: no users, sign-in off, the demo opens with a name box (no sign-in form)."""
    db = tmp_path / "solo.db"
    open_db(db).close()
    with streamlit_app(db, tmp_path) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(url + "/review")
            page.get_by_label("Your name (stored with each review)").wait_for()
            assert page.get_by_text("Sign in to the fact-check workbench").count() == 0
        finally:
            page.close()
