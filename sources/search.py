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

from sources import ann, store

__all__ = ["Hit", "Searcher", "cosine_top_k", "reciprocal_rank_fusion", "fts_query", "query_words", "porter_stems",
           "prune_common", "prepare_query", "query_kind", "FUSION_WEIGHTS", "STOPWORDS"]

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
    score: float                   # fused score (reranked hits: the reranker's final score); higher is better
    dense_score: float | None      # cosine similarity
    lexical_score: float | None    # BM25 (negated FTS5 rank: higher is better)
    dense_rank: int | None
    lexical_rank: int | None
    credibility: float = 1.0
    rerank_score: float | None = None   # the reranker's logit, when the hit was reranked

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


_LINK = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S*", re.IGNORECASE)
# A social-media post's attribution line: "— Name (@handle) January 6, 2020" at the end.
_ATTRIBUTION = re.compile(r"\s*[—–-]{1,2}\s*([^—–\n()]{0,80}?)\s*\(@\w{1,30}\)\s*"
                          r"(?:[A-Z][a-z]+\.? \d{1,2}, \d{4})?\s*$")
_HASHTAG = re.compile(r"#(\w+)")
_MENTION = re.compile(r"(?<!\w)@(\w+)")


def _split_camel(word: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)", " ", word)


def prepare_query(text: str) -> str:
    """A query as search should see it: links are taken out and hashtags and mentions become
    words ("#FreeIran2020" -> "Free Iran 2020", "@realDonaldTrump" -> "real Donald Trump"). A
    post's attribution line ("— Name (@handle) January 6, 2020") stays: who said it helps find
    the fact-check (taking it out lost 1-3 points of MAP@5 on CheckThat! train and dev, see
    bench/RESULTS.md). Plain sentences come back unchanged."""
    out = _LINK.sub(" ", text)
    out = _HASHTAG.sub(lambda h: " " + _split_camel(h.group(1)) + " ", out)
    out = _MENTION.sub(lambda h: _split_camel(h.group(1)), out)
    out = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", out)).strip()
    return out if out != re.sub(r"\s+", " ", text).strip() else text


def query_kind(text: str) -> str:
    """"post" for social-media text (links, hashtags, mentions, an attribution line), else "claim"."""
    return "post" if (_LINK.search(text) or _ATTRIBUTION.search(text) or _HASHTAG.search(text)
                      or _MENTION.search(text)) else "claim"


def query_words(text: str, max_terms: int = 32) -> list[str]:
    """The content words of `text`, lowercased, in order, without stopwords or repeats."""
    seen: list[str] = []
    for w in re.findall(r"[^\W_]+", text.lower()):
        if w in STOPWORDS or (len(w) < 2 and not w.isdigit()) or w in seen:
            continue
        seen.append(w)
    return seen[:max_terms]


def fts_query(text: str, max_terms: int = 32, words: Sequence[str] | None = None) -> str:
    """An FTS5 query that ORs the content words of `text` (or the `words` given), each quoted so
    no syntax leaks in."""
    return " OR ".join(f'"{w}"' for w in (query_words(text, max_terms) if words is None else words))


_STEMS: dict[str, str | None] = {}


def porter_stems(words: Sequence[str]) -> dict[str, str | None]:
    """Each word as the keyword index stores it (FTS5's own porter tokenizer, run on an
    in-memory table so the stems are exactly the index's); None for a word with no token."""
    todo = [w for w in dict.fromkeys(words) if w not in _STEMS]
    if todo:
        import sqlite3

        mem = sqlite3.connect(":memory:")
        mem.execute("create virtual table w using fts5(t, tokenize='porter unicode61')")
        mem.execute("create virtual table w_v using fts5vocab(w, 'instance')")
        mem.executemany("insert into w(rowid, t) values (?, ?)", list(enumerate(todo, start=1)))
        got = {row: term for term, row in mem.execute("select term, doc from w_v where offset = 0")}
        mem.close()
        with _CACHE_LOCK:
            for i, w in enumerate(todo, start=1):
                _STEMS[w] = got.get(i)
    return {w: _STEMS.get(w) for w in words}


LEXICAL_PRUNE_FROM = 50_000   # libraries at least this large leave out very common query terms
COMMON_TERM_SHARE = 0.02      # ...those found in more than this share of all passages
MIN_TERMS = 2


def prune_common(db: sqlite_utils.Database, words_per_query: list[list[str]], n_passages: int) -> list[list[str]]:
    """Leave out query words whose term occurs in more than COMMON_TERM_SHARE of the passages
    (they barely move BM25, yet make FTS5 score most of the library); keep at least the
    MIN_TERMS rarest words of each query."""
    stems = porter_stems([w for ws in words_per_query for w in ws])
    df = store.term_doc_counts(db, [s for s in stems.values() if s])
    limit = COMMON_TERM_SHARE * n_passages
    out = []
    for ws in words_per_query:
        counts = {w: df.get(stems[w], 0) if stems[w] else 0 for w in ws}
        keep = [w for w in ws if counts[w] <= limit]
        if len(keep) < min(MIN_TERMS, len(ws)):
            keep = sorted(ws, key=lambda w: counts[w])[:min(MIN_TERMS, len(ws))]
        out.append(keep)
    return out


# Reciprocal-rank fusion weights (dense, keyword) per query kind, and the weight of the source
# title in keyword search; chosen on training splits (bench/tune_search.py, bench/RESULTS.md).
FUSION_WEIGHTS: dict[str, tuple[float, float]] = {"claim": (1.0, 0.5), "post": (1.0, 1.5)}
TITLE_WEIGHT = 1.0

_CACHE: dict[tuple[str, str], tuple[int, np.ndarray, np.ndarray]] = {}
_COUNTS: dict[tuple[str, str], tuple[int, int]] = {}
_CACHE_LOCK = threading.Lock()


