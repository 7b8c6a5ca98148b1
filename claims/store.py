"""All SQL of the claims side: articles, claims, evidence, suggestions and append-only reviews."""

from __future__ import annotations

import ipaddress
import json
import re
import sqlite3
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import sqlite_utils

from claims.errors import InvalidEdit, InvalidReview, UnknownClaim, WorkflowError
from sources.errors import DatabaseDamaged, DatabaseError
from sources import store as source_store
from sources.store import now_iso

__all__ = ["open_db", "migrate", "save_check", "list_claims", "get_claim", "claim_evidence", "add_review",
           "claim_reviews", "export_rows", "list_articles", "get_article", "stats", "VERDICTS", "claim_queue",
           "get_claims", "claim_types", "reviewers", "latest_review_id", "checked_before", "reviews_since",
           "add_evidence", "claim_state", "record_state", "state_history", "CLAIM_STATES", "UNASSIGNED",
           "get_settings", "set_setting", "SETTINGS", "add_archive", "list_archive", "save_matches",
           "claim_matches", "confirm_match", "confirmed_links", "matching_signature", "matching_corpus",
           "matching_keyword_search", "restore", "OPERATOR_SETTINGS"]

VERDICTS = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_EVIDENCE", "CONFLICTING")


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open the workbench database (sources and claims), migrating both schemas."""
    return source_store.open_db(path, migrations={"claims": MIGRATIONS})


def m001_create_tables(db: sqlite_utils.Database) -> None:
    """Articles, claims, evidence, suggestions and reviews."""
    db.execute("""create table articles (
        id integer primary key, title text not null, origin text not null, url text,
        text text not null, content_hash text not null, checked_at text not null)""")
    db.execute("""create table claims (
        id integer primary key, article_id integer not null references articles(id), seq integer not null,
        start integer not null, "end" integer not null, text text not null, sentence text not null,
        sentence_start integer not null, sentence_end integer not null, type text not null,
        checkworthiness real not null, quantities text not null, entities text not null)""")
    db.execute("create index idx_claims_article on claims(article_id)")
    db.execute("""create table evidence (
        id integer primary key, claim_id integer not null references claims(id), rank integer not null,
        passage_id integer not null, source_id integer not null, score real not null,
        dense_score real, lexical_score real, text text not null, source_title text not null,
        source text not null, source_url text)""")
    db.execute("create index idx_evidence_claim on evidence(claim_id)")
    db.execute("""create table suggestions (
        id integer primary key, claim_id integer not null references claims(id), verdict text not null,
        confidence real not null, rationale text not null, passage_id integer, source_id integer,
        method text not null, model_id text not null, created_at text not null)""")
    db.execute("create index idx_suggestions_claim on suggestions(claim_id)")
    db.execute("""create table reviews (
        id integer primary key, claim_id integer not null references claims(id), verdict text not null,
        note text not null default '', reviewer text not null, passage_id integer,
        evidence_text text, evidence_source_title text, evidence_source text, created_at text not null)""")
    db.execute("create index idx_reviews_claim on reviews(claim_id)")
    # reviews are an audit trail: nobody rewrites or deletes one
    db.execute("""create trigger reviews_no_update before update on reviews
                  begin select raise(abort, 'reviews are append-only'); end""")
    db.execute("""create trigger reviews_no_delete before delete on reviews
                  begin select raise(abort, 'reviews are append-only'); end""")


def m002_claim_spans(db: sqlite_utils.Database) -> None:
    """Atomic claims: the article's own words and their spans next to the self-contained rewrite."""
    db.execute("alter table claims add column original text not null default ''")
    db.execute("alter table claims add column spans text not null default '[]'")
    db.execute("""update claims set original = text, spans = json_array(json_array(start, "end"))""")


def m003_review_passages(db: sqlite_utils.Database) -> None:
    """Reviews name every passage the verdict rests on; evidence a reviewer found by searching
    is stored with who added it."""
    db.execute("alter table reviews add column passage_ids text not null default '[]'")
    db.execute("update reviews set passage_ids = json_array(passage_id) where passage_id is not null")
    db.execute("alter table evidence add column added_by text")
    db.execute("create index idx_reviews_reviewer on reviews(reviewer)")


def m004_settings_archive(db: sqlite_utils.Database) -> None:
    """Team settings (publishing organisation, matching thresholds) and the archive of earlier
    fact-checks imported from ClaimReview or CSV."""
    db.execute("create table settings (key text primary key, value text not null)")
    db.execute("""create table archive (
        id integer primary key, claim text not null, verdict text, rating text, url text, date text,
        publisher text, origin text not null, imported_at text not null, content_hash text not null unique)""")


def m005_matching(db: sqlite_utils.Database) -> None:
    """Previously-checked claim matching: keyword indexes over the archive and over claims, the
    matches found for each new claim, and the links reviewers confirm (append-only)."""
    db.execute("alter table archive add column title text")
    db.execute("""create virtual table archive_fts using fts5(
                      title, claim, content='archive', content_rowid='id', tokenize='porter unicode61')""")
    db.execute("""create trigger archive_ai after insert on archive begin
                      insert into archive_fts(rowid, title, claim) values (new.id, new.title, new.claim); end""")
    db.execute("""create trigger archive_ad after delete on archive begin
                      insert into archive_fts(archive_fts, rowid, title, claim)
                      values ('delete', old.id, old.title, old.claim); end""")
    db.execute("insert into archive_fts(archive_fts) values ('rebuild')")
    db.execute("""create virtual table claims_fts using fts5(
                      text, content='claims', content_rowid='id', tokenize='porter unicode61')""")
    db.execute("""create trigger claims_ai after insert on claims begin
                      insert into claims_fts(rowid, text) values (new.id, new.text); end""")
    db.execute("insert into claims_fts(claims_fts) values ('rebuild')")
    db.execute("""create table matches (
        id integer primary key, claim_id integer not null references claims(id), kind text not null,
        target_id integer not null, similarity real not null, level text not null, created_at text not null)""")
    db.execute("create index idx_matches_claim on matches(claim_id)")
    db.execute("""create table match_links (
        id integer primary key, match_id integer not null references matches(id), reviewer text not null,
        created_at text not null)""")
    db.execute("""create trigger match_links_no_update before update on match_links
                  begin select raise(abort, 'confirmed matches are append-only'); end""")
    db.execute("""create trigger match_links_no_delete before delete on match_links
                  begin select raise(abort, 'confirmed matches are append-only'); end""")


