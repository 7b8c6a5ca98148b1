"""Calibrated abstention (issue #14): the isotonic fit, the threshold for a target precision, and
suggestions held back below it through the one verdict path."""

import pytest

from claims.calibrate import Calibration, choose_threshold, fit_isotonic, operating_point, risk_coverage
from claims.errors import ClaimsError
from claims.verdict import Verdict, hold_back


def test_isotonic_fit_is_monotone_and_pools_violators():
    x, y = fit_isotonic([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1])
    assert y == sorted(y)
    assert x == [0.1, 0.2, 0.4] and y == [0.0, 0.5, 1.0]  # 0.2 and 0.3 pooled to 0.5
    # tied scores are one step, whatever the order of their rows
    assert fit_isotonic([0.9] * 4, [0, 1, 0, 1]) == ([0.9], [0.5])
    assert fit_isotonic([0.9] * 4, [1, 1, 0, 0]) == ([0.9], [0.5])


def test_threshold_for_a_target_precision():
    probs = [0.95] * 30 + [0.6] * 30
    correct = [True] * 28 + [False] * 2 + [True] * 15 + [False] * 15
    assert choose_threshold(probs, correct, 0.90) == 0.95
    assert choose_threshold(probs, correct, 0.99) is None  # no operating point reaches it
    assert choose_threshold(probs[:10], correct[:10], 0.90) is None  # too few to trust


def fitted(key="rules:REFUTED"):
    scores = [0.9] * 40 + [0.5] * 40
    right = [True] * 38 + [False] * 2 + [True] * 20 + [False] * 20
    return Calibration.fit({key: (scores, right)}, 0.90, ["a.jsonl"])


def test_suggestions_below_the_threshold_are_held_back_with_the_reading():
    cal = fitted()
    strong = hold_back(Verdict("REFUTED", 0.9, "Claim says 10; source: 9.", 1, 1, "rules"), cal)
    assert strong.label == "REFUTED" and strong.probability == pytest.approx(0.95)
    weak = hold_back(Verdict("REFUTED", 0.5, "Claim says 10; source: 9.", 1, 1, "rules"), cal)
    assert weak.label == "NOT_ENOUGH_EVIDENCE" and weak.probability == pytest.approx(0.5)
    assert weak.rationale.startswith("Held back: refuted at probability 0.50") and "source: 9" in weak.rationale
    assert weak.passage_id == 1  # the passage stays cited as the hint
    # a team threshold moves the operating point
    assert hold_back(Verdict("REFUTED", 0.5, "r", 1, 1, "rules"), cal, 0.4).label == "REFUTED"
    # what the calibration does not know passes unchanged: a claim matched to an earlier fact-check
    same = Verdict("SUPPORTED", 0.9, "Same claim as one checked before", method="claim-match")
    assert hold_back(same, cal) is same
    # but a retrained stance model the calibration was not fitted for is held back, not let through
    new_model = hold_back(Verdict("REFUTED", 0.99, "Read as contradicting", 1, 1, "stance-model-v9"), cal)
    assert new_model.label == "NOT_ENOUGH_EVIDENCE" and "no calibration" in new_model.rationale


def test_a_method_that_never_reaches_the_target_is_always_held_back():
    cal = Calibration.fit({"stance:SUPPORTED": ([0.7] * 30, [True] * 15 + [False] * 15)}, 0.90)
    v = hold_back(Verdict("SUPPORTED", 0.7, "Read as supporting", 1, 1, "stance"), cal)
    assert v.label == "NOT_ENOUGH_EVIDENCE" and "never reached 90% precision" in v.rationale


def test_selective_and_risk_coverage():
    probs = [0.9, 0.8, 0.7, None]
    answered = [True, True, True, False]
    correct = [True, True, False, False]
    kept = [p is not None and p >= 0.75 for p in probs]
    assert operating_point(kept, correct, 4) == {"answered": 2, "coverage": 0.5, "precision": 1.0}
    assert operating_point([False] * 4, correct, 4) == {"answered": 0, "coverage": 0.0, "precision": None}
    rc = risk_coverage(probs, answered, correct, 4, steps=(0.25, 0.5, 1.0))
    assert [r["precision"] for r in rc] == [1.0, 1.0, 0.6667]


def test_the_team_threshold_setting_is_checked(tmp_path):
    from claims.store import get_settings, min_probability, open_db, set_setting

    db = open_db(tmp_path / "s.db")
    assert min_probability(get_settings(db)) is None  # auto
    set_setting(db, "suggest_min_probability", "0.8")
    assert min_probability(get_settings(db)) == 0.8
    for bad in ("1.5", "high", "-0.1"):
        with pytest.raises(ClaimsError, match="suggest_min_probability"):
            set_setting(db, "suggest_min_probability", bad)


def test_rule_suggestions_say_their_probability_and_stay_unless_the_team_sets_a_minimum():
    from claims.verdict import METHOD

    cal = fitted(f"{METHOD}:REFUTED")
    v = hold_back(Verdict("REFUTED", 0.5, "Claim says 10; source: 9.", 1, 1, METHOD), cal)
    assert v.label == "REFUTED" and v.rationale.endswith("Probability 0.50 (calibrated on labelled claims).")
    assert hold_back(Verdict("REFUTED", 0.5, "r", 1, 1, METHOD), cal, 0.9).label == "NOT_ENOUGH_EVIDENCE"
