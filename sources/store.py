"""All SQL of the source library: schema migrations, sources, passages, vectors and FTS5.

Functions take a `sqlite_utils.Database`; only the shells decide which file to open.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import random
import secrets
import shutil
import tempfile
import sqlite3
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np
import sqlite_utils

from sources.errors import AlreadyStored, DatabaseBusy, DatabaseDamaged, DatabaseError

__all__ = [
    "open_db", "migrate", "write", "describe", "check_schema", "backup", "restore", "check_backup", "library_epoch", "content_hash", "now_iso", "library_version", "insert_source",
    "find_source_by_hash", "list_sources", "get_source", "remove_source", "missing_hashes",
    "load_vectors", "put_vectors", "vectors_for_hashes", "db_file", "vector_ids", "term_doc_counts", "passage_count", "load_vectors_for", "iter_vectors", "fts_search", "get_passages", "set_credibility", "source_passages",
]

Migration = Callable[[sqlite_utils.Database], None]


def now_iso() -> str:
    """Current UTC time, ISO 8601 with seconds."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def content_hash(text: str) -> str:
    """sha256 of the UTF-8 text: the key that makes re-adding and re-embedding no-ops."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# How long a connection waits for another one's write lock before it says the database is busy.
BUSY_TIMEOUT_S = 10.0
LOCK_WAIT_S = 30.0
# Up to this size the whole file is checked on first open (about 2 s for 430 MB here); above
# it, everything but the passage, vector and keyword-index tables (bench/RESULTS.md).
FULL_CHECK_BYTES = 256 * 1024 * 1024
_CHECKED: set[tuple[int, int, int, int]] = set()


def open_db(path: str | Path, migrations: dict[str, Sequence[Migration]] | None = None,
            check: bool = True) -> sqlite_utils.Database:
    """Open (or create) the library database: refuse a file that is not SQLite, is damaged or
    was made by a newer version before anything is written to it, then enable WAL and apply the
    migrations of `sources` and of every namespace in `migrations`.

    The file is only ever opened through SQLite: closing any other handle on it would drop this
    process's SQLite locks (POSIX advisory locks belong to the process), and the next process to
    close its connection would delete the write-ahead log under everyone's feet (issue 12).
    `check` runs SQLite's quick_check once per file per process.
    """
    p = Path(path)
    if p.is_dir():
        raise DatabaseError(f"{p} is a folder, not a database file")
    if p.parent and not p.parent.exists():
        raise DatabaseError(f"folder {p.parent} does not exist")
    namespaces = {"sources": MIGRATIONS, **(migrations or {})}
    conn = None
    try:
        conn = sqlite3.connect(str(p), timeout=BUSY_TIMEOUT_S)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        try:
            conn.execute("select count(*) from sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc) or "encrypted" in str(exc):
                raise DatabaseError(f"{p} is not a SQLite database") from None
            raise
        db = sqlite_utils.Database(conn)
        check_schema(db, namespaces)
        if check:
            _quick_check(db, p)
        db.enable_wal()
        for namespace, steps in namespaces.items():
            migrate(db, namespace, steps)
    except DatabaseError:
        if conn is not None:
            conn.close()
        raise
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        if _code(exc) == 11:   # SQLITE_CORRUPT outside the check (reading the schema or the migrations)
            raise DatabaseDamaged(f"{p} is damaged ({exc}); nothing was written. Restore it from a backup "
                                  "(factcheck restore BACKUP)") from None
        raise DatabaseError(f"cannot use {p} as a database: {describe(exc) or exc}") from None
    return db


_READINGS = {
    13: "the disk is full (nothing was saved; free some space and try again)",           # SQLITE_FULL
    8: "the database is read-only (nothing was saved)",                                   # SQLITE_READONLY
    5: "the database is busy: another process held its write lock too long (nothing was saved; try again)",
    11: "the database file is damaged (restore it from a backup: factcheck restore BACKUP)",  # SQLITE_CORRUPT
    26: "the file is not a SQLite database",                                              # SQLITE_NOTADB
    10: "the database file cannot be read or written (disk I/O error)",                   # SQLITE_IOERR
    14: "the database file cannot be opened (check the folder and its permissions)",      # SQLITE_CANTOPEN
}
SQLITE_BUSY = 5
_DAMAGE_CODES = {11, 18}   # SQLITE_CORRUPT, SQLITE_TOOBIG (a damaged record's length field)


def _code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF   # primary code (extended codes carry more bits)


def describe(exc: sqlite3.Error) -> str | None:
    """A one-line reading of an SQLite error a user can act on (a full disk, a busy or read-only
    or damaged file), or None for one that is a bug in this program."""
    return _READINGS.get(_code(exc))


def check_schema(db: sqlite_utils.Database, namespaces: dict[str, Sequence[Migration]]) -> None:
    """Refuse a database made by a newer version (it has migrations we do not know); reads only."""
    if "_migrations" not in db.table_names():
        return
    for namespace, steps in namespaces.items():
        done = {r[0] for r in db.execute("select name from _migrations where namespace = ?", [namespace])}
        unknown = sorted(done - {m.__name__ for m in steps})
        if unknown:
            raise DatabaseError(f"the database was made by a newer version (unknown {namespace} migration "
                                f"{unknown[-1]}); upgrade factcheck")


def _quick_check(db: sqlite_utils.Database, p: Path) -> None:
    try:
        st = p.stat()
    except OSError:
        return
    # a file copied over this one keeps its inode (and a new file may get the old one back), so its
    # size and modification time are part of the key; in WAL mode the main file only changes at
    # checkpoints, so re-checks stay rare
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    if key in _CHECKED or not st.st_size:
        return
    tables = None
    if st.st_size > FULL_CHECK_BYTES:  # a large library: check all but its passage, vector and keyword tables
        tables = [r[0] for r in db.execute(
            "select name from sqlite_master where type = 'table' and name not in ('passages', 'embeddings') "
            "and name not like 'passages_fts%' and sql not like 'create virtual%'")]
    problem = damage(db.conn, tables)
    if problem:
        raise DatabaseDamaged(f"{p} is damaged ({problem}); nothing was written. Restore it from a backup "
                            "(factcheck restore BACKUP) or copy out what is readable with the sqlite3 shell's .recover")
    _CHECKED.add(key)


def damage(conn: sqlite3.Connection, tables: Sequence[str] | None = None) -> str | None:
    """SQLite's quick_check of a connection's database (or only of `tables` and their indexes):
    None when sound, else its first finding."""
    rows = []
    for table in (tables if tables is not None else [None]):
        quoted = '"' + (table or "").replace('"', '""') + '"'
        sql = "PRAGMA quick_check(5)" if table is None else f"PRAGMA quick_check({quoted})"
        try:
            rows = [r[0] for r in conn.execute(sql).fetchall()]
        except sqlite3.DatabaseError as exc:
            # the check itself can trip on a damaged record ("database disk image is malformed",
            # "string or blob too big"): that is a finding too; a busy or unreadable file is not
            if _code(exc) not in _DAMAGE_CODES:
                raise
            return str(exc)[:120]
        if rows != ["ok"]:
            break
    if rows == ["ok"] or not rows:
        return None
    lines = [x.strip() for x in "\n".join(rows).splitlines() if x.strip() and not x.startswith("***")]
    return (lines[0] if lines else "quick_check failed")[:120]


@contextlib.contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the write lock when it starts (BEGIN IMMEDIATE), so it
    never fails half-way because another connection wrote after it read; waits for a busy lock
    (up to LOCK_WAIT_S) and then says so in one line. Nested calls become savepoints."""
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            if _restoring(conn):
                conn.execute("ROLLBACK")
                raise DatabaseBusy("a restore of this database is under way (nothing was saved; try again "
                                   "in a moment)")
            break
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise DatabaseError(describe(exc) or str(exc)) from None
            if time.monotonic() > deadline:
                raise DatabaseBusy(describe(exc)) from None
            time.sleep(0.02 + random.random() * 0.05)
    try:
        yield db
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.DatabaseError) and describe(exc):
            raise (DatabaseBusy if _is_busy(exc) else DatabaseError)(describe(exc)) from None
        raise


