"""Search at newsroom scale: a synthetic library of N passages (generated text, clustered 384-d
vectors standing in for embeddings) stored through the normal store code in a real SQLite file,
then one article of 30 claims searched through `Searcher` (the code `check` uses), exact against
the usearch index, with the claims' vectors given (embedding them is not counted).

Reports: library build time, index build time, warm search time for 30 claims (dense and
hybrid, exact and indexed), recall@10 of the index against exact search, the cost of adding one
more source to an indexed library (incremental, against the full build), and peak memory.

Usage:  .venv/bin/python bench/bench_scale.py [--passages 1000000] [--json] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from bench.bench_ann import clustered  # noqa: E402
from bench.report import peak_rss_mb, report  # noqa: E402
from sources import ann, store  # noqa: E402
from sources.search import Searcher  # noqa: E402

MODEL = "all-MiniLM-L6-v2"
PER_SOURCE = 1000
VOCAB = [f"w{i}x" for i in range(50_000)]


class Vectors:
    """Stands in for the embedder: only `model_id` is read, since query vectors are given."""

    model_id = MODEL

    def encode(self, texts):  # pragma: no cover - never called: query vectors are passed in
        raise AssertionError("queries must come with their vectors")


def words(rng, vocab, n):
    """n words drawn with Zipf's law (exponent 1.1) from the vocabulary, as in running text."""
    return " ".join(vocab[i] for i in np.minimum(rng.zipf(1.1, n), len(vocab)) - 1)


def build(db, n: int, rng) -> float:
    """Fill `db` with n passages in sources of PER_SOURCE; the vectors come in clustered chunks."""
    vocab = VOCAB
    t = time.perf_counter()
    done = 0
    src = db.execute("select coalesce(max(id), 0) from sources").fetchone()[0]
    while done < n:
        chunk = clustered(min(100_000, n - done), seed=1000 + src)
        for s in range(0, len(chunk), PER_SOURCE):
            part = chunk[s:s + PER_SOURCE]
            texts = [words(rng, vocab, 40) for _ in range(len(part))]
            passages, vectors, pos = [], {}, 0
            for text, v in zip(texts, part):
                h = store.content_hash(f"{src}:{pos}:{text}")
                passages.append((pos, pos + len(text), text, h))
                vectors[h] = v
                pos += len(text) + 1
            store.insert_source(db, title=f"Synthetic source {src}", origin=f"synthetic-{src}", url=None,
                                kind="text", text="\n".join(texts), digest=store.content_hash(f"source {src}"),
                                passages=passages, model_id=MODEL, vectors=vectors)
            src += 1
        done += len(chunk)
        print(f"  {done} passages stored ({time.perf_counter() - t:.0f}s)", file=sys.stderr, flush=True)
    return time.perf_counter() - t


def timed(fn, runs=3):
    fn()
    t = time.perf_counter()
    for _ in range(runs):
        out = fn()
    return (time.perf_counter() - t) / runs, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, default=None, help="build (or reuse) the library in this folder")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    n = args.passages
    folder = args.keep or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"scale-{n}.db"
    db = store.open_db(path)
    out: dict = {"passages": n}
    rng = np.random.default_rng(0)
    have = db.execute("select count(*) from passages").fetchone()[0]
    if have < n:
        out["library_build_s"] = round(build(db, n - have, rng), 1)
    out["db_file_mb"] = round(path.stat().st_size / 1e6, 1)
    queries = clustered(30, seed=1000, noise=0.12)  # the first topics of the library
    texts = [words(np.random.default_rng(i), VOCAB, 12) for i in range(30)]
    emb = Vectors()
    exact = Searcher(db, emb, exact_limit=10**12)
    indexed = Searcher(db, emb, exact_limit=1)
    t = time.perf_counter()
    exact.vectors()
    out["exact_matrix_load_s"] = round(time.perf_counter() - t, 2)
    for mode in ("dense", "hybrid"):
        took, exact_hits = timed(lambda: exact.search_many(texts, top_k=10, mode=mode, query_vectors=queries))
        out[f"exact_{mode}_30_claims_s"] = round(took, 3)
    exact_dense = [[h.passage_id for h in hits] for hits in exact.search_many(texts, top_k=10, mode="dense",
                                                                              query_vectors=queries)]
    ann._CACHE.clear()
    idx_file = ann.index_path(path, MODEL)
    for f in (idx_file, idx_file.with_suffix(".json")):
        f.unlink(missing_ok=True)
    t = time.perf_counter()
    ann.get_index(db, MODEL)
    out["index_build_s"] = round(time.perf_counter() - t, 1)
    out["index_file_mb"] = round(idx_file.stat().st_size / 1e6, 1)
    for mode in ("dense", "hybrid"):
        took, _ = timed(lambda: indexed.search_many(texts, top_k=10, mode=mode, query_vectors=queries))
        out[f"index_{mode}_30_claims_s"] = round(took, 3)
    got = [[h.passage_id for h in hits] for hits in indexed.search_many(texts, top_k=10, mode="dense",
                                                                        query_vectors=queries)]
    out["index_recall_at_10_vs_exact"] = round(float(np.mean([len(set(a) & set(b)) / len(b)
                                                              for a, b in zip(got, exact_dense)])), 4)
    # a restart: the index file is loaded, not rebuilt
    ann._CACHE.clear()
    t = time.perf_counter()
    ann.get_index(db, MODEL)
    out["index_load_s"] = round(time.perf_counter() - t, 2)
    # one more source of PER_SOURCE passages: the index is updated in place
    t = time.perf_counter()
    build(db, PER_SOURCE, np.random.default_rng(99))
    t_store = time.perf_counter() - t
    t = time.perf_counter()
    ann.update_if_present(db, MODEL)
    out["add_one_source_index_update_s"] = round(time.perf_counter() - t, 2)
    out["add_one_source_store_s"] = round(t_store, 2)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    report(out, args.json)
    if args.keep is None:
        db.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