def m006_article_date(db: sqlite_utils.Database) -> None:
    """The article's publication date (ISO day), against which "today" and "last year" are read."""
    db.execute("alter table articles add column published text")


def m007_claimant_author(db: sqlite_utils.Database) -> None:
    """Who makes each claim (the sentence's attribution) and who wrote and published the article."""
    db.execute("alter table claims add column claimant text")
    db.execute("alter table articles add column author text")
    db.execute("alter table articles add column publisher text")


def m008_article_hash_index(db: sqlite_utils.Database) -> None:
    """Finding an article checked before by its text's hash."""
    db.execute("create index if not exists idx_articles_hash on articles(content_hash)")


def m009_article_set_aside(db: sqlite_utils.Database) -> None:
    """The parts of an article's text not read for claims (headline, captions, ...: claims.setaside), as JSON."""
    db.execute("alter table articles add column set_aside text not null default '[]'")


def m010_claim_changes(db: sqlite_utils.Database) -> None:
    """Reviewers' corrections of the extracted claims (issue 17, step 3): each edit, removal, addition,
    split and merge with who, when and why, and the claim as it was (append-only)."""
    db.execute("""create table claim_changes (
        id integer primary key, claim_id integer not null, article_id integer not null, action text not null,
        reviewer text not null, reason text not null default '', before text, after text,
        created_at text not null)""")
    db.execute("create index idx_claim_changes_claim on claim_changes(claim_id)")
    db.execute("create index idx_claim_changes_article on claim_changes(article_id)")
    db.execute("""create trigger claim_changes_no_update before update on claim_changes
                  begin select raise(abort, 'claim changes are append-only'); end""")
    db.execute("""create trigger claim_changes_no_delete before delete on claim_changes
                  begin select raise(abort, 'claim changes are append-only'); end""")


def m011_accounts_workflow(db: sqlite_utils.Database) -> None:
    """Accounts and the review workflow (issue 17, steps 1 and 2): the team's users with a role and a
    bcrypt password hash (a removed user keeps the row, so old reviews still name someone); the
    app's secrets (the sign-in cookie's key); and each claim's state changes, append-only: new ->
    in review (held by an assignee) -> reviewed -> published, a step back or a reopening with a reason."""
    db.execute("""create table users (
        username text primary key, name text not null, role text not null, password_hash text not null,
        created_at text not null, removed_at text)""")
    db.execute("create table app_secrets (key text primary key, value text not null)")
    db.execute("""create table claim_states (
        id integer primary key, claim_id integer not null, state text not null, assignee text,
        actor text not null, reason text not null default '', created_at text not null)""")
    db.execute("create index idx_claim_states_claim on claim_states(claim_id)")
    db.execute("""create trigger claim_states_no_update before update on claim_states
                  begin select raise(abort, 'claim states are append-only'); end""")
    db.execute("""create trigger claim_states_no_delete before delete on claim_states
                  begin select raise(abort, 'claim states are append-only'); end""")


MIGRATIONS = [m001_create_tables, m002_claim_spans, m003_review_passages, m004_settings_archive, m005_matching,
              m006_article_date, m007_claimant_author, m008_article_hash_index, m009_article_set_aside,
              m010_claim_changes, m011_accounts_workflow]

# settings only the operator changes, through the CLI (the app does not show them): who may reach the
# intranet, and whether the app asks for sign-in
OPERATOR_SETTINGS = ("fetch_allow_networks", "sign_in")
SETTINGS = {
    "org_name": ("Unnamed fact-checking team", "the publishing organisation: ClaimReview author"),
    "org_url": ("", "the organisation's home page"),
    "review_url": ("", "base URL of published fact-checks; a claim's review is at BASE/claims/ID"),
    "match_possible": ("0.65", "similarity from which a claim is shown as possibly checked before"),
    "match_same": ("0.80", "similarity from which a claim is the same as one checked before (verdict pre-filled)"),
    "stance_verdicts": ("hint", "hint: the stance model's reading is shown in the reason; suggest: it becomes the "
                                "suggested verdict where the quantity rules have none"),
    "rerank_evidence": ("off", "on: the reranker reorders each claim's top evidence candidates (seconds per "
                               "article; see bench/RESULTS.md for where it helps and hurts); off: the fused order"),
    "suggest_min_probability": ("auto", "SUPPORTED / REFUTED suggestions below this calibrated probability are held "
                                        "back as NOT_ENOUGH_EVIDENCE; auto: the threshold that gave 90% precision "
                                        "on labelled claims (claims/models/calibration.json)"),
    "fetch_allow_networks": ("", "comma-separated networks (CIDR) that URL fetching may reach besides public "
                                 "addresses, e.g. 10.0.0.0/8 for an intranet (also FACTCHECK_ALLOW_NETWORKS)"),
    "checked_before_days": ("0", "only fact-checks and reviews of the last N days count as \"checked before\" "
                                 "(0: any age; a fact-check whose date is not an ISO day, or missing, always counts)"),
    "sign_in": ("off", "on: everyone signs in to the app with a user of `factcheck users` and their role decides "
                       "what they may do; off: no sign-in, for one person on this computer (the app refuses "
                       "visitors from other machines)"),
    "max_article_words": ("150000", "the longest article (in words) a check reads; a longer one is refused with a "
                                    "message, nothing stored (a 100,000-word report takes about a minute on 2 cores)"),
}


def get_settings(db: sqlite_utils.Database) -> dict[str, str]:
    """Every setting, stored value or default."""
    stored = dict(db.execute("select key, value from settings").fetchall())
    return {k: stored.get(k, default) for k, (default, _) in SETTINGS.items()}


def min_probability(settings: dict[str, str]) -> float | None:
    """The `suggest_min_probability` setting as a number, None for auto (the calibration's own)."""
    v = settings.get("suggest_min_probability", "auto")
    return None if v == "auto" else float(v)