def _db_key(db: sqlite_utils.Database) -> str:
    return store.db_file(db) or f"memory:{id(db.conn)}"


class Searcher:
    """Search one library with one embedder; the vector matrix is loaded once per library version."""

    def __init__(self, db: sqlite_utils.Database, embedder, rrf_k: int = 60, candidates: int = 50,
                 exact_limit: int | None = None, fusion_weights: dict[str, tuple[float, float]] | None = None,
                 title_weight: float | None = None, prepare: bool = True, reranker=None):
        self.db = db
        self.embedder = embedder
        self.rrf_k = rrf_k
        self.candidates = candidates
        self.exact_limit = ann.EXACT_LIMIT if exact_limit is None else exact_limit
        self.fusion_weights = dict(FUSION_WEIGHTS if fusion_weights is None else fusion_weights)
        self.title_weight = TITLE_WEIGHT if title_weight is None else title_weight
        self.prepare = prepare_query if prepare else (lambda q: q)
        self.reranker = reranker

    def encode(self, queries: Sequence[str]) -> np.ndarray:
        """Query vectors as `search_many` computes them (of the prepared queries)."""
        return self.embedder.encode([self.prepare(q) for q in queries])

    def passage_count(self) -> int:
        """Passages in the library, cached per library version."""
        key = (_db_key(self.db), "count")
        version = store.library_version(self.db)
        with _CACHE_LOCK:
            hit = _COUNTS.get(key)
        if not hit or hit[0] != version:
            hit = (version, store.passage_count(self.db))
            with _CACHE_LOCK:
                _COUNTS[key] = hit
        return hit[1]

    def uses_index(self) -> bool:
        """True when dense search goes through the approximate index (a file-backed library of at
        least `exact_limit` passages), False for exact search."""
        return self.passage_count() >= self.exact_limit and not _db_key(self.db).startswith("memory:")

    def dense(self, query_vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """Top-k (passage id, cosine) per query: exact for small libraries, else the ANN index."""
        if self.uses_index():
            index = ann.get_index(self.db, self.embedder.model_id)
            if index is not None:
                return index.search(query_vectors, k)
        ids, matrix = self.vectors()
        if not len(ids):
            return [[] for _ in range(len(query_vectors))]
        return [[(int(ids[r]), s) for r, s in row] for row in cosine_top_k(query_vectors, matrix, k)]

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
                    query_vectors: np.ndarray | None = None, rerank: bool = True) -> list[list[Hit]]:
        """Best passages for each query; all queries are embedded and scored in one matrix product.

        `mode` is "hybrid" (dense + BM25 fused by reciprocal rank, weighted by the query's kind),
        "dense" or "lexical". With a `reranker` (and `rerank`), the top `reranker.depth` fused
        candidates of a hybrid search are reordered by it. Queries are prepared first
        (`prepare_query`); `query_vectors`, when given, must be of the prepared queries
        (`Searcher.encode`).
        """
        if mode not in ("hybrid", "dense", "lexical"):
            raise ValueError(f"unknown search mode {mode!r}")
        queries = list(queries)
        if not queries:
            return []
        use_reranker = bool(self.reranker is not None and rerank and mode == "hybrid")
        depth = max(top_k, self.reranker.depth) if use_reranker else top_k
        n_cand = max(self.candidates, depth)
        dense: list[list[tuple[int, float]]] = [[] for _ in queries]
        if mode in ("hybrid", "dense"):
            qv = query_vectors if query_vectors is not None else self.encode(queries)
            dense = self.dense(qv, n_cand)
        lexical: list[list[tuple[int, float]]] = [[] for _ in queries]
        if mode in ("hybrid", "lexical"):
            words = [query_words(self.prepare(q)) for q in queries]
            n = self.passage_count()
            if n >= LEXICAL_PRUNE_FROM:
                words = prune_common(self.db, words, n)
            lexical = [store.fts_search(self.db, fts_query("", words=ws), n_cand, self.title_weight)
                       for ws in words]
        results = []
        for q, d, lx in zip(queries, dense, lexical):
            d_rank = {pid: r for r, (pid, _) in enumerate(d, start=1)}
            l_rank = {pid: r for r, (pid, _) in enumerate(lx, start=1)}
            d_score, l_score = dict(d), dict(lx)
            if mode == "dense":
                fused = [(pid, s) for pid, s in d]
            elif mode == "lexical":
                fused = [(pid, s) for pid, s in lx]
            else:
                fused = reciprocal_rank_fusion([[p for p, _ in d], [p for p, _ in lx]], k=self.rrf_k,
                                               weights=self.fusion_weights[query_kind(q)])
            fused = fused[:depth]
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
        if use_reranker:
            results = self._rerank(queries, results, top_k)
        return results

    def _rerank(self, queries: Sequence[str], results: list[list[Hit]], top_k: int) -> list[list[Hit]]:
        """Reorder the first `reranker.depth` hits of each query by the reranker (all pairs of all
        queries in one batched call); later hits keep their fused order."""
        from sources.rerank import combine, pair_text

        depth = self.reranker.depth
        pairs = [(self.prepare(q), pair_text(h.source_title, h.text)) for q, hs in zip(queries, results)
                 for h in hs[:depth]]
        logits = self.reranker.scores_many(pairs)
        out, k = [], 0
        for hs in results:
            head, tail = hs[:depth], hs[depth:]
            z = logits[k:k + len(head)]
            k += len(head)
            final = combine(z, self.reranker.prior)
            for h, zi, f in zip(head, z, final):
                h.rerank_score, h.score = float(zi), float(f)
            head = [head[i] for i in sorted(range(len(head)), key=lambda i: -final[i])]
            out.append((head + tail)[:top_k])
        return out
