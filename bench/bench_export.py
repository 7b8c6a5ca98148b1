"""Exports stream: the peak Python memory of exporting N claims (CSV and ClaimReview) against
exporting 1,000, in the same run (tracemalloc, export only; the database is built first).

Usage:  .venv/bin/python bench/bench_export.py [--claims 100000] [--json]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_app import fill  # noqa: E402
from bench.report import report  # noqa: E402
from claims.claimreview import write_claimreview  # noqa: E402
from claims.export import write_csv  # noqa: E402
from claims.store import export_rows, get_settings, open_db  # noqa: E402


def measure(db, fmt: str, out_path: Path) -> tuple[float, float, int]:
    """(seconds, peak MB of Python allocations, rows) for one export to a file."""
    tracemalloc.start()
    t = time.perf_counter()
    with open(out_path, "w", encoding="utf-8", newline="") as f:
        rows = export_rows(db)
        n = write_csv(rows, f) if fmt == "csv" else write_claimreview(rows, f, get_settings(db))
    took = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return took, peak, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    out: dict = {}
    for n in (1000, args.claims):
        db = open_db(tmp / f"export{n}.db")
        _, ids = fill(db, n)
        # every other claim reviewed, so the ClaimReview export has work to do
        with db.atomic():
            db.conn.executemany("insert into reviews (claim_id, verdict, note, reviewer, created_at, passage_ids) "
                                "values (?, 'REFUTED', 'bench', 'bench', '2026-11-28T00:00:00+00:00', '[]')",
                                [(i,) for i in ids[::2]])
        for fmt in ("csv", "claimreview"):
            took, peak, rows = measure(db, fmt, tmp / f"out{n}.{fmt}")
            out[f"{fmt}_{n}_claims_s"] = round(took, 2)
            out[f"{fmt}_{n}_claims_peak_mb"] = round(peak, 2)
            out[f"{fmt}_{n}_claims_items"] = rows
        db.close()
    for fmt in ("csv", "claimreview"):
        out[f"{fmt}_peak_ratio_N_over_1000"] = round(out[f"{fmt}_{args.claims}_claims_peak_mb"]
                                                     / out[f"{fmt}_1000_claims_peak_mb"], 2)
    out["file_mb_N_csv"] = round(os.path.getsize(tmp / f"out{args.claims}.csv") / 1e6, 1)
    report(out, args.json)


if __name__ == "__main__":
    main()
