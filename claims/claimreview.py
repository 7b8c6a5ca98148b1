"""schema.org ClaimReview: writing our reviewed claims, reading earlier fact-checks (JSON-LD
files, pages that embed it, and CSV).

Rating scale (documented in the README): a 1-5 truthfulness scale, worstRating 1, bestRating 5:
REFUTED = 1 ("Refuted"), CONFLICTING = 3 ("Conflicting"), SUPPORTED = 5 ("Supported").
NOT_ENOUGH_EVIDENCE has no place on a truth scale: its reviewRating carries the textual verdict
("Not enough evidence") and the scale bounds but no ratingValue.
"""

from __future__ import annotations

import csv
import json
import math
import re
from typing import IO, Iterable, Iterator
from urllib.parse import urlparse

from claims.errors import ClaimsError

__all__ = ["RATING_VALUES", "TEXTUAL", "claimreview_doc", "write_claimreview", "publishing_gaps",
           "records_from_jsonld", "records_from_html", "records_from_csv", "verdict_from_rating", "CSV_IMPORT_COLUMNS"]

BEST, WORST = 5, 1
RATING_VALUES = {"REFUTED": 1, "CONFLICTING": 3, "SUPPORTED": 5}
TEXTUAL = {"SUPPORTED": "Supported", "REFUTED": "Refuted", "CONFLICTING": "Conflicting",
           "NOT_ENOUGH_EVIDENCE": "Not enough evidence"}
CSV_IMPORT_COLUMNS = ("claim", "verdict", "url", "date")

# the words fact-checkers rate with, mapped to our four labels (checked in order)
RATING_WORDS = [
    ("NOT_ENOUGH_EVIDENCE", r"not enough|unproven|unverif|unsupported|no evidence|insufficient|unclear|cannot be"),
    ("CONFLICTING", r"mixed|mixture|half|partly|partially|disputed|conflicting|misleading|needs context|"
                    r"missing context|out of context|exaggerat|cherry"),
    ("REFUTED", r"false|fake|pants on fire|incorrect|wrong|inaccurate|refuted|hoax|scam|fabricat|debunk|"
                r"not true|untrue|baseless|no,"),
    ("SUPPORTED", r"true|correct|accurate|supported|confirmed|right|legit"),
]


def verdict_from_rating(text: str | None, value=None, best=None, worst=None) -> str | None:
    """Our label for a ClaimReview rating: its words first ("False", "Half true", "Pants on
    fire"...), else its number on its own scale (bottom fifth refuted, top fifth supported)."""
    t = text.strip().lower() if isinstance(text, str) else ""
    if t.upper().replace(" ", "_") in TEXTUAL:
        return t.upper().replace(" ", "_")
    for label, pattern in RATING_WORDS:
        if t and re.search(pattern, t):
            return label
    if any(isinstance(x, bool) for x in (value, best, worst)):
        return None  # true/false is no point on a scale
    try:
        v, b, w = float(value), float(best if best is not None else 5), float(worst if worst is not None else 1)
    except (TypeError, ValueError, OverflowError):
        return None
    if b == w or not all(math.isfinite(x) for x in (v, b, w)):
        return None
    share = (v - w) / (b - w)
    return "REFUTED" if share <= 0.2 else "SUPPORTED" if share >= 0.8 else "CONFLICTING"


def _host(url: str) -> str | None:
    try:
        return urlparse(url).hostname
    except ValueError:  # "http://[::1" and other unparseable URLs stored with an article
        return None


ORG_WORDS = {"the", "ministry", "department", "agency", "office", "bank", "fund", "organisation", "organization",
             "report", "survey", "study", "government", "committee", "council", "union", "association", "institute",
             "university", "party", "company", "police", "court", "commission", "authority", "board", "service"}


def _party(name: str) -> str:
    """Person or Organization for a claimant's name: "Mark Rutte" a person, "the IMF" or "the
    health ministry" an organisation (an acronym or an institution's word)."""
    words = name.split()
    if any(w.lower() in ORG_WORDS for w in words) or (len(words) == 1 and words[0].isupper()) or len(words) > 4:
        return "Organization"
    return "Person"


