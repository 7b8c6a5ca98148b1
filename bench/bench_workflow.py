"""The review workflow's queries at scale (issue 17, step 2): the queue filtered by workflow state
and by who holds a claim ("my claims"), against the queue's older filter ("not reviewed yet") in
the same run, on a database of N generated claims where a share is in review, reviewed or
published (no model needed).

Usage:  .venv/bin/python bench/bench_workflow.py [--claims 100000] [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_app import fill  # noqa: E402
from bench.report import report  # noqa: E402
from claims.store import claim_queue, claim_state, get_claim, now_iso, open_db  # noqa: E402


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    db = open_db(Path(tempfile.mkdtemp()) / "workflow.db")
    _, ids = fill(db, args.claims)
    people = ["ana", "bo", "cy", "di"]
    stamp = now_iso()
    with db.conn:  # every 5th claim taken, every 10th reviewed too, every 40th published: one bulk insert
        rows, reviews = [], []
        for k, cid in enumerate(ids):
            who = people[k % len(people)]
            if k % 5 == 0:
                rows.append((cid, "in_review", who, who, "", stamp))
            if k % 10 == 0:
                reviews.append((cid, "SUPPORTED", "", who, stamp, "[]"))
                rows.append((cid, "reviewed", who, who, "", stamp))
            if k % 40 == 0:
                rows.append((cid, "published", who, "ed", "", stamp))
        db.conn.executemany("insert into claim_states (claim_id, state, assignee, actor, reason, created_at) "
                            "values (?, ?, ?, ?, ?, ?)", rows)
        db.conn.executemany("insert into reviews (claim_id, verdict, note, reviewer, created_at, passage_ids) "
                            "values (?, ?, ?, ?, ?, ?)", reviews)
    out: dict = {"claims": len(ids), "state_changes": len(rows)}
    base = timed(lambda: claim_queue(db, state="unreviewed"), args.runs)
    out["queue 'not reviewed yet' (baseline), s"] = round(base, 4)
    for state in ("in_review", "reviewed", "published"):
        t = timed(lambda: claim_queue(db, state=state), args.runs)
        out[f"queue state={state}, s"] = round(t, 4)
        out[f"queue state={state} / baseline"] = round(t / base, 2)
    mine = timed(lambda: claim_queue(db, assignee="ana"), args.runs)
    out["queue held by ana ('my claims'), s"] = round(mine, 4)
    out["queue held by ana / baseline"] = round(mine / base, 2)
    one = timed(lambda: (get_claim(db, ids[len(ids) // 2]), claim_state(db, ids[len(ids) // 2])), args.runs * 20)
    out["one claim with its state, ms"] = round(one * 1000, 3)
    report(out, args.json)


if __name__ == "__main__":
    main()
