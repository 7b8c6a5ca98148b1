"""Evaluation of the claim pipeline's parts against labelled public data (files passed in)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from claims.errors import ClaimsError

__all__ = ["prf", "read_jsonl", "evaluate_checkworthiness", "classification_report", "evaluate_verification"]


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


def classification_report(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict:
    """Accuracy, macro-F1 over `labels`, per-label precision/recall/F1/support and the confusion matrix."""
    n = len(gold)
    per = {}
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred) if g == lab and p != lab)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[lab] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                    "support": sum(1 for g in gold if g == lab)}
    confusion = {g: {p: sum(1 for a, b in zip(gold, pred) if a == g and b == p) for p in labels} for g in labels}
    return {"accuracy": round(sum(1 for g, p in zip(gold, pred) if g == p) / n, 4) if n else 0.0,
            "macro_f1": round(sum(v["f1"] for v in per.values()) / len(per), 4) if per else 0.0,
            "per_label": per, "confusion": confusion}


def evaluate_verification(path: str | Path, nlp=None, stance_model_file: str | Path | None = None,
                          use_stance: bool = True) -> dict:
    """Run every claim of a verification file ({"claim", "label", "evidence": [{"text", "source"?}]})
    with its given evidence through the verdict code `check` uses (quantity rules, then the stance
    model); the report, a majority-class baseline, the rules alone and the stance model alone, and
    how often the quantity rules are right when they answer."""
    from claims.extract import PassageFacts, _sentence_analysis, analyze_passages, get_nlp
    from claims.verdict import LABELS, aggregate_stance, combine, suggest

    nlp = nlp or get_nlp()
    rows = read_jsonl(path, ("claim", "label", "evidence"))
    bad = sorted({r["label"] for r in rows} - set(LABELS))
    if bad:
        raise ClaimsError(f"{path} has labels outside {', '.join(LABELS)}: {', '.join(bad)}")
    stance = None
    if use_stance:
        from claims.stance import get_stance_model

        stance = get_stance_model(model_file=stance_model_file)
        if stance is None and stance_model_file:
            raise ClaimsError(f"no stance model at {stance_model_file} (with its .json beside it)")
    t = time.perf_counter()
    claims = [_sentence_analysis(doc[:], 0)[3] for doc in nlp.pipe((r["claim"] for r in rows), batch_size=128)]
    items, owners = [], []
    for i, r in enumerate(rows):
        sources: dict[str, int] = {}
        for j, e in enumerate(r["evidence"]):
            src = e.get("source") or f"evidence {j + 1}"
            sid = sources.setdefault(src, len(sources) + 1)
            items.append({"passage_id": len(items), "source_id": sid, "source_title": src, "text": e["text"]})
            owners.append(i)
    facts = analyze_passages(items, nlp)
    evidence: list[list[PassageFacts]] = [[] for _ in rows]
    for item, owner in zip(items, owners):
        evidence[owner].append(facts[item["passage_id"]])
    rule_verdicts = [suggest(r["claim"], f.quantities, f.entities, ev) for r, f, ev in zip(rows, claims, evidence)]
    rules_pred = [v.label for v in rule_verdicts]
    pred, stance_pred = rules_pred, None
    if stance is not None:
        probs = stance.predict([(rows[o]["claim"], it["text"]) for it, o in zip(items, owners)])
        per_claim: list[list] = [[] for _ in rows]
        for k, o in enumerate(owners):
            per_claim[o].append(probs[k])
        stance_verdicts = [aggregate_stance(ev, pc, stance.decision) for ev, pc in zip(evidence, per_claim)]
        stance_pred = [v.label for v in stance_verdicts]
        pred = [combine(rv, sv).label for rv, sv in zip(rule_verdicts, stance_verdicts)]
    took = time.perf_counter() - t
    gold = [r["label"] for r in rows]
    labels = [lab for lab in LABELS if lab in set(gold)]
    majority = max(labels, key=gold.count)
    numeric = [i for i, f in enumerate(claims) if f.quantities]
    answered = [i for i in numeric if rules_pred[i] != "NOT_ENOUGH_EVIDENCE"]
    right = [i for i in answered if rules_pred[i] == gold[i]]

    def brief(p):
        rep = classification_report(gold, p, labels)
        return {"accuracy": rep["accuracy"], "macro_f1": rep["macro_f1"]}

    out = {
        "file": str(path), "n": len(rows), "labels": labels,
        "method": "quantity rules + stance model" if stance is not None else "quantity rules",
        **classification_report(gold, pred, labels),
        "majority_baseline": {"label": majority, **brief([majority] * len(gold))},
        "rules_only": brief(rules_pred),
        "stance_only": brief(stance_pred) if stance_pred is not None else None,
        "numeric_claims": {"n": len(numeric), "answered": len(answered), "right": len(right),
                           "precision_when_answering": round(len(right) / len(answered), 4) if answered else None},
        "seconds": round(took, 2), "claims_per_s": round(len(rows) / took, 1) if took else None,
    }
    if stance is not None:
        out["stance_model"] = {"file": str(stance.path), "trained_on": stance.trained_on,
                               "trained_on_this_file": Path(path).name in stance.trained_on}
    return out
