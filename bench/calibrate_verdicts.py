"""Fit the calibration of suggested verdicts (claims/models/calibration.json) and report, set by
set, what abstention gives when the set is left out of the fit.

Usage:
  .venv/bin/python -m bench.calibrate_verdicts ../shared/data/verification [--ship] [--json] \
      [--held-out-models bench/out]

Every claim of every verification file (`{"claim", "label", "evidence"}`) goes with its given
evidence through the verdict function `check` uses (`claims.pipeline.suggest_for`, without a
calibration), once; each SUPPORTED / REFUTED / CONFLICTING suggestion of the quantity rules and of
the stance model gives a (method:label, raw confidence, right or not) row. For each file F, an
isotonic calibration and thresholds for 90% precision are fitted on the other files' rows only and
applied to F: the report gives answered / coverage (share of all of F's claims) / precision at that
operating point (`selective`: the shipped one, where the rules' suggestions are not held back;
`selective_strict`: every suggestion held to its method's threshold), for the shipped mode (`stance_verdicts` = hint: only the rules suggest) and for
`suggest` (the rules, else the stance model), with a risk-coverage table. --ship fits on every file.

With --held-out-models DIR, each file's stance-model suggestions come from
DIR/stance-without-FILE.safetensors (bench/train_stance.py --leave-out FILE), a model that never
saw the file: both the per-file figures and the shipped calibration then rest only on held-out
readings. Without it the shipped stance model reads every file, including those it was trained on
(the report says which). The calibration itself is always fitted without the file it is scored on.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from claims.calibrate import CALIBRATION_FILE, Calibration, operating_point, risk_coverage  # noqa: E402
from claims.evaluate import read_jsonl, verification_inputs  # noqa: E402
from claims.verdict import METHOD as RULES, combine  # noqa: E402

NEE = "NOT_ENOUGH_EVIDENCE"


def suggestions(path: Path, nlp, stance) -> dict:
    """Gold labels and, per mode, each claim's raw suggestion as (key, confidence, label)."""
    from claims.pipeline import suggest_for

    rows = read_jsonl(path, ("claim", "label", "evidence"))
    claims, evidence = verification_inputs(rows, nlp)
    parts: dict = {}
    suggest_for(claims, evidence, nlp, stance=stance, stance_mode="hint", components=parts, calibration=None)
    modes = {"hint": parts["rules"],
             "suggest": [combine(r, s, "suggest") for r, s in zip(parts["rules"], parts["stance"])]}
    return {"gold": [r["label"] for r in rows],
            "modes": {m: [(f"{v.method}:{v.label}", v.confidence, v.label) for v in vs] for m, vs in modes.items()}}


def fit_rows(sets: list[dict]) -> dict[str, tuple[list[float], list[bool]]]:
    """Calibration rows of the given sets: every non-NEE suggestion of either mode, once per claim
    and method (the rules' suggestions are the same in both modes)."""
    rows: dict[str, tuple[list[float], list[bool]]] = {}
    for s in sets:
        seen = set()
        for mode in ("hint", "suggest"):
            for i, (key, conf, label) in enumerate(s["modes"][mode]):
                if label == NEE or (i, key) in seen:
                    continue
                seen.add((i, key))
                xs, ys = rows.setdefault(key, ([], []))
                xs.append(conf)
                ys.append(label == s["gold"][i])
    return rows