def _restoring(conn: sqlite3.Connection) -> bool:
    """True while another live process restores this database (see `restore`)."""
    try:
        row = conn.execute("select value from meta where key = 'restore_by'").fetchone()
    except sqlite3.OperationalError:   # no meta table yet: a database being created
        return False
    if not row or not row[0]:
        return False
    pid = int(row[0]) if str(row[0]).isdecimal() else 0
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, ValueError, OverflowError):
        return False                   # the restoring process died: the mark is stale
    except PermissionError:
        pass
    return True


def _is_busy(exc: sqlite3.Error) -> bool:
    return _code(exc) == SQLITE_BUSY


def migrate(db: sqlite_utils.Database, namespace: str, migrations: Sequence[Migration]) -> list[str]:
    """Apply the numbered migrations of `namespace` not yet applied; refuse a newer schema."""
    check_schema(db, {namespace: migrations})
    if "_migrations" not in db.table_names():
        with write(db):
            db.execute("create table if not exists _migrations (namespace text, name text, applied_at text, "
                       "primary key (namespace, name))")
    done = {r[0] for r in db.execute("select name from _migrations where namespace = ?", [namespace])}
    applied = []
    for m in migrations:
        if m.__name__ in done:
            continue
        with write(db):
            # another process may have applied it while this one waited for the lock
            if db.execute("select 1 from _migrations where namespace = ? and name = ?",
                          [namespace, m.__name__]).fetchone():
                continue
            m(db)
            db.execute("insert into _migrations (namespace, name, applied_at) values (?, ?, ?)",
                       [namespace, m.__name__, now_iso()])
        applied.append(m.__name__)
    return applied


