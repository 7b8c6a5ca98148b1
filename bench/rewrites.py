"""The self-contained rewrites of claims against a table of sentences with the expected rewrite
(issue #15): how often the rewrite is right, how often it changes the meaning, how often it is
left as written (unsure).

Usage:  .venv/bin/python -m bench.rewrites tests/data/rewrites.jsonl [tests/data/rewrites-heldout.jsonl] [--details]
"""

from __future__ import annotations

import argparse
import json
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    from claims.evaluate import evaluate_rewrites, read_jsonl

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tables", nargs="+")
    ap.add_argument("--details", action="store_true", help="also list every sentence that is not right")
    args = ap.parse_args()
    out = {}
    for path in args.tables:
        r = evaluate_rewrites(read_jsonl(path, ("sentence", "expected")))
        wrong = [d for d in r.pop("details") if d["outcome"] != "right"]
        out[path] = {**r, **({"not_right": wrong} if args.details else {})}
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
