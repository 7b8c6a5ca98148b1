"""Every `factcheck` command through click's CliRunner, on real files and a real database."""

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from claims.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "# Golden Gate Bridge\n\nThe Golden Gate Bridge opened in 1937. Its main span is 1,280 metres long.\n"
ARTICLE = ("Bridge turns heads again. The Golden Gate Bridge opened in 1937 with a main span of 1,280 metres. "
           "The Golden Gate Bridge opened in 1941, one guidebook says. Will it be repainted next year?\n")


@pytest.fixture
def run(db_path, embedder):
    runner = CliRunner()

    def invoke(*args, input=None, ok=True):
        result = runner.invoke(cli, ["--db", str(db_path), *args], input=input, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        else:
            assert result.exit_code != 0, result.output
            assert "Traceback" not in result.output
        return result

    return invoke


@pytest.fixture
def files(tmp_path):
    (tmp_path / "bridge.md").write_text(SOURCE)
    (tmp_path / "article.txt").write_text(ARTICLE)
    return tmp_path


def db_snapshot(path):
    import sqlite3

    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("sources", "passages", "embeddings", "articles", "claims", "reviews")}
    finally:
        con.close()


def test_help_and_version(run):
    assert "sources" in run("--help").output and "check" in run("-h").output
    assert re.search(r"\d+\.\d+\.\d+", run("--version").output)


def test_sources_add_list_remove(run, files):
    out = run("sources", "add", str(files / "bridge.md")).output
    assert "added source 1" in out
    assert "skipped" in run("sources", "add", str(files / "bridge.md")).output
    listed = json.loads(run("sources", "list", "--json").stdout)["sources"]
    assert len(listed) == 1 and listed[0]["passages"] >= 1 and listed[0]["title"] == "Golden Gate Bridge"
    assert "Golden Gate Bridge" in run("sources", "list").output
    run("sources", "credibility", "1", "0.5")
    assert json.loads(run("sources", "list", "--json").stdout)["sources"][0]["credibility"] == 0.5
    assert "removed source 1" in run("sources", "remove", "1").output
    assert "empty" in run("sources", "list").output
    assert "no source with id 1" in run("sources", "remove", "1", ok=False).output


def test_sources_add_json_and_stdin(run):
    out = json.loads(run("sources", "add", "-", "--json", "--title", "Piped",
                         input="NATO has 32 members since 2024.").stdout)
    assert out["results"][0]["added"] and out["results"][0]["title"] == "Piped"


def test_sources_add_url(run, http_server):
    assert "added source" in run("sources", "add", f"{http_server}/article.html").output
    r = run("sources", "add", f"{http_server}/missing", ok=False)
    assert "HTTP 404" in r.output