def m001_create_tables(db: sqlite_utils.Database) -> None:
    """Sources, passages, embeddings and the library version counter."""
    db.execute("""
        create table sources (
            id integer primary key,
            title text not null,
            origin text not null,          -- URL, file path or 'pasted text'
            url text,
            kind text,
            fetched_at text not null,
            content_hash text not null unique,
            text text not null
        )""")
    db.execute("""
        create table passages (
            id integer primary key,
            source_id integer not null references sources(id),
            seq integer not null,
            start integer not null,
            "end" integer not null,
            text text not null,
            content_hash text not null     -- of the text embedded for it (title + passage), the vector key
        )""")
    db.execute("create index idx_passages_source on passages(source_id)")
    db.execute("create index idx_passages_hash on passages(content_hash)")
    db.execute("""
        create table embeddings (
            model_id text not null,
            content_hash text not null,
            dims integer not null,
            vector blob not null,
            primary key (model_id, content_hash)
        )""")
    db.execute("create table meta (key text primary key, value text)")
    db.execute("insert into meta (key, value) values ('library_version', '0')")


def m002_passages_fts(db: sqlite_utils.Database) -> None:
    """FTS5 keyword index over passage text, kept in sync by triggers."""
    db.execute("""create virtual table passages_fts using fts5(
                      text, content='passages', content_rowid='id', tokenize='porter unicode61')""")
    db.execute("""create trigger passages_ai after insert on passages begin
                      insert into passages_fts(rowid, text) values (new.id, new.text); end""")
    db.execute("""create trigger passages_ad after delete on passages begin
                      insert into passages_fts(passages_fts, rowid, text) values ('delete', old.id, old.text); end""")
    db.execute("insert into passages_fts(passages_fts) values ('rebuild')")


def m003_source_credibility(db: sqlite_utils.Database) -> None:
    """A per-source credibility in [0, 1] that verdicts weigh in (1 = fully trusted)."""
    db.execute("alter table sources add column credibility real not null default 1.0")


def m004_fts_vocab(db: sqlite_utils.Database) -> None:
    """Per-term document counts of the keyword index, so large-library searches can leave out
    terms that match a large share of all passages."""
    db.execute("create virtual table passages_fts_vocab using fts5vocab(passages_fts, 'row')")


