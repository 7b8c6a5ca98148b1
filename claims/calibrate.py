"""Calibrated abstention for suggested verdicts (issue #14).

A suggestion's raw confidence means different things for the quantity rules and for the stance
model. For each method, an isotonic fit (pool-adjacent-violators, below) maps the raw confidence
of a SUPPORTED / REFUTED / CONFLICTING suggestion to the probability that it is right, measured on
labelled claims; a threshold on that probability is chosen so that the suggestions above it are
right at least `target` of the time on the claims it was fitted on. Below the threshold a
suggestion becomes NOT_ENOUGH_EVIDENCE, its reading kept in the reason as a hint.

`bench/calibrate_verdicts.py` fits the shipped `claims/models/calibration.json` and reports
leave-one-set-out figures. Pure numpy; no model is loaded here.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Calibration", "fit_isotonic", "choose_threshold", "operating_point", "risk_coverage", "load_calibration",
           "CALIBRATION_FILE"]

CALIBRATION_FILE = Path(__file__).parent / "models" / "calibration.json"
MIN_ANSWERS = 20  # a threshold is chosen only where at least this many fitted suggestions pass it


def fit_isotonic(scores, correct) -> tuple[list[float], list[float]]:
    """The non-decreasing step function of `scores` closest (least squares) to `correct` (0/1), as
    (x, y) knots: y[i] is the fitted probability from score x[i] up to the next knot."""
    s = np.asarray(scores, dtype=float)
    c = np.asarray(correct, dtype=float)
    if len(s) == 0:
        return [], []
    # one block per distinct score (ties share one fitted value, whatever their order), then
    # blocks of [sum, count, first score] merged while a block's mean is not below the next one's
    values, inverse = np.unique(s, return_inverse=True)
    sums = np.bincount(inverse, weights=c)
    counts = np.bincount(inverse)
    blocks: list[list[float]] = []
    for x, y, n in zip(values, sums, counts):
        blocks.append([float(y), float(n), float(x)])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            tot, n, _ = blocks.pop()
            blocks[-1][0] += tot
            blocks[-1][1] += n
    return [round(b[2], 6) for b in blocks], [round(b[0] / b[1], 6) for b in blocks]


def _step(x: list[float], y: list[float], v: float) -> float:
    if not x:
        return 0.0
    i = int(np.searchsorted(np.asarray(x), v, side="right")) - 1
    return float(y[max(i, 0)])


def choose_threshold(probs, correct, target: float, min_answers: int = MIN_ANSWERS) -> float | None:
    """The lowest calibrated probability p such that the suggestions at or above p are right at
    least `target` of the time (and there are at least `min_answers` of them); None if none is."""
    p = np.asarray(probs, dtype=float)
    c = np.asarray(correct, dtype=float)
    best = None
    for t in sorted(set(p.tolist()), reverse=True):
        keep = p >= t
        if keep.sum() >= min_answers and c[keep].mean() >= target:
            best = t
    return best


@dataclass
class Calibration:
    """Per method: isotonic knots and the threshold for the target precision."""

    methods: dict[str, dict] = field(default_factory=dict)
    target: float = 0.90
    fitted_on: list[str] = field(default_factory=list)

    def probability(self, method: str, confidence: float) -> float | None:
        """The calibrated probability that a suggestion of `method` with this raw confidence is
        right; None for a method that was not fitted (a claim matched to an earlier fact-check)."""
        m = self.methods.get(method)
        return None if m is None else round(_step(m["x"], m["y"], confidence), 4)

    def threshold(self, method: str) -> float | None:
        m = self.methods.get(method)
        return None if m is None else m.get("threshold")

    @classmethod
    def fit(cls, rows: dict[str, tuple[list[float], list[bool]]], target: float = 0.90,
            fitted_on: list[str] | None = None) -> "Calibration":
        """`rows`: method -> (raw confidences, whether each suggestion was right)."""
        methods = {}
        for method, (scores, correct) in rows.items():
            x, y = fit_isotonic(scores, correct)
            probs = [_step(x, y, s) for s in scores]
            t = choose_threshold(probs, correct, target)
            methods[method] = {"x": x, "y": y, "n": len(scores), "right": int(sum(correct)),
                               "threshold": None if t is None else round(t, 4)}
        return cls(methods, target, list(fitted_on or []))

    def to_json(self) -> dict:
        return {"target_precision": self.target, "fitted_on": self.fitted_on, "methods": self.methods}

    @classmethod
    def from_json(cls, d: dict) -> "Calibration":
        return cls(d.get("methods", {}), float(d.get("target_precision", 0.90)), d.get("fitted_on", []))


@functools.lru_cache(maxsize=4)
def load_calibration(path: str | None = None) -> Calibration | None:
    """The shipped calibration (None when the file is missing: suggestions are then not held back)."""
    p = Path(path) if path else CALIBRATION_FILE
    if not p.exists():
        return None
    return Calibration.from_json(json.loads(p.read_text(encoding="utf-8")))


def operating_point(kept, correct, n: int) -> dict:
    """The suggestions `kept` (one bool per claim): how many, their share of all `n` claims
    (coverage) and the share of them that is right (precision)."""
    k = sum(1 for x in kept if x)
    right = sum(1 for x, c in zip(kept, correct) if x and c)
    return {"answered": k, "coverage": round(k / n, 4) if n else 0.0, "precision": round(right / k, 4) if k else None}


def risk_coverage(probs, answered, correct, n: int, steps=(0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0)) -> list[dict]:
    """Precision of the most probable suggestions at each coverage (share of all `n` claims), best
    first; a row stops where there are no more suggestions to add."""
    idx = sorted((i for i, a in enumerate(answered) if a and probs[i] is not None), key=lambda i: -probs[i])
    out = []
    for cov in steps:
        k = min(len(idx), int(round(cov * n)))
        if k == 0:
            continue
        top = idx[:k]
        out.append({"coverage": round(k / n, 4), "answered": k, "precision": round(sum(correct[i] for i in top) / k, 4),
                    "min_probability": round(probs[top[-1]], 4)})
        if k == len(idx):
            break
    return out
