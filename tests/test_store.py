"""The SQLite store: migrations, bad database files, sources, passages, vectors, FTS."""

import sqlite3

import numpy as np
import pytest
import sqlite_utils

from claims.store import open_db
from sources import store
from sources.errors import DatabaseError, SourceError
from sources.library import add_source, add_text, remove_source


def test_not_a_database_is_refused_and_left_alone(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"these are my notes, not a database\n" * 10)
    before = bad.read_bytes()
    with pytest.raises(DatabaseError, match="not a SQLite database"):
        open_db(bad)
    assert bad.read_bytes() == before


def test_folder_is_not_a_database(tmp_path):
    with pytest.raises(DatabaseError, match="folder"):
        open_db(tmp_path)


def test_older_database_upgrades_itself(tmp_path):
    """A database made by the first release (sources migration 1 only) is migrated on open."""
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    store.migrate(old, "sources", store.MIGRATIONS[:1])
    old.execute("insert into sources (title, origin, kind, fetched_at, content_hash, text) "
                "values ('t', 'o', 'text', '2025-01-01', 'h', 'NATO has 32 members.')")
    old.execute("""insert into passages (source_id, seq, start, "end", text, content_hash)
                   values (1, 0, 0, 20, 'NATO has 32 members.', 'p')""")
    old.conn.commit()
    old.close()
    db = open_db(path)
    assert "passages_fts" in db.table_names() and "reviews" in db.table_names()
    assert db.execute("select credibility from sources").fetchone()[0] == 1.0
    assert store.fts_search(db, '"members"', 5)[0][0] == 1  # existing passages were indexed


def test_keyword_index_of_the_previous_release_gains_the_title(tmp_path, embedder):
    """A library made before the title column (sources migrations 1-4) is reindexed on open: its
    passages are found by their source's title, and removing a source still cleans the index."""
    path = tmp_path / "v4.db"
    old = sqlite_utils.Database(path)
    store.migrate(old, "sources", store.MIGRATIONS[:4])
    old.close()
    import unittest.mock as mock

    with mock.patch.object(store, "MIGRATIONS", store.MIGRATIONS[:4]):
        db = open_db(path)
        a = add_text(db, "It was founded in 1949 and has 32 members.", embedder, title="NATO")
        assert "m005_fts_title" not in {r["name"] for r in db["_migrations"].rows}
        assert store.fts_search(db, '"nato"', 5) == []  # the old index: text only
        db.close()
    db = open_db(path)
    assert {r["name"] for r in db["_migrations"].rows} >= {"m005_fts_title"}
    assert [pid for pid, _ in store.fts_search(db, '"nato"', 5)]  # title now searchable
    assert store.fts_search(db, '"members"', 5)
    remove_source(db, a.source_id)
    assert store.fts_search(db, '"nato"', 5) == [] and store.fts_search(db, '"members"', 5) == []
    db.execute("insert into passages_fts(passages_fts) values ('integrity-check')")


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "new.db"
    db = open_db(path)
    db["_migrations"].insert({"namespace": "sources", "name": "m999_future", "applied_at": "2030"})
    db.close()
    with pytest.raises(DatabaseError, match="newer version"):
        open_db(path)


def test_add_twice_is_a_noop_and_vectors_are_reused(db, embedder, tmp_path):
    text = "NATO has 32 members. The European Union has 27 member states. The OSCE has 57 participating states."
    first = add_text(db, text, embedder, title="Orgs")
    assert first.added and first.embedded == first.passages
    again = add_text(db, text, embedder, title="Orgs again")
    assert not again.added and again.source_id == first.source_id and "already in the library" in again.message
    assert db["sources"].count == 1
    # the same embedded text (title + passage) in another source: stored again, embedded never again
    f = tmp_path / "copy.txt"
    f.write_text(text + "\n\nA closing line that is new.")
    third = add_source(db, str(f), embedder, title="Orgs")  # same title + passage text: same vector
    assert third.added and third.embedded < third.passages


def test_vectors_are_float32_blobs_keyed_by_model_and_hash(db, embedder):
    add_text(db, "NATO has 32 members. Sweden joined in 2024.", embedder)
    row = db.execute("select model_id, content_hash, dims, vector from embeddings").fetchone()
    assert row[0] == "all-MiniLM-L6-v2" and row[2] == 384 and len(row[3]) == 384 * 4
    vec = np.frombuffer(row[3], "<f4")
    assert abs(np.linalg.norm(vec) - 1) < 1e-4
    ids, matrix = store.load_vectors(db, embedder.model_id)
    assert matrix.shape == (len(ids), 384) and matrix.dtype == np.float32


def test_remove_source_removes_passages_vectors_and_index(db, embedder):
    a = add_text(db, "NATO has 32 members. Sweden joined in 2024.", embedder, title="A")
    b = add_text(db, "The United Nations has 193 member states.", embedder, title="B")
    version = store.library_version(db)
    remove_source(db, a.source_id)
    assert store.library_version(db) > version
    assert [r["id"] for r in store.list_sources(db)] == [b.source_id]
    assert db.execute("select count(*) from passages where source_id = ?", [a.source_id]).fetchone()[0] == 0
    assert store.fts_search(db, '"sweden"', 5) == []
    assert db["embeddings"].count == 1
    with pytest.raises(SourceError, match="no source with id"):
        remove_source(db, 999)


def test_failed_add_leaves_database_as_it_was(db, embedder, tmp_path):
    add_text(db, "NATO has 32 members.", embedder)
    counts = {t: db[t].count for t in ("sources", "passages", "embeddings")}
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(SourceError, match="binary"):
        add_source(db, str(blob), embedder)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Café au lait costs 3 euros.".encode("latin-1"))
    with pytest.raises(SourceError, match="UTF-8"):
        add_source(db, str(latin), embedder)
    assert {t: db[t].count for t in counts} == counts


def test_credibility_setting(db, embedder):
    r = add_text(db, "NATO has 32 members.", embedder)
    store.set_credibility(db, r.source_id, 0.4)
    assert store.get_source(db, r.source_id)["credibility"] == 0.4
    with pytest.raises(ValueError):
        store.set_credibility(db, r.source_id, 2)


def test_wal_mode(db):
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_fts_query_syntax_never_leaks(db, embedder):
    add_text(db, "NATO has 32 members.", embedder)
    from sources.search import fts_query

    for q in ['"unbalanced', "AND OR NOT", "members*", "col:val", "(((", ""]:
        store.fts_search(db, fts_query(q), 5)  # no sqlite3.OperationalError
    with pytest.raises(sqlite3.OperationalError):
        db.execute("select * from passages_fts where passages_fts match ?", ['"unbalanced']).fetchall()