def m005_fts_title(db: sqlite_utils.Database) -> None:
    """The keyword index gets the source title as a second column (BM25 weighs it separately):
    a passage that only says "it" is found by the name in its title. The index reads from a
    view of passages joined with their source; passages are deleted before their source, so the
    delete trigger still finds the title."""
    db.execute("drop trigger if exists passages_ai")
    db.execute("drop trigger if exists passages_ad")
    db.execute("drop table if exists passages_fts_vocab")
    db.execute("drop table if exists passages_fts")
    db.execute("""create view passages_titled as
                      select p.id as id, s.title as title, p.text as text
                      from passages p join sources s on s.id = p.source_id""")
    db.execute("""create virtual table passages_fts using fts5(
                      title, text, content='passages_titled', content_rowid='id', tokenize='porter unicode61')""")
    db.execute("""create trigger passages_ai after insert on passages begin
                      insert into passages_fts(rowid, title, text) values
                      (new.id, (select title from sources where id = new.source_id), new.text); end""")
    db.execute("""create trigger passages_ad after delete on passages begin
                      insert into passages_fts(passages_fts, rowid, title, text) values
                      ('delete', old.id, (select title from sources where id = old.source_id), old.text); end""")
    db.execute("insert into passages_fts(passages_fts) values ('rebuild')")
    db.execute("create virtual table passages_fts_vocab using fts5vocab(passages_fts, 'row')")


MIGRATIONS: list[Migration] = [m001_create_tables, m002_passages_fts, m003_source_credibility, m004_fts_vocab,
                               m005_fts_title]


def library_version(db: sqlite_utils.Database) -> int:
    """A counter bumped on every change to passages, so search caches know when to reload."""
    row = db.execute("select value from meta where key = 'library_version'").fetchone()
    return int(row[0]) if row else 0


def _bump(db: sqlite_utils.Database) -> None:
    db.execute("update meta set value = cast(value as integer) + 1 where key = 'library_version'")


def find_source_by_hash(db: sqlite_utils.Database, digest: str) -> dict | None:
    """The source with this content hash, if any."""
    rows = list(db["sources"].rows_where("content_hash = ?", [digest], limit=1))
    return rows[0] if rows else None


def missing_hashes(db: sqlite_utils.Database, model_id: str, hashes: Iterable[str]) -> set[str]:
    """Which of `hashes` have no vector yet for `model_id`."""
    wanted = set(hashes)
    have: set[str] = set()
    items = list(wanted)
    for i in range(0, len(items), 500):
        part = items[i:i + 500]
        q = f"select content_hash from embeddings where model_id = ? and content_hash in ({','.join('?' * len(part))})"
        have.update(r[0] for r in db.execute(q, [model_id, *part]))
    return wanted - have


def insert_source(db: sqlite_utils.Database, *, title: str, origin: str, url: str | None, kind: str,
                  text: str, digest: str, passages: Sequence[tuple[int, int, str, str]],
                  model_id: str, vectors: dict[str, np.ndarray], credibility: float = 1.0) -> int:
    """Store a source, its passages (start, end, text, hash of the text that was embedded for it)
    and any new vectors in one transaction; return its id. `AlreadyStored` when a source with the
    same content is there (another process may have added it since the caller looked)."""
    with write(db):
        existing = find_source_by_hash(db, digest)
        if existing:
            raise AlreadyStored(existing["id"], existing["title"])
        cur = db.execute(
            "insert into sources (title, origin, url, kind, fetched_at, content_hash, text, credibility) "
            "values (?, ?, ?, ?, ?, ?, ?, ?)",
            [title, origin, url, kind, now_iso(), digest, text, credibility])
        source_id = cur.lastrowid
        db.conn.executemany(
            'insert into passages (source_id, seq, start, "end", text, content_hash) values (?, ?, ?, ?, ?, ?)',
            [(source_id, i, s, e, t, h) for i, (s, e, t, h) in enumerate(passages)])
        _write_vectors(db, model_id, vectors)
        _bump(db)
    return int(source_id)


def list_sources(db: sqlite_utils.Database) -> list[dict]:
    """Every source with its passage count, newest last (no full text)."""
    return [dict(r) for r in db.query(
        "select s.id, s.title, s.origin, s.url, s.kind, s.fetched_at, s.content_hash, s.credibility, "
        "length(s.text) as chars, (select count(*) from passages p where p.source_id = s.id) as passages "
        "from sources s order by s.id")]


