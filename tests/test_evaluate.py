"""Retrieval metrics against pytrec_eval, and `factcheck eval retrieval` on a tiny BEIR folder we write."""

import json

import pytest
from click.testing import CliRunner

from claims.cli import cli
from sources.errors import SourceError
from sources.evaluate import ap_at, load_beir, mrr_at, ndcg_at, recall_at, score_run

RUNS = {
    "q1": ["d1", "d2", "d3", "d4", "d5", "d6"],
    "q2": ["d9", "d8", "d7", "d1", "d2", "d3"],
    "q3": ["d4", "d5", "d6", "d7", "d8", "d9"],
}
QRELS = {"q1": {"d1": 1, "d3": 1}, "q2": {"d1": 2, "d7": 1, "d5": 1}, "q3": {"d2": 1}}


def test_metrics_match_pytrec_eval():
    pytrec_eval = pytest.importorskip("pytrec_eval")
    run = {q: {d: float(len(ds) - i) for i, d in enumerate(ds)} for q, ds in RUNS.items()}
    ev = pytrec_eval.RelevanceEvaluator(QRELS, {"recall.1", "recall.5", "recip_rank", "ndcg_cut.10", "map_cut.5"})
    ref = ev.evaluate(run)
    for q in RUNS:
        assert recall_at(RUNS[q], QRELS[q], 1) == pytest.approx(ref[q]["recall_1"])
        assert recall_at(RUNS[q], QRELS[q], 5) == pytest.approx(ref[q]["recall_5"])
        assert mrr_at(RUNS[q], QRELS[q], 10) == pytest.approx(ref[q]["recip_rank"])
        assert ndcg_at(RUNS[q], QRELS[q], 10) == pytest.approx(ref[q]["ndcg_cut_10"])
        assert ap_at(RUNS[q], QRELS[q], 5) == pytest.approx(ref[q]["map_cut_5"])


def test_metrics_by_hand():
    assert recall_at(["a", "b"], {"b": 1, "c": 1}, 1) == 0.0
    assert mrr_at(["a", "b"], {"b": 1}, 10) == 0.5
    assert ap_at(["a", "b", "c"], {"a": 1, "c": 1}, 5) == pytest.approx((1 + 2 / 3) / 2)
    assert score_run({"q": ["a"]}, {"q": {"a": 1}})["ndcg@10"] == 1.0


CORPUS = [
    {"_id": "nato", "title": "NATO", "text": "NATO has 32 member countries. Sweden joined in 2024."},
    {"_id": "eu", "title": "European Union", "text": "The European Union has 27 member states."},
    {"_id": "un", "title": "United Nations", "text": "The United Nations has 193 member states."},
    {"_id": "tower", "title": "Eiffel Tower", "text": "The Eiffel Tower is 330 metres tall."},
    {"_id": "bridge", "title": "Golden Gate", "text": "The Golden Gate Bridge opened in 1937."},
]
QUERIES = [{"_id": "1", "text": "How many countries are in NATO?"},
           {"_id": "2", "text": "When did the Golden Gate Bridge open?"},
           {"_id": "3", "text": "height of the Eiffel Tower"}]


@pytest.fixture
def beir(tmp_path):
    (tmp_path / "qrels").mkdir()
    (tmp_path / "corpus.jsonl").write_text("\n".join(json.dumps(r) for r in CORPUS))
    (tmp_path / "queries.jsonl").write_text("\n".join(json.dumps(r) for r in QUERIES))
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n1\tnato\t1\n2\tbridge\t1\n3\ttower\t1\n")
    return tmp_path


@pytest.mark.parametrize("command", ["retrieval", "claim-matching"])
def test_eval_command(beir, embedder, command):
    r = CliRunner().invoke(cli, ["eval", command, str(beir), "--split", "test", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["documents"] == 5 and out["queries"] == 3
    for mode in ("dense", "lexical", "hybrid"):
        assert out["modes"][mode]["recall@100"] == 1.0
    assert out["modes"]["hybrid"]["recall@1"] == 1.0 and out["modes"]["dense"]["mrr@10"] == 1.0
    text = CliRunner().invoke(cli, ["eval", command, str(beir), "--mode", "dense"]).output
    assert "ndcg@10" in text and "dense" in text


def test_eval_errors(beir, tmp_path):
    with pytest.raises(SourceError, match="no qrels for split 'dev'"):
        load_beir(beir, "dev")
    r = CliRunner().invoke(cli, ["eval", "retrieval", str(tmp_path / "nope")])
    assert r.exit_code == 1 and "no such folder" in r.output


def test_classification_report():
    from claims.evaluate import classification_report

    r = classification_report(["A", "A", "B", "C"], ["A", "B", "B", "B"], ["A", "B", "C"])
    assert r["accuracy"] == 0.5
    assert r["per_label"]["A"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert r["per_label"]["C"]["f1"] == 0.0 and r["confusion"]["C"]["B"] == 1
    assert r["macro_f1"] == pytest.approx((0.6667 + 0.5 + 0.0) / 3, abs=1e-4)


VERIFICATION = [
    {"id": "1", "claim": "NATO has 31 members.", "label": "REFUTED",
     "evidence": [{"text": "NATO has 32 members today.", "source": "NATO"}]},
    {"id": "2", "claim": "NATO has 32 members.", "label": "SUPPORTED",
     "evidence": [{"text": "NATO has 32 members today.", "source": "NATO"}]},
    {"id": "3", "claim": "The bridge is painted orange.", "label": "NOT_ENOUGH_EVIDENCE",
     "evidence": [{"text": "The Eiffel Tower is 330 metres tall."}]},
]


def test_eval_verification_command(tmp_path, nlp):
    data = tmp_path / "ver.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in VERIFICATION))
    r = CliRunner().invoke(cli, ["eval", "verification", str(data), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["accuracy"] == 1.0 and out["labels"] == ["SUPPORTED", "REFUTED", "NOT_ENOUGH_EVIDENCE"]
    assert out["numeric_claims"] == {"n": 2, "answered": 2, "right": 2, "precision_when_answering": 1.0}
    assert out["majority_baseline"]["accuracy"] == pytest.approx(1 / 3, abs=1e-3)
    assert "macro-F1" in CliRunner().invoke(cli, ["eval", "verification", str(data)]).output
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"claim": "x", "label": "MAYBE", "evidence": []}))
    r = CliRunner().invoke(cli, ["eval", "verification", str(bad)])
    assert r.exit_code == 1 and "labels outside" in r.output
