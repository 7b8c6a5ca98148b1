"""Nothing a reviewer does is lost (issue 12): the database beside other processes, under load,
killed half-way, damaged, too new, read-only, on a full disk; backups and restores."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from claims import store
from claims.verdict import Verdict
from sources.errors import DatabaseError

ROOT = Path(__file__).resolve().parent.parent
FACTCHECK = [sys.executable, "-m", "claims.cli"] if not (Path(sys.executable).parent / "factcheck").exists() \
    else [str(Path(sys.executable).parent / "factcheck")]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def factcheck(db: Path, *args: str, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    """The real CLI in its own process, as a user runs it beside the app."""
    return subprocess.run([*FACTCHECK, "--db", str(db), *args], capture_output=True, text=True, env=ENV,
                          timeout=timeout, cwd=kw.pop("cwd", None), **kw)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_other_process(db: Path, sql: str) -> list:
    """What a separate process (the sqlite3 shell, a CLI command) sees, and closes after."""
    code = f"import sqlite3, json; c = sqlite3.connect({str(db)!r}); print(json.dumps(c.execute({sql!r}).fetchall())); c.close()"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def fill(db, n: int = 5) -> list[int]:
    """An article with `n` claims, stored without the models."""
    sents = [f"Line {i} says {i} bridges were built." for i in range(n)]
    claims, hits, pos = [], [], 0
    for i, s in enumerate(sents):
        claims.append(SimpleNamespace(start=pos, end=pos + len(s), text=s, sentence=s, sentence_start=pos,
                                      sentence_end=pos + len(s), type="quantity", checkworthiness=0.5,
                                      quantities_json=lambda: [], entities=[], original=s, spans=[(pos, pos + len(s))]))
        hits.append([SimpleNamespace(passage_id=i + 1, source_id=1, score=0.5, dense_score=0.5, lexical_score=1.0,
                                     text=f"Records list {i} bridges.", source_title="Records", source="r.txt",
                                     source_url=None)])
        pos += len(s) + 1
    _, ids = store.save_check(db, title="T", origin="test", url=None, text=" ".join(sents), claims=claims,
                              evidence=hits, verdicts=[Verdict("NOT_ENOUGH_EVIDENCE", 0.5, "t") for _ in sents],
                              model_id="test")
    return ids


# --- defect 1: the file is never opened by hand while SQLite connections hold it ---------------

def test_opening_again_keeps_every_process_in_sync(db_path):
    """Streamlit opens the database on every rerun while earlier connections live on; a CLI
    command then reads and closes. Before the fix, the second open read the header with a plain
    open()/close(), which dropped this process's SQLite locks: the other process deleted the
    write-ahead log, and every later write of this process was invisible to everyone else."""
    first = store.open_db(db_path)
    store.set_setting(first, "org_name", "first")
    again = store.open_db(db_path)
    assert read_other_process(db_path, "select value from settings") == [["first"]]
    assert Path(f"{db_path}-wal").exists(), "the write-ahead log of a live connection was deleted"
    store.set_setting(first, "org_name", "second")
    assert read_other_process(db_path, "select value from settings") == [["second"]]
    again.close()
    first.close()


def test_no_module_opens_the_database_file_by_hand():
    """Every read of a database file goes through SQLite (plain open() on it drops locks)."""
    offenders = []
    for folder in ("sources", "claims", "app_pages"):
        for py in (ROOT / folder).rglob("*.py"):
            text = py.read_text(encoding="utf-8")
            if "SQLite format 3" in text:
                offenders.append(str(py))
    assert offenders == []


def test_not_sqlite_file_refused_unchanged(tmp_path):
    p = tmp_path / "notes.db"
    p.write_text("these are my notes, not a database\n" * 20)
    before = digest(p)
    with pytest.raises(DatabaseError, match="not a SQLite database"):
        store.open_db(p)
    assert digest(p) == before and not Path(f"{p}-wal").exists()


# --- defect 6: refuse before writing --------------------------------------------------------------

def _old_style_db(path: Path, extra_migration: str | None = None) -> None:
    """A workbench database in rollback-journal mode, as a file copied from elsewhere may be."""
    db = store.open_db(path)
    fill(db, 3)
    db.close()
    conn = sqlite3.connect(path)
    conn.execute("pragma journal_mode = delete")
    if extra_migration:
        conn.execute("insert into _migrations (namespace, name, applied_at) values ('claims', ?, '2030-01-01')",
                     [extra_migration])
        conn.commit()
    conn.close()


def test_newer_schema_refused_without_touching_the_file(tmp_path):
    p = tmp_path / "newer.db"
    _old_style_db(p, extra_migration="m999_from_the_future")
    before = digest(p)
    r = factcheck(p, "claims", "list")
    assert r.returncode == 1
    assert "newer version" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert digest(p) == before, "the refused database was changed (switched to WAL mode before the check)"
    assert not Path(f"{p}-wal").exists()


def _damage(path: Path, table: str = "passages_fts_data", seed: int | None = None) -> None:
    import random

    conn = sqlite3.connect(path)
    page_size = conn.execute("pragma page_size").fetchone()[0]
    root = conn.execute("select rootpage from sqlite_master where name = ?", [table]).fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:  # the test's own deliberate damage; no connection is open
        f.seek((root - 1) * page_size)
        junk = os.urandom(page_size - 4) if seed is None else random.Random(seed).randbytes(page_size - 4)
        f.write(b"\x0d\xff\xff\x00" + junk)


def test_damaged_database_refused_before_a_review_is_written(tmp_path):
    p = tmp_path / "damaged.db"
    _old_style_db(p)
    conn = sqlite3.connect(p)
    claim_id = conn.execute("select min(id) from claims").fetchone()[0]
    conn.close()
    _damage(p, "evidence")
    before = digest(p)
    r = factcheck(p, "review", str(claim_id), "--verdict", "REFUTED", "--reviewer", "ana")
    assert r.returncode == 1, r.stdout
    assert "damaged" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert digest(p) == before


# --- defect 4: many writers, no lock errors ---------------------------------------------------

def test_many_writers_lose_nothing_and_see_no_lock_errors():
    """4 processes x 60 reviews (each fifth also adds evidence: a read before a write), one of them
    opening a second connection as the app does. Before BEGIN IMMEDIATE, add_evidence failed at
    once with 'database is locked' whenever another process wrote between its read and its write."""
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_load.py"), "--processes", "4", "--reviews", "60",
                        "--ingest", "0", "--check", "0", "--json"], capture_output=True, text=True, env=ENV,
                       timeout=300)
    out = json.loads(r.stdout)
    assert out["errors"] == 0, out["error_samples"]
    assert out["reviews_saved"] == 240 and out["lost"] == 0 and out["unexpected_rows"] == 0
    assert out["integrity"] == "ok"


@pytest.mark.slow
def test_reviews_while_ingesting_and_checking(tmp_path):
    """Reviewers, an ingesting process and a checking process on one file, with the real models."""
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_load.py"), "--processes", "3", "--reviews", "40",
                        "--ingest", "2", "--check", "2", "--json"], capture_output=True, text=True, env=ENV,
                       timeout=600)
    out = json.loads(r.stdout)
    assert out["errors"] == 0, out["error_samples"]
    assert out["lost"] == 0 and out["integrity"] == "ok"
    assert out["sources_added"] == 2 and out["articles_checked"] == 2 and out["articles_without_claims"] == 0


def test_write_waits_for_the_lock_then_says_busy_in_one_line(db_path, monkeypatch):
    from sources import store as source_store

    db = store.open_db(db_path)
    ids = fill(db, 2)
    holder = sqlite3.connect(db_path)
    holder.execute("begin immediate")
    monkeypatch.setattr(source_store, "LOCK_WAIT_S", 0.3)
    db.execute("pragma busy_timeout = 100")
    with pytest.raises(DatabaseError, match="busy"):
        store.add_review(db, ids[0], "SUPPORTED", "ana")
    holder.rollback()
    holder.close()
    assert store.add_review(db, ids[0], "SUPPORTED", "ana")
    db.close()


# --- defect 5 and crash safety: killed half-way ------------------------------------------------

LONG_ARTICLE = "\n\n".join(
    f"In {1950 + i}, the council of district {i} said it had built {i * 7 + 3} bridges and {i + 2} schools, "
    f"and its mayor, who took office in {1940 + i}, promised {i + 4} more within {i % 5 + 2} years."
    for i in range(30))


def _kill_at(cmd: list[str], marker: str, delay: float) -> str:
    """Run the CLI, SIGKILL it `delay` s after `marker` appears on its stderr; what it printed."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    seen = b""
    deadline = time.monotonic() + 240
    os.set_blocking(p.stderr.fileno(), False)
    while time.monotonic() < deadline and p.poll() is None:
        chunk = p.stderr.read() or b""
        seen += chunk
        if marker.encode() in seen:
            time.sleep(delay)
            break
        time.sleep(0.01)
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
    p.wait()
    return seen.decode(errors="replace")