def get_source(db: sqlite_utils.Database, source_id: int) -> dict | None:
    """One source row including its text, or None."""
    rows = list(db.query("select * from sources where id = ?", [source_id]))
    return rows[0] if rows else None


def source_passages(db: sqlite_utils.Database, source_id: int) -> list[dict]:
    """The passages of one source, in order."""
    return list(db.query('select id, seq, start, "end", text from passages where source_id = ? order by seq',
                         [source_id]))


def set_credibility(db: sqlite_utils.Database, source_id: int, credibility: float) -> None:
    """Change how much a source is trusted, in [0, 1]."""
    if not 0.0 <= credibility <= 1.0:
        raise ValueError("credibility must be between 0 and 1")
    with write(db):
        db.execute("update sources set credibility = ? where id = ?", [credibility, source_id])


def remove_source(db: sqlite_utils.Database, source_id: int,
                  before_delete: Callable[[sqlite_utils.Database, list[int]], None] | None = None) -> dict | None:
    """Delete a source, its passages, their index rows and vectors nothing else uses."""
    src = get_source(db, source_id)
    if src is None:
        return None
    with write(db):
        ids = [r[0] for r in db.execute("select id from passages where source_id = ?", [source_id])]
        if before_delete:
            before_delete(db, ids)
        hashes = [r[0] for r in db.execute("select distinct content_hash from passages where source_id = ?",
                                           [source_id])]
        db.execute("delete from passages where source_id = ?", [source_id])
        for i in range(0, len(hashes), 500):
            part = hashes[i:i + 500]
            db.execute(f"delete from embeddings where content_hash in ({','.join('?' * len(part))}) "
                       "and content_hash not in (select content_hash from passages)", part)
        db.execute("delete from sources where id = ?", [source_id])
        _bump(db)
    return src


def load_vectors(db: sqlite_utils.Database, model_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(passage ids, matrix) of every passage vector for `model_id`, loaded in one query."""
    rows = db.execute(
        "select p.id, e.vector from passages p join embeddings e "
        "on e.content_hash = p.content_hash and e.model_id = ? order by p.id", [model_id]).fetchall()
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), -1)
    return ids, matrix


def _write_vectors(db: sqlite_utils.Database, model_id: str, vectors: dict[str, np.ndarray]) -> None:
    db.conn.executemany(
        "insert or ignore into embeddings (model_id, content_hash, dims, vector) values (?, ?, ?, ?)",
        [(model_id, h, int(v.shape[0]), np.asarray(v, "<f4").tobytes()) for h, v in vectors.items()])


def put_vectors(db: sqlite_utils.Database, model_id: str, vectors: dict[str, np.ndarray]) -> None:
    """Store vectors keyed by the content hash of the text they embed (existing ones are kept)."""
    with write(db):
        _write_vectors(db, model_id, vectors)


def vectors_for_hashes(db: sqlite_utils.Database, model_id: str, hashes: Sequence[str]) -> np.ndarray:
    """The matrix of the stored vectors of `hashes`, in that order (each must have one)."""
    found: dict[str, bytes] = {}
    uniq = list(dict.fromkeys(hashes))
    for s in range(0, len(uniq), 500):
        part = uniq[s:s + 500]
        found.update(db.execute(f"select content_hash, vector from embeddings where model_id = ? and content_hash in "
                                f"({','.join('?' * len(part))})", [model_id, *part]).fetchall())
    if not hashes:
        return np.zeros((0, 0), dtype=np.float32)
    return np.frombuffer(b"".join(found[h] for h in hashes), dtype="<f4").reshape(len(hashes), -1)


def db_file(db: sqlite_utils.Database) -> str | None:
    """The database's file path, or None for an in-memory database."""
    return db.execute("pragma database_list").fetchone()[2] or None


def vector_ids(db: sqlite_utils.Database, model_id: str) -> np.ndarray:
    """Ids of the passages that have a vector for `model_id` (ids only: cheap even for millions)."""
    rows = db.execute("select p.id from passages p join embeddings e on e.content_hash = p.content_hash "
                      "and e.model_id = ? order by p.id", [model_id]).fetchall()
    return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))


