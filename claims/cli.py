"""The `factcheck` command line: a thin shell over `sources` and `claims`."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sqlite3
import sys

import click

from claims import __version__

DEFAULT_DB = "factcheck.db"


class Ctx:
    """What every command needs: the database path, opened lazily."""

    def __init__(self, db_path: str):
        self.db_path = db_path
        self._db = None

    @property
    def db(self):
        if self._db is None:
            from claims.store import open_db

            self._db = open_db(self.db_path)
        return self._db


def user_errors(fn):
    """Turn library errors into one clear line on stderr and exit status 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from sources.errors import SourceError

        try:
            return fn(*args, **kwargs)
        except SourceError as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.Error as exc:
            raise click.ClickException(f"database error: {exc}") from None
        except OSError as exc:
            raise click.ClickException(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from None

    return wrapper


def _embedder(model: str | None = None):
    from sources.embed import get_embedder

    return get_embedder(model)


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _stages(bar):
    """A pipeline progress callback (stage, fraction done) that moves a 100-step bar."""
    state = {"done": 0}

    def progress(stage: str, frac: float) -> None:
        bar.label = stage
        n = int(frac * 100)
        bar.update(n - state["done"])
        state["done"] = n

    return progress


def _bar(label: str, length: int):
    return click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True)


def _follow(bar):
    """A (done, total) progress callback that drives a click progress bar."""
    state = {"done": 0}

    def progress(done, total):
        bar.length = total
        bar.update(done - state["done"])
        state["done"] = done

    return progress


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="factcheck")
@click.option("--db", "db_path", envvar="FACTCHECK_DB", default=DEFAULT_DB, show_default=True,
              type=click.Path(dir_okay=False), help="SQLite database file (env FACTCHECK_DB).")
@click.pass_context
def cli(ctx, db_path):
    """Fact-checking workbench: find the claims in an article, the evidence in your trusted
    sources, and record verdicts.

    \b
    Example:
        factcheck demo
        factcheck check article.txt
        factcheck review 3 --verdict REFUTED --reviewer ana --note "term was 10 years"
        factcheck export -o verdicts.csv
    """
    ctx.obj = Ctx(db_path)


@cli.group()
def sources():
    """Manage the library of trusted reference sources."""