def test_check_review_export(run, files, tmp_path):
    run("sources", "add", str(files / "bridge.md"))
    data = json.loads(run("check", str(files / "article.txt"), "--json").stdout)
    assert set(data["article"]) >= {"id", "title", "source"}
    claims = data["claims"]
    assert len(claims) == 2 and not any("repainted" in c["text"] for c in claims)
    by_text = {c["text"]: c for c in claims}
    right = by_text["The Golden Gate Bridge opened in 1937 with a main span of 1,280 metres."]
    wrong = by_text["The Golden Gate Bridge opened in 1941, one guidebook says."]
    assert right["verdict"] == "SUPPORTED" and wrong["verdict"] == "REFUTED"
    for c in claims:
        assert ARTICLE[c["start"]:c["end"]] == c["text"]
        assert c["evidence"] and c["evidence"][0]["source_title"] == "Golden Gate Bridge"
    assert "SUPPORTED" in run("check", str(files / "article.txt"), "--again").output  # a second copy

    listed = json.loads(run("claims", "list", "--json").stdout)["claims"]
    assert len(listed) == 4
    assert len(json.loads(run("claims", "list", "--article", "1", "--json").stdout)["claims"]) == 2
    assert "1937" in run("claims", "list").output

    pid = wrong["evidence"][0]["passage_id"]
    backed = run("review", str(wrong["id"]), "--verdict", "REFUTED", "--reviewer", "ana", "--evidence", str(pid))
    assert "rests on no passage" not in backed.stderr
    run("review", str(wrong["id"]), "--verdict", "refuted", "--note", "=HYPERLINK(\"x\")", "--reviewer", "ana",
        "--evidence", str(pid))
    unbacked = run("review", str(right["id"]), "--verdict", "SUPPORTED", "--reviewer", "ben")
    assert "review" in unbacked.stdout and "rests on no passage" in unbacked.stderr  # saved, and said so
    assert "--evidence" in unbacked.stderr
    assert "rests on no passage" not in run("review", str(right["id"]), "--verdict", "NOT_ENOUGH_EVIDENCE",
                                            "--reviewer", "ben").stderr
    run("review", str(right["id"]), "--verdict", "CONFLICTING", "--reviewer", "cy", "--note", "second look")

    out = tmp_path / "out.csv"
    run("export", "--format", "csv", "-o", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 4
    row = next(r for r in rows if r["claim_id"] == str(wrong["id"]))
    assert row["human_verdict"] == "REFUTED" and row["reviewer"] == "ana" and row["note"].startswith("'=")
    assert row["evidence_passage_id"] == str(pid) and row["evidence_source_title"] == "Golden Gate Bridge"
    assert next(r for r in rows if r["claim_id"] == str(right["id"]))["human_verdict"] == "CONFLICTING"
    for r in rows:
        assert not any(v.startswith(("=", "+", "-", "@")) for v in r.values())

    reviewed = list(csv.DictReader(io.StringIO(run("export", "--reviewed-only").stdout)))
    assert len(reviewed) == 2
    assert run("export", "--bom", "--article", "1").stdout.startswith("\ufeff")


def test_review_errors(run, files):
    run("sources", "add", str(files / "bridge.md"))
    cid = json.loads(run("check", str(files / "article.txt"), "--json").stdout)["claims"][0]["id"]
    assert "no claim with id 999" in run("review", "999", "--verdict", "SUPPORTED", ok=False).output
    assert "unknown verdict" in run("review", str(cid), "--verdict", "MAYBE", ok=False).output
    assert "no passage" in run("review", str(cid), "--verdict", "REFUTED", "--evidence", "4242", ok=False).output


def test_check_from_stdin_and_url(run, files, http_server):
    run("sources", "add", str(files / "bridge.md"))
    piped = json.loads(run("check", "-", "--json", input="The Golden Gate Bridge opened in 1937.\n").stdout)
    assert piped["claims"][0]["verdict"] == "SUPPORTED" and piped["article"]["source"] == "standard input"
    fetched = json.loads(run("check", f"{http_server}/article.html", "--json").stdout)
    assert fetched["article"]["source"].endswith("/article.html") and fetched["claims"]


@pytest.mark.parametrize("name,content,words", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"   \n\n  \t", "empty"),
    ("blob.bin", bytes(range(256)) * 64, "binary"),
    ("latin.txt", "Caf\u00e9 Z\u00fcrich opened in 1911.".encode("latin-1"), "UTF-8"),
    ("notext.html", b"<html><head><script>var a=1;</script></head><body></body></html>", "no readable text"),
])
def test_bad_articles_and_sources_leave_the_database_alone(run, files, db_path, name, content, words):
    run("sources", "add", str(files / "bridge.md"))
    before = db_snapshot(db_path)
    bad = files / name
    bad.write_bytes(content)
    assert words in run("check", str(bad), ok=False).output
    assert words in run("sources", "add", str(bad), ok=False).output
    assert db_snapshot(db_path) == before


def test_article_without_claims_is_a_message(run):
    out = json.loads(run("check", "-", "--json", input="Hello there, friend. What a lovely day.").stdout)
    assert out["claims"] == [] and "no check-worthy claims" in out["message"]