def load_vectors_for(db: sqlite_utils.Database, model_id: str, ids: Sequence[int],
                     batch: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """(passage ids, matrix) for the given passage ids that have a vector for `model_id`."""
    got_ids, blobs = [], []
    ids = [int(i) for i in ids]
    for s in range(0, len(ids), batch):
        part = ids[s:s + batch]
        # by passage id first, then the embedding's primary key (a plain join may scan embeddings)
        rows = db.execute(
            f"select * from (select p.id, (select e.vector from embeddings e where e.model_id = ? and "
            f"e.content_hash = p.content_hash) as vector from passages p where p.id in "
            f"({','.join('?' * len(part))})) where vector is not null order by id",
            [model_id, *part]).fetchall()
        got_ids.extend(r[0] for r in rows)
        blobs.extend(r[1] for r in rows)
    if not got_ids:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
    return np.array(got_ids, dtype=np.int64), np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(got_ids), -1)


def iter_vectors(db: sqlite_utils.Database, model_id: str, batch: int = 50_000):
    """(passage ids, matrix) chunks of every vector for `model_id`, in id order, in bounded memory."""
    last = -1
    while True:
        rows = db.execute(
            "select p.id, e.vector from passages p join embeddings e on e.content_hash = p.content_hash "
            "and e.model_id = ? where p.id > ? order by p.id limit ?", [model_id, last, batch]).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield (np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
               np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), -1))


def term_doc_counts(db: sqlite_utils.Database, terms: Sequence[str]) -> dict[str, int]:
    """How many passages contain each (stemmed) index term; absent terms are left out."""
    terms = list(dict.fromkeys(terms))
    out: dict[str, int] = {}
    for s in range(0, len(terms), 500):
        part = terms[s:s + 500]
        out.update(db.execute(f"select term, doc from passages_fts_vocab where term in ({','.join('?' * len(part))})",
                              part).fetchall())
    return out


def passage_count(db: sqlite_utils.Database) -> int:
    """Number of passages in the library."""
    return db.execute("select count(*) from passages").fetchone()[0]


def fts_search(db: sqlite_utils.Database, query: str, limit: int,
               title_weight: float = 1.0) -> list[tuple[int, float]]:
    """(passage id, BM25 score, higher is better) for an FTS5 query string; the source title
    column counts `title_weight` times as much as the passage text (0: text only)."""
    if not query:
        return []
    if not title_weight:
        query = f"text : ({query})"
    try:
        rows = db.execute(
            "select rowid, bm25(passages_fts, ?, 1.0) as rank from passages_fts where passages_fts match ? "
            "order by rank limit ?", [float(title_weight), query, limit]).fetchall()
    except sqlite3.OperationalError:
        return []
    return [(int(r[0]), -float(r[1])) for r in rows]


def get_passages(db: sqlite_utils.Database, ids: Sequence[int]) -> dict[int, dict]:
    """Passages by id, each with its source's title, origin, url and credibility."""
    out: dict[int, dict] = {}
    ids = list(ids)
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        for r in db.query(
                f'select p.id, p.source_id, p.start, p."end", p.text, s.title as source_title, '
                f"s.origin as source, s.url as source_url, s.credibility from passages p "
                f"join sources s on s.id = p.source_id where p.id in ({','.join('?' * len(part))})", part):
            out[r["id"]] = r
    return out


def library_epoch(db: sqlite_utils.Database) -> str:
    """A token that changes when the whole library is replaced (a restore): indexes built from
    an earlier library must be rebuilt, not updated, since passage ids may now mean other text."""
    row = db.execute("select value from meta where key = 'library_epoch'").fetchone()
    return row[0] if row else ""