@sources.command("add")
@click.argument("specs", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.option("--title", help="Title to store (default: from the document).")
@click.option("--credibility", type=click.FloatRange(0, 1), default=1.0, show_default=True,
              help="How much verdicts trust this source, 0..1.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.pass_obj
@user_errors
def sources_add(obj, specs, title, credibility, as_json):
    """Add sources from files (.txt, .md, .html, .pdf), http(s) URLs or - (stdin).

    Adding the same content again is a no-op that says so.

    \b
    Example:
        factcheck sources add nato.md https://example.org/nato.html
    """
    from sources.errors import SourceError
    from claims.store import get_settings
    from sources.library import add_documents, read_source

    db = obj.db
    allow = get_settings(db)["fetch_allow_networks"]
    docs, results, failed = [], [], 0
    for spec in specs:
        try:
            docs.append(read_source(spec, title=title, allow_networks=allow))
        except SourceError as exc:
            failed += 1
            results.append({"origin": spec, "error": str(exc)})
            click.echo(f"Error: {exc}", err=True)
    if docs:
        embedder = _embedder()
        with _bar("Embedding passages", 1) as bar:
            added = add_documents(db, docs, embedder, credibility=credibility, progress=_follow(bar))
        for r in added:
            results.append(r.to_dict())
            if not as_json:
                click.echo(r.message if r.added else f"skipped {r.origin}: {r.message}")
    if as_json:
        _echo_json({"results": results})
    if failed:
        sys.exit(1)


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@user_errors
def sources_list(obj, as_json):
    """List the sources in the library with their passage counts."""
    from sources.store import list_sources

    rows = list_sources(obj.db)
    if as_json:
        _echo_json({"sources": rows})
        return
    if not rows:
        click.echo("The library is empty. Add sources with: factcheck sources add PATH_OR_URL")
        return
    click.echo(f"{'id':>4}  {'passages':>8}  {'cred':>4}  {'added':<20}  title / origin")
    for r in rows:
        click.echo(f"{r['id']:>4}  {r['passages']:>8}  {r['credibility']:>4.2g}  {r['fetched_at'][:19]:<20}  "
                   f"{r['title'][:50]}  ({r['url'] or r['origin']})")


@sources.command("remove")
@click.argument("source_id", type=int)
@click.pass_obj
@user_errors
def sources_remove(obj, source_id):
    """Remove a source with its passages, vectors and keyword-index rows."""
    from sources.library import remove_source

    src = remove_source(obj.db, source_id)
    click.echo(f"removed source {source_id} ({src['title']})")


@sources.command("credibility")
@click.argument("source_id", type=int)
@click.argument("value", type=click.FloatRange(0, 1))
@click.pass_obj
@user_errors
def sources_credibility(obj, source_id, value):
    """Set how much verdicts trust a source (0..1)."""
    from sources.errors import SourceError
    from sources.store import get_source, set_credibility

    if get_source(obj.db, source_id) is None:
        raise SourceError(f"no source with id {source_id}")
    set_credibility(obj.db, source_id, value)
    click.echo(f"source {source_id} credibility set to {value:g}")


@cli.command()
@click.argument("spec", metavar="PATH_OR_URL_OR_-")
@click.option("--title", help="Article title (default: from the document).")
@click.option("--top-k", type=click.IntRange(1, 50), default=5, show_default=True,
              help="Evidence passages kept per claim.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Check-worthiness threshold (default: the shipped model's, see claims/models/).")
@click.option("--date", "published", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The article's publication date, YYYY-MM-DD (default: the page's own, if it gives one); "
                   "\"today\" and \"in the last two years\" are read against it.")
@click.option("--again", is_flag=True,
              help="Check and store the text even if the same text is stored as an article already.")
@click.option("--keep-all", is_flag=True,
              help="Read every part for claims, also the headline, captions, bylines and links to other stories "
                   "that are otherwise left out (and listed).")
@click.option("--json", "as_json", is_flag=True, help="Print the claims, evidence and verdicts as JSON.")
@click.pass_obj
@user_errors
def check(obj, spec, title, top_k, threshold, published, again, keep_all, as_json):
    """Check an article: extract claims, find evidence, suggest verdicts, store everything.

    SPEC is a file, an http(s) URL, or - to read standard input. A text checked before is not stored
    again: the stored article is shown (with its reviews) unless --again is given. Parts that are not
    the article's own text (headline, byline, captions, newsletter boxes, links to other stories, an
    embedded post's name and date, a short passage about something else) are left out of the claims
    and listed; `factcheck bring-back` reads one of them.

    \b
    Example:
        factcheck check article.md
        curl -s https://example.org/story | factcheck check - --json
    """
    from claims.article import load_article
    from claims.errors import AlreadyChecked
    from claims.pipeline import check_article, result_json, stored_result_json
    from claims.store import get_settings

    doc, url = load_article(spec, title=title, allow_networks=get_settings(obj.db)["fetch_allow_networks"])
    if published is not None:
        doc = dataclasses.replace(doc, date=published.date().isoformat())
    db = obj.db
    embedder = _embedder()
    with _bar("Checking", 100) as bar:
        try:
            r = check_article(db, doc, embedder, url=url, top_k=top_k, threshold=threshold, progress=_stages(bar),
                              again=again, keep_all=keep_all)
        except AlreadyChecked as exc:
            r = None
            before = exc.article
    if r is None:
        data = stored_result_json(db, before["id"])
        notice = (f"this text was checked on {before['checked_at']} ({before['claims']} claims, "
                  f"{before['reviewed']} reviewed): nothing new was stored; add --again to check it anew")
        data.update(message=notice, earlier_article=before)
        if as_json:
            _echo_json(data)
            return
        click.echo(f"Article {before['id']}: {before['title']} — {notice}")
        for c in data["claims"]:
            human = f", reviewed {c['human_verdict']} by {c['reviewer']}" if c["human_verdict"] else ""
            click.echo(f"\n[{c['id']}] {c['text']}\n     {c['verdict']} ({c['confidence']:.2f}){human}")
        return
    data = result_json(r)
    if as_json:
        _echo_json(data)
        return
    about = ", ".join(x for x in (f"by {r.author}" if r.author else "", r.publisher or "",
                                  f"published {r.published}" if r.published else "") if x)
    click.echo(f"Article {r.article_id}: {r.title}{f' ({about})' if about else ''} — {len(r.claims)} claims")
    _echo_result(r, data)


def _echo_result(r, data: dict) -> None:
    from claims.pipeline import aside_lines

    if r.message:
        click.echo(r.message)
    for line in aside_lines(r.set_aside, r.article_id):
        click.echo(line)
    for c in data["claims"]:
        click.echo(f"\n[{c['id']}] {c['text']}")
        if c["claimant"]:
            click.echo(f"     claimed by {c['claimant']}")
        click.echo(f"     {c['type']}, check-worthiness {c['checkworthiness']:.2f} -> {c['verdict']} "
                   f"({c['confidence']:.2f})")
        click.echo(f"     {c['rationale']}")


@cli.command("bring-back")
@click.argument("article_id", type=int)
@click.argument("part", type=click.IntRange(1))
@click.option("--top-k", type=click.IntRange(1, 50), default=5, show_default=True,
              help="Evidence passages kept per claim.")
@click.option("--json", "as_json", is_flag=True, help="Print the new claims, evidence and verdicts as JSON.")
@click.pass_obj
@user_errors
def bring_back_cmd(obj, article_id, part, top_k, as_json):
    """Read a part that a check left out of the claims (its headline, a caption, a passage taken for
    another story's teaser): its claims are found, searched and suggested, and added to the article.

    PART is the number `check` listed ("part 2, headline: ...").

    \b
    Example:
        factcheck bring-back 3 1
    """
    from claims.pipeline import bring_back, result_json

    with _bar("Reading the part", 100) as bar:
        r = bring_back(obj.db, article_id, part, _embedder(), top_k=top_k, progress=_stages(bar))
    data = result_json(r)
    if as_json:
        _echo_json(data)
        return
    click.echo(f"Article {r.article_id}: {r.title} — {len(r.claims)} new claim{'' if len(r.claims) == 1 else 's'}")
    _echo_result(r, data)


@cli.group()
def claims():
    """Stored claims: list, correct, and move through review (assign, step back, publish, reopen)."""


@claims.command("list")
@click.option("--article", "article_id", type=int, help="Only claims of this article.")
@click.option("--state", type=click.Choice(["new", "in_review", "reviewed", "published"]),
              help="Only claims in this workflow state.")
@click.option("--assignee", help="Only claims this person holds (`--assignee me`: yours).")
@click.option("--reviewer", envvar="FACTCHECK_REVIEWER", default=None, hidden=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@user_errors
def claims_list(obj, article_id, state, assignee, reviewer, as_json):
    """List claims with their suggested and human verdicts, workflow state and who holds them.

    \b
    Example:
        factcheck claims list --state in_review --assignee me
    """
    from claims.store import get_claims, claim_queue, list_claims

    if state or assignee:
        who = _who(reviewer) if assignee == "me" else assignee
        rows = get_claims(obj.db, sorted(claim_queue(obj.db, article_id=article_id, state=state or "all",
                                                     assignee=who)))
    else:
        rows = list_claims(obj.db, article_id=article_id)
    if as_json:
        _echo_json({"claims": rows})
        return
    if not rows:
        click.echo("No claims yet. Check an article with: factcheck check PATH_OR_URL")
        return
    for r in rows:
        human = r["human_verdict"] or "-"
        held = f" ({r['assignee']})" if r["assignee"] and r["state"] != "new" else ""
        click.echo(f"{r['id']:>5}  art {r['article_id']:<3}  {r['suggested_verdict'] or '-':<19}  {human:<19}  "
                   f"{(r['state'].replace('_', ' ') + held)[:24]:<24}  {r['text'][:70]}")


_REVIEWER = click.option("--reviewer", envvar="FACTCHECK_REVIEWER", default=None,
                         help="Your name (env FACTCHECK_REVIEWER; default: your login name).")
_REASON = click.option("--reason", default="", help="Why, for the record.")


def _who(reviewer):
    return reviewer or os.environ.get("USER") or "reviewer"


def _actor(db, reviewer, action: str) -> dict:
    """Who a command acts as: with sign-in on, a user whose role allows `action` (claims.accounts)."""
    from claims.accounts import acting_user

    return acting_user(db, _who(reviewer), action)


def _echo_claim(c: dict, as_json: bool, verb: str) -> None:
    if as_json:
        _echo_json({"claim": {k: c[k] for k in ("id", "article_id", "text", "original", "checkworthiness", "type",
                                                "suggested_verdict", "rationale", "suggested_passage_id")}})
        return
    click.echo(f"claim {c['id']} {verb}: {c['text']}")
    click.echo(f"  suggested {c['suggested_verdict'] or '-'}: {c['rationale'] or ''}")


@claims.command("edit")
@click.argument("claim_id", type=int)
@click.argument("text")
@_REVIEWER
@_REASON
@click.option("--json", "as_json", is_flag=True, help="Print the corrected claim as JSON.")
@click.pass_obj
@user_errors
def claims_edit(obj, claim_id, text, reviewer, reason, as_json):
    """Correct an unreviewed claim's text (the article's words stay stored); it is searched and
    suggested again, and the change is recorded.

    \b
    Example:
        factcheck claims edit 7 "Joseph Luns led NATO from 1971 to 1984." --reason "rewrite named the wrong man"
    """
    from claims.editing import edit_claim

    _echo_claim(edit_claim(obj.db, claim_id, text, _embedder(), reviewer=_actor(obj.db, reviewer, "correct")["username"], reason=reason),
                as_json, "corrected")


@claims.command("remove")
@click.argument("claim_id", type=int)
@_REVIEWER
@_REASON
@click.pass_obj
@user_errors
def claims_remove(obj, claim_id, reviewer, reason):
    """Take an unreviewed claim out of its article (not a claim, or not the article's); the claim as
    it was is kept in the record (`factcheck claims history`)."""
    from claims.editing import remove_claim

    c = remove_claim(obj.db, claim_id, reviewer=_actor(obj.db, reviewer, "correct")["username"], reason=reason)
    click.echo(f"removed claim {claim_id} of article {c['article_id']}: {c['text']}")


@claims.command("add")
@click.argument("article_id", type=int)
@click.argument("fragment")
@click.option("--as", "text", default=None, help="The claim in self-contained words, if the fragment alone is not.")
@_REVIEWER
@_REASON
@click.option("--json", "as_json", is_flag=True, help="Print the new claim as JSON.")
@click.pass_obj
@user_errors
def claims_add(obj, article_id, fragment, text, reviewer, reason, as_json):
    """Add a claim the check missed, from a FRAGMENT of the article's own words (copied as they
    stand); it is searched and suggested like the others.

    \b
    Example:
        factcheck claims add 3 "spent 12 years in charge" --as "Joseph Luns spent 12 years in charge of NATO."
    """
    from claims.editing import add_claim

    _echo_claim(add_claim(obj.db, article_id, fragment, _embedder(), reviewer=_actor(obj.db, reviewer, "correct")["username"], text=text,
                          reason=reason), as_json, "added")


@claims.command("split")
@click.argument("claim_id", type=int)
@click.argument("texts", nargs=-1, required=True)
@_REVIEWER
@_REASON
@click.pass_obj
@user_errors
def claims_split(obj, claim_id, texts, reviewer, reason):
    """Split a claim that says several things into one claim each (TEXTS, two or more): the first
    replaces it, the others are added; each is searched and suggested.

    \b
    Example:
        factcheck claims split 7 "Rutte leads NATO." "NATO has 32 members."
    """
    from claims.editing import split_claim

    for c in split_claim(obj.db, claim_id, list(texts), _embedder(), reviewer=_actor(obj.db, reviewer, "correct")["username"], reason=reason):
        _echo_claim(c, False, "now")


@claims.command("merge")
@click.argument("claim_ids", type=int, nargs=-1, required=True)
@click.option("--text", required=True, help="The one claim they make together.")
@_REVIEWER
@_REASON
@click.pass_obj
@user_errors
def claims_merge(obj, claim_ids, text, reviewer, reason):
    """Merge claims of one article that are one claim: the first becomes TEXT, standing on all
    their words; the others are removed (their records say where they went)."""
    from claims.editing import merge_claims

    _echo_claim(merge_claims(obj.db, claim_ids, text, _embedder(), reviewer=_actor(obj.db, reviewer, "correct")["username"], reason=reason),
                False, "merged")


def _said_state(cid: int, st: dict) -> str:
    from claims.workflow import LABELS

    held = f", held by {st['assignee']}" if st["assignee"] and st["state"] == "in_review" else ""
    return f"claim {cid} is {LABELS[st['state']]}{held}"


@claims.command("assign")
@click.argument("claim_ids", type=int, nargs=-1, required=True)
@click.option("--to", "assignee", help="Who holds the claims (default: you; someone else: an admin's).")
@_REVIEWER
@_REASON
@click.pass_obj
@user_errors
def claims_assign(obj, claim_ids, assignee, reviewer, reason):
    """Put claims in review, held by you or (an admin) by someone else; taking a claim someone else
    holds needs --reason.

    \b
    Example:
        factcheck claims assign 7 8 --to ana --reviewer ed
    """
    from claims.workflow import take

    me = _actor(obj.db, reviewer, "take")
    for cid in claim_ids:
        click.echo(_said_state(cid, take(obj.db, cid, me, assignee=assignee, reason=reason)))


@claims.command("step-back")
@click.argument("claim_id", type=int)
@_REVIEWER
@click.option("--reason", required=True, help="Why (kept in the claim's history).")
@click.pass_obj
@user_errors
def claims_step_back(obj, claim_id, reviewer, reason):
    """Move a claim one stage back: in review -> new, reviewed -> in review (held by you).

    \b
    Example:
        factcheck claims step-back 7 --reason "the wrong passage was ticked"
    """
    from claims.workflow import step_back

    click.echo(_said_state(claim_id, step_back(obj.db, claim_id, _actor(obj.db, reviewer, "take"), reason=reason)))


@claims.command("publish")
@click.argument("claim_ids", type=int, nargs=-1)
@click.option("--article", "article_id", type=int, help="Every reviewed claim of this article.")
@_REVIEWER
@click.pass_obj
@user_errors
def claims_publish(obj, claim_ids, article_id, reviewer):
    """Publish reviewed claims (an admin's): each id given, or an article's reviewed claims.

    \b
    Example:
        factcheck claims publish --article 2
    """
    from claims.store import claim_queue
    from claims.workflow import publish

    me = _actor(obj.db, reviewer, "publish")
    ids = list(claim_ids) + (claim_queue(obj.db, article_id=article_id, state="reviewed", sort="position")
                             if article_id is not None else [])
    if not ids:
        raise click.UsageError("name the claims to publish, or --article ID")
    done = publish(obj.db, ids, me)
    click.echo(f"published {len(done)} claim{'s' if len(done) != 1 else ''}"
               + (f": {', '.join(map(str, done))}" if done else " (all were published already)"))


@claims.command("reopen")
@click.argument("claim_id", type=int)
@_REVIEWER
@click.option("--reason", required=True, help="Why (kept in the claim's history).")
@click.pass_obj
@user_errors
def claims_reopen(obj, claim_id, reviewer, reason):
    """Reopen a published claim (an admin's): it is in review again, held by you.

    \b
    Example:
        factcheck claims reopen 7 --reason "the agency corrected its figure"
    """
    from claims.workflow import reopen

    click.echo(_said_state(claim_id, reopen(obj.db, claim_id, _actor(obj.db, reviewer, "reopen"), reason=reason)))


@claims.command("history")
@click.argument("article_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@user_errors
def claims_history(obj, article_id, as_json):
    """The corrections made to an article's claims (edits, removals, additions, splits and merges)
    and their workflow (taken, reviewed, stepped back, published, reopened), with who, when and
    why, oldest first."""
    from claims.store import claim_changes, state_history

    rows = claim_changes(obj.db, article_id=article_id)
    states = state_history(obj.db, article_id=article_id)
    if as_json:
        _echo_json({"changes": rows, "states": states})
        return
    if not rows and not states:
        click.echo(f"No corrections to the claims of article {article_id}, and none taken to review yet.")
    lines = []
    for r in rows:
        before = (r["before"] or {}).get("text")
        after = (r["after"] or {}).get("text")
        what = (f"\"{before}\" -> \"{after}\"" if before and after else f"\"{after or before}\"")
        why = f" ({r['reason']})" if r["reason"] else ""
        lines.append((r["created_at"], f"{r['created_at'][:19]}  {r['reviewer']:<12} {r['action']:<6} "
                                       f"claim {r['claim_id']}: {what}{why}"))
    for r in states:
        held = f", held by {r['assignee']}" if r["assignee"] and r["state"] == "in_review" else ""
        why = f" ({r['reason']})" if r["reason"] else ""
        lines.append((r["created_at"], f"{r['created_at'][:19]}  {r['actor']:<12} state  claim {r['claim_id']}: "
                                       f"{r['state'].replace('_', ' ')}{held}{why}"))
    for _, line in sorted(lines, key=lambda x: x[0]):
        click.echo(line)


@cli.command()
@click.argument("claim_id", type=int)
@click.option("--verdict", required=True, help="SUPPORTED, REFUTED, NOT_ENOUGH_EVIDENCE or CONFLICTING.")
@click.option("--note", default="", help="A short note for the record.")
@click.option("--reviewer", envvar="FACTCHECK_REVIEWER", default=None,
              help="Your name (env FACTCHECK_REVIEWER; default: your login name).")
@click.option("--evidence", "passage_id", type=int, help="Passage id that the verdict rests on.")
@click.option("--take-over", is_flag=True, help="Review a claim someone else holds (in review), taking it over.")
@click.pass_obj
@user_errors
def review(obj, claim_id, verdict, note, reviewer, passage_id, take_over):
    """Record a human verdict for a claim (reviews are append-only; the latest counts).

    \b
    Example:
        factcheck review 7 --verdict REFUTED --evidence 12 --note "10 years, not 12"
    """
    from claims.store import add_review

    reviewer = _actor(obj.db, reviewer, "review")["username"]
    rid = add_review(obj.db, claim_id, verdict, reviewer, note=note, passage_id=passage_id, take_over=take_over)
    click.echo(f"review {rid}: claim {claim_id} is {verdict.upper()} (by {reviewer})")
    if passage_id is None and verdict.strip().upper() != "NOT_ENOUGH_EVIDENCE":
        click.echo(f"note: this {verdict.upper()} rests on no passage; name the passage it rests on "
                   "with --evidence PASSAGE_ID so the verdict can be traced", err=True)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "claimreview"]), default="csv", show_default=True,
              help="csv: one row per claim; claimreview: a JSON array of schema.org ClaimReview, reviewed claims only.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Output file (default: standard output).")
