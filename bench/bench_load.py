"""Many writers on one database file: reviewers, ingestion and checking at once.

P reviewer processes each save R reviews (every fifth also adds a passage to the claim's
evidence, which reads before it writes) through the library's own functions; reviewer 0 also
opens a second connection every ten reviews and writes through it while the first stays open,
as the app does on each rerun. Meanwhile one process adds sources and one checks articles
(both with the real models). Afterwards the database is read back: every review a worker was
told was saved must be there with its claim, verdict and note; no worker may have seen an
error; `PRAGMA integrity_check` must say ok.

Usage:  .venv/bin/python bench/bench_load.py [--processes 8] [--reviews 200] [--ingest 10]
        [--check 4] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

VERDICTS = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_EVIDENCE", "CONFLICTING")


def reviewer(db_path: str, index: int, reviews: int, start_at: float) -> dict:
    """Save `reviews` reviews as reviewer `index`; what was saved and what failed."""
    from claims.store import add_evidence, add_review, open_db, stats

    db = open_db(db_path)
    claim_ids = [r[0] for r in db.execute("select id from claims order by id")]
    while time.time() < start_at:
        time.sleep(0.005)
    saved, errors, waits, second = [], [], [], None
    t0 = time.perf_counter()
    for k in range(reviews):
        cid = claim_ids[(index * 7 + k) % len(claim_ids)]
        verdict, note = VERDICTS[(index + k) % 4], f"worker {index} review {k}"
        target = db
        if index == 0 and k % 10 == 5:
            second = open_db(db_path)   # a Streamlit rerun opens a new connection; the old one lives on
            stats(db)
            target = second
        t = time.perf_counter()
        try:
            rid = add_review(target, cid, verdict, f"reviewer{index}", note=note)
            saved.append([rid, cid, verdict, note])
            if k % 5 == 0:
                hit = SimpleNamespace(passage_id=1_000_000 + index * 10_000 + k, source_id=1, score=0.1,
                                      dense_score=None, lexical_score=None, text=f"added by {index}/{k}",
                                      source_title="Load", source="load", source_url=None)
                add_evidence(target, cid, hit, f"reviewer{index}")
        except Exception as exc:  # everything a user would have seen
            errors.append(f"{type(exc).__name__}: {exc}")
        waits.append(time.perf_counter() - t)
        if second is not None and target is second:
            second.close()
            second = None
    took = time.perf_counter() - t0
    return {"saved": saved, "errors": errors, "seconds": took, "max_wait_s": max(waits, default=0.0)}


def ingester(db_path: str, rounds: int, start_at: float) -> dict:
    """Add `rounds` generated sources of about 40 passages each."""
    from claims.store import open_db
    from sources.embed import get_embedder
    from sources.library import add_documents
    from sources.parse import parse_document

    embedder = get_embedder()
    db = open_db(db_path)
    while time.time() < start_at:
        time.sleep(0.005)
    added, errors = 0, []
    for r in range(rounds):
        text = " ".join(f"Load report {r} records that district {i} opened {i * 3 + r} new libraries in {1990 + i}."
                        for i in range(80))
        try:
            doc = parse_document(text.encode(), origin=f"load-{r}.txt", filename=f"load-{r}.txt")
            added += sum(x.added for x in add_documents(db, [(doc, None)], embedder))
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    return {"added": added, "errors": errors}


def checker(db_path: str, rounds: int, start_at: float) -> dict:
    """Check `rounds` generated articles with the real pipeline."""
    from claims.extract import get_nlp
    from claims.pipeline import check_article
    from claims.store import open_db
    from sources.embed import get_embedder
    from sources.parse import parse_document

    embedder, nlp = get_embedder(), get_nlp()
    db = open_db(db_path)
    while time.time() < start_at:
        time.sleep(0.005)
    checked, errors = [], []
    for r in range(rounds):
        text = (f"The city council said on Monday that it had opened {12 + r} new libraries since 2019. "
                f"Mayor Ana Ruiz, who took office in {2010 + r}, said the budget rose by {5 + r} percent. "
                "Critics said the number of visitors fell by half over the same period.")
        try:
            doc = parse_document(text.encode(), origin=f"article-{r}.txt", filename=f"article-{r}.txt")
            res = check_article(db, doc, embedder, nlp=nlp)
            checked.append([res.article_id, len(res.claim_ids)])
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    return {"checked": checked, "errors": errors}


def setup(db_path: str, claims: int) -> None:
    from bench.bench_app import fill
    from claims.store import open_db

    db = open_db(db_path)
    fill(db, claims)
    db.close()


def verify(db_path: str, results: list[dict]) -> dict:
    """Read everything back: lost reviews, errors, integrity."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    stored = {(r[0], r[1], r[2], r[3]) for r in conn.execute("select id, claim_id, verdict, note from reviews")}
    lost = sum(1 for res in results if "saved" in res for s in res["saved"] if tuple(s) not in stored)
    extra = len(stored) - sum(len(res.get("saved", [])) for res in results)
    articles = conn.execute("select count(*) from articles").fetchone()[0]
    complete = conn.execute("select count(*) from articles a where not exists "
                            "(select 1 from claims c where c.article_id = a.id)").fetchone()[0]
    integrity = conn.execute("pragma integrity_check").fetchone()[0]
    conn.close()
    return {"lost": lost, "unexpected_rows": extra, "integrity": integrity, "articles": articles,
            "articles_without_claims": complete}


