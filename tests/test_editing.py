"""Claims the reviewer corrects (issue 17, step 3), through the CLI on a real database and the real
models: edit, remove, add from a fragment, split, merge; each searched and suggested again, each
recorded; a reviewed claim is left as its reviews name it."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from claims.cli import cli
from claims.store import add_review, claim_changes, claim_evidence, get_claim, list_claims, open_db

SOURCE = ("# Golden Gate Bridge\n\nThe Golden Gate Bridge opened in 1937. Its main span is 1,280 metres long. "
          "The bridge is painted International Orange.\n")
ARTICLE = ("The Golden Gate Bridge opened in 1941, one guidebook says. Its main span, the guide adds, is "
           "1,280 metres long and the bridge is painted red. Will it be repainted next year?\n")


@pytest.fixture
def run(db_path, embedder, tmp_path):
    runner = CliRunner()
    (tmp_path / "bridge.md").write_text(SOURCE)
    (tmp_path / "article.txt").write_text(ARTICLE)

    def invoke(*args, ok=True):
        r = runner.invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)
        assert (r.exit_code == 0) == ok, r.output
        assert "Traceback" not in r.output
        return r

    invoke("sources", "add", str(tmp_path / "bridge.md"))
    invoke.checked = json.loads(invoke("check", str(tmp_path / "article.txt"), "--json").stdout)
    return invoke


def by_text(db, part):
    return next(c for c in list_claims(db) if part in c["text"])


def test_edit_reads_searches_and_suggests_again_and_keeps_the_articles_words(run, db_path):
    db = open_db(db_path)
    c = by_text(db, "1941")
    assert c["suggested_verdict"] == "REFUTED"
    out = json.loads(run("claims", "edit", str(c["id"]), "The Golden Gate Bridge opened in 1937.",
                         "--reviewer", "ana", "--reason", "the guidebook is wrong; check what the bridge says",
                         "--json").stdout)["claim"]
    assert out["text"] == "The Golden Gate Bridge opened in 1937." and out["suggested_verdict"] == "SUPPORTED"
    assert "1937" in out["rationale"]
    now = get_claim(db, c["id"])
    assert now["original"] == c["original"] and now["spans"] == c["spans"]  # the article's words stay
    assert [q["text"] for q in now["quantities"]] == ["1937"]
    assert claim_evidence(db, c["id"]) and claim_evidence(db, c["id"])[0]["source_title"] == "Golden Gate Bridge"
    ch = claim_changes(db, claim_id=c["id"])
    assert [(x["action"], x["reviewer"], x["before"]["text"], x["after"]["text"]) for x in ch] == [
        ("edit", "ana", c["text"], "The Golden Gate Bridge opened in 1937.")]
    assert "1937" in run("claims", "history", str(c["article_id"])).output
    # the keyword index follows the edit: the old words no longer find it, the new ones do
    assert not db.execute("select rowid from claims_fts where claims_fts match '1941'").fetchall()
    assert db.execute("select rowid from claims_fts where claims_fts match '1937'").fetchall()


def test_remove_keeps_the_claim_in_its_record_and_out_of_the_queue_and_export(run, db_path):
    db = open_db(db_path)
    c = by_text(db, "1941")
    assert "removed claim" in run("claims", "remove", str(c["id"]), "--reviewer", "ana", "--reason", "a quote").output
    assert all(x["id"] != c["id"] for x in list_claims(db))
    exported = list(csv.DictReader(io.StringIO(run("export").stdout)))
    assert exported and str(c["id"]) not in {r["claim_id"] for r in exported}
    (rec,) = claim_changes(db, article_id=c["article_id"])
    assert rec["action"] == "remove" and rec["before"]["text"] == c["text"] and rec["reason"] == "a quote"
    assert "no claim with id" in run("claims", "remove", str(c["id"]), ok=False).output


def test_add_a_claim_from_a_fragment_of_the_article(run, db_path):
    db = open_db(db_path)
    article_id = run.checked["article"]["id"]
    before = {c["id"] for c in list_claims(db)}
    out = json.loads(run("claims", "add", str(article_id), "the bridge is painted red", "--as",
                         "The Golden Gate Bridge is painted red.", "--reviewer", "ben", "--json").stdout)["claim"]
    assert out["id"] not in before and out["text"] == "The Golden Gate Bridge is painted red."
    assert out["original"] == "the bridge is painted red"
    c = get_claim(db, out["id"])
    assert ARTICLE[c["start"]:c["end"]] == "the bridge is painted red"
    assert claim_evidence(db, out["id"])  # searched like the others
    assert claim_changes(db, claim_id=out["id"])[0]["action"] == "add"
    # words that are not the article's are refused with one line, and nothing is stored
    r = run("claims", "add", str(article_id), "the bridge is painted blue", ok=False)
    assert "not in the article's text" in r.output and len(list_claims(db)) == len(before) + 1
    assert "no article 99" in run("claims", "add", "99", "anything", ok=False).output


def test_split_and_merge(run, db_path):
    db = open_db(db_path)
    c = by_text(db, "main span")
    out = run("claims", "split", str(c["id"]), "The main span of the Golden Gate Bridge is 1,280 metres long.",
              "The Golden Gate Bridge is painted red.", "--reviewer", "ana").output
    assert out.count("claim ") == 2
    parts = [x for x in list_claims(db) if x["original"] == c["original"]]
    assert sorted(x["text"] for x in parts) == ["The Golden Gate Bridge is painted red.",
                                                "The main span of the Golden Gate Bridge is 1,280 metres long."]
    span = next(x for x in parts if "1,280" in x["text"])
    assert span["id"] == c["id"] and span["suggested_verdict"] == "SUPPORTED"
    added = next(x for x in parts if "red" in x["text"])
    assert claim_changes(db, claim_id=added["id"])[0]["after"]["from"] == c["id"]
    merged = run("claims", "merge", str(span["id"]), str(added["id"]), "--text",
                 "The Golden Gate Bridge's main span is 1,280 metres long and it is painted red.",
                 "--reviewer", "ana").output
    assert "merged" in merged
    assert all(x["id"] != added["id"] for x in list_claims(db))
    assert claim_changes(db, claim_id=added["id"])[-1]["after"] == {"into": span["id"]}
    assert "at least two" in run("claims", "split", str(span["id"]), "Only one.", ok=False).output


def test_a_reviewed_claim_is_not_changed(run, db_path):
    db = open_db(db_path)
    c = by_text(db, "1941")
    add_review(db, c["id"], "REFUTED", "ana", note="checked")
    for args in (("edit", str(c["id"]), "Something else."), ("remove", str(c["id"])),
                 ("split", str(c["id"]), "One.", "Two.")):
        r = run("claims", *args, ok=False)
        assert "has been reviewed" in r.output
    assert get_claim(db, c["id"])["text"] == c["text"] and not claim_changes(db, claim_id=c["id"])
    assert "already says that" in run("claims", "edit", str(by_text(db, "main span")["id"]),
                                      by_text(db, "main span")["text"], ok=False).output
    assert "needs some text" in run("claims", "edit", str(by_text(db, "main span")["id"]), "  ", ok=False).output
    huge = run("claims", "edit", str(by_text(db, "main span")["id"]), "word " * 1000, ok=False).output
    assert "at most 2,000 characters" in huge and len(huge.strip().splitlines()) == 1
    assert "no claim with id 999" in run("claims", "edit", "999", "Anything.", ok=False).output


def test_changes_are_append_only(run, db_path):
    import sqlite3

    db = open_db(db_path)
    c = by_text(db, "1941")
    run("claims", "remove", str(c["id"]), "--reviewer", "ana")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("delete from claim_changes")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("update claim_changes set reviewer = 'x'")