@click.option("--article", "article_id", type=int, help="Only claims of this article.")
@click.option("--reviewed-only", is_flag=True, help="Only claims with a human verdict.")
@click.option("--bom", is_flag=True, help="Start the CSV with a UTF-8 byte-order mark (for Excel).")
@click.pass_obj
@user_errors
def export(obj, fmt, output, article_id, reviewed_only, bom):
    """Export one row per claim (CSV: claim, suggestion, human verdict, reviewer and evidence) or
    one ClaimReview per reviewed claim. Rows are streamed, so memory stays flat however many.

    \b
    Examples:
        factcheck export -o verdicts.csv
        factcheck export --format claimreview -o claimreview.json
    """
    from claims.claimreview import write_claimreview
    from claims.export import write_csv
    from claims.store import export_rows, get_settings

    rows = export_rows(obj.db, article_id=article_id, reviewed_only=reviewed_only or fmt == "claimreview")
    settings = get_settings(obj.db)

    def write(stream):
        return write_csv(rows, stream) if fmt == "csv" else write_claimreview(rows, stream, settings)

    what = "rows" if fmt == "csv" else "ClaimReview documents"
    if fmt == "claimreview":
        from claims.claimreview import publishing_gaps

        for gap in publishing_gaps(settings):
            click.echo(f"warning: {gap}", err=True)
    if output == "-":
        if bom and fmt == "csv":
            sys.stdout.write("\ufeff")
        n = write(sys.stdout)
    else:
        with open(output, "w", encoding="utf-8-sig" if bom and fmt == "csv" else "utf-8", newline="") as f:
            n = write(f)
        click.echo(f"wrote {n} {what} to {output}", err=True)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_obj
