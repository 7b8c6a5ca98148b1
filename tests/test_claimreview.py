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

from claims.claimreview import (import_factchecks, publishing_gaps, records_from_csv, records_from_html,
                                records_from_jsonld, verdict_from_rating, write_claimreview)
from claims.cli import cli
from claims.errors import ClaimsError
from claims.export import export_filename, write_csv
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
    assert first["itemReviewed"]["appearance"] == {
        "@type": "CreativeWork", "url": "https://news.example/nato-chief", "headline": "Dutch veteran takes the helm at NATO",
        "datePublished": "2024-10-02", "author": {"@type": "Person", "name": "Demo Desk Staff"}}
    # the article's own statements are its author's (its byline); its date is the dateline's
    assert first["itemReviewed"]["author"] == {"@type": "Person", "name": "Demo Desk Staff"}
    assert first["itemReviewed"]["datePublished"] == "2024-10-02"
    # what we publish, we can read back
    back = {r["claim"]: r for r in import_records(docs)}
    assert [back[c["text"]]["verdict"] for c in claims] == ["SUPPORTED", "REFUTED", "NOT_ENOUGH_EVIDENCE"]


def test_an_export_without_the_organisation_or_a_review_url_warns(reviewed):
    path, db, _ = reviewed
    run = lambda: CliRunner().invoke(cli, ["--db", str(path), "export", "--format", "claimreview"])  # noqa: E731
    assert "warning" not in run().stderr  # everything set: nothing to warn about
    set_setting(db, "review_url", "")
    res = run()
    assert res.exit_code == 0 and "warning: the review URL is not set" in res.stderr
    assert "https://checkdesk.example/claims/ID" in res.stderr
    set_setting(db, "org_url", "")
    set_setting(db, "org_name", "")
    res = run()
    assert "no ClaimReview has a url" in res.stderr and "Unnamed fact-checking team" in res.stderr
    docs = json.loads(res.stdout)
    assert all("url" not in d for d in docs)  # the warning says what the documents are like
    assert publishing_gaps({"org_name": "The Check Desk", "review_url": "https://c.example/r"}) == []
    # CSV needs neither
    assert "warning" not in CliRunner().invoke(cli, ["--db", str(path), "export"]).stderr


def test_downloads_are_named_after_the_article_and_the_day():
    assert export_filename("Dutch veteran takes the helm at NATO", "verdicts", "csv", "2026-12-03") == \
        "dutch-veteran-takes-the-helm-at-nato-2026-12-03-verdicts.csv"
    assert export_filename(None, "claimreview", "json", "2026-12-03") == "factcheck-2026-12-03-claimreview.json"
    assert export_filename("Øresund: 25 år / ‘a bridge’", "verdicts", "csv", "2026-12-03") == \
        "oresund-25-ar-a-bridge-2026-12-03-verdicts.csv"
    assert export_filename("«»", "verdicts", "csv", "2026-12-03") == "factcheck-2026-12-03-verdicts.csv"
    # two copies of one article (checked twice) have one title: the id tells their downloads apart
    assert export_filename("Webb at three", "verdicts", "csv", "2026-12-04", article_id=3) == \
        "webb-at-three-article-3-2026-12-04-verdicts.csv"


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


@pytest.mark.parametrize("node", [
    {"reviewRating": "False"},                                  # a rating that is not an object
    {"reviewRating": ["False", 3]},
    {"reviewRating": {"alternateName": 5, "ratingValue": 1}},   # a rating that is not a string
    {"reviewRating": {"alternateName": ["False"]}},
    {"reviewRating": {"ratingValue": "1e999", "bestRating": "inf", "worstRating": 1}},
    {"reviewRating": {"ratingValue": True, "bestRating": {"x": 1}}},
    {"url": {"@id": "https://c.example/1"}, "datePublished": 20250102},
    {"url": ["https://c.example/1", 2], "author": [{"name": 7}], "datePublished": {"@value": "2025-01-02"}},
    {"author": {"name": {"first": "A"}}, "url": 3.5},
])
def test_claimreview_with_odd_types_imports_or_skips_cleanly(db, tmp_path, node):
    # issue #13 (6): non-string ratings or urls and non-object ratings raised AttributeError/TypeError
    # or a raw sqlite "Error binding parameter"
    doc = {"@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": "The bridge opened in 1941.",
           **node}
    [rec] = records_from_jsonld(doc)
    for k, v in rec.items():
        assert v is None or isinstance(v, str), (k, v)
    p = tmp_path / "odd.json"
    p.write_text(json.dumps(doc))
    assert import_factchecks(db, str(p))["added"] == 1
    assert list_archive(db)[0]["claim"] == "The bridge opened in 1941."


@pytest.mark.parametrize("claim", [["The bridge opened in 1941."], {"text": "The bridge opened in 1941."}, 1941,
                                   None, True])
def test_claimreview_claim_that_is_not_a_string(claim):
    # issue #13 (6): a list or an object here reached sqlite as "Error binding parameter"
    recs = records_from_jsonld({"@type": "ClaimReview", "claimReviewed": claim})
    assert all(isinstance(r["claim"], str) for r in recs)


