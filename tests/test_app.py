"""Every page of the Streamlit app through AppTest, on a real database and the real model."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from claims.store import claim_reviews, list_claims, open_db

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

    at = page("app_pages/review_page.py", article_id=article_id, claim_index=1, reviewer="ana")
    assert not at.exception
    cid = claims[1]["id"]
    at.radio(key=f"review_verdict_{cid}").set_value("REFUTED")
    at.text_area(key=f"review_note_{cid}").input("opened in 1937")
    at.button[0].click().run()  # the form's "Save and next"
    assert not at.exception
    history = claim_reviews(open_db(app_db), claims[1]["id"])
    assert [(h["verdict"], h["reviewer"], h["note"]) for h in history] == [("REFUTED", "ana", "opened in 1937")]
    assert history[0]["passage_id"] == claims[1]["suggested_passage_id"] is not None  # cited passage preselected

    at = page("app_pages/export_page.py")
    assert not at.exception and any("2 rows" in m.value for m in at.markdown)
    at.checkbox(key="export_reviewed").check().run()
    assert any("1 rows" in m.value for m in at.markdown)


def test_review_needs_a_reviewer_name(monkeypatch, demo_db):
    path, result = demo_db
    monkeypatch.setenv("FACTCHECK_DB", str(path))
    at = page("app_pages/review_page.py", article_id=result.article_id, reviewer="")
    at.button[0].click().run()
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
