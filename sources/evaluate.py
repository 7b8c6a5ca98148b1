"""Retrieval evaluation on BEIR-layout data (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv).

The corpus goes into a fresh library through the same ingestion code users use
(`sources.library.add_documents`), every query through the same search code `check` uses
(`sources.search.Searcher`); passage hits are rolled up to documents (a document ranks by its
best passage). The metric functions are pure and follow trec_eval's definitions (tested
against pytrec_eval).
"""

from __future__ import annotations

import csv
import json
import math
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

from sources.errors import SourceError

__all__ = ["load_beir", "build_library", "document_run", "recall_at", "mrr_at", "ndcg_at", "ap_at", "score_run",
           "evaluate_retrieval", "MODES"]

MODES = ("dense", "lexical", "hybrid", "reranked")   # reranked: hybrid, then the reranker


def recall_at(ranked: Sequence[str], relevant: dict[str, int], k: int) -> float:
    """Share of the relevant documents found in the top k."""
    rel = {d for d, g in relevant.items() if g > 0}
    return len(rel & set(ranked[:k])) / len(rel) if rel else 0.0


def mrr_at(ranked: Sequence[str], relevant: dict[str, int], k: int) -> float:
    """1 / rank of the first relevant document in the top k (0 if none)."""
    for i, d in enumerate(ranked[:k], start=1):
        if relevant.get(d, 0) > 0:
            return 1.0 / i
    return 0.0


def ndcg_at(ranked: Sequence[str], relevant: dict[str, int], k: int) -> float:
    """Normalised discounted cumulative gain at k with the qrels' graded gains."""
    dcg = sum(relevant.get(d, 0) / math.log2(i + 1) for i, d in enumerate(ranked[:k], start=1))
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, start=1))
    return dcg / idcg if idcg else 0.0


def ap_at(ranked: Sequence[str], relevant: dict[str, int], k: int) -> float:
    """Average precision cut at k, divided by the number of relevant documents (trec_eval map_cut)."""
    rel = {d for d, g in relevant.items() if g > 0}
    if not rel:
        return 0.0
    hits, total = 0, 0.0
    for i, d in enumerate(ranked[:k], start=1):
        if d in rel:
            hits += 1
            total += hits / i
    return total / len(rel)