def _day(iso: str | None) -> str | None:
    return iso[:10] if iso else None


PLACEHOLDER_ORG = "Unnamed fact-checking team"


def publishing_gaps(settings: dict) -> list[str]:
    """What a ClaimReview export made with these settings would lack, one line each (empty when
    nothing): the organisation's name, and the address each review is published at."""
    gaps = []
    if not (settings.get("org_name") or "").strip() or settings.get("org_name") == PLACEHOLDER_ORG:
        gaps.append(f"the organisation's name is not set: every ClaimReview names \"{PLACEHOLDER_ORG}\" as its "
                    "author (setting org_name)")
    if not (settings.get("review_url") or "").strip():
        if (settings.get("org_url") or "").strip():
            gaps.append(f"the review URL is not set: each ClaimReview's url is {settings['org_url'].rstrip('/')}"
                        "/claims/ID, which may not be where you publish it (setting review_url)")
        else:
            gaps.append("neither the review URL nor the organisation's URL is set: no ClaimReview has a url, "
                        "which search engines and fact-check indexes require (setting review_url)")
    return gaps


def claimreview_doc(row: dict, settings: dict) -> dict:
    """One ClaimReview document for an export row that has a human verdict."""
    verdict = row["human_verdict"]
    rating = {"@type": "Rating", "alternateName": TEXTUAL[verdict], "bestRating": BEST, "worstRating": WORST}
    if verdict in RATING_VALUES:
        rating["ratingValue"] = RATING_VALUES[verdict]
    base = (settings.get("review_url") or settings.get("org_url") or "").rstrip("/")
    org = {"@type": "Organization", "name": settings.get("org_name") or PLACEHOLDER_ORG}
    if settings.get("org_url"):
        org["url"] = settings["org_url"]
    url = row.get("article_url")
    # who made the claim: the person or body the sentence names ("Rutte said ..."), else the article's
    # author or publisher, else the site it came from
    if row.get("claimant"):
        claim_author = {"@type": _party(row["claimant"]), "name": row["claimant"]}
    elif row.get("article_author"):
        claim_author = {"@type": "Person", "name": row["article_author"]}
    elif row.get("article_publisher"):
        claim_author = {"@type": "Organization", "name": row["article_publisher"]}
    elif url:
        claim_author = {"@type": "Organization", "name": _host(url) or url}
    else:
        # nobody known: say so, never name the headline as if it were the author
        title = row.get("article_title")
        claim_author = {"@type": "Thing", "name": f"unknown (the author of “{title}”)" if title else "unknown"}
    item = {"@type": "Claim", "author": claim_author,
            "datePublished": _day(row.get("article_published") or row.get("article_checked_at"))}
    appearance = {"@type": "CreativeWork", "url": url, "headline": row.get("article_title"),
                  "datePublished": _day(row.get("article_published")),
                  "author": {"@type": "Person", "name": row["article_author"]} if row.get("article_author") else None,
                  "publisher": {"@type": "Organization", "name": row["article_publisher"]}
                  if row.get("article_publisher") else None}
    if url:  # an appearance is where the claim can be read: without its address there is none
        item["appearance"] = {k: v for k, v in appearance.items() if v is not None}
    doc = {
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": f"{base}/claims/{row['claim_id']}" if base else None,
        "claimReviewed": row["claim"], "author": org, "datePublished": _day(row.get("reviewed_at")),
        "reviewRating": rating, "itemReviewed": item,
    }
    if row.get("note"):
        doc["reviewBody"] = row["note"]
    return {k: v for k, v in doc.items() if v is not None}