def set_setting(db: sqlite_utils.Database, key: str, value: str) -> None:
    """Store one setting; unknown keys are refused."""
    if key not in SETTINGS:
        raise InvalidReview(f"unknown setting {key!r}; settings are {', '.join(SETTINGS)}")
    if key == "stance_verdicts" and value not in ("hint", "suggest"):
        raise InvalidReview(f"stance_verdicts is 'hint' or 'suggest', not {value!r}")
    if key == "suggest_min_probability" and value != "auto":
        try:
            ok = 0.0 <= float(value) <= 1.0
        except ValueError:
            ok = False
        if not ok:
            raise InvalidReview(f"suggest_min_probability is 'auto' or a number from 0 to 1, not {value!r}")
    if key == "rerank_evidence" and value not in ("on", "off"):
        raise InvalidReview(f"rerank_evidence is 'on' or 'off', not {value!r}")
    if key == "fetch_allow_networks":
        from sources.fetch import allowed_networks

        for net in allowed_networks(value, environment=False):
            if net.prefixlen == 0 or net.is_link_local or (net.version == 4 and net.overlaps(
                    ipaddress.ip_network("169.254.0.0/16"))):
                raise InvalidReview(f"fetch_allow_networks may not include {net}: name the intranet networks "
                                    "(for everything, or link-local and metadata addresses, use the "
                                    "FACTCHECK_ALLOW_NETWORKS environment variable)")
    if key == "sign_in":
        if value not in ("on", "off"):
            raise InvalidReview(f"sign_in is 'on' or 'off', not {value!r}")
        if value == "on" and not db.execute("select 1 from users where role = 'admin' and removed_at is null"
                                            ).fetchone():
            raise InvalidReview("sign-in needs an admin first: factcheck users add NAME --role admin")
    if key == "max_article_words" and not (value.isdecimal() and 100 <= int(value) <= 10_000_000):
        raise InvalidReview(f"max_article_words is a whole number of words from 100 to 10,000,000, not {value!r}")
    if key == "checked_before_days" and not (value.isdecimal() and int(value) <= 100_000):
        raise InvalidReview(f"checked_before_days is a whole number of days (0 for any age), not {value!r}")
    if key.startswith("match_"):
        try:
            ok = 0.0 <= float(value) <= 1.0
        except ValueError:
            ok = False
        if not ok:
            raise InvalidReview(f"{key} is a similarity between 0 and 1, not {value!r}")
    with source_store.write(db):
        db.execute("insert into settings (key, value) values (?, ?) on conflict(key) do update set value = excluded.value",
                   [key, str(value)])


def add_archive(db: sqlite_utils.Database, records: Iterable[dict], origin: str) -> tuple[int, int]:
    """Store earlier fact-checks ({"claim", "verdict"?, "rating"?, "url"?, "date"?, "publisher"?});
    the same claim with the same verdict and URL is stored once. (added, already there)."""
    added = seen = 0
    with source_store.write(db):
        for r in records:
            claim = " ".join(str(r.get("claim") or "").split())
            if not claim:
                continue
            key = source_store.content_hash("\x1f".join([claim.lower(), r.get("verdict") or "", r.get("url") or ""]))
            cur = db.execute(
                "insert or ignore into archive (claim, verdict, rating, url, date, publisher, origin, imported_at, "
                "content_hash, title) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [claim, r.get("verdict"), r.get("rating"), r.get("url"), r.get("date"), r.get("publisher"), origin,
                 now_iso(), key, r.get("title")])
            if cur.rowcount:
                added += 1
            else:
                seen += 1
    return added, seen


def save_matches(db: sqlite_utils.Database, claim_id: int, matches: Sequence) -> list[int]:
    """Store the matches of a new claim that reach a threshold (those with a level)."""
    with source_store.write(db):
        return [int(db.execute(
            "insert into matches (claim_id, kind, target_id, similarity, level, created_at) "
            "values (?, ?, ?, ?, ?, ?)", [claim_id, m.kind, m.target_id, m.similarity, m.level,
                                          now_iso()]).lastrowid) for m in matches if m.level]


def claim_matches(db: sqlite_utils.Database, claim_id: int) -> list[dict]:
    """Earlier fact-checks and reviewed claims this claim matched, best first, with what they said
    and whether (and by whom) the match was confirmed."""
    rows = list(db.query("""
        select m.*, coalesce(a.claim, c.text) as text, coalesce(a.verdict, rv.verdict) as verdict,
               a.url as url, coalesce(a.publisher, rv.reviewer) as publisher, coalesce(a.date, rv.created_at) as date,
               (select group_concat(l.reviewer || ' ' || l.created_at, '; ') from match_links l
                where l.match_id = m.id) as confirmed
        from matches m
        left join archive a on m.kind = 'archive' and a.id = m.target_id
        left join claims c on m.kind = 'claim' and c.id = m.target_id
        left join reviews rv on m.kind = 'claim' and rv.id = (select max(id) from reviews where claim_id = m.target_id)
        where m.claim_id = ? order by m.similarity desc""", [claim_id]))
    return rows


def confirm_match(db: sqlite_utils.Database, match_id: int, reviewer: str) -> int:
    """A reviewer confirms that a claim is the one checked before: the link is stored (append-only)
    and shows in both claims' histories."""
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise InvalidReview("confirming a match needs a reviewer name")
    if not db.execute("select 1 from matches where id = ?", [match_id]).fetchone():
        raise InvalidReview(f"no match with id {match_id}")
    with source_store.write(db):
        return int(db.execute("insert into match_links (match_id, reviewer, created_at) values (?, ?, ?)",
                              [match_id, reviewer, now_iso()]).lastrowid)


def confirmed_links(db: sqlite_utils.Database, claim_id: int) -> list[dict]:
    """Confirmed matches that involve this claim, from either side: for its history."""
    return list(db.query("""
        select l.reviewer, l.created_at, m.claim_id, m.kind, m.target_id, m.similarity
        from match_links l join matches m on m.id = l.match_id
        where m.claim_id = ? or (m.kind = 'claim' and m.target_id = ?) order by l.id""", [claim_id, claim_id]))


def matching_signature(db: sqlite_utils.Database) -> tuple:
    """Changes whenever the archive or the reviews change: when a matching cache must reload."""
    a = db.execute("select count(*), coalesce(max(id), 0) from archive").fetchone()
    r = db.execute("select count(*), coalesce(max(id), 0) from reviews").fetchone()
    return tuple(a) + tuple(r)


def matching_corpus(db: sqlite_utils.Database) -> tuple[list[dict], list[dict]]:
    """What new claims are matched against: (archived fact-checks, claims with their latest review)."""
    archived = list(db.query("select id, claim, title, verdict, url, date, publisher from archive"))
    reviewed = list(db.query(
        "select c.id, c.text, a.url, rv.verdict, rv.created_at, rv.reviewer from claims c "
        "join articles a on a.id = c.article_id "
        "join reviews rv on rv.id = (select max(id) from reviews where claim_id = c.id)"))
    return archived, reviewed