def _article_state(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    rows = conn.execute("""select a.id, (select count(*) from claims c where c.article_id = a.id),
        (select count(*) from evidence e join claims c on c.id = e.claim_id where c.article_id = a.id),
        (select count(*) from suggestions s join claims c on c.id = s.claim_id where c.article_id = a.id),
        (select count(*) from matches m join claims c on c.id = m.claim_id where c.article_id = a.id)
        from articles a order by a.id""").fetchall()
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    conn.close()
    return [tuple(r[1:]) for r in rows]


def test_check_failing_while_saving_stores_nothing(tmp_path, demo_db, embedder, nlp, monkeypatch):
    """The article, its claims, evidence, suggestions and "checked before" matches become visible
    in one transaction. Before the fix the matches were committed claim by claim after the rest:
    a check stopped there left a finished-looking article without them (and a re-run a copy)."""
    from claims.article import article_from_text
    from claims.pipeline import check_article

    path = tmp_path / "db.db"
    _copy(demo_db[0], path)
    db = store.open_db(path)
    sentences = LONG_ARTICLE.split("\n\n")[:6]
    store.add_archive(db, [{"claim": s, "verdict": "SUPPORTED", "url": f"https://example.org/{i}"}
                           for i, s in enumerate(sentences)], origin="test")
    before = _article_state(path)
    calls = {"n": 0}
    real = store.save_matches

    def dies_on_the_third(db_, claim_id, matches):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("stopped while saving")
        return real(db_, claim_id, matches)

    monkeypatch.setattr(store, "save_matches", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        check_article(db, article_from_text("\n\n".join(sentences)), embedder, nlp=nlp)
    assert calls["n"] == 3, "the check found too few matches for this test to mean anything"
    assert _article_state(path) == before
    monkeypatch.setattr(store, "save_matches", real)
    result = check_article(db, article_from_text("\n\n".join(sentences)), embedder, nlp=nlp)
    after = _article_state(path)
    assert len(after) == len(before) + 1 and after[-1][3] >= 3
    assert result.article_id == db.execute("select max(id) from articles").fetchone()[0]
    db.close()


@pytest.mark.slow
def test_killed_check_leaves_all_or_nothing(tmp_path, demo_db):
    """SIGKILL during `check` at several points: the article is either absent or complete, and
    the re-run completes. Before the fix, matches were committed claim by claim after the
    article, so a kill left a finished-looking article with some of its data."""
    article = tmp_path / "long.txt"
    article.write_text(LONG_ARTICLE)
    ref_db = tmp_path / "ref.db"
    _copy(demo_db[0], ref_db)
    done = factcheck(ref_db, "check", str(article))
    assert done.returncode == 0, done.stderr
    full = _article_state(ref_db)[-1]
    for marker, delay in (("Searching the library", 0.0), ("Saving", 0.0), ("Saving", 0.03)):
        db = tmp_path / f"kill-{marker[:6]}-{delay}.db"
        _copy(demo_db[0], db)
        baseline = _article_state(db)
        _kill_at([*FACTCHECK, "--db", str(db), "check", str(article)], marker, delay)
        after = _article_state(db)
        assert after[:len(baseline)] == baseline
        assert after[len(baseline):] in ([], [full]), (marker, delay, after[len(baseline):])
        rerun = factcheck(db, "check", str(article))
        assert rerun.returncode == 0, rerun.stderr
        assert _article_state(db)[-1] == full


@pytest.mark.slow
def test_killed_sources_add_leaves_a_consistent_library(tmp_path, demo_db):
    big = tmp_path / "big.txt"
    big.write_text("\n\n".join(f"Paragraph {i}. The harbour of town {i} handled {i * 13} ships in {1900 + i}. "
                               f"Its lighthouse was {i % 40 + 10} metres tall." for i in range(300)))
    for delay in (0.2, 2.0):
        db = tmp_path / f"add-{delay}.db"
        _copy(demo_db[0], db)
        _kill_at([*FACTCHECK, "--db", str(db), "sources", "add", str(big)], "Embedding passages", delay)
        _library_consistent(db)
        r = factcheck(db, "sources", "add", str(big))
        assert r.returncode == 0, r.stderr
        _library_consistent(db)
        conn = sqlite3.connect(db)
        assert conn.execute("select count(*) from sources where origin like '%big.txt'").fetchone()[0] == 1
        conn.close()


def _library_consistent(db: Path) -> None:
    conn = sqlite3.connect(db)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    conn.execute("insert into passages_fts(passages_fts) values ('integrity-check')")
    assert conn.execute("select count(*) from sources s where not exists "
                        "(select 1 from passages p where p.source_id = s.id)").fetchone()[0] == 0
    assert conn.execute("select count(*) from passages p where not exists (select 1 from embeddings e "
                        "where e.content_hash = p.content_hash)").fetchone()[0] == 0
    conn.close()


def _copy(src: Path, dst: Path) -> None:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)


# --- bad input: one clear line, exit 1, the database unchanged -------------------------------

@pytest.fixture
def small_mount(tmp_path):
    """A small tmpfs of our own (CI runs as root), unmounted afterwards."""
    where = tmp_path / "mnt"
    where.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(where)], capture_output=True)
    if r.returncode:  # an unprivileged container cannot mount: say so, the other bad-input tests still run
        pytest.skip(f"cannot mount a small tmpfs here (needs root with CAP_SYS_ADMIN): {r.stderr.decode().strip()}")
    yield where
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_full_disk_is_one_line_and_loses_nothing(small_mount):
    p = small_mount / "full.db"
    db = store.open_db(p)
    ids = fill(db, 3)
    store.add_review(db, ids[0], "SUPPORTED", "ana", note="kept")
    db.close()
    filler = small_mount / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    r = factcheck(p, "review", str(ids[1]), "--verdict", "REFUTED", "--reviewer", "bo",
                  "--note", "x" * 50_000)
    assert r.returncode == 1
    assert len(r.stderr.strip().splitlines()) == 1 and ("full" in r.stderr or "disk" in r.stderr), r.stderr
    filler.unlink()
    conn = sqlite3.connect(p)
    assert conn.execute("select claim_id, verdict, note from reviews").fetchall() == [(ids[0], "SUPPORTED", "kept")]
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_read_only_database_is_one_line_and_unchanged(small_mount):
    p = small_mount / "ro.db"
    db = store.open_db(p)
    ids = fill(db, 2)
    db.close()
    before = digest(p)
    assert subprocess.run(["mount", "-o", "remount,ro", str(small_mount)]).returncode == 0
    try:
        r = factcheck(p, "review", str(ids[0]), "--verdict", "REFUTED", "--reviewer", "bo")
        assert r.returncode == 1
        assert len(r.stderr.strip().splitlines()) == 1 and "read" in r.stderr, r.stderr
        assert digest(p) == before
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_mount)])


