"""Checking an article end to end: claims -> evidence search -> suggested verdicts -> store."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

import sqlite_utils

from claims import store
from claims.errors import AlreadyChecked, ArticleTooLong
from claims.extract import Claim, analyze_passages, claim_frames, extract_claims, get_nlp
from claims.quantities import resolve_relative
from claims.verdict import Verdict, aggregate_stance, combine, hold_back, suggest
from sources.parse import Document
from sources.search import Hit, Searcher, prepare_query

__all__ = ["CheckResult", "check_article", "time_left", "bring_back", "result_json", "suggest_for", "aside_lines", "STANCE_MODES"]

Progress = Callable[[str, float], None]
STANCE_MODES = ("hint", "suggest")  # the values of the `stance_verdicts` setting


@dataclass
class CheckResult:
    """An article checked and stored: its id, claims, their evidence and suggestions."""

    article_id: int
    title: str
    origin: str
    url: str | None
    claim_ids: list[int]
    claims: list[Claim]
    evidence: list[list[Hit]]
    verdicts: list[Verdict]
    timings: dict[str, float] = field(default_factory=dict)
    message: str = ""
    matches: list[list] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # passages the check went on without (issue #13)
    published: str | None = None  # the article's date (ISO), from the page or given
    author: str | None = None     # who wrote the article (page metadata or its byline)
    publisher: str | None = None  # the outlet (page metadata)
    checked_before: dict | None = None  # the stored article with the same or nearly the same text
    set_aside: list = field(default_factory=list)  # claims.setaside.Aside: parts not read for claims


def suggest_for(claims: list[Claim], evidence: list[list[Hit]], nlp=None, stance=None,
                stance_mode: str | None = None, warnings: list[str] | None = None, *,
                components: dict | None = None, topic: str | None = None, calibration="auto",
                min_probability: float | None = None, article_date: str | None = None,
                progress: Callable[[int, int], None] | None = None) -> list[Verdict]:
    """The one verdict path (issue #14): `check`, the app (through `check_article`) and `factcheck
    eval` turn claims and their evidence hits into suggestions here, with the same settings.

    The quantity rules where they answer, else the stance model (when given) over every claim's
    hits, all pairs in one batch: its verdict (`stance_mode` "suggest") or its reading added to the
    reason of a NOT_ENOUGH_EVIDENCE suggestion ("hint"). `stance_mode` None is the shipped default
    of the `stance_verdicts` setting. Hits need passage_id, source_id, source_title, text and
    credibility (a `sources.search.Hit`); passages are analysed once each. `topic` is the article's
    title: a claim about a description ("the bridge's main span") is compared only with sources
    about the same subject. `article_date` (ISO) turns "last year", "in the last two years" into
    dates that are compared like any other.

    Every SUPPORTED / REFUTED / CONFLICTING suggestion then gets its calibrated probability and is
    held back (NOT_ENOUGH_EVIDENCE, reading kept in the reason) below the threshold for 90%
    precision (`claims.calibrate`; `calibration` "auto" is the shipped file, None none;
    `min_probability` is the team's own threshold, the `suggest_min_probability` setting).

    `progress` gets (pairs read, pairs) as the stance model reads (claim, passage) pairs.

    Pass a dict as `components` to get each part alone as well: "rules" (the quantity rules'
    verdicts) and "stance" (the stance model's own verdict for every claim, None without a model)."""
    mode = stance_mode or store.SETTINGS["stance_verdicts"][0]
    if mode not in STANCE_MODES:
        raise ValueError(f"stance_mode is one of {', '.join(STANCE_MODES)}, not {mode!r}")
    unique = {h.passage_id: h for hits in evidence for h in hits}
    facts = analyze_passages([{"passage_id": h.passage_id, "source_id": h.source_id,
                               "source_title": h.source_title, "text": h.text, "credibility": h.credibility}
                              for h in unique.values()], nlp, warnings)
    # the same claim text with the same evidence is judged once (an article pasted twice, a quote repeated)
    judged: dict[tuple, Verdict] = {}
    texts = list(dict.fromkeys(c.text for c in claims))
    frame_of = dict(zip(texts, claim_frames(texts, nlp)))
    rules = []
    for c, hits in zip(claims, evidence):
        key = (c.text, tuple(h.passage_id for h in hits))
        if key not in judged:
            judged[key] = suggest(c.text, resolve_relative(c.quantities, c.text, article_date), c.entities,
                                  [facts[h.passage_id] for h in hits], frame_of.get(c.text), topic)
        rules.append(judged[key])
    if calibration == "auto":
        from claims.calibrate import load_calibration

        calibration = load_calibration()
    if components is not None:
        components.update(rules=list(rules), stance=None)
    if stance is None:
        return [hold_back(v, calibration, min_probability) for v in rules]
    # the model reads only where the rules are silent, unless every component is asked for
    need = [i for i, v in enumerate(rules)
            if evidence[i] and (components is not None or v.label == "NOT_ENOUGH_EVIDENCE")]
    pairs: dict[tuple[str, str], int] = {}
    for i in need:
        for h in evidence[i]:
            pairs.setdefault((claims[i].text, h.text), len(pairs))
    probs = stance.predict(list(pairs), progress=progress)  # each distinct (claim, passage) pair once
    readings: list[Verdict | None] = [None] * len(claims)
    for i in need:
        rows = [pairs[claims[i].text, h.text] for h in evidence[i]]
        readings[i] = aggregate_stance([facts[h.passage_id] for h in evidence[i]], probs[rows], stance.decision,
                                       stance.method)
    if components is not None:
        components["stance"] = [r if r is not None else aggregate_stance([], [], stance.decision, stance.method)
                                for r in readings]
    if mode == "hint" and calibration is not None:
        # a hint says how often such a reading was right on labelled claims
        readings = [replace(r, probability=calibration.probability(f"{r.method}:{r.label}", r.confidence))
                    if r is not None and r.label != "NOT_ENOUGH_EVIDENCE" else r for r in readings]
    out = [combine(v, r, mode) if r is not None else v for v, r in zip(rules, readings)]
    return [hold_back(v, calibration, min_probability) for v in out]


def check_article(db: sqlite_utils.Database, doc: Document, embedder, *, url: str | None = None,
                  top_k: int = 5, threshold: float | None = None, nlp=None,
                  progress: Progress | None = None, again: bool = False, keep_all: bool = False) -> CheckResult:
    """Extract the claims of `doc`, find evidence, suggest verdicts and store it all (in one
    transaction, after everything is computed: a check stopped half-way stores nothing).

    A text stored already raises `AlreadyChecked` (nothing is stored) unless `again`; a text that
    shares most sentences with a stored article is checked, and the result names that article.
    Parts that are not the article's own text (`claims.setaside`) are not read for claims, unless
    `keep_all`; they are stored with the article either way, and `bring_back` reads one later."""
    limit = int(store.get_settings(db)["max_article_words"])
    words = len(doc.text.split()) if len(doc.text) > limit else 0  # a text shorter than the limit in characters is
    if words > limit:                                               # shorter in words
        raise ArticleTooLong(f"the article has {words:,} words; the limit is {limit:,} (setting max_article_words): "
                             "check it in parts, or raise the limit with: factcheck settings set max_article_words N")
    before = store.checked_before(db, doc.text, doc.date)
    if before and before["exact"] and not again:
        raise AlreadyChecked(before)
    say = progress or (lambda stage, frac: None)
    nlp = nlp or get_nlp()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    say("Finding claims", 0.0)
    from claims.checkworthiness import get_checkworthiness_model
    from claims.setaside import pieces, set_aside

    asides = set_aside(doc.text, doc.title, embed=embedder.encode)
    if keep_all:
        asides = [replace(a, restored=True) for a in asides]
    claims = extract_claims(doc.text, nlp, threshold=threshold, scorer=get_checkworthiness_model(embedder),
                            progress=lambda i, n, what="paragraphs": say(*_finding(i, n, what)),
                            pieces=pieces(doc.text, asides, skip=not keep_all))
    timings["extract_s"] = time.perf_counter() - t0
    evidence, matches, verdicts, warnings = _judge(db, claims, embedder, nlp, top_k, doc.title, doc.date, say, timings)
    say("Saving", 0.95)
    article_id, claim_ids = store.save_check(db, title=doc.title, origin=doc.origin, url=url, text=doc.text,
                                             claims=claims, evidence=evidence, verdicts=verdicts,
                                             model_id=embedder.model_id, matches=matches, published=doc.date,
                                             author=getattr(doc, "author", None), publisher=getattr(doc, "publisher", None),
                                             set_aside=[a.to_dict() for a in asides])
    timings["total_s"] = time.perf_counter() - t0
    say("Done", 1.0)
    lines = warnings if claims else ["no check-worthy claims found in the article"]
    if before:
        lines = [before_line(before)] + lines
    return CheckResult(article_id, doc.title, doc.origin, url, claim_ids, claims, evidence, verdicts, timings,
                       "\n".join(lines), matches, warnings, doc.date, getattr(doc, "author", None),
                       getattr(doc, "publisher", None), before, asides)


def time_left(show: Callable[[float, str], None], every: float = 0.25, clock=time.monotonic) -> Progress:
    """A `Progress` for a screen: `show(fraction, line)` with the time left estimated from the time
    so far ("about 40 s left", once there is enough to go on), at most every `every` seconds (a long
    check reports thousands of steps; the first and the last are always shown)."""
    start, last = clock(), [-1.0]

    def progress(stage: str, frac: float) -> None:
        now = clock()
        if now - last[0] < every and 0.0 < frac < 1.0:
            return
        last[0] = now
        elapsed = now - start
        line = stage
        if 0.05 <= frac < 1.0 and elapsed >= 2.0:
            left = elapsed * (1.0 - frac) / frac
            line += f" (about {left / 60:.0f} min left)" if left >= 90 else f" (about {max(5, round(left / 5) * 5):.0f} s left)"
        show(min(max(frac, 0.0), 1.0), line)

    return progress


def _finding(done: int, total: int, what: str) -> tuple[str, float]:
    """The progress line and fraction of claim extraction: paragraphs parsed (to 0.2 of the
    check), then sentences rated (to 0.35)."""
    if what == "paragraphs":
        return f"Finding claims: {done:,} of {total:,} paragraphs read", 0.2 * done / max(total, 1)
    return f"Finding claims: {done:,} of {total:,} sentences rated", 0.2 + 0.15 * done / max(total, 1)


def _judge(db: sqlite_utils.Database, claims: list[Claim], embedder, nlp, top_k: int, topic: str | None,
           article_date: str | None, say: Progress, timings: dict[str, float]):
    """(evidence, matches, verdicts, warnings) of `claims`: the library searched, the fact-check
    archive matched and the suggestions made, with the team's settings."""
    t1 = time.perf_counter()
    say(f"Searching the library for {len(claims):,} claims", 0.35)
    texts = [c.text for c in claims]
    vectors = embedder.encode([prepare_query(t) for t in texts]) if claims else None
    settings = store.get_settings(db)
    reranker = None
    if claims and settings["rerank_evidence"] == "on":
        from sources.rerank import get_reranker

        reranker = get_reranker(embedder)
    evidence = (Searcher(db, embedder, reranker=reranker).search_many(texts, top_k=top_k, query_vectors=vectors)
                if claims else [])
    timings["search_s"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    say("Looking for earlier fact-checks", 0.45)
    from claims.matching import Matcher

    matches = Matcher(db, embedder).match(texts, query_vectors=vectors) if claims else []
    timings["match_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    say(f"Suggesting verdicts for {len(claims):,} claims", 0.5)
    from claims.stance import get_stance_model

    warnings: list[str] = []
    verdicts = suggest_for(claims, evidence, nlp, stance=get_stance_model(embedder),
                           stance_mode=settings["stance_verdicts"], warnings=warnings, topic=topic,
                           min_probability=store.min_probability(settings), article_date=article_date,
                           progress=lambda i, n: say(f"Suggesting verdicts: {i:,} of {n:,} claim-passage pairs read",
                                                     0.6 + 0.35 * i / max(n, 1)))
    verdicts = [prefill_from_match(v, ms) for v, ms in zip(verdicts, matches)]
    timings["verdict_s"] = time.perf_counter() - t2
    return evidence, matches, verdicts, warnings


def bring_back(db: sqlite_utils.Database, article_id: int, number: int, embedder, *, nlp=None, top_k: int = 5,
               threshold: float | None = None, progress: Progress | None = None) -> CheckResult:
    """Read part `number` (1-based, in `store.article_asides` order) that the check set aside, as
    the reviewer asks: its claims are extracted, searched and suggested like the rest and stored
    with the article (the part is then marked brought back). The result holds only the new claims."""
    from claims.checkworthiness import get_checkworthiness_model
    from claims.errors import UnknownClaim
    from claims.setaside import Aside, pieces

    article = store.get_article(db, article_id)
    if article is None:
        raise UnknownClaim(f"no article {article_id}; list them with: factcheck claims list")
    asides = [Aside(**a) for a in store.article_asides(db, article_id)]
    if not 1 <= number <= len(asides):
        raise UnknownClaim(f"article {article_id} has {len(asides)} part{'' if len(asides) == 1 else 's'} set aside, "
                           f"no part {number}")
    part = asides[number - 1]
    say = progress or (lambda stage, frac: None)
    nlp = nlp or get_nlp()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    say("Finding claims", 0.0)
    text = article["text"]
    claims: list[Claim] = []
    if not part.restored:
        stretch = [(o, t) for o, t in pieces(text, asides, skip=False) if part.start <= o < part.end]
        claims = extract_claims(text, nlp, threshold=threshold, scorer=get_checkworthiness_model(embedder),
                                pieces=stretch)
    timings["extract_s"] = time.perf_counter() - t0
    evidence, matches, verdicts, warnings = _judge(db, claims, embedder, nlp, top_k, article["title"],
                                                   article["published"], say, timings)
    say("Saving", 0.95)
    claim_ids = store.add_claims(db, article_id, claims=claims, evidence=evidence, verdicts=verdicts,
                                 model_id=embedder.model_id, matches=matches, restore_part=number)
    timings["total_s"] = time.perf_counter() - t0
    say("Done", 1.0)
    message = ("this part was brought back before" if part.restored else
               f"brought back part {number} ({part.kind}): {len(claims)} claim{'' if len(claims) == 1 else 's'}"
               + ("" if claims else " (nothing in it is check-worthy)"))
    return CheckResult(article_id, article["title"], article["origin"], article["url"], claim_ids, claims, evidence,
                       verdicts, timings, "\n".join([message] + warnings), matches, warnings, article["published"],
                       article["author"], article["publisher"], None,
                       [replace(a, restored=a.restored or i == number) for i, a in enumerate(asides, 1)])


def stored_result_json(db: sqlite_utils.Database, article_id: int) -> dict:
    """An article checked before, from the database, in the shape of `result_json` (a claim's
    stored suggestion, its evidence best first, what it matched; the human verdict besides)."""
    a = store.get_article(db, article_id)
    claims = []
    for c in store.list_claims(db, article_id=article_id):
        claims.append({
            "id": c["id"], "text": c["text"], "original": c["original"] or c["text"], "claimant": c["claimant"],
            "spans": c["spans"], "sentence": c["sentence"], "start": c["start"], "end": c["end"],
            "checkworthiness": c["checkworthiness"], "type": c["type"], "quantities": c["quantities"],
            "evidence": [{k: e[k] for k in ("passage_id", "source_id", "source_title", "text", "score",
                                            "dense_score", "lexical_score")} | {"source": e["source_url"] or e["source"]}
                         for e in store.claim_evidence(db, c["id"])],
            "verdict": c["suggested_verdict"] or "NOT_ENOUGH_EVIDENCE", "confidence": c["confidence"] or 0.0,
            "rationale": c["rationale"] or "", "cited_passage_id": c["suggested_passage_id"],
            "human_verdict": c["human_verdict"], "reviewer": c["reviewer"], "reviewed_at": c["reviewed_at"],
            "checked_before": [m for m in store.claim_matches(db, c["id"]) if m.get("level")]})
    return {"article": {"id": a["id"], "title": a["title"], "source": a["url"] or a["origin"],
                        "published": a["published"], "author": a["author"], "publisher": a["publisher"],
                        "checked_at": a["checked_at"]},
            "claims": claims, "message": "", "warnings": [],
            "set_aside": [{"part": n, **p} for n, p in enumerate(store.article_asides(db, article_id), 1)]}


def aside_lines(asides, article_id: int) -> list[str]:
    """What a check left out of the claims, a line per part, and how to bring a part back (CLI)."""
    left = [(n, a) for n, a in enumerate(asides, 1) if not a.restored]
    if not left:
        return []
    out = [f"Left out of the claims ({len(left)} part{'' if len(left) == 1 else 's'} not the article's own text):"]
    for n, a in left:
        text = a.text if len(a.text) <= 90 else a.text[:89].rsplit(" ", 1)[0] + "…"
        out.append(f"  part {n}, {a.kind}: {text}")
    out.append(f"  bring one back with: factcheck bring-back {article_id} PART (or check with --keep-all)")
    return out


def before_line(before: dict) -> str:
    """One line naming the stored article a check repeats or nearly repeats."""
    how = ("the same text" if before["exact"] else f"the same text, read against {before['published'] or 'no date'}"
           if before["same_text"] else f"{before['share']:.0%} of the same sentences")
    return (f"article {before['id']} (\"{before['title']}\", checked {before['checked_at']}, {before['claims']} "
            f"claims, {before['reviewed']} reviewed) has {how}: this check is a new copy")


def prefill_from_match(verdict: Verdict, matches: list) -> Verdict:
    """When a claim is the same as one checked before (similarity at or above `match_same`), the
    earlier verdict becomes the suggestion; the evidence passage the suggestion cited stays cited.
    A reviewer still confirms it."""
    same = next((m for m in matches if m.level == "same" and m.verdict), None)
    if same is None:
        return verdict
    who = ", ".join(x for x in (same.publisher, (same.date or "")[:10]) if x)
    link = f" {same.url}" if same.url else ""
    return Verdict(same.verdict, round(same.similarity, 3),
                   f"Same claim as one checked before (similarity {same.similarity:.2f}): \"{same.text}\" was "
                   f"{same.verdict}{' (' + who + ')' if who else ''}{link}. Evidence suggestion: {verdict.label}.",
                   passage_id=verdict.passage_id, source_id=verdict.source_id, method="claim-match")


def result_json(r: CheckResult) -> dict:
    """The `factcheck check --json` document."""
    return {
        "article": {"id": r.article_id, "title": r.title, "source": r.url or r.origin, "published": r.published,
                    "author": r.author, "publisher": r.publisher},
        "claims": [
            {"id": cid, "text": c.text, "original": c.original or c.text, "claimant": c.claimant,
             "spans": [list(sp) for sp in (c.spans or [(c.start, c.end)])],
             "sentence": c.sentence, "start": c.start, "end": c.end,
             "checkworthiness": c.checkworthiness, "type": c.type, "quantities": c.quantities_json(),
             "evidence": [{"passage_id": h.passage_id, "source_id": h.source_id, "source_title": h.source_title,
                           "source": h.source_url or h.source, "text": h.text, "score": h.score,
                           "dense_score": h.dense_score, "lexical_score": h.lexical_score,
                           "rerank_score": h.rerank_score, "start": h.start, "end": h.end} for h in hits],
             "verdict": v.label, "confidence": v.confidence, "probability": v.probability,
             "rationale": v.rationale,
             "cited_passage_id": v.passage_id,
             "checked_before": [m.to_dict() for m in ms if m.level]}
            for cid, c, hits, v, ms in zip(r.claim_ids, r.claims, r.evidence, r.verdicts,
                                           r.matches or [[] for _ in r.claims])],
        "message": r.message,
        "warnings": r.warnings,
        "earlier_article": r.checked_before,
        "set_aside": [{"part": n, **a.to_dict()} for n, a in enumerate(r.set_aside, 1)],
    }
