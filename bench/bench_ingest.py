"""Foundation benchmarks: demo library ingestion, demo article check, ingestion throughput.

Usage:  .venv/bin/python bench/bench_ingest.py [--passages 2000] [--json]

Ratios are measured against a baseline run in the same process (the machine is noisy):
ingestion throughput is compared with a plain `SentenceTransformer.encode` of exactly the
passages that ingestion embeds.
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

from bench.report import peak_rss_mb, report  # noqa: E402
from claims.article import load_article  # noqa: E402
from claims.demo import article_path, library_paths, load_demo_library  # noqa: E402
from claims.extract import get_nlp  # noqa: E402
from claims.pipeline import check_article  # noqa: E402
from claims.store import open_db  # noqa: E402
from sources.chunk import chunk_passages, split_sentences  # noqa: E402
from sources.embed import Embedder  # noqa: E402
from sources.library import add_documents, embedding_text  # noqa: E402
from sources.parse import Document, read_path  # noqa: E402


def synthetic_documents(n_passages: int) -> list[Document]:
    """Documents built from the demo library with every sentence made unique, until the
    chunker yields about `n_passages` passages (so no text is deduplicated away)."""
    sentences = [s.text for p in library_paths() for s in split_sentences(read_path(p).text)
                 if not s.text.startswith("#")]
    docs, total, i = [], 0, 0
    while total < n_passages:
        body = " ".join(f"{s.rstrip('.')} (record {i}-{j})." for j, s in enumerate(sentences))
        docs.append(Document(title=f"Synthetic {i}", text=body, origin=f"synthetic-{i}", kind="text"))
        total += len(chunk_passages(body))
        i += 1
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=2000, help="passages for the throughput ratio")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out: dict = {}
    tmp = Path(tempfile.mkdtemp())

    t = time.perf_counter()
    embedder = Embedder()
    nlp = get_nlp()
    out["load_models_s"] = time.perf_counter() - t

    db = open_db(tmp / "demo.db")
    t = time.perf_counter()
    load_demo_library(db, embedder)
    out["add_demo_library_s"] = time.perf_counter() - t
    out["demo_passages"] = db["passages"].count

    doc, _ = load_article(str(article_path()))
    t = time.perf_counter()
    first = check_article(db, doc, embedder, nlp=nlp, again=True)
    out["check_demo_article_first_s"] = time.perf_counter() - t
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        r = check_article(db, doc, embedder, nlp=nlp, again=True)
        runs.append(time.perf_counter() - t)
    out["check_demo_article_warm_s"] = min(runs)
    out["check_demo_article_claims"] = len(first.claims)
    out["check_stage_s"] = {k: round(v, 4) for k, v in r.timings.items()}

    docs = synthetic_documents(args.passages)
    texts = [embedding_text(d.title, p.text) for d in docs for p in chunk_passages(d.text)]  # what ingestion embeds
    out["throughput_passages"] = len(texts)
    embedder.plain_encode(texts[:64])  # warm-up
    t = time.perf_counter()
    embedder.plain_encode(texts)
    base1 = time.perf_counter() - t
    db2 = open_db(tmp / "ingest.db")
    t = time.perf_counter()
    add_documents(db2, [(d, None) for d in docs], embedder)
    ingest = time.perf_counter() - t
    t = time.perf_counter()
    embedder.plain_encode(texts)
    base2 = time.perf_counter() - t
    baseline = (base1 + base2) / 2
    out["plain_encode_s"] = baseline
    out["plain_encode_passages_per_s"] = len(texts) / baseline
    out["ingest_s"] = ingest
    out["ingest_passages_per_s"] = len(texts) / ingest
    out["ingest_vs_encode_ratio"] = baseline / ingest
    t = time.perf_counter()
    again = add_documents(db2, [(d, None) for d in docs], embedder)
    assert not any(r.added for r in again)
    out["re_add_same_sources_s"] = time.perf_counter() - t
    out["peak_rss_mb"] = peak_rss_mb()
    report(out, args.json)


if __name__ == "__main__":
    main()
