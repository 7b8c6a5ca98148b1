"""Previously-checked claim matching: each new claim against the fact-check archive and the claims
already reviewed in the workbench, with the same ranking as evidence search (dense cosine and
FTS5 BM25 fused by reciprocal rank), and two similarity thresholds as in Meedan Check: from
`match_possible` a claim is shown as "possibly checked before", from `match_same` it is "the same
claim" and the earlier verdict becomes the suggestion (a reviewer still confirms).
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import sqlite_utils

from claims import store
from claims.store import get_settings
from sources import store as source_store
from sources.search import cosine_top_k, fts_query, prepare_query, query_words, reciprocal_rank_fusion

__all__ = ["Match", "Matcher", "evaluate_matching", "match_text", "MODES"]

MODES = ("dense", "lexical", "hybrid")
DEFAULT_MODE = "hybrid"   # chosen on CheckThat! 2020 dev (MAP@5 0.837 vs dense 0.792), bench/RESULTS.md
DENSE_WEIGHT = 1.0        # weight of the dense ranking in the fusion (BM25's is 1)


@dataclass
class Match:
    """An earlier fact-check (kind "archive") or reviewed claim (kind "claim") like a new claim."""

    kind: str
    target_id: int
    text: str
    verdict: str | None
    url: str | None
    date: str | None
    publisher: str | None
    similarity: float      # cosine of the two claims' embeddings
    score: float           # fused ranking score
    level: str | None      # "same", "possible" or None (below both thresholds)

    def to_dict(self) -> dict:
        return asdict(self)


def match_text(title: str | None, claim: str) -> str:
    """What is embedded for an archived fact-check: its headline, then the claim (as passages)."""
    return f"{title.strip()}\n{claim}" if title and title.strip() else claim


_CACHE: dict[tuple, tuple] = {}
_LOCK = threading.Lock()


def _iso_day(date) -> str | None:
    """The ISO day a stored date starts with ("2024-03-01T..." -> "2024-03-01"), None for another form."""
    day = str(date or "")[:10]
    return day if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) else None


class Matcher:
    """Match claims against one database's archive and reviewed claims."""

    def __init__(self, db: sqlite_utils.Database, embedder, mode: str = DEFAULT_MODE, candidates: int = 50,
                 rrf_k: int = 60, dense_weight: float = DENSE_WEIGHT):
        if mode not in MODES:
            raise ValueError(f"unknown matching mode {mode!r}")
        self.db, self.embedder, self.mode, self.candidates, self.rrf_k = db, embedder, mode, candidates, rrf_k
        self.dense_weight = dense_weight
        settings = get_settings(db)
        self.possible = float(settings["match_possible"])
        self.same = float(settings["match_same"])
        days = int(settings["checked_before_days"] or 0)
        # a fact-check older than the period is no longer "checked before" (one without a date stays)
        self.since = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)).date().isoformat() if days else None

    def corpus(self) -> tuple[list[tuple[str, int]], np.ndarray, dict[tuple[str, int], dict]]:
        """(keys, matrix, rows): every archived fact-check and every reviewed claim with its vector
        (missing vectors are embedded once and stored); cached until either set changes."""
        key = (source_store.db_file(self.db) or f"memory:{id(self.db.conn)}", self.embedder.model_id)
        sig = store.matching_signature(self.db)
        with _LOCK:
            hit = _CACHE.get(key)
        if hit and hit[0] == sig:
            return hit[1], hit[2], hit[3]
        archived, reviewed = store.matching_corpus(self.db)
        rows: dict[tuple[str, int], dict] = {}
        for r in archived:
            rows[("archive", r["id"])] = {"text": r["claim"], "embed": match_text(r["title"], r["claim"]),
                                          "verdict": r["verdict"], "url": r["url"], "date": r["date"],
                                          "publisher": r["publisher"]}
        for r in reviewed:
            rows[("claim", r["id"])] = {"text": r["text"], "embed": r["text"], "verdict": r["verdict"],
                                        "url": r["url"], "date": r["created_at"], "publisher": r["reviewer"]}
        keys = list(rows)
        hashes = [source_store.content_hash(rows[k]["embed"]) for k in keys]
        missing = source_store.missing_hashes(self.db, self.embedder.model_id, hashes)
        if missing:
            todo = {h: rows[k]["embed"] for k, h in zip(keys, hashes) if h in missing}
            order = list(todo)
            vecs = self.embedder.encode([todo[h] for h in order])
            source_store.put_vectors(self.db, self.embedder.model_id, dict(zip(order, vecs)))
        matrix = source_store.vectors_for_hashes(self.db, self.embedder.model_id, hashes)
        with _LOCK:
            _CACHE[key] = (sig, keys, matrix, rows)
        return keys, matrix, rows

    def _lexical(self, text: str, k: int) -> list[tuple[str, int]]:
        hits = store.matching_keyword_search(self.db, fts_query("", words=query_words(prepare_query(text))), k)
        return [(kind, i) for kind, i, _ in hits]

    def match(self, texts: Sequence[str], query_vectors: np.ndarray | None = None, top_k: int = 3,
              exclude_claims: Sequence[int] = ()) -> list[list[Match]]:
        """Best matches for each text, best first; each with its cosine and threshold level."""
        keys, matrix, rows = self.corpus()
        texts = list(texts)
        if not texts or not keys:
            return [[] for _ in texts]
        qv = query_vectors if query_vectors is not None else self.embedder.encode([prepare_query(t) for t in texts])
        sims = qv @ matrix.T
        index = {k: i for i, k in enumerate(keys)}
        excluded = {("claim", int(c)) for c in exclude_claims}
        n = self.candidates + len(excluded)
        dense = cosine_top_k(qv, matrix, n) if self.mode != "lexical" else [[] for _ in texts]
        out = []
        for qi, text in enumerate(texts):
            d = [keys[r] for r, _ in dense[qi]]
            lx = self._lexical(text, n) if self.mode != "dense" else []
            if self.mode == "dense":
                ranked = [(k, float(sims[qi, index[k]])) for k in d]
            elif self.mode == "lexical":
                ranked = [(k, 1.0 / (self.rrf_k + r)) for r, k in enumerate(lx, start=1)]
            else:
                ids = {k: i for i, k in enumerate(dict.fromkeys(d + lx))}
                back = {i: k for k, i in ids.items()}
                fused = reciprocal_rank_fusion([[ids[k] for k in d], [ids[k] for k in lx]], k=self.rrf_k,
                                               weights=[self.dense_weight, 1.0])
                ranked = [(back[i], s) for i, s in fused]
            matches = []
            for k, score in ranked:
                if k in excluded or k not in index:
                    continue
                if self.since and _iso_day(rows[k]["date"]) and _iso_day(rows[k]["date"]) < self.since:
                    continue
                sim = float(sims[qi, index[k]])
                level = "same" if sim >= self.same else "possible" if sim >= self.possible else None
                r = rows[k]
                matches.append(Match(k[0], k[1], r["text"], r["verdict"], r["url"], r["date"], r["publisher"],
                                     round(sim, 4), round(float(score), 6), level))
                if len(matches) >= top_k:
                    break
            out.append(matches)
        return out