@user_errors
def backup(obj, file):
    """Copy the whole database to the new FILE with SQLite's online backup API: one consistent
    snapshot, safe while the app and other commands read and write it.

    \b
    Example:
        factcheck backup backups/factcheck-2026-12-01.db
    """
    from sources.store import backup as copy

    size = copy(obj.db, file)
    click.echo(f"backed up {obj.db_path} to {file} ({size:,} bytes)")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--force", is_flag=True, help="Overwrite a damaged database (it cannot be copied aside first).")
@click.pass_obj
@user_errors
def restore(obj, file, yes, force):
    """Replace the database's whole content with the backup FILE (made by `factcheck backup`).
    The current content is first backed up beside the database, so nothing is lost; the app
    and other commands see the restored library on their next read.

    \b
    Example:
        factcheck restore backups/factcheck-2026-12-01.db --yes
    """
    from claims.store import restore as put_back

    if not yes and not click.confirm(f"Replace everything in {obj.db_path} with {file}?", default=False):
        raise click.ClickException("restore cancelled; nothing changed")
    kept = put_back(obj.db_path, file, force=force)
    click.echo(f"restored {obj.db_path} from {file}"
               + (f"; its previous content is in {kept}" if kept else "; the damaged database was overwritten"))


@cli.group()
def users():
    """The team's accounts for the app's sign-in: add, remove, list, change a role or password."""


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("add")
@click.argument("username")
@click.option("--name", help="The name shown in the app (default: the username).")
@click.option("--role", type=click.Choice(["admin", "reviewer", "viewer"]), default="reviewer", show_default=True,
              help="admin: everything; reviewer: checks, corrects and reviews; viewer: reads and exports.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin (scripts).")