def run(processes: int, reviews: int, ingest: int, check: int, claims: int = 400) -> dict:
    folder = tempfile.mkdtemp(prefix="bench-load-")
    db_path = os.path.join(folder, "load.db")
    setup(db_path, claims)
    start_at = time.time() + (15.0 if (ingest or check) else 3.0)   # models load before the start line
    me = str(Path(__file__).resolve())
    procs = [subprocess.Popen([sys.executable, me, "--worker", "reviewer", "--db", db_path, "--index", str(i),
                               "--reviews", str(reviews), "--start-at", str(start_at)], stdout=subprocess.PIPE)
             for i in range(processes)]
    if ingest:
        procs.append(subprocess.Popen([sys.executable, me, "--worker", "ingester", "--db", db_path, "--rounds",
                                       str(ingest), "--start-at", str(start_at)], stdout=subprocess.PIPE))
    if check:
        procs.append(subprocess.Popen([sys.executable, me, "--worker", "checker", "--db", db_path, "--rounds",
                                       str(check), "--start-at", str(start_at)], stdout=subprocess.PIPE))
    results = []
    for p in procs:
        out, _ = p.communicate(timeout=1800)
        results.append(json.loads(out.decode().strip().splitlines()[-1]) if p.returncode == 0
                       else {"errors": [f"worker exited {p.returncode}"]})
    reviewers = [r for r in results if "saved" in r]
    saved = sum(len(r["saved"]) for r in reviewers)
    wall = max(r["seconds"] for r in reviewers) if reviewers else 0.0
    out = {"processes": processes, "reviews_each": reviews, "ingest_rounds": ingest, "check_rounds": check,
           "reviews_saved": saved, "reviews_per_s": round(saved / wall, 1) if wall else None,
           "max_wait_s": round(max((r["max_wait_s"] for r in reviewers), default=0.0), 3),
           "errors": sum(len(r["errors"]) for r in results),
           "error_samples": sorted({e for r in results for e in r["errors"]})[:5],
           "sources_added": sum(r.get("added", 0) for r in results),
           "articles_checked": sum(len(r.get("checked", [])) for r in results),
           **verify(db_path, results), "db": db_path}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--processes", type=int, default=8)
    ap.add_argument("--reviews", type=int, default=200)
    ap.add_argument("--ingest", type=int, default=10, help="sources the ingesting process adds (0: none)")
    ap.add_argument("--check", type=int, default=4, help="articles the checking process checks (0: none)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--worker", choices=["reviewer", "ingester", "checker"], help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--rounds", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--start-at", type=float, default=0.0, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker == "reviewer":
        print(json.dumps(reviewer(a.db, a.index, a.reviews, a.start_at)))
        return
    if a.worker in ("ingester", "checker"):
        print(json.dumps((ingester if a.worker == "ingester" else checker)(a.db, a.rounds, a.start_at)))
        return
    out = run(a.processes, a.reviews, a.ingest, a.check)
    if a.json:
        print(json.dumps(out, indent=2))
    else:
        for k, v in out.items():
            print(f"{k:>26}: {v}")
    sys.exit(0 if out["lost"] == 0 and out["errors"] == 0 and out["integrity"] == "ok" else 1)


if __name__ == "__main__":
    main()