def test_huge_paste_is_refused_in_one_line(db, embedder, nlp):
    from claims.article import article_from_text
    from claims.errors import ArticleTooLong
    from claims.pipeline import check_article

    limit = int(store.SETTINGS["max_article_words"][0])
    doc = article_from_text("The bridge is 40 metres long. " * (limit // 6 + 10))
    t = time.perf_counter()
    with pytest.raises(ArticleTooLong, match="words; the limit is"):
        check_article(db, doc, embedder, nlp=nlp)
    assert time.perf_counter() - t < 1.0
    assert db.execute("select count(*) from articles").fetchone()[0] == 0


# --- backups -----------------------------------------------------------------------------------

def test_backup_while_another_process_writes_then_restore(db_path, tmp_path):
    db = store.open_db(db_path)
    ids = fill(db, 4)
    store.add_review(db, ids[0], "SUPPORTED", "ana", note="before the backup")
    writer = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, %r)\n"
        "from claims.store import open_db, add_review\n"
        "db = open_db(%r)\n"
        "for k in range(600):\n"
        "    add_review(db, %d, 'REFUTED', 'bo', note=f'during {k}')\n"
        "    if k == 20: open(%r, 'w').close()\n"
        "    time.sleep(0.01)\n") % (str(ROOT), str(db_path), ids[1], str(tmp_path / "started"))], env=ENV)
    deadline = time.monotonic() + 60
    while not (tmp_path / "started").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    backup = tmp_path / "backup.db"
    r = factcheck(db_path, "backup", str(backup))
    assert r.returncode == 0, r.stderr
    assert writer.wait(timeout=120) == 0
    conn = sqlite3.connect(backup)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert conn.execute("pragma journal_mode").fetchone()[0] == "delete"
    in_backup = conn.execute("select count(*) from reviews").fetchone()[0]
    conn.close()
    assert 1 + 21 <= in_backup < 601, "the backup was not taken while the other process was writing"
    assert factcheck(db_path, "backup", str(backup)).returncode == 1  # never overwrites a file

    store.add_review(db, ids[2], "CONFLICTING", "cy", note="after the backup")
    r = factcheck(db_path, "restore", str(backup), "--yes")
    assert r.returncode == 0, r.stderr
    kept = r.stdout.split("previous content is in ")[1].strip()
    # the connection that was open all along (the app's) sees the restored library
    assert db.execute("select count(*) from reviews").fetchone()[0] == in_backup
    assert db.execute("select count(*) from reviews where note = 'after the backup'").fetchone()[0] == 0
    # and nothing is lost: the content from before the restore is kept beside it
    conn = sqlite3.connect(kept)
    assert conn.execute("select count(*) from reviews where note = 'after the backup'").fetchone()[0] == 1
    conn.close()
    db.close()


