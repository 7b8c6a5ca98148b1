"""Previously-checked claim matching: against the archive and reviewed claims, thresholds as
settings, the earlier verdict pre-filled, confirmed links in both histories, and the evaluation."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from claims.article import article_from_text
from claims.errors import InvalidReview
from claims.matching import Matcher, evaluate_matching
from claims.pipeline import check_article
from claims.store import (add_archive, add_review, claim_matches, confirm_match, confirmed_links, get_claim,
                          list_claims, set_setting)
from sources.library import add_text

ARCHIVE = [
    {"claim": "The Golden Gate Bridge opened in 1941.", "verdict": "REFUTED", "rating": "False",
     "url": "https://checks.example/bridge", "date": "2026-03-02", "publisher": "Example Checks"},
    {"claim": "Drinking hot water cures the flu.", "verdict": "REFUTED", "url": "https://checks.example/flu"},
    {"claim": "The Eiffel Tower grows in summer heat.", "verdict": "SUPPORTED", "url": "https://checks.example/tower"},
]


def test_matches_rank_the_same_claim_first_with_its_level(db, embedder):
    add_archive(db, ARCHIVE, "test")
    m = Matcher(db, embedder)
    found = m.match(["The Golden Gate Bridge first opened in 1941.", "Volcanoes on Mars are active."])
    best = found[0][0]
    assert best.text == ARCHIVE[0]["claim"] and best.verdict == "REFUTED" and best.level == "same"
    assert best.similarity >= m.same
    assert all(x.level is None for x in found[1])  # nothing like it was checked


def test_check_prefills_the_earlier_verdict_and_links_both_histories(db, embedder, nlp):
    add_text(db, "The Golden Gate Bridge opened to traffic in 1937.", embedder, title="Bridge facts")
    add_archive(db, ARCHIVE, "test")
    r = check_article(db, article_from_text("Our guide says the Golden Gate Bridge opened in 1941."), embedder,
                      nlp=nlp)
    cid = r.claim_ids[0]
    v = r.verdicts[0]
    assert v.label == "REFUTED" and v.method == "claim-match" and "checks.example/bridge" in v.rationale
    stored = claim_matches(db, cid)
    assert stored[0]["level"] == "same" and stored[0]["verdict"] == "REFUTED" and not stored[0]["confirmed"]

    # a claim reviewed in the workbench is matched too, and a confirmation shows on both sides
    add_review(db, cid, "REFUTED", "ana", note="1937")
    r2 = check_article(db, article_from_text("The Golden Gate Bridge opened in 1941, a caption claimed."),
                       embedder, nlp=nlp)
    cid2 = r2.claim_ids[0]
    ms = claim_matches(db, cid2)
    mine = next(m for m in ms if m["kind"] == "claim")
    assert mine["target_id"] == cid and mine["verdict"] == "REFUTED" and mine["publisher"] == "ana"
    confirm_match(db, mine["id"], "ben")
    assert [(x["reviewer"], x["claim_id"]) for x in confirmed_links(db, cid)] == [("ben", cid2)]
    assert [(x["reviewer"], x["target_id"]) for x in confirmed_links(db, cid2)] == [("ben", cid)]
    with pytest.raises(InvalidReview):
        confirm_match(db, mine["id"], "")


def test_thresholds_are_settings(db, embedder):
    add_archive(db, ARCHIVE, "test")
    set_setting(db, "match_same", "0.999")
    set_setting(db, "match_possible", "0.5")
    best = Matcher(db, embedder).match(["The Golden Gate Bridge first opened in 1941."])[0][0]
    assert best.level == "possible"
    with pytest.raises(InvalidReview, match="between 0 and 1"):
        set_setting(db, "match_same", "2")


def test_evaluate_matching_reports_metrics_and_threshold_table(tmp_path, embedder):
    root = tmp_path / "tiny"
    (root / "qrels").mkdir(parents=True)
    corpus = [{"_id": "a", "title": "Bridge", "text": "The Golden Gate Bridge opened in 1941."},
              {"_id": "b", "title": "Flu", "text": "Drinking hot water cures the flu."},
              {"_id": "c", "title": "Tower", "text": "The Eiffel Tower grows in summer heat."}]
    queries = [{"_id": "1", "text": "lol the golden gate opened in 1941?? #bridges"},
               {"_id": "2", "text": "my aunt says hot water will cure your flu"}]
    (root / "corpus.jsonl").write_text("\n".join(json.dumps(c) for c in corpus))
    (root / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in queries))
    (root / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n1\ta\t1\n2\tb\t1\n")
    out = evaluate_matching(root, "test", embedder)
    for mode in ("dense", "lexical", "hybrid"):
        assert out["modes"][mode]["map@5"] == 1.0
    table = out["modes"]["hybrid"]["thresholds"]
    assert table["0.60"]["recall"] >= table["0.95"]["recall"]
    assert f"{out['configured']['match_same']:.2f}" in table


def test_review_page_shows_and_confirms_a_match(db, db_path, embedder, nlp, monkeypatch):
    add_archive(db, ARCHIVE, "test")
    r = check_article(db, article_from_text("The Golden Gate Bridge opened in 1941."), embedder, nlp=nlp)
    monkeypatch.setenv("FACTCHECK_DB", str(db_path))
    at = AppTest.from_file("../app_pages/review_page.py", default_timeout=180)
    at.session_state["reviewer"] = "ana"
    at.session_state["article_id"] = r.article_id
    at.run()
    assert not at.exception
    assert any("Checked before?" in h.value for h in at.subheader)
    mid = claim_matches(db, r.claim_ids[0])[0]["id"]
    at.button(key=f"confirm_match_{mid}").click().run()
    assert not at.exception and claim_matches(db, r.claim_ids[0])[0]["confirmed"].startswith("ana ")
    assert get_claim(db, r.claim_ids[0])["suggested_verdict"] == "REFUTED"
    assert list_claims(db)


def test_claim_matching_cli_runs_weighted_fusion(tmp_path):
    from click.testing import CliRunner

    from claims.cli import cli

    root = tmp_path / "tiny"
    (root / "qrels").mkdir(parents=True)
    (root / "corpus.jsonl").write_text(json.dumps({"_id": "a", "title": "Bridge",
                                                   "text": "The Golden Gate Bridge opened in 1941."}) + "\n" +
                                       json.dumps({"_id": "b", "title": "Flu", "text": "Hot water cures the flu."}))
    (root / "queries.jsonl").write_text(json.dumps({"_id": "1", "text": "did the golden gate open in 1941"}))
    (root / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n1\ta\t1\n")
    res = CliRunner().invoke(cli, ["eval", "claim-matching", str(root), "--mode", "hybrid", "--dense-weight", "2",
                                   "--json"])
    assert res.exit_code == 0, res.output
    modes = json.loads(res.stdout)["modes"]
    assert set(modes) == {"hybrid", "hybrid-dense-x2"} and modes["hybrid-dense-x2"]["map@5"] == 1.0