@click.pass_obj
@user_errors
def users_add(obj, username, name, role, password_stdin):
    """Add a user (the password is asked for twice, or read with --password-stdin; stored as a bcrypt hash).

    \b
    Example:
        factcheck users add ana --name "Ana Ruiz" --role reviewer
    """
    from claims.accounts import add_user

    u = add_user(obj.db, username, _password(password_stdin), name=name, role=role)
    click.echo(f"user {u['username']} ({u['name']}) added as {u['role']}")


@users.command("remove")
@click.argument("username")
@click.pass_obj
@user_errors
def users_remove(obj, username):
    """Remove a user: they can no longer sign in; their reviews keep their name.

    \b
    Example:
        factcheck users remove ana
    """
    from claims.accounts import remove_user

    u = remove_user(obj.db, username)
    click.echo(f"user {u['username']} removed; their reviews and changes keep their name")


@users.command("list")
@click.option("--all", "include_removed", is_flag=True, help="Removed users too.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@user_errors
def users_list(obj, include_removed, as_json):
    """The users with their roles (never a password or hash).

    \b
    Example:
        factcheck users list
    """
    from claims.accounts import list_users, sign_in_required

    rows = list_users(obj.db, include_removed=include_removed)
    if as_json:
        _echo_json({"users": rows, "sign_in": sign_in_required(obj.db)})
        return
    if not rows:
        click.echo("No users yet. Add an admin with: factcheck users add NAME --role admin")
    for r in rows:
        gone = f"  removed {r['removed_at'][:10]}" if r["removed_at"] else ""
        click.echo(f"{r['username']:<16} {r['role']:<9} {r['name']}{gone}")
    click.echo(f"sign-in is {'on' if sign_in_required(obj.db) else 'off'} (factcheck settings set sign_in on|off)",
               err=True)


@users.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(["admin", "reviewer", "viewer"]))
@click.pass_obj
@user_errors
def users_role(obj, username, role):
    """Give a user another role.

    \b
    Example:
        factcheck users role ana admin
    """
    from claims.accounts import set_role

    u = set_role(obj.db, username, role)
    click.echo(f"user {u['username']} is now {u['role']}")


