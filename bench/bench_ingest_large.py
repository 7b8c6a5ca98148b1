"""Ingesting a large library through the model: N passages of generated text (the demo library's
sentences, each made unique) added with `add_documents` in batches, as `sources add` does; time,
throughput against plain encode of 2,000 of the same texts in the same run, peak memory, and
re-adding the same sources (no embedding: every passage's vector is found by content hash).

Usage:  .venv/bin/python bench/bench_ingest_large.py [--passages 100000] [--json]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.bench_ingest import synthetic_documents  # noqa: E402
from bench.report import peak_rss_mb, report  # noqa: E402
from claims.store import open_db  # noqa: E402
from sources.chunk import chunk_passages  # noqa: E402
from sources.embed import Embedder  # noqa: E402
from sources.library import add_documents, embedding_text  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=20, help="documents per add_documents call")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    embedder = Embedder()
    docs = synthetic_documents(args.passages)
    texts = [embedding_text(d.title, p.text) for d in docs[:40] for p in chunk_passages(d.text)][:2000]
    embedder.plain_encode(texts[:64])
    t = time.perf_counter()
    embedder.plain_encode(texts)
    base_rate = len(texts) / (time.perf_counter() - t)
    db = open_db(Path(tempfile.mkdtemp()) / "large.db")
    t = time.perf_counter()
    for i in range(0, len(docs), args.batch):
        add_documents(db, [(d, None) for d in docs[i:i + args.batch]], embedder)
        if i // args.batch % 25 == 0:
            print(f"  {db['passages'].count} passages ({time.perf_counter() - t:.0f}s)", file=sys.stderr, flush=True)
    took = time.perf_counter() - t
    n = db["passages"].count
    out = {"documents": len(docs), "passages": n, "ingest_s": round(took, 1),
           "ingest_passages_per_s": round(n / took, 1), "plain_encode_passages_per_s_2000": round(base_rate, 1),
           "ingest_vs_encode_ratio": round(n / took / base_rate, 3)}
    t = time.perf_counter()
    again = [r for i in range(0, len(docs), 200) for r in add_documents(db, [(d, None) for d in docs[i:i + 200]],
                                                                         embedder)]
    out["re_add_same_sources_s"] = round(time.perf_counter() - t, 1)
    out["re_add_embedded"] = sum(r.embedded for r in again)
    out["re_add_added"] = sum(1 for r in again if r.added)
    out["db_file_mb"] = round(Path(db.execute("pragma database_list").fetchone()[2]).stat().st_size / 1e6, 1)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    report(out, args.json)


if __name__ == "__main__":
    main()
