"""The shipped check-worthiness model and `factcheck eval checkworthiness`."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from claims.checkworthiness import META_FILE, MODEL_FILE, get_checkworthiness_model
from claims.cli import cli
from claims.evaluate import prf

WORTHY = ["NATO has 32 member countries, up from 12 in 1949.",
          "Unemployment fell to 3.5 percent last year, the lowest rate in fifty years.",
          "The company paid $2 billion in taxes in 2023."]
UNWORTHY = ["Thank you all for being here tonight.", "I want to talk to you about our future.",
            "Good evening, everybody."]


@pytest.fixture(scope="module")
def model(embedder):
    m = get_checkworthiness_model(embedder)
    assert m is not None, "the trained model must ship in claims/models/"
    return m


def test_model_is_small_and_documented(model):
    assert MODEL_FILE.stat().st_size < 5_000_000
    meta = json.loads(META_FILE.read_text())
    assert 0 < meta["threshold"] < 1 and meta["base_model"] == "all-MiniLM-L6-v2"
    assert meta["report"]["ct24_dev"]["f1"] > 0.67  # above the embedding + logistic-regression floor


def test_scores_are_calibrated_probabilities_that_rank_sensibly(model):
    p = model.score(WORTHY + UNWORTHY)
    assert ((p >= 0) & (p <= 1)).all()
    assert p[:3].min() > p[3:].max()
    assert model.score([]).shape == (0,)


@pytest.mark.parametrize("backend,atol", [("fp32", 1e-4), ("bf16", 2e-3)])  # bfloat16 keeps about 3 digits
def test_batching_does_not_change_scores(model, backend, atol):
    texts = WORTHY + UNWORTHY
    shipped, model.backend = model.backend, backend
    try:
        one_by_one = np.array([model.score([t])[0] for t in texts])
        assert np.allclose(one_by_one, model.score(texts), atol=atol)
    finally:
        model.backend = shipped


def test_prf():
    assert prf([1, 0, 1, 0], [0.9, 0.8, 0.2, 0.1], 0.5) == {
        "precision": 0.5, "recall": 0.5, "f1": 0.5, "tp": 1, "fp": 1, "fn": 1}
    assert prf([0, 0], [0.1, 0.2], 0.5)["f1"] == 0.0


def test_eval_command(tmp_path, model):
    data = tmp_path / "cw.jsonl"
    data.write_text("\n".join(json.dumps({"id": str(i), "text": t, "label": int(i < 3)})
                              for i, t in enumerate(WORTHY + UNWORTHY)) + "\n")
    r = CliRunner().invoke(cli, ["eval", "checkworthiness", str(data), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["n"] == 6 and out["positives"] == 3
    assert out["model"]["f1"] == 1.0 and {"precision", "recall", "f1", "threshold"} <= set(out["rules"])
    assert "F1" in CliRunner().invoke(cli, ["eval", "checkworthiness", str(data)]).output


@pytest.mark.parametrize("content,words", [("not json\n", "not valid JSON"), ('{"text": "x"}\n', "lacks label"),
                                           ("", "no rows")])
def test_eval_bad_files(tmp_path, content, words):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content)
    r = CliRunner().invoke(cli, ["eval", "checkworthiness", str(bad)])
    assert r.exit_code == 1 and words in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(cli, ["eval", "checkworthiness", str(tmp_path / "missing.jsonl")])
    assert r.exit_code == 1 and "no such file" in r.output


def test_scores_under_bf16_match_float32_and_repeats_are_scored_once(embedder):
    from claims.checkworthiness import get_checkworthiness_model

    model = get_checkworthiness_model(embedder)
    texts = ["NATO was founded in 1949 by 12 countries.", "Thank you all for coming tonight.",
             "Unemployment fell to 3.5 percent last year."]
    calls = []
    real = model.logits
    model.logits = lambda ts, **kw: calls.append(list(ts)) or real(ts, **kw)
    try:
        backend = model.backend
        model.backend = "fp32"
        full = model.score(texts * 3)
        model.backend = "bf16"
        half = model.score(texts)
    finally:
        model.logits = real
        model.backend = backend
    assert calls[0] == texts  # nine texts, three distinct: three scored
    assert list(full[:3]) == list(full[3:6]) == list(full[6:])
    assert max(abs(a - b) for a, b in zip(full[:3], half)) < 0.03
