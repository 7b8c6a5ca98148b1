"""Exports of reviewed claims: CSV with spreadsheet-formula neutralisation."""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from typing import IO, Iterable

__all__ = ["CSV_COLUMNS", "write_csv", "neutralize", "export_filename"]

CSV_COLUMNS = [
    "article_id", "article_title", "article_source", "article_published", "article_author", "article_publisher",
    "claim_id", "claim", "claim_original", "claimant", "sentence", "start", "end", "type",
    "checkworthiness", "suggested_verdict", "suggestion_confidence", "suggestion_rationale", "human_verdict",
    "reviewer", "reviewed_at", "note", "evidence_passage_id", "evidence_text", "evidence_source_title",
    "evidence_source", "evidence_score",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value):
    """Prefix text that a spreadsheet would run as a formula with an apostrophe; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(rows: Iterable[dict], out: IO[str]) -> int:
    """Write export rows as CSV to a text stream, row by row; the number of rows written."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow({k: neutralize("" if row.get(k) is None else row.get(k)) for k in CSV_COLUMNS})
        n += 1
    return n


# letters that do not decompose into a Latin letter and a mark
LETTERS = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "ł": "l",
                         "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i"})


def export_filename(title: str | None, kind: str, extension: str, day: str | None = None,
                    article_id: int | None = None) -> str:
    """A download's name after the article (its id too: two copies of one article have one title)
    and the day: "dutch-veteran-takes-the-helm-article-2-2026-12-03-verdicts.csv"; without an article
    (every article), "factcheck-2026-12-03-verdicts.csv"."""
    day = day or dt.date.today().isoformat()
    ascii_title = unicodedata.normalize("NFKD", (title or "").translate(LETTERS)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].rstrip("-") or "factcheck"
    number = f"-article-{article_id}" if article_id is not None else ""
    return f"{slug}{number}-{day}-{kind}.{extension}"