def score(cal: Calibration, s: dict, mode: str) -> dict:
    gold, preds = s["gold"], s["modes"][mode]
    n = len(gold)
    answered = [label != NEE for _, _, label in preds]
    correct = [label == g for (_, _, label), g in zip(preds, gold)]
    probs = [cal.probability(key, conf) if label != NEE else None for key, conf, label in preds]
    # strict: every suggestion needs its own method's threshold; shipped (suggest_min_probability
    # = auto, claims.verdict.hold_back): the quantity rules' suggestions are kept as they are
    strict = [a and p is not None and cal.threshold(k) is not None and p >= cal.threshold(k)
              for a, p, (k, _, _) in zip(answered, probs, preds)]
    shipped = [s or (a and k.startswith(RULES + ":")) for s, a, (k, _, _) in zip(strict, answered, preds)]

    return {"n": n, "without_abstention": operating_point(answered, correct, n),
            "selective": operating_point(shipped, correct, n), "selective_strict": operating_point(strict, correct, n),
            "risk_coverage": risk_coverage(probs, answered, correct, n)}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", help="the verification folder (or the data folder that holds it)")
    ap.add_argument("--ship", action="store_true", help=f"write {CALIBRATION_FILE} fitted on every file")
    ap.add_argument("--target", type=float, default=0.90)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--held-out-models", type=Path, default=None,
                    help="folder of stance-without-FILE.safetensors models, one per file")
    args = ap.parse_args(argv)
    folder = Path(args.data)
    if (folder / "verification").is_dir():
        folder = folder / "verification"
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise SystemExit(f"no .jsonl files in {folder}")
    from claims.extract import get_nlp
    from claims.stance import get_stance_model

    nlp, stance = get_nlp(), get_stance_model()
    t0 = time.perf_counter()
    sets, saw = {}, {}
    for f in files:
        t = time.perf_counter()
        model = stance
        if args.held_out_models:
            path = args.held_out_models / f"stance-without-{f.stem}.safetensors"
            if not path.exists():
                raise SystemExit(f"no {path}: train it with bench/train_stance.py --leave-out {f.stem}")
            model = get_stance_model(model_file=path)
        saw[f.stem] = f.name in (model.trained_on if model else [])
        sets[f.stem] = suggestions(f, nlp, model)
        print(f"  {f.stem}: {len(sets[f.stem]['gold'])} claims in {time.perf_counter() - t:.0f} s", flush=True)
    report = {"target_precision": args.target, "coverage_is": "share of all the file's claims", "files": {},
              "stance_models": (f"{args.held_out_models}/stance-without-FILE.safetensors" if args.held_out_models
                                else f"the shipped one, trained on {', '.join(stance.trained_on) if stance else '-'}"),
              "seconds": None}
    for name, s in sets.items():
        cal = Calibration.fit(fit_rows([v for k, v in sets.items() if k != name]), args.target,
                              [k for k in sets if k != name])
        report["files"][name] = {"calibration_fitted_on": cal.fitted_on,
                                 "stance_model_saw_this_file": saw[name],
                                 "thresholds": {k: m["threshold"] for k, m in cal.methods.items()},
                                 **{mode: score(cal, s, mode) for mode in ("hint", "suggest")}}
    if args.ship:
        cal = Calibration.fit(fit_rows(list(sets.values())), args.target, sorted(sets))
        CALIBRATION_FILE.write_text(json.dumps(cal.to_json(), indent=1) + "\n", encoding="utf-8")
        report["shipped"] = {k: {"threshold": m["threshold"], "n": m["n"], "right": m["right"]}
                             for k, m in cal.methods.items()}
    report["seconds"] = round(time.perf_counter() - t0, 1)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(f"{'held out':18s} {'mode':8s} {'answered':>9s} {'coverage':>9s} {'precision':>10s}   "
              f"(without abstention: answered / precision)")
        for name, r in report["files"].items():
            for mode in ("hint", "suggest"):
                sel, raw = r[mode]["selective"], r[mode]["without_abstention"]
                print(f"{name:18s} {mode:8s} {sel['answered']:9d} {sel['coverage']:9.3f} {str(sel['precision']):>10s}"
                      f"   ({raw['answered']} / {raw['precision']})")
        if args.ship:
            print(f"wrote {CALIBRATION_FILE}: " + ", ".join(f"{k} >= {v['threshold']}" for k, v in report["shipped"].items()))
    return report


if __name__ == "__main__":
    main()