@pytest.mark.parametrize("text,claims", [
    ("claim,verdict\rThe moon is made of cheese.,False\rWater is wet.,True\r", ["The moon is made of cheese.",
                                                                              "Water is wet."]),  # old Mac line ends
    ("claim,verdict\nThe moon\ris cheese.,False\n", ["The moon", "is cheese."]),                  # a bare CR
])
def test_csv_with_bare_carriage_returns(db, tmp_path, text, claims):
    # issue #13 (6): a bare CR in a CSV was a raw `_csv.Error`
    p = tmp_path / "mac.csv"
    p.write_bytes(text.encode())
    import_factchecks(db, str(p))
    assert sorted(a["claim"] for a in list_archive(db)) == sorted(claims)


def test_unreadable_csv_is_one_clear_line():
    with pytest.raises(ClaimsError, match="cannot read the CSV"):
        records_from_csv(io.StringIO("claim,verdict\nThe moon\ris cheese.,False\n"))


def test_claimreview_export_embeds_safely_in_a_script_block():
    # issue #13 (7): raw </script> and U+2028 in the JSON broke a <script type="application/ld+json"> block
    import lxml.html

    nasty = "He said </script><script>alert(1)</script> <!-- <script> and\u2028then\u2029more"
    out = io.StringIO()
    write_claimreview([{"human_verdict": "REFUTED", "claim": nasty, "claim_id": 1, "note": "</SCRIPT >"}], out,
                      {"org_name": "</script>"})
    text = out.getvalue()
    for bad in ("</", "<!--", "\u2028", "\u2029"):
        assert bad not in text
    docs = json.loads(text)
    assert docs[0]["claimReviewed"] == nasty and docs[0]["reviewBody"] == "</SCRIPT >"
    page = f'<html><head><script type="application/ld+json">{text}</script></head><body><p>x</p></body></html>'
    [script] = lxml.html.fromstring(page).xpath('//script')
    assert json.loads(script.text_content()) == docs
    assert records_from_html(page)[0]["claim"] == nasty


@pytest.mark.parametrize("value,best,worst", [("1e999", "inf", 1), ("nan", 5, 1), (3, "-inf", 1), (True, 5, 1)])
def test_verdict_from_a_rating_number_that_is_not_finite(value, best, worst):
    assert verdict_from_rating(None, value, best, worst) is None


def test_utf16_json_and_xhtml_pages_import(db, tmp_path):
    # issue #12: UTF-16 files were called "binary"; an XHTML page's <?xml encoding=...?> made lxml refuse it
    from tests.conftest import FACTCHECK_HTML, FACTCHECK_JSON

    p = tmp_path / "checks.json"
    p.write_bytes(FACTCHECK_JSON.decode().encode("utf-16"))
    assert import_factchecks(db, str(p))["added"] == 1
    page = b'<?xml version="1.0" encoding="utf-8"?>\n' + FACTCHECK_HTML
    assert records_from_html(page)[0]["claim"] == "The Golden Gate Bridge opened in 1941."


def test_claimreview_names_the_claimant_the_sentence_gives():
    row = {"human_verdict": "SUPPORTED", "claim": "Allies pledged 2% in 2014, Stoltenberg said.", "claim_id": 7,
           "claimant": "Stoltenberg", "article_author": "Ana Lopez", "article_publisher": "The Daily Check",
           "article_published": "2024-10-02", "article_url": "https://news.example/a", "article_title": "NATO",
           "reviewed_at": "2024-10-03T10:00:00+0000"}
    out = io.StringIO()
    write_claimreview(iter([row, {**row, "claim_id": 8, "claimant": "the health ministry"},
                            {**row, "claim_id": 9, "claimant": None, "article_author": None}]), out,
                      {"org_name": "The Check Desk", "review_url": "https://checkdesk.example"})
    docs = json.loads(out.getvalue())
    assert docs[0]["itemReviewed"]["author"] == {"@type": "Person", "name": "Stoltenberg"}
    assert docs[1]["itemReviewed"]["author"] == {"@type": "Organization", "name": "the health ministry"}
    assert docs[2]["itemReviewed"]["author"] == {"@type": "Organization", "name": "The Daily Check"}
    assert docs[0]["itemReviewed"]["appearance"]["publisher"] == {"@type": "Organization", "name": "The Daily Check"}
    for doc in docs:
        jsonschema.validate(doc, SCHEMA, format_checker=jsonschema.FormatChecker())
    # nobody known (pasted text, no byline, no address): the headline is never named as the author
    out = io.StringIO()
    write_claimreview(iter([{**row, "claimant": None, "article_author": None, "article_publisher": None,
                             "article_url": None}]), out, {"org_name": "The Check Desk"})
    assert json.loads(out.getvalue())[0]["itemReviewed"]["author"] == {"@type": "Thing",
                                                                       "name": "unknown (the author of “NATO”)"}