def write_claimreview(rows: Iterable[dict], out: IO[str], settings: dict) -> int:
    """Stream a JSON array of ClaimReview documents, one per reviewed row; the number written."""
    n = 0
    out.write("[")
    for row in rows:
        if not row.get("human_verdict"):
            continue
        out.write(",\n" if n else "\n")
        out.write(script_safe(json.dumps(claimreview_doc(row, settings), ensure_ascii=False)))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def script_safe(json_text: str) -> str:
    """JSON that can go inside <script type="application/ld+json"> as it is (issue #13): "</" and
    "<!--" would end or derail the script block, U+2028/U+2029 break older JavaScript parsers.
    They only occur inside JSON strings, where the escapes mean the same characters."""
    return (json_text.replace("</", "<\\/").replace("<!--", "\\u003c!--")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _nodes(data) -> Iterator[dict]:
    stack = [data]  # no recursion: a deeply nested document must not raise RecursionError
    while stack:
        d = stack.pop()
        if isinstance(d, list):
            stack.extend(reversed(d))
        elif isinstance(d, dict):
            yield d
            if "@graph" in d:
                stack.append(d["@graph"])


def _is_claimreview(node: dict) -> bool:
    t = node.get("@type")
    return "ClaimReview" in (t if isinstance(t, list) else [t])


def _text(x, keys: tuple[str, ...] = ("name", "url"), depth: int = 0) -> str | None:
    """A string from a JSON-LD value that should be one: a string or number as it is, the first
    usable item of a list, an object's first usable `keys`; None for anything else."""
    if isinstance(x, str):
        # a JSON "\ud800" escape decodes to a lone surrogate, which SQLite cannot store
        return x.encode("utf-8", "replace").decode("utf-8").strip() or None
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return str(x) if math.isfinite(x) else None
    if depth >= 4:
        return None
    items = x if isinstance(x, list) else [x.get(k) for k in (*keys, "@value", "@id")] if isinstance(x, dict) else []
    return next((t for t in (_text(y, keys, depth + 1) for y in items) if t), None)


def _rating(node: dict) -> dict:
    r = node.get("reviewRating")
    if isinstance(r, list):
        r = next((x for x in r if isinstance(x, (dict, str))), None)
    if isinstance(r, str):
        return {"alternateName": r}  # a bare rating word ("False") is the rating's text
    return r if isinstance(r, dict) else {}


def records_from_jsonld(data) -> list[dict]:
    """Archive records from parsed JSON-LD (one document, a list, or an @graph)."""
    out = []
    for node in _nodes(data):
        if not _is_claimreview(node):
            continue
        claim = _text(node.get("claimReviewed"), ("text", "name")) or _text(node.get("itemReviewed"))
        rating = _rating(node)
        text = _text(rating.get("alternateName")) or _text(rating.get("name"))
        out.append({"claim": claim, "rating": text,
                    "verdict": verdict_from_rating(text, rating.get("ratingValue"), rating.get("bestRating"),
                                                   rating.get("worstRating")),
                    "url": _text(node.get("url"), ("url",)), "date": _text(node.get("datePublished"), ()),
                    "publisher": _text(node.get("author"))})
    return [r for r in out if r["claim"]]


def records_from_html(html: str | bytes) -> list[dict]:
    """Archive records from every <script type="application/ld+json"> block of a page."""
    import lxml.html

    from sources.parse import wide_encoding

    if isinstance(html, bytes):
        html = html.decode(wide_encoding(html) or "utf-8", errors="replace")
    # lxml refuses a str that declares its encoding (XHTML pages start with <?xml ... encoding=...?>)
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html.lstrip("\ufeff"))
    if not html.strip():
        raise ClaimsError("the page is empty")
    try:
        tree = lxml.html.fromstring(html)
    except Exception as exc:  # lxml raises several types for unusable markup
        raise ClaimsError(f"cannot read the page as HTML: {exc}") from None
    out = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            out.extend(records_from_jsonld(json.loads(script.text_content() or "null")))
        except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
            continue  # one broken block does not hide the others
    return out


def _first_line(exc: Exception) -> str:
    msg = " ".join(str(exc).split()) or type(exc).__name__
    return msg if len(msg) <= 120 else msg[:119] + "…"


def _unneutralize(v: str) -> str:
    return v[1:] if v.startswith("'") and v[1:2] in ("=", "+", "-", "@", "\t", "\r") else v


def records_from_csv(stream: IO[str]) -> list[dict]:
    """Archive records from CSV: this workbench's export (claim, human_verdict, article_source,
    reviewed_at, ...) or the minimal format claim, verdict, url, date (verdict in our labels or
    a rating word such as "False")."""
    reader = csv.DictReader(stream)
    try:
        return _csv_records(reader)
    except csv.Error as exc:  # a bare CR in a stream not read in universal-newline mode, a huge field...
        raise ClaimsError(f"cannot read the CSV at line {reader.line_num + 1}: {exc}") from None


