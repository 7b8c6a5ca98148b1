"""The review page in a real headless Chromium (Debian's) against `streamlit run` on 127.0.0.1:
two reviewers on one article while the CLI writes to the same database file (issue 12).

Skips on a machine without chromium, except in CI (FACTCHECK_REQUIRE_BROWSER=1), where it fails.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.test_e2e_browser import _require_browser, browser, settle, streamlit_app  # noqa: F401 (browser: the fixture)

FACTCHECK = str(Path(sys.executable).with_name("factcheck"))
KEYS = {"SUPPORTED": "Alt+s", "REFUTED": "Alt+r", "NOT_ENOUGH_EVIDENCE": "Alt+n", "CONFLICTING": "Alt+c"}
LABELS = {"SUPPORTED": "Supported (Alt+S)", "REFUTED": "Refuted (Alt+R)",
          "NOT_ENOUGH_EVIDENCE": "Not Enough Evidence (Alt+N)", "CONFLICTING": "Conflicting (Alt+C)"}
SAVED = re.compile(r"Saved (\w+) for claim (\d+)")
SOURCE = ("# Harbour authority annual report\n\nThe harbour authority handled 4.2 million containers in 2024. "
          "Its new pier opened in March 2023 and is 640 metres long.\n")
ARTICLE = ("The harbour handled 4.2 million containers in 2024, the authority said. "
           "Its new pier, opened in 2021, is 900 metres long.\n")

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """`streamlit run app.py` on 127.0.0.1 over a database with the demo library and article."""
    _require_browser()
    tmp = tmp_path_factory.mktemp("e2e_review")
    db = tmp / "review.db"
    env = dict(os.environ, FACTCHECK_DB=str(db), HF_HUB_OFFLINE="1")
    subprocess.run([FACTCHECK, "--db", str(db), "demo"], env=env, check=True, capture_output=True, timeout=300)
    with streamlit_app(db, tmp) as url:
        yield url, db, tmp, env


def open_review(browser, url, name, order=None):
    """A fresh browser context on the review page, signed in as `name`, queue limited to article 1."""
    page = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    page.set_default_timeout(30_000)
    page.goto(url + "/review")
    page.get_by_role("heading", name="Review claims").wait_for()
    settle(page)
    page.get_by_label("Your name (stored with each review)").fill(name)
    page.get_by_label("Your name (stored with each review)").press("Enter")
    settle(page)
    page.get_by_text("Queue filters").click()
    article = page.get_by_role("combobox", name="Article")
    for _ in range(5):  # the list can re-render under the pointer while the page settles
        article.click()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        settle(page)
        if article.input_value().startswith("1: "):
            break
    assert article.input_value().startswith("1: "), article.input_value()
    if order:
        page.get_by_text(order).click()
        settle(page)
    page.get_by_text("Queue filters").click()
    settle(page)
    return page


def shown_claim(page) -> int:
    """The claim id on screen, from the caption under the claim ("... · claim id N"); the review
    form around the verdict buttons, note and Save is keyed by the same id (review_N)."""
    text = page.get_by_text(re.compile(r"claim id \d+")).first.inner_text()
    cid = int(re.search(r"claim id (\d+)", text).group(1))
    form = page.locator("[class*='st-key-review_']")
    assert form.count() == 1 and f"st-key-review_{cid} " in form.get_attribute("class") + " ", cid
    return cid


def save_review(page, verdict, note, keyboard):
    """Review the claim on screen: type a note, pick `verdict`, Save and next, by keyboard or
    mouse. Returns (claim id shown when saving, the flash's verdict, the flash's claim id)."""
    settle(page)
    cid = shown_claim(page)
    box = page.get_by_label("Note")
    box.click()
    page.keyboard.type(note)
    if keyboard:
        page.keyboard.press(KEYS[verdict])  # while typing: the README says the shortcuts work there
        page.get_by_text(SAVED).wait_for(state="hidden", timeout=15_000)  # the last save's line goes
        page.get_by_text(f"Chosen: {verdict}").wait_for(timeout=15_000)
        settle(page)
        if shown_claim(page) != cid:
            return cid, None, None
        box.click()
        page.keyboard.press("Alt+Enter")
    else:
        page.get_by_role("button", name=LABELS[verdict]).click()
        page.get_by_text(SAVED).wait_for(state="hidden", timeout=15_000)
        page.get_by_text(f"Chosen: {verdict}").wait_for(timeout=15_000)
        settle(page)
        if shown_claim(page) != cid:
            return cid, None, None
        page.get_by_role("button", name="Save and next (Alt+Enter)").click()
    flash = page.get_by_text(SAVED).first
    flash.wait_for(timeout=15_000)
    m = SAVED.search(flash.inner_text())
    settle(page)
    return cid, m.group(1), int(m.group(2))


def cli_writer(env, tmp, results):
    """The third process: add a source and check an article through the CLI, same database file."""
    (tmp / "harbour.md").write_text(SOURCE)
    (tmp / "harbour.txt").write_text(ARTICLE)
    for args in (["sources", "add", str(tmp / "harbour.md")], ["check", str(tmp / "harbour.txt")]):
        p = subprocess.run([FACTCHECK, "--db", env["FACTCHECK_DB"], *args], env=env, capture_output=True,
                           text=True, timeout=300)
        results.append((args[0], p.returncode, p.stdout[-500:] + p.stderr[-1500:], time.perf_counter()))


def test_note_typed_and_saved_with_alt_enter_is_stored(demo_server, browser):
    url, db, tmp, _ = demo_server
    page = open_review(browser, url, "note-typist", order="article order")
    try:
        cid, verdict, saved_cid = save_review(page, "REFUTED", "typed, then Alt+Enter", keyboard=True)
        assert (verdict, saved_cid) == ("REFUTED", cid)
        # and straight from typing to Alt+Enter, no other shortcut in between (nothing else sends the note)
        settle(page)
        second = shown_claim(page)
        page.get_by_label("Note").click()
        page.keyboard.type("typed and saved at once")
        page.keyboard.press("Alt+Enter")
        page.get_by_text(SAVED).first.wait_for(timeout=15_000)
        settle(page)
        with sqlite3.connect(db) as conn:
            rows = conn.execute("select claim_id, verdict, note from reviews where reviewer = 'note-typist' "
                                "order by id").fetchall()
        assert rows[0] == (cid, "REFUTED", "typed, then Alt+Enter")
        assert len(rows) == 2 and (rows[1][0], rows[1][2]) == (second, "typed and saved at once")
    except Exception:
        page.screenshot(path=str(tmp / "note_failure.png"), full_page=True)
        raise
    finally:
        page.context.close()


def test_two_reviewers_and_the_cli_on_one_database(demo_server, browser):
    """Reviewer A saves 10 claims in a row (keyboard and mouse in turn, a note each) while
    reviewer B saves on the same article and the CLI adds a source and checks an article: every
    verdict is on the claim that was on screen when it was saved, with its note; nothing is lost."""
    url, db, tmp, env = demo_server
    a = open_review(browser, url, "reviewer-a")
    b = open_review(browser, url, "reviewer-b", order="article order")
    cli_results = []
    cli = threading.Thread(target=cli_writer, args=(env, tmp, cli_results), daemon=True)
    done = {"reviewer-a": [], "reviewer-b": []}
    verdicts = list(KEYS)
    t0 = time.perf_counter()
    cli.start()
    try:
        for i in range(10):
            if i == 7:  # the last saves come after an article finished checking elsewhere
                cli.join(timeout=300)
            v = verdicts[i % 4]
            done["reviewer-a"].append(save_review(a, v, f"A{i}: {v.lower()} by reviewer A", keyboard=i % 2 == 0)
                                      + (v, f"A{i}: {v.lower()} by reviewer A"))
            if i % 3 == 1:
                v = verdicts[(i + 1) % 4]
                done["reviewer-b"].append(save_review(b, v, f"B{i}: reviewer B's note", keyboard=i % 2 == 1)
                                          + (v, f"B{i}: reviewer B's note"))
        reviews_done = time.perf_counter()
        a.reload()
        a.get_by_role("heading", name="Review claims").wait_for()
        settle(a)
        a.screenshot(path=str(tmp / "after.png"), full_page=True)
    except Exception:
        a.screenshot(path=str(tmp / "a_failure.png"), full_page=True)
        b.screenshot(path=str(tmp / "b_failure.png"), full_page=True)
        print("A:", done["reviewer-a"], "B:", done["reviewer-b"], "server log:",
              (tmp / "streamlit.log").read_text()[-3000:])
        raise
    finally:
        a.context.close()
        b.context.close()
    took = time.perf_counter() - t0

    assert [r[1] for r in cli_results] == [0, 0], cli_results
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        stored = {name: sorted(conn.execute("select claim_id, verdict, note from reviews where reviewer = ? "
                                            "order by id", [name]).fetchall()) for name in done}
        articles = conn.execute("select count(*) from articles").fetchone()[0]
    figures = {}
    for name, saves in done.items():
        wanted = sorted((cid, v, note) for cid, _, _, v, note in saves)
        misfiled = sum(1 for cid, fv, fcid, v, _ in saves if (fcid, fv) != (cid, v))
        lost = len([t for t in wanted if t not in stored[name]])
        figures[name] = {"saves": len(saves), "stored": len(stored[name]), "misfiled": misfiled, "lost": lost}
        assert stored[name] == wanted, (name, figures, stored[name], wanted)
    cli_done = ", ".join(f"{r[0]} done {r[3] - t0:.0f} s" for r in cli_results)
    print(f"two reviewers: {figures}, articles {articles}; reviews done {reviews_done - t0:.0f} s, {cli_done}; "
          f"{took:.0f} s in all")
    assert all(f["misfiled"] == 0 and f["lost"] == 0 for f in figures.values()), figures
    assert figures["reviewer-a"]["saves"] == 10 and figures["reviewer-b"]["saves"] >= 3
    assert articles == 2