@users.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin (scripts).")
@click.pass_obj
@user_errors
def users_password(obj, username, password_stdin):
    """Give a user a new password.

    \b
    Example:
        factcheck users password ana
    """
    from claims.accounts import set_password

    set_password(obj.db, username, _password(password_stdin))
    click.echo(f"password of {username} changed")


@cli.group()
def settings():
    """Team settings: the publishing organisation for ClaimReview."""


@settings.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@user_errors
def settings_list(obj, as_json):
    """Every setting with its value.

    \b
    Example:
        factcheck settings list
    """
    from claims.store import SETTINGS, get_settings

    values = get_settings(obj.db)
    if as_json:
        _echo_json(values)
        return
    for k, v in values.items():
        click.echo(f"{k:12} {v!r:40} {SETTINGS[k][1]}")


@settings.command("set")
@click.argument("key")
@click.argument("value")
@click.pass_obj
@user_errors
def settings_set(obj, key, value):
    """Set one setting.

    \b
    Example:
        factcheck settings set org_name "The Check Desk"
    """
    from claims.store import set_setting

    set_setting(obj.db, key, value)
    click.echo(f"{key} = {value!r}")


@cli.group()
def archive():
    """Earlier fact-checks (ours or other publishers'), imported from ClaimReview or CSV."""


@archive.command("import")
@click.argument("specs", nargs=-1, required=True, metavar="FILE_OR_URL...")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.pass_obj
@user_errors
def archive_import(obj, specs, as_json):
    """Import fact-checks: ClaimReview JSON-LD (.json/.jsonld), a page that embeds it (.html or
    a URL), or CSV (this workbench's export, or the columns claim, verdict, url, date).

    \b
    Example:
        factcheck archive import claimreview.json https://example.org/fact-checks/1
    """
    from claims.claimreview import import_factchecks

    results = [import_factchecks(obj.db, spec) for spec in specs]
    if as_json:
        _echo_json(results)
        return
    for r in results:
        click.echo(f"{r['origin']}: {r['found']} fact-checks found, {r['added']} added, "
                   f"{r['already_there']} already in the archive")


@archive.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@user_errors
def archive_list(obj, as_json):
    """The archived fact-checks.

    \b
    Example:
        factcheck archive list --json
    """
    from claims.store import list_archive

    rows = list_archive(obj.db)
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        click.echo(f"[{r['id']}] {r['verdict'] or '?':20} {r['claim']}  ({r['publisher'] or ''} {r['date'] or ''} "
                   f"{r['url'] or ''})".rstrip())


@cli.command()
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has sources.")
@click.pass_obj
@user_errors
def demo(obj, if_empty):
    """Load the demo library and check the demo article."""
    from claims.article import load_article
    from claims.demo import article_path, load_demo_library
    from claims.errors import AlreadyChecked
    from claims.pipeline import check_article
    from sources.store import list_sources

    db = obj.db
    if if_empty and list_sources(db):
        click.echo(f"{obj.db_path} already has sources; demo not loaded")
        return
    embedder = _embedder()
    with _bar("Embedding demo sources", 1) as bar:
        results = load_demo_library(db, embedder, progress=_follow(bar))
    added = sum(r.added for r in results)
    click.echo(f"demo library: {added} sources added, {len(results) - added} already present")
    doc, _ = load_article(str(article_path()))
    try:
        r = check_article(db, doc, embedder)
    except AlreadyChecked as exc:
        click.echo(f"demo article {exc.article['id']}: checked before, on {exc.article['checked_at']}; "
                   "not checked again")
        return
    counts: dict[str, int] = {}
    for v in r.verdicts:
        counts[v.label] = counts.get(v.label, 0) + 1
    click.echo(f"demo article {r.article_id}: {len(r.claims)} claims "
               + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))