def _csv_records(reader: csv.DictReader) -> list[dict]:
    cols = {c.strip().lower().lstrip("\ufeff") for c in (reader.fieldnames or [])}
    if "claim" not in cols:
        raise ClaimsError("the CSV needs a 'claim' column (and 'verdict', 'url', 'date', or this workbench's export)")
    ours = "human_verdict" in cols
    out = []
    for raw in reader:
        row = {k.strip().lower().lstrip("\ufeff"): _unneutralize(v or "") for k, v in raw.items() if k}
        text = row.get("human_verdict") if ours else row.get("verdict")
        if ours and not text:
            continue  # an unreviewed claim is not a fact-check
        out.append({"claim": row.get("claim"), "rating": text, "verdict": verdict_from_rating(text),
                    "url": None if ours else row.get("url") or None,
                    "date": row.get("reviewed_at") if ours else row.get("date") or None,
                    "publisher": row.get("reviewer") if ours else row.get("publisher") or None})
    return [r for r in out if r["claim"]]


def import_factchecks(db, spec: str) -> dict:
    """Import earlier fact-checks from a file (.json/.jsonld ClaimReview, .html page embedding it,
    .csv) or an http(s) URL of a page or JSON-LD document into the archive."""
    import io
    from pathlib import Path

    from claims.store import add_archive
    from sources.errors import SourceError
    from sources.fetch import fetch_url, is_url
    from sources.parse import decode_text, looks_binary

    if is_url(spec):
        from claims.store import get_settings

        fetched = fetch_url(spec, allow_networks=get_settings(db)["fetch_allow_networks"])
        body, kind, origin = fetched.body, fetched.content_type, fetched.final_url
        kind = "json" if "json" in kind else "csv" if "csv" in kind else "html"
    else:
        p = Path(spec)
        if not p.is_file():
            raise ClaimsError(f"no such file: {spec}")
        body, origin = p.read_bytes(), str(p)
        suffix = p.suffix.lower()
        kind = {".json": "json", ".jsonld": "json", ".csv": "csv", ".html": "html", ".htm": "html"}.get(suffix)
        if kind is None:
            raise ClaimsError(f"{p.name}: use a .json/.jsonld (ClaimReview), .html or .csv file")
    if not body.strip():
        raise ClaimsError(f"{origin} is empty")
    if looks_binary(body):
        raise ClaimsError(f"{origin} is a binary file, not ClaimReview or CSV")
    if kind != "html":
        try:
            text = decode_text(body, None, origin)
        except SourceError as exc:
            raise ClaimsError(str(exc)) from None
    if kind == "json":
        try:
            records = records_from_jsonld(json.loads(text))
        except json.JSONDecodeError as exc:
            raise ClaimsError(f"{origin} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
        except (ValueError, RecursionError) as exc:  # a number of over 4,300 digits, nesting too deep
            raise ClaimsError(f"{origin} is not usable JSON: {_first_line(exc)}") from None
    elif kind == "csv":
        records = records_from_csv(io.StringIO(text, newline=None))  # old Mac CSVs end lines with a bare CR
    else:
        records = records_from_html(body)
    if not records:
        raise ClaimsError(f"no ClaimReview or fact-check rows found in {origin}")
    added, seen = add_archive(db, records, origin)
    return {"origin": origin, "found": len(records), "added": added, "already_there": seen}


def import_factchecks_url(db, url: str) -> dict:
    """Import earlier fact-checks from an http(s) URL only, never a local path: for a URL box,
    which must not read files on the server (issue #13); a file is imported by uploading it."""
    from urllib.parse import urlsplit

    from sources.fetch import is_url

    url = (url or "").strip()
    try:
        ok = is_url(url) and bool(urlsplit(url).hostname)
    except ValueError:
        ok = False
    if not ok:
        raise ClaimsError(f"not an http(s) URL: {url!r}; to import a file, upload it")
    return import_factchecks(db, url)