def matching_keyword_search(db: sqlite_utils.Database, fts_query: str, limit: int) -> list[tuple[str, int, float]]:
    """(kind "archive" | "claim", id, BM25 score, higher is better) for an FTS5 query over the
    archive (headline and claim) and over reviewed claims, best first."""
    if not fts_query:
        return []
    try:
        out = [("archive", r[0], -r[1]) for r in db.execute(
            "select rowid, bm25(archive_fts) from archive_fts where archive_fts match ? "
            "order by bm25(archive_fts) limit ?", [fts_query, limit]).fetchall()]
        out += [("claim", r[0], -r[1]) for r in db.execute(
            "select f.rowid, bm25(claims_fts) from claims_fts f where claims_fts match ? and exists "
            "(select 1 from reviews r where r.claim_id = f.rowid) order by bm25(claims_fts) limit ?",
            [fts_query, limit]).fetchall()]
    except sqlite3.OperationalError:  # an FTS syntax corner case must not break a check
        return []
    return sorted(out, key=lambda x: -x[2])[:limit]


def list_archive(db: sqlite_utils.Database, limit: int | None = None) -> list[dict]:
    """Archived fact-checks, oldest import first."""
    sql = "select * from archive order by id" + (" limit ?" if limit else "")
    return list(db.query(sql, [limit] if limit else []))


def restore(path: str | Path, src: str | Path, force: bool = False) -> str | None:
    """Replace the database at `path` with the backup `src`. The current content is first backed
    up beside it (the returned file name), so a restore loses nothing; a damaged database is only
    overwritten with `force` (it cannot be copied first)."""
    namespaces = {"sources": source_store.MIGRATIONS, "claims": MIGRATIONS}
    source_store.check_backup(src, namespaces)
    path = Path(path)
    try:
        db = open_db(path)
    except DatabaseDamaged:
        if not force:
            raise
        conn = sqlite3.connect(str(path), timeout=source_store.BUSY_TIMEOUT_S)
        try:
            source_store.restore(conn, src, guard=False)
        finally:
            conn.close()
        open_db(path).close()
        return None
    stamp = now_iso().replace(":", "").replace("+0000", "Z")
    kept = path.with_name(f"{path.stem}.before-restore-{stamp}{path.suffix or '.db'}")
    try:
        source_store.restore(db.conn, src, before=lambda: source_store.backup(db, kept))
        for namespace, steps in namespaces.items():
            source_store.migrate(db, namespace, steps)
    except DatabaseError as exc:
        if kept.exists():
            raise DatabaseError(f"{exc} (the content from before is kept in {kept})") from None
        raise
    finally:
        db.close()
    return str(kept)


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the claims migrations not yet applied."""
    return source_store.migrate(db, "claims", MIGRATIONS)


def save_check(db: sqlite_utils.Database, *, title: str, origin: str, url: str | None, text: str,
               claims: Sequence, evidence: Sequence[Sequence], verdicts: Sequence, model_id: str,
               matches: Sequence[Sequence] = (), published: str | None = None, author: str | None = None,
               publisher: str | None = None, set_aside: Sequence[dict] = ()) -> tuple[int, list[int]]:
    """Store an article with its claims, their evidence, suggestions and earlier fact-checks they
    match in one transaction: a check killed half-way leaves nothing, never a finished-looking
    article with half its data. `set_aside`: the parts not read for claims (`claims.setaside`)."""
    with source_store.write(db):
        article_id = db.execute(
            "insert into articles (title, origin, url, text, content_hash, checked_at, published, author, publisher, "
            "set_aside) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [title, origin, url, text, source_store.content_hash(text), now_iso(), published, author,
             publisher, json.dumps(list(set_aside))]).lastrowid
        claim_ids = _insert_claims(db, article_id, 0, claims, evidence, verdicts, model_id, matches)
    return int(article_id), claim_ids


def _insert_findings(db: sqlite_utils.Database, claim_id: int, hits: Sequence, v, model_id: str) -> None:
    """A claim's evidence (best first) and its suggestion."""
    db.conn.executemany(
        "insert into evidence (claim_id, rank, passage_id, source_id, score, dense_score, lexical_score, "
        "text, source_title, source, source_url) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(claim_id, rank, h.passage_id, h.source_id, h.score, h.dense_score, h.lexical_score, h.text,
          h.source_title, h.source, h.source_url) for rank, h in enumerate(hits, start=1)])
    db.execute(
        "insert into suggestions (claim_id, verdict, confidence, rationale, passage_id, source_id, method, "
        "model_id, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [claim_id, v.label, v.confidence, v.rationale, v.passage_id, v.source_id, v.method, model_id, now_iso()])


def _insert_claims(db: sqlite_utils.Database, article_id: int, first_seq: int, claims: Sequence,
                   evidence: Sequence[Sequence], verdicts: Sequence, model_id: str,
                   matches: Sequence[Sequence] = ()) -> list[int]:
    matches = list(matches) or [[] for _ in claims]
    claim_ids = []
    for seq, (c, hits, v) in enumerate(zip(claims, evidence, verdicts), start=first_seq):
        cid = db.execute(
            'insert into claims (article_id, seq, start, "end", text, sentence, sentence_start, sentence_end, '
            "type, checkworthiness, quantities, entities, original, spans, claimant) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [article_id, seq, c.start, c.end, c.text, c.sentence, c.sentence_start, c.sentence_end, c.type,
             c.checkworthiness, json.dumps(c.quantities_json()), json.dumps(c.entities),
             c.original or c.text, json.dumps([list(sp) for sp in (c.spans or [(c.start, c.end)])]),
             getattr(c, "claimant", None)]).lastrowid
        claim_ids.append(cid)
        _insert_findings(db, cid, hits, v, model_id)
    for cid, ms in zip(claim_ids, matches):
        save_matches(db, cid, ms)
    return claim_ids


def article_asides(db: sqlite_utils.Database, article_id: int) -> list[dict]:
    """The parts of an article not read for claims, in reading order (`claims.setaside.Aside` fields)."""
    row = db.execute("select set_aside from articles where id = ?", [article_id]).fetchone()
    return json.loads(row[0] or "[]") if row else []


