"""The approximate index for large libraries: same answers as exact search, persisted beside the
database, updated incrementally when sources come and go."""

import numpy as np

from sources import ann
from sources.library import add_text, remove_source
from sources.search import Searcher

FACTS = [
    ("NATO", "NATO has 32 members since Sweden joined in March 2024."),
    ("EU", "The European Union has 27 member states."),
    ("Tower", "The Eiffel Tower in Paris is 330 metres tall."),
    ("Bridge", "The Golden Gate Bridge opened in 1937 and is painted orange."),
    ("River", "The Nile is usually counted as the longest river in Africa."),
]
QUERIES = ["How many countries are in NATO?", "How tall is the Eiffel Tower?", "When did the Golden Gate open?",
           "member states of the European Union", "longest river"]


def test_index_matches_exact_search_and_lives_beside_the_database(db, db_path, embedder):
    for title, text in FACTS:
        add_text(db, text, embedder, title=title)
    exact = Searcher(db, embedder, exact_limit=10**9)
    approx = Searcher(db, embedder, exact_limit=1)
    assert not exact.uses_index() and approx.uses_index()
    for mode in ("dense", "hybrid"):
        a = [[h.passage_id for h in hits] for hits in exact.search_many(QUERIES, top_k=3, mode=mode)]
        b = [[h.passage_id for h in hits] for hits in approx.search_many(QUERIES, top_k=3, mode=mode)]
        assert a == b
    top = approx.search("How tall is the Eiffel Tower?", top_k=1, mode="dense")[0]
    assert top.source_title == "Tower" and 0.3 < top.dense_score <= 1.0
    path = ann.index_path(db_path, embedder.model_id)
    assert path.exists() and path.with_suffix(".json").exists()


def test_index_updates_incrementally_and_survives_a_restart(db, db_path, embedder):
    for title, text in FACTS[:3]:
        add_text(db, text, embedder, title=title)
    searcher = Searcher(db, embedder, exact_limit=1)
    searcher.search("NATO members", mode="dense")
    index = ann.get_index(db, embedder.model_id)
    assert index.built and len(index) == 3

    added = add_text(db, FACTS[3][1], embedder, title=FACTS[3][0])  # the index file exists: updated now
    assert not index.built and index.added == 1 and len(index) == 4
    assert searcher.search("When did the Golden Gate open?", top_k=1, mode="dense")[0].source_id == added.source_id

    remove_source(db, added.source_id)
    assert index.removed == 1 and len(index) == 3
    assert all(h.source_id != added.source_id for h in searcher.search("Golden Gate", top_k=3, mode="dense"))

    # a new process (empty cache) loads the file instead of rebuilding it
    ann._CACHE.clear()
    again = ann.get_index(db, embedder.model_id)
    assert not again.built and again.added == 0 and len(again) == 3


def test_damaged_index_file_is_rebuilt(db, db_path, embedder):
    add_text(db, FACTS[0][1], embedder, title=FACTS[0][0])
    path = ann.index_path(db_path, embedder.model_id)
    path.write_bytes(b"not an index")
    path.with_suffix(".json").write_text('{"model_id": "%s", "library_version": 0}' % embedder.model_id)
    ann._CACHE.clear()
    hits = Searcher(db, embedder, exact_limit=1).search("NATO", top_k=1, mode="dense")
    assert hits and hits[0].source_title == "NATO"
    assert ann.get_index(db, embedder.model_id).built


def test_in_memory_library_is_searched_exactly(embedder):
    from claims.store import open_db

    db = open_db(":memory:")
    add_text(db, FACTS[0][1], embedder, title="NATO")
    s = Searcher(db, embedder, exact_limit=1)
    assert not s.uses_index() and s.search("NATO", top_k=1)[0].source_title == "NATO"


def test_index_search_scores_are_cosines():
    idx = ann.AnnIndex.__new__(ann.AnnIndex)
    from usearch.index import Index

    idx.index = Index(ndim=3, metric="cos", dtype="f16")
    v = np.eye(3, dtype=np.float32)
    idx.index.add(np.array([10, 20, 30], dtype=np.uint64), v)
    got = idx.search(np.array([[1, 0.1, 0]], dtype=np.float32) / np.linalg.norm([1, 0.1, 0]), 2)
    assert [k for k, _ in got[0]] == [10, 20] and abs(got[0][0][1] - 0.995) < 0.01