@pytest.mark.parametrize("kind", ["missing", "not sqlite", "damaged", "foreign", "newer"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(db_path, tmp_path, kind):
    db = store.open_db(db_path)
    ids = fill(db, 3)
    store.add_review(db, ids[0], "SUPPORTED", "ana")
    db.close()
    bad = tmp_path / "bad.db"
    if kind == "not sqlite":
        bad.write_bytes(b"hello" * 1000)
    elif kind == "foreign":
        sqlite3.connect(bad).execute("create table t (x)").connection.commit()
    elif kind in ("damaged", "newer"):
        _old_style_db(bad, extra_migration="m999_future" if kind == "newer" else None)
        if kind == "damaged":
            _damage(bad, "evidence")
    before = digest(db_path)
    r = factcheck(db_path, "restore", str(bad), "--yes")
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert digest(db_path) == before
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_restore_over_a_damaged_database_needs_force(db_path, tmp_path):
    db = store.open_db(db_path)
    ids = fill(db, 3)
    store.add_review(db, ids[0], "SUPPORTED", "ana", note="good")
    backup = tmp_path / "good.db"
    store.source_store.backup(db, backup)
    db.close()
    conn = sqlite3.connect(db_path)
    conn.execute("pragma journal_mode = delete")
    conn.close()
    _damage(db_path, "evidence")
    r = factcheck(db_path, "restore", str(backup), "--yes")
    assert r.returncode == 1 and "damaged" in r.stderr
    r = factcheck(db_path, "restore", str(backup), "--yes", "--force")
    assert r.returncode == 0, r.stderr
    conn = sqlite3.connect(db_path)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert conn.execute("select note from reviews").fetchall() == [("good",)]
    conn.close()


def test_every_kind_of_damage_is_named_damage_and_force_restores(tmp_path):
    """The damaged page's random bytes decide where SQLite first trips: in the quick_check's
    verdict, inside the check itself ("database disk image is malformed", "string or blob too
    big") or on reading the schema. Each must read as damage (so `restore --force` can overwrite
    it), never as an unusable file (CI once failed on the second kind)."""
    from sources.errors import DatabaseDamaged

    template = tmp_path / "template.db"
    db = store.open_db(template)
    ids = fill(db, 3)
    store.add_review(db, ids[0], "SUPPORTED", "ana", note="good")
    backup = tmp_path / "good.db"
    store.source_store.backup(db, backup)
    db.close()
    conn = sqlite3.connect(template)
    conn.execute("pragma journal_mode = delete")
    conn.close()
    for seed in range(40):
        p = tmp_path / f"damaged-{seed}.db"
        shutil.copy(template, p)
        _damage(p, "evidence", seed=seed)
        with pytest.raises(DatabaseDamaged):
            store.restore(p, backup)
        assert store.restore(p, backup, force=True) is None
        conn = sqlite3.connect(p)
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert conn.execute("select note from reviews").fetchall() == [("good",)]
        conn.close()


def test_restore_makes_the_search_index_rebuild(tmp_path, embedder):
    """A restored library may reuse passage ids for other text: an index built before the restore
    must be rebuilt, not updated."""
    from sources import ann
    from sources import store as source_store
    from sources.library import add_text

    path = tmp_path / "lib.db"
    db = store.open_db(path)
    add_text(db, "The harbour handled 300 ships in 1901.", embedder, title="Harbour")
    backup = tmp_path / "lib-backup.db"
    source_store.backup(db, backup)
    index = ann.get_index(db, embedder.model_id)
    assert len(index) == 1
    source_store.restore(db.conn, backup)
    assert ann.get_index(db, embedder.model_id).built
    db.close()


def test_large_library_checks_the_review_tables_on_open(tmp_path, monkeypatch):
    """Above FULL_CHECK_BYTES only the passage, vector and keyword tables are left out of the
    check on open: damage where reviews are written is still refused."""
    from sources import store as source_store

    monkeypatch.setattr(source_store, "FULL_CHECK_BYTES", 0)
    p = tmp_path / "large.db"
    _old_style_db(p)
    _damage(p, "evidence")
    with pytest.raises(DatabaseError, match="damaged"):
        store.open_db(p)


def test_restore_loses_nothing_another_process_saves_meanwhile(db_path, tmp_path):
    """While a restore runs, another process's saves are refused ("a restore is under way"), not
    lost between the safety copy and the switch: a save that was told it succeeded is either in the
    restored file (made after) or in the kept copy (made before)."""
    db = store.open_db(db_path)
    ids = fill(db, 4)
    db.execute("create table filler (x blob)")
    db.execute("insert into filler values (randomblob(4000))")
    for _ in range(13):
        db.execute("insert into filler select randomblob(4000) from filler")
    backup = tmp_path / "b.db"
    store.source_store.backup(db, backup)
    db.close()
    log = tmp_path / "saved.txt"
    writer = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, %r)\n"
        "from claims.store import open_db, add_review\n"
        "from sources.errors import DatabaseBusy\n"
        "db = open_db(%r); out = open(%r, 'w'); refused = 0\n"
        "end = time.time() + 6\n"
        "k = 0\n"
        "while time.time() < end:\n"
        "    try:\n"
        "        add_review(db, %d, 'REFUTED', 'bo', note=f'n{k}'); out.write(f'n{k}\\n'); out.flush(); k += 1\n"
        "    except DatabaseBusy:\n"
        "        refused += 1\n"
        "    time.sleep(0.002)\n"
        "print(refused)\n") % (str(ROOT), str(db_path), str(log), ids[0])], env=ENV, stdout=subprocess.PIPE, text=True)
    time.sleep(1.0)
    r = factcheck(db_path, "restore", str(backup), "--yes")
    assert r.returncode == 0, r.stderr
    out, _ = writer.communicate(timeout=120)
    kept = r.stdout.split("previous content is in ")[1].strip()
    saved = set(log.read_text().split())
    live = {n for (n,) in sqlite3.connect(db_path).execute("select note from reviews")}
    before = {n for (n,) in sqlite3.connect(kept).execute("select note from reviews")}
    assert saved and saved <= live | before, sorted(saved - live - before)[:5]