@cli.group("eval")
def eval_():
    """Measure parts of the pipeline on labelled public data."""


@eval_.command("checkworthiness")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Score threshold (default: the shipped model's).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@user_errors
def eval_checkworthiness(path, threshold, as_json):
    """Precision, recall and F1 (positive class) of check-worthiness on a JSONL file of
    {"text", "label"} rows, for the trained model and for the rules alone.

    \b
    Example:
        factcheck eval checkworthiness ../shared/data/checkworthiness/ct24-dev.jsonl --json
    """
    from claims.evaluate import evaluate_checkworthiness

    result = evaluate_checkworthiness(path, threshold=threshold)
    if as_json:
        _echo_json(result)
        return
    click.echo(f"{result['file']}: {result['n']} sentences, {result['positives']} check-worthy")
    for name in ("model", "rules"):
        if name in result:
            r = result[name]
            click.echo(f"  {name:6} P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}  "
                       f"(threshold {r['threshold']:.2f}, {r['sentences_per_s']:.0f} sentences/s)")


@eval_.command("verification")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--stance-model", "stance_model", type=click.Path(dir_okay=False), default=None,
              help="Another trained stance model (.safetensors with its .json beside it).")
@click.option("--rules-only", is_flag=True, help="Quantity rules alone, without the stance model.")
@click.option("--stance-verdicts", "stance_mode", type=click.Choice(["hint", "suggest"]), default=None,
              help="The stance_verdicts setting to score (default: the shipped default, hint).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@user_errors
def eval_verification(path, stance_model, rules_only, stance_mode, as_json):
    """Verdicts on a JSONL file of {"claim", "label", "evidence": [{"text", "source"?}]} rows: each
    claim and its given evidence go through the one verdict function `check` and the app use, with
    the shipped default settings, so the headline is what a user would see. Accuracy, macro-F1,
    confusion matrix, per-label precision/recall, a majority-class baseline, each component alone
    (the quantity rules; the stance model; the rules then the model, as with stance_verdicts =
    suggest), and the precision of the quantity rules on claims with a parsed quantity when they
    give an answer; the output says whether the stance model was trained on this file.

    \b
    Example:
        factcheck eval verification ../shared/data/verification/climate-fever.jsonl --json
    """
    from claims.evaluate import evaluate_verification

    r = evaluate_verification(path, stance_model_file=stance_model, use_stance=not rules_only, stance_mode=stance_mode)
    if as_json:
        _echo_json(r)
        return
    click.echo(f"{r['file']}: {r['n']} claims; {r['headline']}")
    click.echo(f"  {r['method']}: accuracy {r['accuracy']:.3f}, macro-F1 {r['macro_f1']:.3f}; majority "
               f"({r['majority_baseline']['label']}): accuracy {r['majority_baseline']['accuracy']:.3f}, "
               f"macro-F1 {r['majority_baseline']['macro_f1']:.3f}")
    for lab, v in r["per_label"].items():
        click.echo(f"  {lab:20} P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}  n {v['support']}")
    for name, c in r["components"].items():
        if c:
            click.echo(f"  {name.replace('_', ' ')}: accuracy {c['accuracy']:.3f}, macro-F1 {c['macro_f1']:.3f} "
                       f"({c['what']})")
    num = r["numeric_claims"]
    click.echo(f"  numeric claims {num['n']}, answered by the rules {num['answered']}, right {num['right']}")
    if r.get("stance_model", {}).get("trained_on_this_file"):
        click.echo("  note: the stance model was trained on this file; see bench/RESULTS.md for held-out figures")


@eval_.command("cases")
@click.argument("folders", nargs=-1, required=True, type=click.Path(file_okay=False), metavar="FOLDER...")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@user_errors
def eval_cases(folders, as_json):
    """End-to-end check of case folders: each FOLDER holds sources/ (reference files),
    article-*.txt and expected.json ({"targets": [{"article", "keywords", "sources", "verdicts",
    "injected"?}]}). The sources go into a temporary library, each article is checked as `check`
    does with the shipped defaults, and each target is scored: claim found (a claim containing all
    its keywords), evidence in the top 3 (from a listed source file), verdict right, injected
    errors REFUTED; and whether every SUPPORTED/REFUTED rationale states the comparison.

    \b
    Example:
        factcheck eval cases bench/cases/* --json
    """
    from claims.evaluate import evaluate_cases

    with _bar("Checking cases", len(folders)) as bar:
        r = evaluate_cases(folders, _embedder(), progress=_follow(bar))
    if as_json:
        _echo_json(r)
        return

    def pct(v):
        return "-" if v is None else f"{100 * v:.0f}%"

    def line(name, c):
        x = c["rates"]
        return (f"{name:24} targets {c['targets']:3}  found {c['claims_found']:3} ({pct(x['claims_found'])})  "
                f"top-3 {c['evidence_top3']:3} ({pct(x['evidence_top3'])})  right {c['verdict_right']:3} "
                f"({pct(x['verdict_right'])})  injected REFUTED {c['injected_refuted']}/{c['injected']}  "
                f"comparison stated {c['comparison_stated']}/{c['decided']}")

    for c in r["cases"]:
        click.echo(line(c["case"], c))
        for d in c["details"]:
            if not d["verdict_right"]:
                got = d["verdict"] or "claim not found"
                click.echo(f"    {'injected ' if d['injected'] else ''}{' + '.join(d['keywords'])}: expected "
                           f"{'/'.join(d['expected'])}, got {got}")
    click.echo(line("overall", r["overall"]))


def _eval_search(folder, split, mode, as_json, what, library=None, reranker=None):
    from sources.evaluate import MODES, evaluate_retrieval

    modes = MODES if mode == "all" else (mode,)
    with _bar(f"Evaluating {what}", 1) as bar:
        state = {"stage": None}

        def progress(stage, done, total):
            if stage != state["stage"]:
                state["stage"] = stage
                bar.label = f"{what}: {stage}"
            bar.length = total
            bar.update(done - bar.pos)

        result = evaluate_retrieval(folder, split, _embedder(), modes=modes, progress=progress, db_path=library,
                                    reranker_file=reranker)
    if as_json:
        _echo_json(result)
        return
    click.echo(f"{result['folder']} [{split}]: {result['documents']} documents, {result['passages']} passages, "
               f"{result['queries']} queries, ingested in {result['ingest_s']:.0f} s")
    names = ["recall@1", "recall@5", "recall@10", "recall@100", "mrr@10", "ndcg@10", "map@5"]
    click.echo(f"  {'mode':8}" + "".join(f"{n:>11}" for n in names) + f"{'search s':>10}")
    for m, r in result["modes"].items():
        click.echo(f"  {m:8}" + "".join(f"{r[n]:>11.4f}" for n in names) + f"{r['search_s']:>10.2f}")


def _search_eval_options(fn, modes=("dense", "lexical", "hybrid")):
    """The arguments `eval retrieval` and `eval claim-matching` share."""
    for deco in reversed([
        click.argument("folder", type=click.Path(file_okay=False)),
        click.option("--split", default="test", show_default=True, help="qrels/SPLIT.tsv to score."),
        click.option("--mode", type=click.Choice(["all", *modes]), default="all", show_default=True),
        click.option("--json", "as_json", is_flag=True, help="Print JSON."),
        user_errors,
    ]):
        fn = deco(fn)
    return fn


@eval_.command("retrieval")
@click.option("--library", type=click.Path(dir_okay=False),
              help="Keep the evaluation library in this file (a second run reuses it, embedding nothing).")
@click.option("--reranker", type=click.Path(dir_okay=False, exists=True),
              help="Score this reranker model file instead of the shipped one.")
@functools.partial(_search_eval_options, modes=("dense", "lexical", "hybrid", "reranked"))
def eval_retrieval(folder, split, mode, as_json, library, reranker):
    """Evidence retrieval on a BEIR-layout folder (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv):
    ingests the corpus into a temporary library and runs every query through the search `check`
    uses; Recall@1/5/10/100, MRR@10, nDCG@10, MAP@5 and the time taken, per search mode
    ("reranked": hybrid, then the reranker over the top candidates).

    \b
    Example:
        factcheck eval retrieval ../shared/data/retrieval/scifact --split dev --json
    """
    _eval_search(folder, split, mode, as_json, "retrieval", library, reranker)


@eval_.command("claim-matching")
@click.option("--dense-weight", "dense_weights", type=float, multiple=True,
              help="Also run hybrid matching with the dense ranking weighted W (repeatable).")
@_search_eval_options
def eval_claim_matching(folder, split, mode, as_json, dense_weights):
    """Previously-checked claim matching on a BEIR-layout folder (queries: new claims or posts;
    corpus: fact-checked claims): the corpus is imported into a temporary fact-check archive and
    every query goes through the matcher `check` uses. The retrieval metrics, and for each
    similarity threshold the precision and recall of "checked before" at the best match.

    \b
    Example:
        factcheck eval claim-matching ../shared/data/claim-matching/checkthat2020 --split test
    """
    from claims.matching import MODES, evaluate_matching

    modes = MODES if mode == "all" else (mode,)
    result = evaluate_matching(folder, split, _embedder(), modes=modes, dense_weights=dense_weights)
    if as_json:
        _echo_json(result)
        return
    click.echo(f"{result['folder']} [{split}]: {result['documents']} fact-checks, {result['queries']} queries, "
               f"imported in {result['ingest_s']:.0f} s")
    names = ["recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "map@5"]
    width = max(8, *(len(m) for m in result["modes"]))
    click.echo(f"  {'mode':{width}}" + "".join(f"{n:>10}" for n in names) + f"{'match s':>9}")
    for m, r in result["modes"].items():
        click.echo(f"  {m:{width}}" + "".join(f"{r[n]:>10.4f}" for n in names) + f"{r['match_s']:>9.2f}")
    for m, r in result["modes"].items():
        click.echo(f"  {m}: similarity threshold -> precision / recall of the best match")
        for thr, v in r["thresholds"].items():
            p = "-" if v["precision"] is None else f"{v['precision']:.3f}"
            click.echo(f"    {thr}  {p:>6} / {v['recall']:.3f}  ({v['flagged']} flagged)")


def main():
    """Console-script entry point."""
    cli(prog_name="factcheck")


if __name__ == "__main__":
    main()
