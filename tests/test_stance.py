"""Aggregating the stance model's pair probabilities to a claim verdict, and the shipped model."""

import numpy as np
import pytest

from claims.extract import PassageFacts
from claims.stance import STANCE_FILE, STANCES, get_stance_model
from claims.verdict import Verdict, aggregate_stance, combine, stance_label

DECISION = {"support": 0.5, "refute": 0.5, "conflict": 0.6}


def passage(pid, text="text", source_id=None, credibility=1.0):
    return PassageFacts(pid, source_id or pid, f"source {pid}", text, [], [], credibility)


@pytest.mark.parametrize("s,r,apart,label", [
    (0.9, 0.1, True, "SUPPORTED"), (0.1, 0.8, True, "REFUTED"), (0.3, 0.3, True, "NOT_ENOUGH_EVIDENCE"),
    (0.7, 0.65, True, "CONFLICTING"),
    (0.7, 0.65, False, "SUPPORTED"),   # one passage cannot disagree with itself
    (0.55, 0.58, True, "REFUTED"),     # both pass, neither reaches the conflict threshold: the stronger
])
def test_stance_label(s, r, apart, label):
    assert stance_label(s, r, DECISION, apart=apart) == label


def test_aggregate_cites_the_deciding_passage_and_weighs_credibility():
    ev = [passage(1, "The alliance has 32 members."), passage(2, "It was founded in 1949.")]
    v = aggregate_stance(ev, np.array([[0.1, 0.85, 0.05], [0.2, 0.1, 0.7]]), DECISION)
    assert v.label == "REFUTED" and v.passage_id == 1 and "0.85" in v.rationale and "32 members" in v.rationale
    # the same refutation from a source trusted at 0.5 no longer passes the threshold
    ev[0].credibility = 0.5
    v = aggregate_stance(ev, np.array([[0.1, 0.85, 0.05], [0.2, 0.1, 0.7]]), DECISION)
    assert v.label == "NOT_ENOUGH_EVIDENCE" and v.passage_id == 1


def test_aggregate_conflicting_names_both_passages():
    ev = [passage(1, "Thirteen years.", 1), passage(2, "Twelve years.", 2)]
    v = aggregate_stance(ev, np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1]]), DECISION)
    assert v.label == "CONFLICTING" and "source 1" in v.rationale and "source 2" in v.rationale


def test_no_evidence_is_never_supported():
    assert aggregate_stance([], np.zeros((0, 3)), DECISION).label == "NOT_ENOUGH_EVIDENCE"


def test_rules_win_when_they_answer():
    rules = Verdict("REFUTED", 0.9, "31 differs from 32", passage_id=3)
    stance = Verdict("SUPPORTED", 0.8, "read as supporting", passage_id=4)
    assert combine(rules, stance) is rules
    assert combine(Verdict("NOT_ENOUGH_EVIDENCE", 0.5, "none"), stance) is stance
    assert combine(rules, None) is rules


@pytest.mark.skipif(not STANCE_FILE.exists(), reason="no shipped stance model")
def test_shipped_model_gives_probabilities_and_spots_unrelated_passages(embedder):
    model = get_stance_model(embedder)
    assert model is not None and model.decision
    probs = model.predict([
        ("NATO was founded in 1949.", "The recipe needs two eggs and a cup of flour."),
        ("The Eiffel Tower is in Paris.", "Bananas are rich in potassium and easy to carry."),
    ])
    assert probs.shape == (2, len(STANCES)) and np.allclose(probs.sum(1), 1.0)
    assert (probs.argmax(1) == 2).all()


@pytest.mark.xfail(strict=False, reason="known weakness: the stance model misreads negation (bench/RESULTS.md); "
                                        "why `check` shows its reading as a hint by default")
@pytest.mark.skipif(not STANCE_FILE.exists(), reason="no shipped stance model")
def test_shipped_model_reads_negation(embedder):
    probs = get_stance_model(embedder).predict([
        ("Vaccines cause autism.", "Large studies of millions of children found that vaccines do not cause autism."),
        ("Smoking causes lung cancer.", "There is no evidence that smoking causes lung cancer.")])
    assert (probs.argmax(1) == 1).all()


def test_hint_mode_keeps_not_enough_evidence_and_shows_the_reading():
    rules = Verdict("NOT_ENOUGH_EVIDENCE", 0.5, "No passage states a comparable number.", passage_id=1)
    stance = Verdict("SUPPORTED", 0.8, "Read as supporting (0.80): \"...\" (source 2).", passage_id=2,
                     method="stance-model-v1")
    v = combine(rules, stance, "hint")
    assert v.label == "NOT_ENOUGH_EVIDENCE" and v.passage_id == 2 and "a hint, not a verdict" in v.rationale
    assert combine(rules, stance, "suggest") is stance
    assert combine(rules, Verdict("NOT_ENOUGH_EVIDENCE", 0.6, "nothing"), "hint") is rules
    # a calibrated reading says how often such readings were right
    from dataclasses import replace
    v = combine(rules, replace(stance, probability=0.31), "hint")
    assert "a hint, not a verdict, right 31% of the time on labelled claims" in v.rationale


def test_check_uses_the_stance_setting(db, embedder, nlp):
    from claims.article import article_from_text
    from claims.pipeline import check_article
    from claims.store import set_setting
    from sources.library import add_text

    if get_stance_model(embedder) is None:
        pytest.skip("no shipped stance model")
    add_text(db, "The city library lends out books, films and music to anyone with a card.", embedder,
             title="Library")
    article = article_from_text("The city library lends films to card holders, the mayor said on Monday.")
    hint = check_article(db, article, embedder, nlp=nlp, threshold=0.0, again=True).verdicts
    assert all(v.label == "NOT_ENOUGH_EVIDENCE" for v in hint)
    set_setting(db, "stance_verdicts", "suggest")
    suggested = check_article(db, article, embedder, nlp=nlp, threshold=0.0, again=True).verdicts
    assert any(v.method.startswith("stance-model-v") for v in suggested)
    with pytest.raises(Exception, match="hint.*suggest"):
        set_setting(db, "stance_verdicts", "always")


def test_every_demo_suggestion_is_traceable(demo_db):
    _, result = demo_db
    for c, v in zip(result.claims, result.verdicts):
        assert 0.0 <= v.confidence <= 1.0, (c.text, v)
        assert v.rationale
        if v.label in ("SUPPORTED", "REFUTED", "CONFLICTING"):
            assert v.passage_id is not None, (c.text, v)  # never a verdict without a stored passage
        assert v.method in ("quantity-rules-v1", "stance-model-v1", "stance-model-v2", "claim-match")
