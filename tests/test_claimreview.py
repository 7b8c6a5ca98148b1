"""ClaimReview export (validated against a JSON Schema of the required and recommended fields),
import of earlier fact-checks from files, pages on a real local server and CSV, and the CSV
round trip."""

import csv
import io
import json
import sqlite3
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from claims.claimreview import (import_factchecks, records_from_csv, records_from_html, verdict_from_rating,
                                write_claimreview)
from claims.cli import cli
from claims.errors import ClaimsError
from claims.export import write_csv
from claims.store import add_review, export_rows, list_archive, list_claims, open_db, set_setting

SCHEMA = json.loads((Path(__file__).parent / "data" / "claimreview.schema.json").read_text())


@pytest.fixture
def reviewed(demo_db, tmp_path):
    """A copy of the demo database with three claims reviewed and the organisation set."""
    src, result = demo_db
    path = tmp_path / "reviewed.db"
    with sqlite3.connect(src) as a, sqlite3.connect(path) as b:
        a.backup(b)
    db = open_db(path)
    claims = list_claims(db)
    for c, verdict, note in zip(claims, ["SUPPORTED", "REFUTED", "NOT_ENOUGH_EVIDENCE"], ["", "10 years", ""]):
        add_review(db, c["id"], verdict, "ana", note=note)
    db.execute("update articles set url = 'https://news.example/nato-chief' where id = ?", [result.article_id])
    set_setting(db, "org_name", "The Check Desk")
    set_setting(db, "org_url", "https://checkdesk.example")
    set_setting(db, "review_url", "https://checkdesk.example/reviews")
    return path, db, claims[:3]


def test_claimreview_export_for_the_demo_validates_and_parses_back(reviewed):
    path, db, claims = reviewed
    res = CliRunner().invoke(cli, ["--db", str(path), "export", "--format", "claimreview"])
    assert res.exit_code == 0, res.output
    docs = json.loads(res.stdout)
    assert len(docs) == 3
    for doc in docs:
        jsonschema.validate(doc, SCHEMA, format_checker=jsonschema.FormatChecker())
    by_claim = {d["claimReviewed"]: d for d in docs}
    first, second, third = (by_claim[c["text"]] for c in claims)
    assert first["reviewRating"]["ratingValue"] == 5 and first["reviewRating"]["alternateName"] == "Supported"
    assert second["reviewRating"]["ratingValue"] == 1 and second["reviewBody"] == "10 years"
    assert "ratingValue" not in third["reviewRating"]  # not enough evidence is not a point on a truth scale
    assert first["url"] == f"https://checkdesk.example/reviews/claims/{claims[0]['id']}"
    assert first["author"] == {"@type": "Organization", "name": "The Check Desk", "url": "https://checkdesk.example"}
    assert first["itemReviewed"]["appearance"] == {"@type": "CreativeWork", "url": "https://news.example/nato-chief"}
    assert first["itemReviewed"]["author"]["name"] == "news.example"
    # what we publish, we can read back
    back = {r["claim"]: r for r in import_records(docs)}
    assert [back[c["text"]]["verdict"] for c in claims] == ["SUPPORTED", "REFUTED", "NOT_ENOUGH_EVIDENCE"]


def import_records(docs):
    from claims.claimreview import records_from_jsonld

    return records_from_jsonld(docs)


def test_claimreview_skips_unreviewed_claims_and_streams_an_empty_array():
    out = io.StringIO()
    assert write_claimreview(iter([{"human_verdict": None, "claim": "x", "claim_id": 1}]), out, {}) == 0
    assert json.loads(out.getvalue()) == []


@pytest.mark.parametrize("text,value,best,worst,label", [
    ("False", None, None, None, "REFUTED"), ("Pants on Fire!", None, None, None, "REFUTED"),
    ("Half True", None, None, None, "CONFLICTING"), ("Mostly true", None, None, None, "SUPPORTED"),
    ("Incorrect", None, None, None, "REFUTED"), ("Unproven", None, None, None, "NOT_ENOUGH_EVIDENCE"),
    ("Misleading", None, None, None, "CONFLICTING"), ("Not enough evidence", None, None, None, "NOT_ENOUGH_EVIDENCE"),
    (None, 1, 5, 1, "REFUTED"), (None, 5, 5, 1, "SUPPORTED"), (None, 3, 5, 1, "CONFLICTING"),
    (None, None, None, None, None),
])
def test_verdict_from_rating(text, value, best, worst, label):
    assert verdict_from_rating(text, value, best, worst) == label