def test_not_a_database(tmp_path, embedder):
    bad = tmp_path / "x.db"
    bad.write_text("not sqlite at all " * 20)
    before = bad.read_bytes()
    r = CliRunner().invoke(cli, ["--db", str(bad), "sources", "list"])
    assert r.exit_code == 1 and "not a SQLite database" in r.output and "Traceback" not in r.output
    assert bad.read_bytes() == before


def test_db_from_environment(tmp_path, embedder):
    path = tmp_path / "env.db"
    r = CliRunner().invoke(cli, ["sources", "list", "--json"], env={"FACTCHECK_DB": str(path)})
    assert r.exit_code == 0 and path.exists()


def test_demo_loads_once(run):
    out = run("demo").output
    assert "11 sources added" in out and "SUPPORTED" in out and "REFUTED" in out
    assert "demo not loaded" in run("demo", "--if-empty").output


def _commands(group, prefix=()):
    import click

    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))
        else:
            yield " ".join((*prefix, name))


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = [c for c in _commands(cli) if f"factcheck {c}" not in readme]
    assert not missing, f"README does not document: {missing}"


def test_console_script_runs_in_a_subprocess():
    exe = Path(sys.executable).parent / "factcheck"
    r = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "sources" in r.stdout


def test_check_reads_relative_dates_against_the_article_date(run, files, db_path):
    run("sources", "add", str(files / "bridge.md"))
    claim = "The Golden Gate Bridge opened three years ago.\n"
    wrong = json.loads(run("check", "-", "--date", "2026-05-01", "--json", input=claim).stdout)
    assert wrong["article"]["published"] == "2026-05-01"
    assert wrong["claims"][0]["verdict"] == "REFUTED" and "1937" in wrong["claims"][0]["rationale"]
    right = json.loads(run("check", "-", "--date", "1940-05-01", "--json", input=claim).stdout)
    assert right["claims"][0]["verdict"] == "SUPPORTED"
    undated = json.loads(run("check", "-", "--json", input=claim).stdout)
    assert undated["article"]["published"] is None and undated["claims"][0]["verdict"] == "NOT_ENOUGH_EVIDENCE"
    bad = run("check", "-", "--date", "2026-13-40", input=claim, ok=False)
    assert "--date" in bad.output
    import sqlite3
    with sqlite3.connect(db_path) as conn:
        assert [r[0] for r in conn.execute("select published from articles order by id")][:2] == ["2026-05-01",
                                                                                                 "1940-05-01"]


def test_check_stores_the_claimant_and_the_byline_and_exports_them(run, files, tmp_path):
    run("sources", "add", str(files / "bridge.md"))
    text = ("Golden Gate at ninety\nBy Ana Lopez\nPublished 27 May 2027\n\n"
            "The Golden Gate Bridge opened in 1937, the city's archivist said.\n")
    data = json.loads(run("check", "-", "--json", input=text).stdout)
    assert (data["article"]["author"], data["article"]["published"]) == ("Ana Lopez", "2027-05-27")
    claim = next(c for c in data["claims"] if "1937" in c["text"])
    assert claim["claimant"] == "the city's archivist" and claim["verdict"] == "SUPPORTED"
    run("review", str(claim["id"]), "--verdict", "SUPPORTED", "--reviewer", "ana")
    out = tmp_path / "out.csv"
    run("export", "--output", str(out))
    import csv
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    row = next(r for r in rows if r["claim_id"] == str(claim["id"]))
    assert (row["claimant"], row["article_author"], row["article_published"]) == \
        ("the city's archivist", "Ana Lopez", "2027-05-27")