def add_claims(db: sqlite_utils.Database, article_id: int, *, claims: Sequence, evidence: Sequence[Sequence],
               verdicts: Sequence, model_id: str, matches: Sequence[Sequence] = (),
               restore_part: int | None = None) -> list[int]:
    """Claims added to a stored article (after its own, in one transaction); `restore_part` (1-based)
    marks that set-aside part as brought back."""
    with source_store.write(db):
        first = db.execute("select coalesce(max(seq), -1) + 1 from claims where article_id = ?",
                           [article_id]).fetchone()[0]
        claim_ids = _insert_claims(db, article_id, first, claims, evidence, verdicts, model_id, matches)
        if restore_part is not None:
            parts = article_asides(db, article_id)
            if 1 <= restore_part <= len(parts):
                parts[restore_part - 1]["restored"] = True
                db.execute("update articles set set_aside = ? where id = ?", [json.dumps(parts), article_id])
    return claim_ids


CHANGE_ACTIONS = ("edit", "remove", "add", "split", "merge")


def _settled(db: sqlite_utils.Database, claim_id: int) -> str | None:
    """Why a claim may no longer be corrected (None if it may): its reviews and confirmed matches
    are the record, and they name it as it is."""
    if db.execute("select 1 from reviews where claim_id = ? limit 1", [claim_id]).fetchone():
        return f"claim {claim_id} has been reviewed, and a reviewed claim stays as its reviews name it"
    if db.execute("select 1 from match_links l join matches m on m.id = l.match_id where m.claim_id = ? limit 1",
                  [claim_id]).fetchone():
        return f"claim {claim_id} has a confirmed earlier fact-check, which names it as it is"
    return None


def _clear_findings(db: sqlite_utils.Database, claim_id: int) -> None:
    """A claim's evidence, suggestions and (unconfirmed) matches, to be found again or dropped."""
    db.execute("delete from evidence where claim_id = ?", [claim_id])
    db.execute("delete from suggestions where claim_id = ?", [claim_id])
    db.execute("delete from matches where claim_id = ?", [claim_id])


def _record_change(db: sqlite_utils.Database, claim_id: int, article_id: int, action: str, reviewer: str,
                   reason: str, before, after) -> int:
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise InvalidEdit("a correction needs a reviewer name")
    return int(db.execute(
        "insert into claim_changes (claim_id, article_id, action, reviewer, reason, before, after, created_at) "
        "values (?, ?, ?, ?, ?, ?, ?, ?)",
        [claim_id, article_id, action, reviewer, (reason or "").strip(),
         None if before is None else json.dumps(before, ensure_ascii=False),
         None if after is None else json.dumps(after, ensure_ascii=False), now_iso()]).lastrowid)


def correctable_claim(db: sqlite_utils.Database, claim_id: int, reviewer: str | None = None) -> dict:
    """The claim, if a reviewer may still correct it; else InvalidEdit (or UnknownClaim) says why.
    With `reviewer`, a claim someone else holds (in review) is refused too: they may be on it now."""
    claim = get_claim(db, claim_id)
    why = _settled(db, claim_id)
    if why:
        raise InvalidEdit(f"{why}: review it, or add a corrected claim beside it")
    st = claim_state(db, claim_id)
    if reviewer and st["state"] == "in_review" and st["assignee"] not in (None, reviewer):
        raise InvalidEdit(f"claim {claim_id} is held by {st['assignee']} (in review): take it over before "
                          "correcting it")
    return claim


def _claim_record(claim: dict) -> dict:
    return {k: claim[k] for k in ("text", "original", "sentence", "start", "end", "spans", "type", "checkworthiness",
                                  "claimant", "suggested_verdict", "rationale") if k in claim}


def change_claim(db: sqlite_utils.Database, claim_id: int, claim, *, evidence: Sequence, verdict, model_id: str,
                 matches: Sequence = (), reviewer: str, reason: str = "", action: str = "edit") -> None:
    """Replace an unreviewed claim's text (and what is read from it) by `claim` (a claims.extract.Claim
    whose spans are the article's words), with the evidence, suggestion and matches found for it;
    the article's words stay stored, the change is recorded."""
    with source_store.write(db):
        before = correctable_claim(db, claim_id, reviewer)
        db.execute('update claims set text = ?, type = ?, checkworthiness = ?, quantities = ?, entities = ?, '
                   'start = ?, "end" = ?, spans = ?, original = ?, sentence = ?, sentence_start = ?, '
                   'sentence_end = ? where id = ?',
                   [claim.text, claim.type, claim.checkworthiness, json.dumps(claim.quantities_json()),
                    json.dumps(claim.entities), claim.start, claim.end,
                    json.dumps([list(sp) for sp in (claim.spans or [(claim.start, claim.end)])]),
                    claim.original or claim.text, claim.sentence, claim.sentence_start, claim.sentence_end,
                    claim_id])
        db.execute("insert into claims_fts(claims_fts, rowid, text) values ('delete', ?, ?)", [claim_id, before["text"]])
        db.execute("insert into claims_fts(rowid, text) values (?, ?)", [claim_id, claim.text])
        _clear_findings(db, claim_id)
        _insert_findings(db, claim_id, evidence, verdict, model_id)
        save_matches(db, claim_id, matches)
        _record_change(db, claim_id, before["article_id"], action, reviewer, reason, _claim_record(before),
                       {"text": claim.text})


def remove_claim(db: sqlite_utils.Database, claim_id: int, *, reviewer: str, reason: str = "",
                 action: str = "remove", into: int | None = None) -> dict:
    """Take an unreviewed claim out of the article (it was no claim, or is said by another): the claim
    as it was is kept in its change record. Returns that claim."""
    with source_store.write(db):
        before = correctable_claim(db, claim_id, reviewer)
        _record_change(db, claim_id, before["article_id"], action, reviewer, reason, _claim_record(before),
                       {"into": into} if into is not None else None)
        _clear_findings(db, claim_id)
        db.execute("insert into claims_fts(claims_fts, rowid, text) values ('delete', ?, ?)", [claim_id, before["text"]])
        db.execute("delete from claims where id = ?", [claim_id])
    return before


def record_added(db: sqlite_utils.Database, claim_ids: Sequence[int], article_id: int, *, reviewer: str,
                 reason: str = "", action: str = "add", source: int | None = None) -> None:
    """The change records of claims a reviewer added (from a fragment of the article, or by a split)."""
    with source_store.write(db):
        for cid in claim_ids:
            text = db.execute("select text from claims where id = ?", [cid]).fetchone()[0]
            _record_change(db, cid, article_id, action, reviewer, reason, None,
                           {"text": text, **({"from": source} if source is not None else {})})