def test_restore_into_a_database_with_another_page_size(db_path, tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("pragma page_size = 8192")
    conn.execute("vacuum")
    conn.close()
    db = store.open_db(other)
    fill(db, 2)
    db.close()
    live = store.open_db(db_path)
    fill(live, 3)
    r = factcheck(db_path, "restore", str(other), "--yes")
    assert r.returncode == 0, r.stderr
    assert live.execute("select count(*) from claims").fetchone()[0] == 2
    assert live.execute("pragma integrity_check").fetchone()[0] == "ok"
    live.close()


def test_the_same_source_added_twice_at_once_is_stored_once(db_path):
    from sources import store as source_store
    from sources.errors import AlreadyStored

    db = store.open_db(db_path)
    kw = dict(title="T", origin="o", url=None, kind="text", text="x", digest="d" * 64, passages=[],
              model_id="m", vectors={})
    first = source_store.insert_source(db, **kw)
    with pytest.raises(AlreadyStored) as err:
        source_store.insert_source(db, **kw)
    assert err.value.source_id == first
    db.close()


def test_a_lock_held_inside_this_process_is_a_bug_not_busy():
    from sources import store as source_store

    class Locked(sqlite3.OperationalError):
        sqlite_errorcode = 6  # SQLITE_LOCKED: a table locked by this very connection

    class Busy(sqlite3.OperationalError):
        sqlite_errorcode = 5

    assert source_store.describe(Locked("database table is locked")) is None
    assert "busy" in source_store.describe(Busy("database is locked"))


def test_the_intranet_allowance_is_the_operators(db_path, monkeypatch):
    """Users of the app cannot open the fetch allowance; the stored setting refuses everything
    and link-local (cloud metadata); the environment variable stays the operator's way."""
    from claims.errors import InvalidReview
    from streamlit.testing.v1 import AppTest

    db = store.open_db(db_path)
    for bad in ("0.0.0.0/0", "::/0", "169.254.169.254", "10.0.0.0/8,169.254.0.0/16"):
        with pytest.raises(InvalidReview, match="may not include"):
            store.set_setting(db, "fetch_allow_networks", bad)
    store.set_setting(db, "fetch_allow_networks", "10.0.0.0/8,192.168.1.20")
    db.close()
    monkeypatch.setenv("FACTCHECK_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "app_pages" / "export_page.py"), default_timeout=60).run()
    assert not at.exception
    assert not any(t.key == "setting_fetch_allow_networks" for t in at.text_input)


@pytest.mark.parametrize("page", ["check_page", "review_page", "sources_page", "export_page"])
def test_every_page_says_in_one_line_when_the_database_cannot_be_used(tmp_path, monkeypatch, page):
    from streamlit.testing.v1 import AppTest

    p = tmp_path / "newer.db"
    _old_style_db(p, extra_migration="m999_from_the_future")
    monkeypatch.setenv("FACTCHECK_DB", str(p))
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{page}.py"), default_timeout=60).run()
    assert not at.exception
    assert len(at.error) == 1 and "newer version" in at.error[0].value


def test_an_export_row_never_credits_a_review_with_a_passage_it_did_not_rest_on(db_path):
    """A new user's trial: a REFUTED review with no passage ticked exported the claim's top-ranked
    passage as its evidence, so the verdict read as resting on an unrelated passage."""
    db = store.open_db(db_path)
    ids = fill(db, 3)
    two = [SimpleNamespace(passage_id=p, source_id=1, score=0.5, dense_score=0.5, lexical_score=1.0,
                           text=f"passage {p}", source_title="Records", source="r.txt", source_url=None) for p in (7, 8)]
    claim = SimpleNamespace(start=0, end=4, text="Line", sentence="Line", sentence_start=0, sentence_end=4,
                            type="quantity", checkworthiness=0.5, quantities_json=lambda: [], entities=[],
                            original="Line", spans=[(0, 4)])
    _, (cited,) = store.save_check(db, title="T2", origin="test", url=None, text="Line", claims=[claim],
                                   evidence=[two], verdicts=[Verdict("SUPPORTED", 0.9, "t", passage_id=8, source_id=1)],
                                   model_id="test")
    store.add_review(db, ids[0], "REFUTED", "ana", note="no passage")
    store.add_review(db, ids[1], "SUPPORTED", "ana", passage_id=2)
    rows = {r["claim_id"]: r for r in store.export_rows(db)}
    assert rows[ids[0]]["evidence_passage_id"] is None and rows[ids[0]]["evidence_text"] is None
    assert rows[ids[1]]["evidence_passage_id"] == 2
    assert rows[ids[2]]["evidence_passage_id"] == 3          # unreviewed: the suggestion's passage (its only one)
    assert rows[cited]["evidence_passage_id"] == 8           # unreviewed: the cited passage, not the top-ranked 7
    db.close()