def test_the_same_text_checked_twice_is_not_stored_twice(run, files, db_path):
    run("sources", "add", str(files / "bridge.md"))
    first = json.loads(run("check", str(files / "article.txt"), "--json").stdout)
    claim_id = first["claims"][0]["id"]
    run("review", str(claim_id), "--verdict", "SUPPORTED", "--reviewer", "ana")
    before = db_snapshot(db_path)
    again = run("check", str(files / "article.txt"))
    assert f"Article {first['article']['id']}" in again.output and "nothing new was stored" in again.output
    assert "--again" in again.output and "reviewed SUPPORTED by ana" in again.output
    assert db_snapshot(db_path) == before
    # --json gives the stored article in the shape of a check, with the earlier article named
    data = json.loads(run("check", str(files / "article.txt"), "--json").stdout)
    assert data["earlier_article"]["id"] == first["article"]["id"] and data["earlier_article"]["exact"]
    assert [c["id"] for c in data["claims"]] == [c["id"] for c in first["claims"]]
    assert [c["verdict"] for c in data["claims"]] == [c["verdict"] for c in first["claims"]]
    assert data["claims"][0]["human_verdict"] == "SUPPORTED"
    assert [e["passage_id"] for e in data["claims"][0]["evidence"]] == \
        [e["passage_id"] for e in first["claims"][0]["evidence"]]
    # --again checks it anew as a second copy, and says which article it repeats
    copy = json.loads(run("check", str(files / "article.txt"), "--again", "--json").stdout)
    assert copy["article"]["id"] != first["article"]["id"]
    assert f"article {first['article']['id']}" in copy["message"] and "new copy" in copy["message"]
    assert db_snapshot(db_path)["articles"] == before["articles"] + 1


def test_the_same_text_read_against_another_date_is_another_check(run, files):
    claim = "The bridge opened in the last two years.\n"
    first = json.loads(run("check", "-", "--date", "2026-05-01", "--json", input=claim).stdout)
    other = json.loads(run("check", "-", "--date", "1940-05-01", "--json", input=claim).stdout)
    assert other["article"]["id"] != first["article"]["id"]
    assert other["earlier_article"]["same_text"] and not other["earlier_article"]["exact"]
    assert "read against 2026-05-01" in other["message"]
    same = json.loads(run("check", "-", "--date", "1940-05-01", "--json", input=claim).stdout)
    assert same["article"]["id"] == other["article"]["id"] and same["earlier_article"]["exact"]


def test_a_nearly_identical_text_is_checked_and_names_the_earlier_article(run, files):
    text = ("The Golden Gate Bridge opened to traffic in 1937. Its main span is 1,280 metres long. "
            "Its towers rise 227 metres above the water. About 112,000 vehicles cross it each day. "
            "The bridge is painted a colour called international orange.")
    (files / "a.txt").write_text(text + "\n")
    (files / "b.txt").write_text(text + " Updated at 10:00.\n")
    (files / "c.txt").write_text("The Brooklyn Bridge opened in 1883. Its main span is 486 metres long. "
                                 "It was the longest suspension bridge of its day. Its towers are of granite.\n")
    a = json.loads(run("check", str(files / "a.txt"), "--json").stdout)
    b = json.loads(run("check", str(files / "b.txt"), "--json").stdout)
    assert b["article"]["id"] != a["article"]["id"]
    assert b["earlier_article"]["id"] == a["article"]["id"] and not b["earlier_article"]["exact"]
    assert "of the same sentences" in b["message"]
    c = json.loads(run("check", str(files / "c.txt"), "--json").stdout)
    assert c["earlier_article"] is None


def test_checked_before_can_be_limited_to_a_recent_period(run, files, db_path):
    (files / "archive.csv").write_text("claim,verdict,url,date\nThe Golden Gate Bridge opened in 1937.,SUPPORTED,"
                                       "https://old.example/gg,2001-05-01\n")
    run("archive", "import", str(files / "archive.csv"))
    (files / "one.txt").write_text("The Golden Gate Bridge opened in 1937.\n")
    (files / "two.txt").write_text("The Golden Gate Bridge first opened in 1937.\n")
    seen = json.loads(run("check", str(files / "one.txt"), "--json").stdout)
    assert any(m["url"] == "https://old.example/gg" for m in seen["claims"][0]["checked_before"])
    run("settings", "set", "checked_before_days", "365")
    recent = json.loads(run("check", str(files / "two.txt"), "--json").stdout)
    assert not any(m["url"] == "https://old.example/gg" for m in recent["claims"][0]["checked_before"])
    bad = run("settings", "set", "checked_before_days", "a year", ok=False)
    assert "whole number of days" in bad.output