def backup(db: sqlite_utils.Database, dest: str | Path) -> int:
    """Copy the live database into the new file `dest` with SQLite's online backup API, one
    consistent snapshot that is safe while other processes read and write; the copy is checked
    and written under a temporary name first. Returns its size in bytes."""
    dest = Path(dest)
    if dest.exists():
        raise DatabaseError(f"{dest} already exists; back up to a new file")
    if not dest.parent.exists():
        raise DatabaseError(f"folder {dest.parent} does not exist")
    tmp = dest.with_name(dest.name + ".partial")
    target = sqlite3.connect(str(tmp))
    try:
        db.conn.backup(target)
        target.execute("PRAGMA journal_mode = delete")  # one self-contained file
        problem = damage(target)
        if problem:
            raise DatabaseError(f"the backup did not check out ({problem}); {dest} not written")
        target.close()
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise DatabaseError(f"backup to {dest} failed: {describe(exc) or exc}") from None
    finally:
        target.close()
        for leftover in (tmp, Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
    return dest.stat().st_size


def check_backup(src: str | Path, namespaces: dict[str, Sequence[Migration]]) -> None:
    """Refuse a backup file that is missing, damaged, not a workbench database or too new."""
    src = Path(src)
    if not src.is_file():
        raise DatabaseError(f"no backup file {src}")
    try:
        source = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open {src}: {describe(exc) or exc}") from None
    try:
        try:
            problem = damage(source)
        except sqlite3.DatabaseError:
            raise DatabaseError(f"{src} is not a SQLite database") from None
        if problem:
            raise DatabaseError(f"{src} is damaged ({problem}); nothing was restored")
        check = sqlite_utils.Database(source)
        if "_migrations" not in check.table_names() or "meta" not in check.table_names():
            raise DatabaseError(f"{src} is not a factcheck database; nothing was restored")
        check_schema(check, namespaces)
    finally:
        source.close()


def restore(dest: sqlite3.Connection, src: str | Path, before: Callable[[], None] | None = None,
            guard: bool = True) -> None:
    """Replace the whole content of the database behind `dest` with the backup file `src`
    (check it with `check_backup` first), through SQLite's backup API: other connections see the
    restored library on their next read.

    The backup is first copied to a temporary file that gets the live database's page size and
    a new library version and epoch (so caches and indexes built before are rebuilt), then that
    copy goes in in one step: content and markers switch together. From the moment `restore`
    starts, other processes' writes are refused ("a restore is under way") so nothing they save
    can fall between `before` (e.g. a safety copy of the current content) and the switch."""
    src = Path(src)
    live = sqlite_utils.Database(dest)
    tmp = Path(tempfile.mkdtemp(prefix="factcheck-restore-")) / "restore.db"
    try:
        if guard:  # (`guard` False: a damaged database, which cannot take the mark)
            with write(live):
                live.execute("insert into meta (key, value) values ('restore_by', ?) "
                             "on conflict(key) do update set value = excluded.value", [str(os.getpid())])
        try:
            if before:
                before()
            try:
                version = library_version(live)
            except sqlite3.DatabaseError:
                version = 0
            page_size = dest.execute("pragma page_size").fetchone()[0]
            source = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True)
            copy = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                source.backup(copy)
                copy.execute("pragma journal_mode = delete")
                if copy.execute("pragma page_size").fetchone()[0] != page_size:
                    copy.execute(f"pragma page_size = {int(page_size)}")
                    copy.execute("vacuum")
                restored = int((copy.execute("select value from meta where key = 'library_version'").fetchone()
                                or [0])[0])
                copy.execute("update meta set value = ? where key = 'library_version'",
                             [str(max(version, restored) + 1)])
                copy.execute("insert into meta (key, value) values ('library_epoch', ?) "
                             "on conflict(key) do update set value = excluded.value", [secrets.token_hex(8)])
                copy.execute("delete from meta where key = 'restore_by'")
            finally:
                source.close()
            copy.backup(dest)
            copy.close()
        except BaseException:
            if guard:
                with write(live):
                    live.execute("delete from meta where key = 'restore_by'")
            raise
    except sqlite3.Error as exc:
        raise DatabaseError(f"restore from {src} failed: {describe(exc) or exc}; nothing was restored") from None
    finally:
        shutil.rmtree(tmp.parent, ignore_errors=True)
