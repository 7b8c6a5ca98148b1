"""Claims the reviewer corrects (issue 17, step 3): edit a claim's text, split one into several,
merge several into one, remove one, or add one from a fragment of the article's text.

Each edited or added claim is read again (its numbers, names and check-worthiness), searched in
the library and given a new suggestion, exactly as `check` does for the claims it finds. The
article's own words stay stored (a claim keeps the spans of the sentence it came from), and each
change is recorded with who, when and why (`store.claim_changes`, append-only). A claim that has
been reviewed, or has a confirmed earlier fact-check, is not changed: its reviews name it as it is.
"""

from __future__ import annotations

import re
from typing import Sequence

import sqlite_utils

from claims import store
from claims.errors import InvalidEdit, UnknownClaim
from claims.extract import Claim, _sentence_analysis, claim_type, combine, get_nlp

__all__ = ["edit_claim", "remove_claim", "add_claim", "split_claim", "merge_claims", "locate"]

MAX_CLAIM_CHARS = 2000


def _clean(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise InvalidEdit("a claim needs some text")
    if len(text) > MAX_CLAIM_CHARS:
        raise InvalidEdit(f"a claim is at most {MAX_CLAIM_CHARS:,} characters (this one has {len(text):,}): "
                          "split it into claims that each say one thing")
    return text


def _read(text: str, nlp, embedder):
    """(features, check-worthiness) of a claim's text, scored as `check` scores claims."""
    from claims.checkworthiness import get_checkworthiness_model

    doc = nlp(text)
    f = _sentence_analysis(doc[:], 0)[3]
    scorer = get_checkworthiness_model(embedder)
    p = float(scorer.score([text])[0]) if scorer is not None else None
    return f, combine(f, p, floor=getattr(scorer, "threshold", None))


def _claim(text: str, nlp, embedder, *, start: int, end: int, sentence: str, sentence_start: int,
           sentence_end: int, spans, original: str, claimant: str | None) -> Claim:
    f, score = _read(text, nlp, embedder)
    return Claim(text=text, sentence=sentence, start=start, end=end, sentence_start=sentence_start,
                 sentence_end=sentence_end, checkworthiness=score, type=claim_type(f), quantities=f.quantities,
                 entities=f.entities, original=original, spans=[tuple(s) for s in spans], claimant=claimant)


def _like(claim: dict, text: str, nlp, embedder) -> Claim:
    """A new reading of `text` standing on the stored claim's words in the article."""
    return _claim(text, nlp, embedder, start=claim["start"], end=claim["end"], sentence=claim["sentence"],
                  sentence_start=claim["sentence_start"], sentence_end=claim["sentence_end"],
                  spans=claim["spans"] or [(claim["start"], claim["end"])], original=claim["original"] or claim["text"],
                  claimant=claim.get("claimant"))


def _judge(db, article_id: int, claims: list[Claim], embedder, nlp, top_k: int):
    from claims.pipeline import _judge as judge

    article = store.get_article(db, article_id)
    evidence, matches, verdicts, warnings = judge(db, claims, embedder, nlp, top_k, article["title"],
                                                  article["published"], lambda stage, frac: None, {})
    return evidence, matches, verdicts


def edit_claim(db: sqlite_utils.Database, claim_id: int, text: str, embedder, *, reviewer: str, reason: str = "",
               nlp=None, top_k: int = 5, action: str = "edit") -> dict:
    """Correct an unreviewed claim's text; it is searched and suggested again. Returns the claim."""
    text = _clean(text)
    claim = store.correctable_claim(db, claim_id, reviewer)
    if text == claim["text"]:
        raise InvalidEdit(f"claim {claim_id} already says that")
    nlp = nlp or get_nlp()
    new = _like(claim, text, nlp, embedder)
    evidence, matches, verdicts = _judge(db, claim["article_id"], [new], embedder, nlp, top_k)
    store.change_claim(db, claim_id, new, evidence=evidence[0], verdict=verdicts[0], model_id=embedder.model_id,
                       matches=matches[0] if matches else (), reviewer=reviewer, reason=reason, action=action)
    return store.get_claim(db, claim_id)


def remove_claim(db: sqlite_utils.Database, claim_id: int, *, reviewer: str, reason: str = "") -> dict:
    """Take an unreviewed claim out (it is no claim, or not this article's); kept in its change record."""
    return store.remove_claim(db, claim_id, reviewer=reviewer, reason=reason)


def locate(text: str, fragment: str) -> tuple[int, int]:
    """(start, end) of `fragment` in `text`, whitespace and curly quotes allowed to differ; the first
    place it occurs. InvalidEdit if it is not there."""
    words = fragment.split()
    if not words:
        raise InvalidEdit("select some of the article's words")
    quote = {"'": "['’‘]", "’": "['’‘]", "‘": "['’‘]", '"': "[\"“”]", "“": "[\"“”]", "”": "[\"“”]"}
    pattern = r"\s+".join("".join(quote.get(ch, re.escape(ch)) for ch in w) for w in words)
    m = re.search(pattern, text)
    if not m:
        raise InvalidEdit("those words are not in the article's text: copy them from the article as they stand")
    return m.start(), m.end()


def add_claim(db: sqlite_utils.Database, article_id: int, fragment: str, embedder, *, reviewer: str,
              text: str | None = None, reason: str = "", nlp=None, top_k: int = 5) -> dict:
    """A claim the extraction missed, from a fragment of the article's own words (the sentence part
    to check); `text` words it as a self-contained claim, if the fragment alone is not. It is
    searched and suggested like the others. Returns the new claim."""
    from sources.chunk import split_sentences

    article = store.get_article(db, article_id)
    if article is None:
        raise UnknownClaim(f"no article {article_id}; list them with: factcheck claims list")
    start, end = locate(article["text"], _clean(fragment))
    words = " ".join(article["text"][start:end].split())
    claim_text = _clean(text) if text else words
    sent = next((s for s in split_sentences(article["text"]) if s.start <= start < s.end), None)
    s_start, s_end = (sent.start, max(sent.end, end)) if sent else (start, end)
    nlp = nlp or get_nlp()
    new = _claim(claim_text, nlp, embedder, start=start, end=end,
                 sentence=" ".join(article["text"][s_start:s_end].split()), sentence_start=s_start,
                 sentence_end=s_end, spans=[(start, end)], original=words, claimant=None)
    evidence, matches, verdicts = _judge(db, article_id, [new], embedder, nlp, top_k)
    ids = store.add_claims(db, article_id, claims=[new], evidence=evidence, verdicts=verdicts,
                           model_id=embedder.model_id, matches=matches)
    store.record_added(db, ids, article_id, reviewer=reviewer, reason=reason)
    return store.get_claim(db, ids[0])


def split_claim(db: sqlite_utils.Database, claim_id: int, texts: Sequence[str], embedder, *, reviewer: str,
                reason: str = "", nlp=None, top_k: int = 5) -> list[dict]:
    """One claim that says several things becomes one claim each (on the same words of the article):
    the first text replaces the claim, the others are added after the article's claims."""
    texts = [_clean(t) for t in texts]
    if len(texts) < 2:
        raise InvalidEdit("a split needs at least two claims")
    claim = store.correctable_claim(db, claim_id, reviewer)
    nlp = nlp or get_nlp()
    news = [_like(claim, t, nlp, embedder) for t in texts]
    evidence, matches, verdicts = _judge(db, claim["article_id"], news, embedder, nlp, top_k)
    if texts[0] != claim["text"]:
        store.change_claim(db, claim_id, news[0], evidence=evidence[0], verdict=verdicts[0],
                           model_id=embedder.model_id, matches=matches[0] if matches else (), reviewer=reviewer,
                           reason=reason, action="split")
    ids = store.add_claims(db, claim["article_id"], claims=news[1:], evidence=evidence[1:], verdicts=verdicts[1:],
                           model_id=embedder.model_id, matches=matches[1:] if matches else ())
    store.record_added(db, ids, claim["article_id"], reviewer=reviewer, reason=reason, action="split",
                       source=claim_id)
    return store.get_claims(db, [claim_id, *ids])


def merge_claims(db: sqlite_utils.Database, claim_ids: Sequence[int], text: str, embedder, *, reviewer: str,
                 reason: str = "", nlp=None, top_k: int = 5) -> dict:
    """Several claims of one article that are one claim: the first becomes `text`, standing on all
    their words, and the others are removed (their records name the claim they went into)."""
    claim_ids = list(dict.fromkeys(int(i) for i in claim_ids))
    if len(claim_ids) < 2:
        raise InvalidEdit("a merge needs at least two claims")
    text = _clean(text)
    claims = [store.correctable_claim(db, i, reviewer) for i in claim_ids]
    if len({c["article_id"] for c in claims}) > 1:
        raise InvalidEdit("only claims of one article can be merged")
    first = claims[0]
    spans = sorted({tuple(s) for c in claims for s in (c["spans"] or [(c["start"], c["end"])])})
    nlp = nlp or get_nlp()
    merged = _claim(text, nlp, embedder, start=min(c["start"] for c in claims), end=max(c["end"] for c in claims),
                    sentence=" … ".join(dict.fromkeys(c["sentence"] for c in claims)),
                    sentence_start=min(c["sentence_start"] for c in claims),
                    sentence_end=max(c["sentence_end"] for c in claims), spans=spans,
                    original=" … ".join(dict.fromkeys(c["original"] or c["text"] for c in claims)),
                    claimant=first.get("claimant"))
    evidence, matches, verdicts = _judge(db, first["article_id"], [merged], embedder, nlp, top_k)
    store.change_claim(db, first["id"], merged, evidence=evidence[0], verdict=verdicts[0], model_id=embedder.model_id,
                       matches=matches[0] if matches else (), reviewer=reviewer, reason=reason, action="merge")
    for c in claims[1:]:
        store.remove_claim(db, c["id"], reviewer=reviewer, reason=reason, action="merge", into=first["id"])
    return store.get_claim(db, first["id"])
