"""Evaluation of the claim pipeline's parts against labelled public data (files passed in)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from claims.errors import ClaimsError

__all__ = ["prf", "read_jsonl", "evaluate_checkworthiness"]


def prf(labels: Sequence[int], scores: Sequence[float], threshold: float) -> dict:
    """Precision, recall and F1 of the positive class at `threshold`, with the counts."""
    y = np.asarray(labels, dtype=int)
    pred = np.asarray(scores, dtype=float) >= threshold
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn}


def read_jsonl(path: str | Path, required: Sequence[str]) -> list[dict]:
    """Rows of a JSON-lines file, each checked for the `required` keys; a clear error otherwise."""
    p = Path(path)
    if not p.is_file():
        raise ClaimsError(f"no such file: {p}")
    rows = []
    with p.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                raise ClaimsError(f"{p}:{n} is not valid JSON") from None
            missing = [k for k in required if k not in row]
            if missing:
                raise ClaimsError(f"{p}:{n} lacks {', '.join(missing)}")
            rows.append(row)
    if not rows:
        raise ClaimsError(f"{p} has no rows")
    return rows


def evaluate_checkworthiness(path: str | Path, nlp=None, scorer="auto", threshold: float | None = None) -> dict:
    """Score every sentence of a check-worthiness file ({"text", "label"} per line) with the model
    and with the rules alone; precision, recall and F1 of the positive class for both."""
    from claims.extract import DEFAULT_THRESHOLD, score_texts

    rows = read_jsonl(path, ("text", "label"))
    texts = [r["text"] for r in rows]
    labels = [int(r["label"]) for r in rows]
    out: dict = {"file": str(path), "n": len(rows), "positives": sum(labels)}
    if scorer == "auto":
        from claims.checkworthiness import get_checkworthiness_model

        scorer = get_checkworthiness_model()
    if scorer is not None:
        t = time.perf_counter()
        scores = score_texts(texts, nlp, scorer=scorer)
        took = time.perf_counter() - t
        thr = scorer.threshold if threshold is None else threshold
        out["model"] = {**prf(labels, scores, thr), "threshold": thr, "seconds": round(took, 2),
                        "sentences_per_s": round(len(texts) / took, 1)}
    t = time.perf_counter()
    rule_scores = score_texts(texts, nlp, scorer=None)
    took = time.perf_counter() - t
    thr = DEFAULT_THRESHOLD if threshold is None or scorer is not None else threshold
    out["rules"] = {**prf(labels, rule_scores, thr), "threshold": thr, "seconds": round(took, 2),
                    "sentences_per_s": round(len(texts) / took, 1)}
    return out