def evaluate_matching(folder: str | Path, split: str, embedder, modes: Sequence[str] = MODES,
                      thresholds: Sequence[float] = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95),
                      dense_weights: Sequence[float] = ()) -> dict:
    """Load a BEIR claim-matching corpus (fact-checked claims) into a fresh archive through the
    import code, match every query of `split` through `Matcher` (the code `check` uses), and score
    the rankings; plus, for each similarity threshold, how precise and complete "checked before"
    is: of the queries whose best match reaches the threshold, the share where it is a right one
    (precision), and the share of all queries with a right best match at or above it (recall)."""
    from claims.store import add_archive, get_settings, list_archive, open_db
    from sources.evaluate import load_beir, score_run

    corpus, queries, qrels = load_beir(folder, split)
    with tempfile.TemporaryDirectory(prefix="factcheck-match-") as tmp:
        db = open_db(Path(tmp) / "match.db")
        t = time.perf_counter()
        records = [{"claim": (r.get("text") or "").strip() or (r.get("title") or "").strip(),
                    "title": (r.get("title") or "").strip() or None, "url": f"corpus:{r['_id']}"} for r in corpus]
        add_archive(db, records, str(folder))
        by_url = {r["url"]: r["id"] for r in list_archive(db)}
        doc_of = {aid: url.split(":", 1)[1] for url, aid in by_url.items()}
        matcher = Matcher(db, embedder)
        matcher.corpus()
        ingest_s = time.perf_counter() - t
        qids = list(qrels)
        texts = [queries[q] for q in qids]
        qv = embedder.encode([prepare_query(t) for t in texts])
        settings = get_settings(db)
        out = {"folder": str(folder), "split": split, "documents": len(corpus), "queries": len(qids),
               "ingest_s": round(ingest_s, 1), "modes": {},
               "configured": {"match_possible": float(settings["match_possible"]),
                              "match_same": float(settings["match_same"])}}
        runs = [(m, None) for m in modes] + [("hybrid", w) for w in dense_weights]
        for mode, weight in runs:
            matcher.mode = mode
            matcher.dense_weight = DENSE_WEIGHT if weight is None else weight
            t = time.perf_counter()
            found = matcher.match(texts, query_vectors=qv, top_k=100)
            took = time.perf_counter() - t
            run = {q: [doc_of[m.target_id] for m in ms if m.kind == "archive"] for q, ms in zip(qids, found)}
            res = {**score_run(run, qrels), "match_s": round(took, 2)}
            table = {}
            for thr in sorted(set(thresholds) | set(out["configured"].values())):
                above = [(q, ms[0]) for q, ms in zip(qids, found) if ms and ms[0].similarity >= thr]
                right = [q for q, m in above if qrels[q].get(doc_of[m.target_id], 0) > 0]
                table[f"{thr:.2f}"] = {"precision": round(len(right) / len(above), 4) if above else None,
                                       "recall": round(len(right) / len(qids), 4), "flagged": len(above)}
            res["thresholds"] = table
            out["modes"][mode if weight is None else f"hybrid-dense-x{weight:g}"] = res
        db.close()
    return out
