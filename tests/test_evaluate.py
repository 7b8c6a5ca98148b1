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
    # the headline is what a user sees: the shipped default settings, through the one verdict path
    assert out["settings"] == {"stance_verdicts": "hint", "stance_model": True}
    assert "shipped default" in out["method"] and out["headline"].startswith("what a user sees")
    parts = out["components"]
    assert parts["rules_only"]["accuracy"] == out["rules_only"]["accuracy"] == 1.0
    assert parts["stance_only"]["accuracy"] == out["stance_only"]["accuracy"]
    assert set(parts["rules_then_stance"]) >= {"what", "accuracy", "macro_f1", "per_label", "confusion"}
    r = CliRunner().invoke(cli, ["eval", "verification", str(data), "--stance-verdicts", "suggest", "--json"])
    other = json.loads(r.stdout)
    assert other["settings"]["stance_verdicts"] == "suggest" and "not the shipped default" in other["headline"]
    assert other["accuracy"] == other["components"]["rules_then_stance"]["accuracy"]
    rules = json.loads(CliRunner().invoke(cli, ["eval", "verification", str(data), "--rules-only", "--json"]).stdout)
    assert rules["stance_only"] is None and rules["components"]["stance_only"] is None and rules["accuracy"] == 1.0
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"claim": "x", "label": "MAYBE", "evidence": []}))
    r = CliRunner().invoke(cli, ["eval", "verification", str(bad)])
    assert r.exit_code == 1 and "labels outside" in r.output


def test_one_verdict_path(embedder, nlp):
    """`check` and `eval verification` share `suggest_for`: in the shipped "hint" mode the rules'
    label stands and the model's reading goes into the reason; each component comes back on request."""
    from claims.extract import Claim, _sentence_analysis
    from claims.pipeline import suggest_for
    from claims.stance import get_stance_model
    from sources.search import Hit

    stance = get_stance_model(embedder)
    if stance is None:
        pytest.skip("no stance model shipped")
    texts = ["NATO has 31 members.", "The bridge is painted orange."]
    claims = []
    for t in texts:
        f = _sentence_analysis(nlp(t)[:], 0)[3]
        claims.append(Claim(t, t, 0, len(t), 0, len(t), 1.0, "claim", f.quantities, f.entities))
    evidence = [[Hit(1, 1, "NATO", "nato.md", None, "NATO has 32 members today.", 0, 26, 1.0, None, None, None, None)],
                [Hit(2, 2, "Golden Gate", "gg.md", None, "The Golden Gate Bridge is painted orange.", 0, 40, 1.0,
                     None, None, None, None)]]
    parts: dict = {}
    hint = suggest_for(claims, evidence, nlp, stance=stance, components=parts)
    assert [v.label for v in hint] == [v.label for v in parts["rules"]] == ["REFUTED", "NOT_ENOUGH_EVIDENCE"]
    assert len(parts["stance"]) == 2 and all(v.method == stance.method for v in parts["stance"])
    suggested = suggest_for(claims, evidence, nlp, stance=stance, stance_mode="suggest")
    assert suggested[0].label == "REFUTED" and suggested[1].label == parts["stance"][1].label
    if parts["stance"][1].label != "NOT_ENOUGH_EVIDENCE":
        assert "Stance model (a hint, not a verdict" in hint[1].rationale
    with pytest.raises(ValueError, match="stance_mode"):
        suggest_for(claims, evidence, nlp, stance_mode="always")


def test_identical_claims_are_judged_once(embedder, nlp):
    """An article pasted twice: the stance model reads each distinct (claim, passage) pair once,
    and every copy of the claim gets the same suggestion."""
    from claims.extract import Claim, _sentence_analysis
    from claims.pipeline import suggest_for
    from claims.stance import get_stance_model
    from sources.search import Hit

    model = get_stance_model(embedder)
    if model is None:
        pytest.skip("no stance model shipped")

    class Counting:
        decision = model.decision
        method = model.method

        def __init__(self):
            self.pairs = []

        def predict(self, pairs, **kw):
            self.pairs += list(pairs)
            return model.predict(pairs)

    t = "The bridge is painted orange."
    f = _sentence_analysis(nlp(t)[:], 0)[3]
    claims = [Claim(t, t, 0, len(t), 0, len(t), 1.0, "claim", f.quantities, f.entities) for _ in range(5)]
    hits = [Hit(i, 1, "Golden Gate", "gg.md", None, text, 0, len(text), 1.0, None, None, None, None)
            for i, text in enumerate(["The Golden Gate Bridge is painted orange.", "It opened in 1937."], start=1)]
    counting = Counting()
    verdicts = suggest_for(claims, [hits] * 5, nlp, stance=counting, stance_mode="suggest")
    assert len(counting.pairs) == 2
    assert len({(v.label, v.confidence, v.rationale) for v in verdicts}) == 1