def score_run(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Mean Recall@1/5/10/100, MRR@10, nDCG@10 and MAP@5 over the queries that have qrels."""
    qids = [q for q in qrels if q in run]
    if not qids:
        return {}
    metrics: dict[str, Callable] = {
        "recall@1": lambda r, g: recall_at(r, g, 1), "recall@5": lambda r, g: recall_at(r, g, 5),
        "recall@10": lambda r, g: recall_at(r, g, 10), "recall@100": lambda r, g: recall_at(r, g, 100),
        "mrr@10": lambda r, g: mrr_at(r, g, 10), "ndcg@10": lambda r, g: ndcg_at(r, g, 10),
        "map@5": lambda r, g: ap_at(r, g, 5),
    }
    return {name: round(sum(fn(run[q], qrels[q]) for q in qids) / len(qids), 4) for name, fn in metrics.items()}


def _jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        raise SourceError(f"no such file: {path}")
    rows = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    raise SourceError(f"{path}:{n} is not valid JSON") from None
    return rows


def load_beir(folder: str | Path, split: str) -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    """(corpus rows, {query id: text}, {query id: {doc id: gain}}) of one split, or a clear error."""
    root = Path(folder)
    if not root.is_dir():
        raise SourceError(f"no such folder: {root}")
    qrels_path = root / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        have = sorted(p.stem for p in (root / "qrels").glob("*.tsv")) if (root / "qrels").is_dir() else []
        raise SourceError(f"no qrels for split {split!r} in {root} (have: {', '.join(have) or 'none'})")
    corpus = _jsonl(root / "corpus.jsonl")
    queries = {str(q["_id"]): q["text"] for q in _jsonl(root / "queries.jsonl")}
    qrels: dict[str, dict[str, int]] = {}
    with qrels_path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            qrels.setdefault(str(row["query-id"]), {})[str(row["corpus-id"])] = int(row["score"])
    qrels = {q: g for q, g in qrels.items() if q in queries}
    return corpus, queries, qrels


def build_library(folder: str | Path, embedder, db_path: str | Path,
                  progress: Callable[[str, int, int], None] | None = None):
    """Ingest a BEIR corpus into the library at `db_path` through `add_documents` (re-running on a
    kept library embeds nothing new); returns (db, {source id: [doc ids]}, documents, seconds)."""
    from sources import store
    from sources.library import add_documents
    from sources.parse import Document

    say = progress or (lambda stage, done, total: None)
    corpus = _jsonl(Path(folder) / "corpus.jsonl")
    db = store.open_db(db_path)
    t = time.perf_counter()
    docs = []
    for row in corpus:
        text = (row.get("text") or "").strip()
        if not text:
            continue
        docs.append((Document(title=(row.get("title") or "").strip(), text=text, origin=str(row["_id"]),
                              kind="text"), None))
    by_hash: dict[str, list[str]] = {}
    for doc, _ in docs:
        by_hash.setdefault(store.content_hash(doc.text), []).append(doc.origin)
    batch = 2000
    for i in range(0, len(docs), batch):
        add_documents(db, docs[i:i + batch], embedder)
        say("ingest", min(i + batch, len(docs)), len(docs))
    source_docs = {r["id"]: by_hash.get(r["content_hash"], []) for r in store.list_sources(db)}
    return db, source_docs, len(docs), time.perf_counter() - t


def document_run(qids: Sequence[str], hits, source_docs: dict[int, list[str]],
                 depth: int = 100) -> dict[str, list[str]]:
    """Passage hits per query rolled up to document ids: a document ranks by its best passage."""
    run = {}
    for q, qhits in zip(qids, hits):
        ranked: list[str] = []
        seen: set[str] = set()
        for h in qhits:
            sid = h.source_id if hasattr(h, "source_id") else h
            for d in source_docs.get(sid, []):
                if d not in seen:
                    seen.add(d)
                    ranked.append(d)
        run[q] = ranked[:depth]
    return run


def evaluate_retrieval(folder: str | Path, split: str, embedder, modes: Sequence[str] = MODES,
                       db_path: str | Path | None = None, passages_per_query: int = 300,
                       progress: Callable[[str, int, int], None] | None = None,
                       reranker_file: str | Path | None = None) -> dict:
    """Ingest a BEIR corpus into a library (a temporary one unless `db_path` names one to keep
    and reuse), search every query of `split` in each mode, and score the document rankings;
    timings included. Mode "reranked" is skipped when no reranker model is installed."""
    from sources.rerank import get_reranker
    from sources.search import Searcher

    if db_path is None:
        with tempfile.TemporaryDirectory(prefix="factcheck-eval-") as tmp:
            return evaluate_retrieval(folder, split, embedder, modes, Path(tmp) / "eval.db", passages_per_query,
                                      progress, reranker_file)
    _, queries, qrels = load_beir(folder, split)
    say = progress or (lambda stage, done, total: None)
    db, source_docs, n_docs, ingest_s = build_library(folder, embedder, db_path, progress)
    qids = [q for q in qrels]
    texts = [queries[q] for q in qids]
    reranker = get_reranker(embedder, reranker_file) if "reranked" in modes else None
    if reranker is None and list(modes) == ["reranked"]:
        raise SourceError("no reranker model is installed (sources/models/reranker.safetensors); "
                          "train one with bench/train_reranker.py")
    searcher = Searcher(db, embedder, candidates=passages_per_query, reranker=reranker)
    out = {"folder": str(folder), "split": split, "documents": n_docs, "passages": db["passages"].count,
           "queries": len(qids), "ingest_s": round(ingest_s, 1), "modes": {}}
    if reranker is not None:
        out["reranker"] = {"file": str(reranker.path), "depth": reranker.depth, "prior": reranker.prior,
                           "trained_on": reranker.meta.get("trained_on", [])}
    qv = searcher.encode(texts) if any(m in ("dense", "hybrid") for m in modes) else None
    for mode in modes:
        if mode == "reranked" and reranker is None:
            continue
        t = time.perf_counter()
        hits = searcher.search_many(texts, top_k=passages_per_query, mode="hybrid" if mode == "reranked" else mode,
                                    query_vectors=qv, rerank=mode == "reranked")
        run = document_run(qids, hits, source_docs)
        took = time.perf_counter() - t
        out["modes"][mode] = {**score_run(run, qrels), "search_s": round(took, 2)}
        say(mode, len(qids), len(qids))
    db.close()
    return out