def claim_changes(db: sqlite_utils.Database, *, claim_id: int | None = None,
                  article_id: int | None = None) -> list[dict]:
    """The corrections made to an article's claims (or one claim's), oldest first."""
    where, params = [], []
    if claim_id is not None:
        where.append("claim_id = ?")
        params.append(claim_id)
    if article_id is not None:
        where.append("article_id = ?")
        params.append(article_id)
    sql = "select * from claim_changes" + (" where " + " and ".join(where) if where else "") + " order by id"
    rows = []
    for r in db.query(sql, params):
        r = dict(r)
        r["before"] = json.loads(r["before"]) if r["before"] else None
        r["after"] = json.loads(r["after"]) if r["after"] else None
        rows.append(r)
    return rows


_CLAIM_SELECT = """
select c.id, c.article_id, a.title as article_title, c.seq, c.start, c."end", c.text, c.sentence,
       c.sentence_start, c.sentence_end, c.type, c.checkworthiness, c.quantities, c.entities, c.original, c.spans,
       c.claimant, a.author as article_author, a.publisher as article_publisher, a.published as article_published,
       s.verdict as suggested_verdict, s.confidence, s.rationale, s.passage_id as suggested_passage_id,
       r.verdict as human_verdict, r.reviewer, r.created_at as reviewed_at, r.note,
       r.passage_id as reviewed_passage_id,
       coalesce(st.state, case when r.id is null then 'new' else 'reviewed' end) as state,
       case when st.id is null then r.reviewer when st.state = 'new' then null else st.assignee end as assignee
from claims c join articles a on a.id = c.article_id
left join claim_states st on st.id = (select max(id) from claim_states where claim_id = c.id)
left join suggestions s on s.id = (select max(id) from suggestions where claim_id = c.id)
left join reviews r on r.id = (select max(id) from reviews where claim_id = c.id)
"""


def _claim_row(row: dict) -> dict:
    row = dict(row)
    row["quantities"] = json.loads(row["quantities"])
    row["entities"] = json.loads(row["entities"])
    row["spans"] = json.loads(row["spans"])
    return row


def list_claims(db: sqlite_utils.Database, article_id: int | None = None, limit: int | None = None,
                offset: int = 0) -> list[dict]:
    """Claims with their latest suggestion and latest review, in article order."""
    sql = _CLAIM_SELECT + (" where c.article_id = ?" if article_id is not None else "") + " order by c.id"
    params: list = [article_id] if article_id is not None else []
    if limit is not None:
        sql += " limit ? offset ?"
        params += [limit, offset]
    return [_claim_row(r) for r in db.query(sql, params)]


# "unreviewed": no review yet (new or in review); the others are the workflow's states
QUEUE_STATES = ("all", "unreviewed", "new", "in_review", "reviewed", "published")
UNASSIGNED = "(nobody)"  # the assignee filter's value for claims nobody holds
QUEUE_SORTS = ("checkworthiness", "position")


def claim_queue(db: sqlite_utils.Database, *, article_id: int | None = None, state: str = "all",
                verdict: str | None = None, claim_type: str | None = None, min_checkworthiness: float = 0.0,
                reviewer: str | None = None, sort: str = "checkworthiness", assignee: str | None = None) -> list[int]:
    """Ids of the claims that pass the review filters, in queue order (ids only, so a queue of
    100,000 claims costs one small query). `verdict` matches the latest human verdict, or the
    suggestion where there is none; `reviewer` keeps claims that person has reviewed; `assignee`
    keeps the claims someone holds ("my claims"), UNASSIGNED those nobody holds."""
    if state not in QUEUE_STATES:
        raise InvalidReview(f"unknown state {state!r}; use one of {', '.join(QUEUE_STATES)}")
    if sort not in QUEUE_SORTS:
        raise InvalidReview(f"unknown sort {sort!r}; use one of {', '.join(QUEUE_SORTS)}")
    where, params = ["c.checkworthiness >= ?"], [min_checkworthiness]
    if article_id is not None:
        where.append("c.article_id = ?")
        params.append(article_id)
    if claim_type:
        where.append("c.type = ?")
        params.append(claim_type)
    if state == "unreviewed":
        where.append("not exists (select 1 from reviews r where r.claim_id = c.id)")
    elif state != "all":
        where.append(f"{STATE_SQL} = ?")
        params.append(state)
    if assignee == UNASSIGNED:
        where.append(f"({ASSIGNEE_SQL} is null or {STATE_SQL} = 'new')")
    elif assignee:
        where.append(f"{ASSIGNEE_SQL} = ? and {STATE_SQL} != 'new'")
        params.append(assignee)
    if reviewer:
        where.append("exists (select 1 from reviews r where r.claim_id = c.id and r.reviewer = ?)")
        params.append(reviewer)
    if verdict:
        where.append("""coalesce((select verdict from reviews where id = (select max(id) from reviews
                                   where claim_id = c.id)),
                                 (select verdict from suggestions where id = (select max(id) from suggestions
                                   where claim_id = c.id))) = ?""")
        params.append(verdict)
    order = "c.checkworthiness desc, c.id" if sort == "checkworthiness" else "c.article_id desc, c.id"
    sql = f"select c.id from claims c where {' and '.join(where)} order by {order}"
    return [r[0] for r in db.execute(sql, params).fetchall()]


def get_claims(db: sqlite_utils.Database, claim_ids: Sequence[int]) -> list[dict]:
    """Several claims (a page of the queue) with suggestion and review, in the order given."""
    if not claim_ids:
        return []
    marks = ",".join("?" * len(claim_ids))
    rows = {r["id"]: _claim_row(r) for r in db.query(_CLAIM_SELECT + f" where c.id in ({marks})", list(claim_ids))}
    return [rows[i] for i in claim_ids if i in rows]


def claim_types(db: sqlite_utils.Database) -> list[str]:
    """The claim types present, for a filter."""
    return [r[0] for r in db.execute("select distinct type from claims order by type").fetchall()]


def reviewers(db: sqlite_utils.Database) -> list[str]:
    """Everyone who has reviewed, for a filter."""
    return [r[0] for r in db.execute("select distinct reviewer from reviews order by reviewer").fetchall()]


def latest_review_id(db: sqlite_utils.Database, claim_id: int) -> int:
    """The id of a claim's newest review (0 if none): remember it when a claim is opened."""
    return db.execute("select coalesce(max(id), 0) from reviews where claim_id = ?", [claim_id]).fetchone()[0]


