"""Choosing the approximate-nearest-neighbour library: build time, search time for one article of
30 claims, recall@10 against exact cosine, and memory, for usearch, faiss (HNSW) and hnswlib
against exact numpy search, on the same synthetic vectors in the same run.

The vectors are synthetic and clustered like a real library (unit-length 384-d vectors around
topic centres; the queries come from the same topics). Retrieval quality is measured on the real
benchmark sets elsewhere; this is about speed and how close the index is to exact search.

Usage:  .venv/bin/python bench/bench_ann.py [--n 100000] [--libs usearch,faiss,hnswlib] [--json]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from bench.report import report  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def clustered(n: int, dim: int = 384, topics: int | None = None, seed: int = 0, noise: float = 0.08) -> np.ndarray:
    """Unit-length vectors around random topic centres, generated in chunks to bound memory."""
    rng = np.random.default_rng(seed)
    topics = topics or max(100, n // 200)
    centres = rng.standard_normal((topics, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    out = np.empty((n, dim), dtype=np.float32)
    for s in range(0, n, 100_000):
        e = min(n, s + 100_000)
        x = centres[rng.integers(0, topics, e - s)] + noise * rng.standard_normal((e - s, dim)).astype(np.float32)
        out[s:e] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def exact_top(q: np.ndarray, m: np.ndarray, k: int) -> np.ndarray:
    s = q @ m.T
    top = np.argpartition(-s, k - 1, axis=1)[:, :k]
    return np.take_along_axis(top, np.argsort(-np.take_along_axis(s, top, 1), 1), 1)


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth)]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--libs", default="usearch,faiss,hnswlib")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    n, k = args.n, 10
    base = rss_mb()
    data = clustered(n)
    rng = np.random.default_rng(1)
    queries = clustered(args.queries, seed=0, noise=0.12)[rng.permutation(args.queries)]  # same topics
    article = queries[:30]
    out: dict = {"passages": n, "vectors_mb": round(data.nbytes / 1e6, 1)}
    t = time.perf_counter()
    truth = exact_top(queries, data, k)
    t = time.perf_counter()
    for _ in range(3):
        exact_top(article, data, k)
    out["exact_30_claims_s"] = round((time.perf_counter() - t) / 3, 4)
    for lib in args.libs.split(","):
        gc.collect()
        before = rss_mb()
        t = time.perf_counter()
        if lib == "usearch":
            from usearch.index import Index

            index = Index(ndim=data.shape[1], metric="cos", dtype="f16", connectivity=16, expansion_add=128,
                          expansion_search=64)
            index.add(np.arange(n, dtype=np.uint64), data, threads=os.cpu_count() or 1)

            def search(q, index=index):
                return np.asarray(index.search(q, k, threads=os.cpu_count() or 1).keys).astype(np.int64)
        elif lib == "faiss":
            import faiss

            index = faiss.IndexHNSWFlat(data.shape[1], 16, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 128
            index.add(data)
            index.hnsw.efSearch = 64

            def search(q, index=index):
                return index.search(q, k)[1]
        elif lib == "hnswlib":
            import hnswlib

            index = hnswlib.Index(space="ip", dim=data.shape[1])
            index.init_index(max_elements=n, ef_construction=128, M=16)
            index.add_items(data, np.arange(n))
            index.set_ef(64)

            def search(q, index=index):
                return index.knn_query(q, k)[0].astype(np.int64)
        else:
            raise SystemExit(f"unknown library {lib}")
        out[f"{lib}_build_s"] = round(time.perf_counter() - t, 1)
        out[f"{lib}_index_mb"] = round(rss_mb() - before, 1)
        search(article)
        t = time.perf_counter()
        for _ in range(3):
            search(article)
        out[f"{lib}_30_claims_s"] = round((time.perf_counter() - t) / 3, 4)
        out[f"{lib}_recall_at_10"] = round(recall(search(queries), truth), 4)
        out[f"{lib}_speedup_vs_exact"] = round(out["exact_30_claims_s"] / max(out[f"{lib}_30_claims_s"], 1e-6), 1)
        del index
    out["rss_mb_total"] = round(rss_mb() - base, 1)
    report(out, args.json)


if __name__ == "__main__":
    main()
