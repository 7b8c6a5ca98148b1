"""Fuzzing benchmark (issue #13): every parser on N hypothesis-generated inputs (10,000 by default),
the same strategies and targets as tests/test_fuzz.py. Per parser: inputs run, exceptions other
than the documented user errors (`SourceError` and subclasses; must be 0), seconds, and the
slowest single input.

Usage:  .venv/bin/python bench/bench_fuzz.py [--n 10000] [--only pdf,csv] [--seed 0]
                                             [--max-seconds 900] [--json]

Inputs are generated in chunks of 1,000 (seeds seed*1000+k); --max-seconds stops a parser after
the chunk that passes it (the input count printed is what actually ran). pypdf's log warnings
about damaged files are silenced for speed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import hypothesis  # noqa: E402
from hypothesis import Phase, given, settings  # noqa: E402

from tests.test_fuzz import FUZZ_SETTINGS, PARSERS  # noqa: E402

# CI draws fixed inputs (derandomize); the benchmark wants fresh ones from each seed
FUZZ_SETTINGS = {**FUZZ_SETTINGS, "derandomize": False}

CHUNK = 1000


def fuzz(name: str, n: int, seed: int, max_seconds: float) -> dict:
    """Run parser `name` on up to `n` generated inputs; count and describe non-user exceptions."""
    strategy, target = PARSERS[name]
    state = {"inputs": 0, "errors": 0, "slowest": 0.0, "found": {}}

    def one(x):
        state["inputs"] += 1
        t = time.perf_counter()
        try:
            target(x)
        except Exception as exc:  # the targets let user errors through; anything here is a bug
            state["errors"] += 1
            where = traceback.extract_tb(exc.__traceback__)[-1]
            key = f"{type(exc).__name__} at {Path(where.filename).name}:{where.lineno}"
            state["found"].setdefault(key, {"count": 0, "message": str(exc)[:200], "input": repr(x)[:300]})
            state["found"][key]["count"] += 1
        state["slowest"] = max(state["slowest"], time.perf_counter() - t)

    # a few uncounted inputs first, so that loading spaCy and the models is not "the slowest input"
    settings(max_examples=3, phases=[Phase.generate], **FUZZ_SETTINGS)(given(strategy)(lambda x: target(x)))()
    started = time.perf_counter()
    for k in range((n + CHUNK - 1) // CHUNK):
        size = min(CHUNK, n - k * CHUNK)
        run = hypothesis.seed(seed * 1000 + k)(settings(max_examples=size, phases=[Phase.generate],
                                                        **FUZZ_SETTINGS)(given(strategy)(one)))
        run()
        if time.perf_counter() - started > max_seconds:
            break
    return {"inputs": state["inputs"], "non_user_exceptions": state["errors"],
            "seconds": round(time.perf_counter() - started, 1), "slowest_input_s": round(state["slowest"], 3),
            "found": state["found"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10_000, help="inputs per parser")
    ap.add_argument("--only", default="", help="comma-separated parser names: " + ",".join(PARSERS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-seconds", type=float, default=float("inf"), help="time limit per parser")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    names = [s for s in args.only.split(",") if s] or list(PARSERS)
    out = {"n": args.n, "seed": args.seed, "parsers": {}}
    for name in names:
        r = fuzz(name, args.n, args.seed, args.max_seconds)
        out["parsers"][name] = r
        if not args.json:
            print(f"{name:18} inputs {r['inputs']:>6,}  non-user exceptions {r['non_user_exceptions']:>4}  "
                  f"{r['seconds']:>7.1f} s  slowest input {r['slowest_input_s']:.3f} s", flush=True)
            for key, f in r["found"].items():
                print(f"    {f['count']:>5} x {key}: {f['message']}\n          input {f['input']}")
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
    sys.exit(1 if any(r["non_user_exceptions"] for r in out["parsers"].values()) else 0)


if __name__ == "__main__":
    main()