def test_import_a_claimreview_page_from_a_local_server(db, http_server):
    r = import_factchecks(db, http_server + "/factcheck.html")
    assert (r["found"], r["added"]) == (1, 1)  # the broken JSON block is skipped, the @graph one read
    row = list_archive(db)[0]
    assert (row["claim"], row["verdict"], row["rating"], row["publisher"], row["date"], row["url"]) == (
        "The Golden Gate Bridge opened in 1941.", "REFUTED", "False", "Example Checks", "2026-03-02",
        "https://checks.example/bridge-1941")
    assert import_factchecks(db, http_server + "/factcheck.json")["already_there"] == 1


def test_csv_export_round_trip(reviewed, tmp_path):
    path, db, claims = reviewed
    out = tmp_path / "verdicts.csv"
    res = CliRunner().invoke(cli, ["--db", str(path), "export", "-o", str(out), "--bom"])
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    # every exported cell reads back as it was stored
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    stored = list(export_rows(db))
    assert len(rows) == len(stored)
    for got, want in zip(rows, stored):
        for k, v in got.items():
            w = "" if want[k] is None else str(want[k])
            assert v == w or v == "'" + w, k
    # re-imported as earlier fact-checks: the reviewed rows, with their verdicts and dates
    r = import_factchecks(db, str(out))
    assert (r["found"], r["added"]) == (3, 3)
    archived = {a["claim"]: a for a in list_archive(db)}
    for s in stored:
        if s["human_verdict"]:
            a = archived[s["claim"]]
            assert (a["verdict"], a["date"], a["publisher"]) == (s["human_verdict"], s["reviewed_at"], s["reviewer"])


def test_minimal_csv_format():
    text = "claim,verdict,url,date\nThe moon is made of cheese.,False,https://c.example/1,2025-01-02\n" \
           "Water boils at 100 C at sea level.,SUPPORTED,,\n"
    recs = records_from_csv(io.StringIO(text))
    assert [(r["claim"], r["verdict"], r["url"], r["date"]) for r in recs] == [
        ("The moon is made of cheese.", "REFUTED", "https://c.example/1", "2025-01-02"),
        ("Water boils at 100 C at sea level.", "SUPPORTED", None, None)]


def test_csv_cells_that_look_like_formulas_come_back_whole():
    out = io.StringIO()
    write_csv([{"claim": "=1+1 is two", "human_verdict": "SUPPORTED"}], out)
    assert records_from_csv(io.StringIO(out.getvalue()))[0]["claim"] == "=1+1 is two"


@pytest.mark.parametrize("name,body,words", [
    ("empty.json", b"", "is empty"),
    ("bin.json", b"\x00\x01\x02binary", "binary"),
    ("latin.csv", "claim,verdict\nCaf\xe9 claim,False\n".encode("latin-1"), "not UTF-8"),
    ("bad.json", b"{not json", "not valid JSON"),
    ("none.html", b"<html><body><p>No structured data here</p></body></html>", "no ClaimReview"),
    ("nocol.csv", b"text,label\nx,1\n", "needs a 'claim' column"),
    ("notes.docx", b"PK\x03\x04", "use a .json"),
])
def test_bad_imports_are_one_clear_line(db, tmp_path, name, body, words):
    p = tmp_path / name
    p.write_bytes(body)
    with pytest.raises(ClaimsError, match=words):
        import_factchecks(db, str(p))
    assert list_archive(db) == []


def test_unreachable_import_url_is_a_clear_error(db):
    res_db = db
    from sources.errors import SourceError

    with pytest.raises(SourceError, match="refused|connect"):
        import_factchecks(res_db, "http://127.0.0.1:9/factcheck.html")


def test_html_with_only_broken_blocks_finds_nothing():
    assert records_from_html(b'<script type="application/ld+json">{oops</script>') == []