def reviews_since(db: sqlite_utils.Database, claim_id: int, after_id: int, reviewer: str | None = None) -> list[dict]:
    """Reviews of a claim newer than `after_id` by anyone but `reviewer`: someone else's work
    since you opened the claim."""
    return list(db.query("select * from reviews where claim_id = ? and id > ? and reviewer != ? order by id",
                         [claim_id, after_id, reviewer or ""]))


def add_evidence(db: sqlite_utils.Database, claim_id: int, hit, added_by: str) -> bool:
    """Attach a passage a reviewer found by searching to a claim's evidence (after the
    suggested ones); False if it is already there."""
    with source_store.write(db):
        get_claim(db, claim_id)
        if db.execute("select 1 from evidence where claim_id = ? and passage_id = ?",
                      [claim_id, hit.passage_id]).fetchone():
            return False
        rank = db.execute("select coalesce(max(rank), 0) + 1 from evidence where claim_id = ?", [claim_id]).fetchone()[0]
        db.execute("insert into evidence (claim_id, rank, passage_id, source_id, score, dense_score, lexical_score, "
                   "text, source_title, source, source_url, added_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [claim_id, rank, hit.passage_id, hit.source_id, hit.score, hit.dense_score, hit.lexical_score,
                    hit.text, hit.source_title, hit.source, hit.source_url, added_by])
    return True


def get_claim(db: sqlite_utils.Database, claim_id: int) -> dict:
    """One claim with its latest suggestion and review, or `UnknownClaim`."""
    rows = list(db.query(_CLAIM_SELECT + " where c.id = ?", [claim_id]))
    if not rows:
        raise UnknownClaim(f"no claim with id {claim_id}")
    return _claim_row(rows[0])


def claim_evidence(db: sqlite_utils.Database, claim_id: int) -> list[dict]:
    """The stored evidence of a claim, best first."""
    return list(db.query("select * from evidence where claim_id = ? order by rank", [claim_id]))


def claim_reviews(db: sqlite_utils.Database, claim_id: int) -> list[dict]:
    """Every review of a claim, oldest first: its history."""
    return list(db.query("select * from reviews where claim_id = ? order by id", [claim_id]))


def add_review(db: sqlite_utils.Database, claim_id: int, verdict: str, reviewer: str, note: str = "",
               passage_id: int | None = None, passage_ids: Sequence[int] = (), take_over: bool = False) -> int:
    """Append a human verdict; the passages it rests on are named (`passage_ids`, the first is the
    main one unless `passage_id` says otherwise) and the main one is snapshotted so the review
    stays traceable. The claim is then reviewed (its state); a published claim is refused, and so is
    one in review held by someone else unless `take_over`."""
    passage_ids = list(dict.fromkeys(int(p) for p in passage_ids))
    if passage_id is None and passage_ids:
        passage_id = passage_ids[0]
    if passage_id is not None and passage_id not in passage_ids:
        passage_ids.insert(0, passage_id)
    verdict = (verdict or "").strip().upper()
    if verdict not in VERDICTS:
        raise InvalidReview(f"unknown verdict {verdict!r}; use one of {', '.join(VERDICTS)}")
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise InvalidReview("a review needs a reviewer name")
    with source_store.write(db):
        get_claim(db, claim_id)
        # the workflow (issue 17): a published claim is reopened before it is reviewed again, and a
        # claim someone else holds is taken over first, so nobody finds out only after saving
        st = claim_state(db, claim_id)
        if st["state"] == "published":
            raise WorkflowError(f"claim {claim_id} is published: reopen it (with a reason) before reviewing it again")
        if st["state"] == "in_review" and st["assignee"] and st["assignee"] != reviewer and not take_over:
            raise WorkflowError(f"claim {claim_id} is held by {st['assignee']} (in review since "
                                f"{st['since'][:16].replace('T', ' ')} UTC): take it over first")
        ev = None
        if passage_id is not None:
            rows = list(db.query("select * from evidence where claim_id = ? and passage_id = ? limit 1",
                                 [claim_id, passage_id]))
            if rows:
                ev = rows[0]
            else:
                live = source_store.get_passages(db, [passage_id]).get(passage_id)
                if live is None:
                    raise InvalidReview(f"no passage with id {passage_id}")
                ev = {"text": live["text"], "source_title": live["source_title"],
                      "source": live["source_url"] or live["source"]}
        rid = int(db.execute(
            "insert into reviews (claim_id, verdict, note, reviewer, passage_id, evidence_text, "
            "evidence_source_title, evidence_source, created_at, passage_ids) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [claim_id, verdict, note or "", reviewer, passage_id, ev and ev["text"], ev and ev["source_title"],
             ev and (ev.get("source_url") or ev["source"]), now_iso(), json.dumps(passage_ids)]).lastrowid)
        record_state(db, claim_id, "reviewed", assignee=reviewer, actor=reviewer,
                     reason=f"took it over from {st['assignee']}" if take_over and st["assignee"] not in (None, reviewer)
                     and st["state"] == "in_review" else "")
        return rid


CLAIM_STATES = ("new", "in_review", "reviewed", "published")
# a claim's state: its newest state change; before any, "reviewed" if it has a review, else "new"
STATE_SQL = """coalesce((select s.state from claim_states s where s.id = (select max(id) from claim_states
                          where claim_id = c.id)),
                         case when exists (select 1 from reviews r where r.claim_id = c.id) then 'reviewed'
                              else 'new' end)"""
ASSIGNEE_SQL = """(select s.assignee from claim_states s where s.id = (select max(id) from claim_states
                   where claim_id = c.id))"""


def claim_state(db: sqlite_utils.Database, claim_id: int) -> dict:
    """A claim's state now: {state, assignee, since, by, reason}."""
    row = db.execute("select state, assignee, created_at, actor, reason from claim_states where claim_id = ? "
                     "order by id desc limit 1", [claim_id]).fetchone()
    if row:
        return {"state": row[0], "assignee": row[1], "since": row[2], "by": row[3], "reason": row[4]}
    last = db.execute("select reviewer, created_at from reviews where claim_id = ? order by id desc limit 1",
                      [claim_id]).fetchone()
    if last:
        return {"state": "reviewed", "assignee": last[0], "since": last[1], "by": last[0], "reason": ""}
    return {"state": "new", "assignee": None, "since": None, "by": None, "reason": ""}


def record_state(db: sqlite_utils.Database, claim_id: int, state: str, *, assignee: str | None, actor: str,
                 reason: str = "") -> int:
    """Append a state change (inside the caller's write transaction)."""
    if state not in CLAIM_STATES:
        raise WorkflowError(f"unknown state {state!r}; states are {', '.join(CLAIM_STATES)}")
    return int(db.execute("insert into claim_states (claim_id, state, assignee, actor, reason, created_at) "
                          "values (?, ?, ?, ?, ?, ?)",
                          [claim_id, state, assignee, actor, reason or "", now_iso()]).lastrowid)


