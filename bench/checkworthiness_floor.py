"""What the dated-fact floor of check-worthiness does on labelled debate sentences.

    .venv/bin/python -m bench.checkworthiness_floor ../shared/data/checkworthiness

Scores the fixed held-out 10% of ct24-train (seed 0, the split the shipped model's epoch and
threshold were chosen on) and ct24-dev with the shipped model and rules, once without the floor
and once with it (`claims.extract.combine(..., floor=threshold)`), and prints F1 at the shipped
threshold for each, and how many sentences the floor raised, by label.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def f1(y, s, thr):
    pred = s >= thr
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    return round(2 * tp / max(1, 2 * tp + fp + fn), 4)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path, help="the checkworthiness folder of the shared data")
    args = ap.parse_args()

    from claims.extract import _default_scorer, _sentence_analysis, combine, get_nlp

    nlp, scorer = get_nlp(), _default_scorer()
    thr = scorer.threshold
    load = lambda p: [json.loads(line) for line in p.open(encoding="utf-8") if line.strip()]
    train = load(args.data / "ct24-train.jsonl")
    perm = np.random.default_rng(0).permutation(len(train))
    sets = {"ct24-train held-out 10% (seed 0)": [train[i] for i in perm[: len(train) // 10]],
            "ct24-dev": load(args.data / "ct24-dev.jsonl")}
    out = {}
    for name, rows in sets.items():
        texts = [r["text"] for r in rows]
        y = np.array([int(r["label"]) for r in rows])
        probs = scorer.score(texts)
        feats = [_sentence_analysis(doc[:], 0)[3] for doc in nlp.pipe(texts, batch_size=256)]
        plain = np.array([combine(f, p) for f, p in zip(feats, probs)])
        floored = np.array([combine(f, p, floor=thr) for f, p in zip(feats, probs)])
        raised = (plain < thr) & (floored >= thr)
        out[name] = {"n": len(rows), "f1_without_floor": f1(y, plain, thr), "f1_with_floor": f1(y, floored, thr),
                     "raised": int(raised.sum()), "raised_positive": int((raised & (y == 1)).sum())}
    print(json.dumps({"threshold": thr, "sets": out}, indent=2))


if __name__ == "__main__":
    main()
