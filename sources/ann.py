"""An approximate-nearest-neighbour index (usearch HNSW) for large libraries, kept in a file next
to the SQLite database and brought up to date incrementally.

Small libraries are searched exactly (one numpy matrix product, see `sources.search`); from
`EXACT_LIMIT` passages on, dense search goes through this index. The index file records the
library version it matches. When the library has changed (sources added or removed, by this
process or another), `sync` adds the vectors of new passages and removes those of deleted ones,
without rebuilding. usearch was chosen by measurement (bench/bench_ann.py, bench/RESULTS.md):
as fast as hnswlib and faiss at equal recall, with float16 storage, removal, and wheels that need
no compiler.
"""

from __future__ import annotations

import json
import os
import re
import threading
import warnings
from pathlib import Path

import numpy as np
import sqlite_utils

from sources import store

__all__ = ["AnnIndex", "EXACT_LIMIT", "index_path", "get_index", "update_if_present"]

EXACT_LIMIT = int(os.environ.get("FACTCHECK_EXACT_LIMIT", "200000"))
CONNECTIVITY, EXPANSION_ADD, EXPANSION_SEARCH = 16, 128, 96

_CACHE: dict[str, "AnnIndex"] = {}
_LOCK = threading.Lock()


def index_path(db_file: str | Path, model_id: str) -> Path:
    """Where the index of `db_file` for `model_id` lives: beside the database."""
    return Path(f"{db_file}.{re.sub(r'[^A-Za-z0-9_.-]+', '_', model_id)}.usearch")


class AnnIndex:
    """The HNSW index of one library and model."""

    def __init__(self, path: Path, model_id: str):
        self.path = path
        self.meta_path = path.with_suffix(".json")
        self.model_id = model_id
        self.index = None
        self.version = -1
        self.epoch = ""        # the library's epoch (store.library_epoch) the index was built from
        self.built = False     # True when the last sync built the index from scratch
        self.added = self.removed = 0
        self._lock = threading.Lock()

    def _new(self, ndim: int):
        from usearch.index import Index

        return Index(ndim=ndim, metric="cos", dtype="f16", connectivity=CONNECTIVITY,
                     expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)

    def _load(self) -> bool:
        from usearch.index import Index

        if not (self.path.exists() and self.meta_path.exists()):
            return False
        try:
            meta = json.loads(self.meta_path.read_text())
            index = Index.restore(str(self.path))
        except Exception:  # a damaged or foreign file: rebuild rather than fail the search
            return False
        if index is None or meta.get("model_id") != self.model_id:
            return False
        self.index, self.version, self.epoch = index, int(meta["library_version"]), meta.get("library_epoch", "")
        return True

    def _save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        self.index.save(str(tmp))
        os.replace(tmp, self.path)
        self.meta_path.write_text(json.dumps({"model_id": self.model_id, "library_version": self.version,
                                              "library_epoch": self.epoch,
                                              "count": len(self.index)}))

    def sync(self, db: sqlite_utils.Database) -> "AnnIndex":
        """Bring the index up to the library's current version: load it from its file, then add
        new passages' vectors and remove deleted ones (a first build when there is no file)."""
        version, epoch = store.library_version(db), store.library_epoch(db)
        with self._lock:
            if self.index is not None and (self.version, self.epoch) == (version, epoch):
                return self
            self.built, self.added, self.removed = False, 0, 0
            if self.index is None and not self._load():
                self.index, self.built = None, True
            if self.index is not None and self.epoch != epoch:  # the library was replaced: rebuild
                self.index, self.built = None, True
            if self.index is not None and self.version == version:
                return self
            threads = os.cpu_count() or 1
            if self.index is None:
                for ids, matrix in store.iter_vectors(db, self.model_id):
                    if self.index is None:
                        self.index = self._new(matrix.shape[1])
                    self.index.add(ids.astype(np.uint64), matrix, threads=threads)
                    self.added += len(ids)
                if self.index is None:
                    self.index = self._new(384)
            else:
                want = store.vector_ids(db, self.model_id).astype(np.uint64)
                with warnings.catch_warnings():  # usearch's key view predates numpy 2's copy keyword
                    warnings.simplefilter("ignore", DeprecationWarning)
                    have = np.asarray(self.index.keys, dtype=np.uint64)
                gone = np.setdiff1d(have, want, assume_unique=True)
                new = np.setdiff1d(want, have, assume_unique=True)
                if len(gone):
                    self.index.remove(gone)
                    self.removed = len(gone)
                for s in range(0, len(new), 50_000):
                    ids, matrix = store.load_vectors_for(db, self.model_id, new[s:s + 50_000].tolist())
                    if len(ids):
                        self.index.add(ids.astype(np.uint64), matrix, threads=threads)
                        self.added += len(ids)
            self.version, self.epoch = version, epoch
            self._save()
            return self

    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """For each unit-length query row, up to k (passage id, cosine) best first."""
        if self.index is None or len(self.index) == 0 or len(queries) == 0:
            return [[] for _ in range(len(queries))]
        k = min(k, len(self.index))
        found = self.index.search(np.asarray(queries, dtype=np.float32), k, threads=os.cpu_count() or 1)
        keys = np.atleast_2d(found.keys)
        dist = np.atleast_2d(found.distances)
        counts = np.atleast_1d(found.counts if hasattr(found, "counts") else len(found.keys))
        return [[(int(keys[i, j]), float(1.0 - dist[i, j])) for j in range(int(counts[i]))]
                for i in range(len(queries))]

    def __len__(self) -> int:
        return 0 if self.index is None else len(self.index)


def get_index(db: sqlite_utils.Database, model_id: str) -> AnnIndex | None:
    """The library's index, synced to its current version; None for an in-memory database."""
    db_file = store.db_file(db)
    if db_file is None:
        return None
    path = index_path(db_file, model_id)
    with _LOCK:
        idx = _CACHE.get(str(path))
        if idx is None:
            idx = _CACHE[str(path)] = AnnIndex(path, model_id)
    return idx.sync(db)


def update_if_present(db: sqlite_utils.Database, model_id: str | None = None) -> None:
    """After sources are added or removed: update every existing index file of this library
    now, so the next search does not pay for it. Libraries without an index file are left alone."""
    db_file = store.db_file(db)
    if db_file is None:
        return
    for meta in Path(db_file).parent.glob(Path(db_file).name + ".*.json"):
        try:
            found = json.loads(meta.read_text()).get("model_id")
        except (OSError, ValueError):
            continue
        if found and (model_id is None or found == model_id) and meta.with_suffix(".usearch").exists():
            get_index(db, found)