def state_history(db: sqlite_utils.Database, claim_id: int | None = None, *,
                  article_id: int | None = None) -> list[dict]:
    """Every state change of a claim (or of an article's claims), oldest first."""
    if claim_id is not None:
        return list(db.query("select * from claim_states where claim_id = ? order by id", [claim_id]))
    return list(db.query("select s.* from claim_states s join claims c on c.id = s.claim_id where c.article_id = ? "
                         "order by s.id", [article_id]))


ARTICLE_ROWS = ("select a.id, a.title, a.origin, a.url, a.checked_at, a.published, "
                "(select count(*) from claims c where c.article_id = a.id) as claims, "
                "(select count(distinct r.claim_id) from reviews r join claims c on c.id = r.claim_id "
                " where c.article_id = a.id) as reviewed from articles a")


def list_articles(db: sqlite_utils.Database) -> list[dict]:
    """Articles with claim and review counts, newest first."""
    return list(db.query(ARTICLE_ROWS + " order by a.id desc"))


NEAR_SHARE = 0.8          # share of sentences two texts have in common from which they are one article
NEAR_CANDIDATES = 500     # the most recent articles of about the same length that are compared


def _sentence_keys(text: str) -> set[str]:
    """The text's sentences of four words or more, lower-cased with spaces collapsed."""
    parts = re.split(r"(?<=[.!?…])\s+|\n\s*\n", text)
    return {k for k in (" ".join(p.lower().split()) for p in parts) if len(k.split()) >= 4}


def checked_before(db: sqlite_utils.Database, text: str, published: str | None = None) -> dict | None:
    """The stored article with this very text and publication date (`exact`: True; the same text
    read against another date is another check), else the most recent one with the same text or of
    about the same length sharing at least NEAR_SHARE of its sentences with it (`share`), else None.
    Each with id, title, checked_at, published, claims and reviewed (claims with a review)."""
    def summary(article_id: int, exact: bool, share: float, same_text: bool) -> dict:
        return {**list_articles_by_id(db, [article_id])[0], "exact": exact, "share": round(share, 3),
                "same_text": same_text}

    rows = db.execute("select id, published from articles where content_hash = ? order by id desc",
                      [source_store.content_hash(text)]).fetchall()
    same_day = [i for i, day in rows if (day or None) == (published or None)]
    if rows:
        return summary(same_day[0] if same_day else rows[0][0], bool(same_day), 1.0, True)
    ours = _sentence_keys(text)
    if len(ours) < 3:
        return None  # too short to call two texts one article by their sentences
    n = len(text)
    for article_id, other in db.execute(
            "select id, text from articles where length(text) between ? and ? order by id desc limit ?",
            [n // 2, n * 2, NEAR_CANDIDATES]):
        theirs = _sentence_keys(other)
        share = len(ours & theirs) / max(len(ours), len(theirs), 1)
        if share >= NEAR_SHARE:
            return summary(article_id, False, share, False)
    return None


def list_articles_by_id(db: sqlite_utils.Database, ids: Sequence[int]) -> list[dict]:
    """`list_articles` rows of these articles."""
    marks = ", ".join("?" for _ in ids)
    return list(db.query(ARTICLE_ROWS + f" where a.id in ({marks}) order by a.id desc", list(ids)))


def get_article(db: sqlite_utils.Database, article_id: int) -> dict | None:
    """One article including its text."""
    rows = list(db.query("select * from articles where id = ?", [article_id]))
    return rows[0] if rows else None


def stats(db: sqlite_utils.Database) -> dict:
    """Counts for a dashboard: claims, reviewed claims, latest human verdicts by label."""
    total = db.execute("select count(*) from claims").fetchone()[0]
    by = dict(db.execute(
        "select r.verdict, count(*) from reviews r where r.id in (select max(id) from reviews group by claim_id) "
        "group by r.verdict").fetchall())
    return {"claims": total, "reviewed": sum(by.values()), "by_verdict": by}


def export_rows(db: sqlite_utils.Database, article_id: int | None = None,
                reviewed_only: bool = False) -> Iterator[dict]:
    """One row per claim for export, streamed: claim, suggestion, latest review, chosen or top evidence."""
    where = []
    params: list = []
    if article_id is not None:
        where.append("c.article_id = ?")
        params.append(article_id)
    if reviewed_only:
        where.append("r.id is not null")
    sql = f"""
    select a.id as article_id, a.title as article_title, coalesce(a.url, a.origin) as article_source,
           a.url as article_url, a.checked_at as article_checked_at, a.published as article_published,
           a.author as article_author, a.publisher as article_publisher,
           c.id as claim_id, c.text as claim, c.original as claim_original, c.claimant, c.sentence, c.start, c."end",
           c.type, c.checkworthiness,
           s.verdict as suggested_verdict, s.confidence as suggestion_confidence, s.rationale as suggestion_rationale,
           r.verdict as human_verdict, r.reviewer, r.created_at as reviewed_at, r.note,
           coalesce(r.passage_id, e.passage_id) as evidence_passage_id,
           coalesce(r.evidence_text, e.text) as evidence_text,
           coalesce(r.evidence_source_title, e.source_title) as evidence_source_title,
           coalesce(r.evidence_source, e.source_url, e.source) as evidence_source,
           case when r.passage_id is null then e.score
                else (select score from evidence where claim_id = c.id and passage_id = r.passage_id limit 1)
           end as evidence_score
    from claims c join articles a on a.id = c.article_id
    left join suggestions s on s.id = (select max(id) from suggestions where claim_id = c.id)
    left join reviews r on r.id = (select max(id) from reviews where claim_id = c.id)
    -- the passage a row shows: the one the latest review rests on; a review that rests on none shows
    -- none (it is no reviewer's word for an unrelated passage); an unreviewed claim shows the passage
    -- its suggestion cites, else its best-ranked one
    left join evidence cited on r.id is null and cited.claim_id = c.id and cited.passage_id = s.passage_id
    left join evidence e on r.id is null and e.claim_id = c.id and e.rank = (
        case when cited.id is not null then cited.rank else 1 end)
    {"where " + " and ".join(where) if where else ""}
    order by c.id"""
    yield from db.query(sql, params)
