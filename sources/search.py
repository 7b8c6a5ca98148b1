"""Hybrid evidence search: dense cosine over a numpy matrix plus FTS5 BM25, fused by reciprocal rank.

The ranking functions are pure (arrays and lists in, lists out); `Searcher` binds
them to a database and an embedder and keeps the vector matrix loaded between queries.
"""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np
import sqlite_utils

from sources import store

__all__ = ["Hit", "Searcher", "cosine_top_k", "reciprocal_rank_fusion", "fts_query", "STOPWORDS"]

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most
my myself no nor not now of off on once only or other our ours ourselves out over own same she should
so some such than that the their theirs them themselves then there these they this those through to
too under until up very was we were what when where which while who whom why will with would you your
yours yourself yourselves said says also new one two many much may might must shall upon per via
""".split())


@dataclass
class Hit:
    """One evidence passage for a query, with both retrieval scores and where it comes from."""

    passage_id: int
    source_id: int
    source_title: str
    source: str
    source_url: str | None
    text: str
    start: int
    end: int
    score: float                   # fused score: higher is better
    dense_score: float | None      # cosine similarity
    lexical_score: float | None    # BM25 (negated FTS5 rank: higher is better)
    dense_rank: int | None
    lexical_rank: int | None
    credibility: float = 1.0

    def to_dict(self) -> dict:
        """Plain JSON-ready dict."""
        return asdict(self)


def cosine_top_k(queries: np.ndarray, matrix: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
    """For each unit-length query row, the top-k (row index, cosine) of unit-length `matrix` rows."""
    if matrix.size == 0 or queries.size == 0 or k <= 0:
        return [[] for _ in range(len(queries))]
    scores = queries @ matrix.T
    k = min(k, matrix.shape[0])
    if k < matrix.shape[0]:
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    else:
        top = np.tile(np.arange(matrix.shape[0]), (len(queries), 1))
    out = []
    for qi, rows in enumerate(top):
        ordered = rows[np.argsort(-scores[qi, rows], kind="stable")]
        out.append([(int(r), float(scores[qi, r])) for r in ordered])
    return out


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = 60,
                           weights: Sequence[float] | None = None) -> list[tuple[int, float]]:
    """Fuse ranked id lists: score(id) = sum of weight / (k + rank), rank from 1; best first."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[int, float] = {}
    for ranking, w in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def fts_query(text: str, max_terms: int = 32) -> str:
    """An FTS5 query that ORs the content words of `text`, each quoted so no syntax leaks in."""
    words = re.findall(r"[^\W_]+", text.lower())
    seen: list[str] = []
    for w in words:
        if w in STOPWORDS or (len(w) < 2 and not w.isdigit()) or w in seen:
            continue
        seen.append(w)
    return " OR ".join(f'"{w}"' for w in seen[:max_terms])


_CACHE: dict[tuple[str, str], tuple[int, np.ndarray, np.ndarray]] = {}
_CACHE_LOCK = threading.Lock()


def _db_key(db: sqlite_utils.Database) -> str:
    row = db.execute("pragma database_list").fetchone()
    return row[2] or f"memory:{id(db.conn)}"


class Searcher:
    """Search one library with one embedder; the vector matrix is loaded once per library version."""

    def __init__(self, db: sqlite_utils.Database, embedder, rrf_k: int = 60, candidates: int = 50):
        self.db = db
        self.embedder = embedder
        self.rrf_k = rrf_k
        self.candidates = candidates

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(passage ids, matrix) for the current library, cached across calls and Searchers."""
        key = (_db_key(self.db), self.embedder.model_id)
        version = store.library_version(self.db)
        with _CACHE_LOCK:
            hit = _CACHE.get(key)
            if hit and hit[0] == version:
                return hit[1], hit[2]
        ids, matrix = store.load_vectors(self.db, self.embedder.model_id)
        with _CACHE_LOCK:
            _CACHE[key] = (version, ids, matrix)
        return ids, matrix

    def search(self, query: str, top_k: int = 5, mode: str = "hybrid") -> list[Hit]:
        """Best passages for one query."""
        return self.search_many([query], top_k=top_k, mode=mode)[0]

    def search_many(self, queries: Sequence[str], top_k: int = 5, mode: str = "hybrid",
                    query_vectors: np.ndarray | None = None) -> list[list[Hit]]:
        """Best passages for each query; all queries are embedded and scored in one matrix product.

        `mode` is "hybrid" (dense + BM25 fused by reciprocal rank), "dense" or "lexical".
        """
        if mode not in ("hybrid", "dense", "lexical"):
            raise ValueError(f"unknown search mode {mode!r}")
        queries = list(queries)
        if not queries:
            return []
        n_cand = max(self.candidates, top_k)
        dense: list[list[tuple[int, float]]] = [[] for _ in queries]
        if mode in ("hybrid", "dense"):
            ids, matrix = self.vectors()
            if len(ids):
                qv = query_vectors if query_vectors is not None else self.embedder.encode(queries)
                dense = [[(int(ids[r]), s) for r, s in row] for row in cosine_top_k(qv, matrix, n_cand)]
        lexical: list[list[tuple[int, float]]] = [[] for _ in queries]
        if mode in ("hybrid", "lexical"):
            lexical = [store.fts_search(self.db, fts_query(q), n_cand) for q in queries]
        results = []
        for d, lx in zip(dense, lexical):
            d_rank = {pid: r for r, (pid, _) in enumerate(d, start=1)}
            l_rank = {pid: r for r, (pid, _) in enumerate(lx, start=1)}
            d_score, l_score = dict(d), dict(lx)
            if mode == "dense":
                fused = [(pid, s) for pid, s in d]
            elif mode == "lexical":
                fused = [(pid, s) for pid, s in lx]
            else:
                fused = reciprocal_rank_fusion([[p for p, _ in d], [p for p, _ in lx]], k=self.rrf_k)
            fused = fused[:top_k]
            rows = store.get_passages(self.db, [pid for pid, _ in fused])
            hits = []
            for pid, score in fused:
                r = rows.get(pid)
                if r is None:
                    continue
                hits.append(Hit(passage_id=pid, source_id=r["source_id"], source_title=r["source_title"],
                                source=r["source"], source_url=r["source_url"], text=r["text"],
                                start=r["start"], end=r["end"], score=float(score),
                                dense_score=d_score.get(pid), lexical_score=l_score.get(pid),
                                dense_rank=d_rank.get(pid), lexical_rank=l_rank.get(pid),
                                credibility=float(r["credibility"])))
            results.append(hits)
        return results
