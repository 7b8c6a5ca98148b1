"""Turn bytes (a file, a fetched page, pasted text) into clean readable text and a title."""

from __future__ import annotations

import codecs
import contextlib
import io
import logging
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sources.errors import EmptyDocument, SourceError, UnsupportedDocument

__all__ = ["Document", "parse_document", "normalize_text", "read_path", "looks_binary", "decode_text", "wide_encoding",
           "MAX_FILE_BYTES"]

MAX_FILE_BYTES = 50 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".pdf", ""}
# a damaged PDF can make pypdf loop over a huge page tree or redo its work on every page
MAX_PDF_PAGES = 5_000
MAX_PDF_SECONDS = 120.0


@dataclass
class Document:
    """Clean text of one document, with where it came from."""

    title: str
    text: str
    origin: str          # URL, file path or "pasted text"
    kind: str            # text, markdown, html, pdf
    date: str | None = None  # publication date (ISO, from the page's metadata) where it says one
    author: str | None = None     # who wrote it: the page's metadata, or a byline ("By Ana Lopez")
    publisher: str | None = None  # the site or outlet that published it (the page's metadata)


def normalize_text(text: str) -> str:
    """NFC, Unix newlines, no trailing spaces, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\ufeff", "").replace("\x00", "")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def wide_encoding(body: bytes) -> str | None:
    """"utf-32" or "utf-16" when `body` starts with their byte-order mark, "utf-16-le" or
    "utf-16-be" when it looks like UTF-16 without one (a NUL at every other offset, as in
    Latin-script text that Windows tools save as "Unicode"), else None."""
    if body.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = body[:8192]
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even, odd = head[0:2 * pairs:2].count(0), head[1:2 * pairs:2].count(0)
    if odd >= 0.3 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _control_share(codes: list[int]) -> float:
    control = sum(1 for c in codes if c < 32 and c not in (9, 10, 12, 13, 27))
    return control / len(codes) if codes else 0.0


def looks_binary(body: bytes) -> bool:
    """True for bytes that are not text: NULs (outside UTF-16/32) or many control characters."""
    head = body[:8192]
    wide = wide_encoding(body)
    if wide:
        chars = head[:len(head) - len(head) % 4].decode(wide, errors="replace")
        return _control_share([ord(c) for c in chars]) > 0.05
    return b"\x00" in head or _control_share(list(head)) > 0.05


def decode_text(body: bytes, charset: str | None, origin: str) -> str:
    """Text of `body`: UTF-16/32 when it has their BOM or looks like UTF-16, else its declared
    charset, else UTF-8 (BOM allowed); a clear error otherwise."""
    wide = wide_encoding(body)
    if wide:
        try:
            return body.decode(wide)
        except UnicodeDecodeError as exc:
            name = "UTF-32" if wide == "utf-32" else "UTF-16"
            unit = 4 if wide == "utf-32" else 2
            why = (f"{len(body):,} bytes is not a whole number of {unit}-byte units" if len(body) % unit
                   else f"{exc.reason} at offset {exc.start}")
            raise UnsupportedDocument(f"{origin} is not valid {name} text ({why}); "
                                      "convert it to UTF-8 first (for example with iconv)") from None
    for enc in [c for c in (charset, "utf-8-sig") if c]:
        try:
            return body.decode(enc)
        except (ValueError, LookupError):  # UnicodeError is a ValueError; a charset may be any name
            continue
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsupportedDocument(
            f"{origin} is not UTF-8 text (byte 0x{body[exc.start]:02x} at offset {exc.start}); "
            "convert it to UTF-8 first (for example with iconv)") from None
    raise UnsupportedDocument(f"{origin} cannot be decoded")


def _kind(body: bytes, filename: str | None, content_type: str | None) -> str:
    suffix = Path(filename).suffix.lower() if filename else ""
    if body[:5] == b"%PDF-" or suffix == ".pdf" or (content_type or "").endswith("/pdf"):
        return "pdf"
    if suffix in (".html", ".htm", ".xhtml") or "html" in (content_type or ""):
        return "html"
    if suffix in (".md", ".markdown"):
        return "markdown"
    sniff = body[:1024].lstrip().lower()
    if sniff.startswith((b"<!doctype html", b"<html")) or b"<body" in sniff:
        return "html"
    # pasted or .txt text that opens with a Markdown heading ("# Title") is Markdown, read as a .md
    # file is: the same article from the CLI and the app is then the same text (checked once)
    if re.match(rb"#{1,6} +\S", body.lstrip()[:200]):
        return "markdown"
    return "text"


def _html_charset(body: bytes) -> str | None:
    m = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_\-]+)", body[:4096], re.I)
    return m.group(1).decode("ascii") if m else None


def _parse_html(html: str, origin: str) -> tuple[str, str | None, str | None, str | None, str | None]:
    """(text, title, date, author, publisher) of an HTML page."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True,
                               deduplicate=False) or ""
    title = date = author = publisher = None
    try:
        meta = trafilatura.extract_metadata(html)
        if meta:
            title, date, author, publisher = meta.title, meta.date, meta.author, meta.sitename
    except Exception:  # metadata is a nicety; a broken <head> must not lose the text
        title = date = author = publisher = None
    if not title:
        m = re.search(r"<title[^>]*>(.*?)</title>", html, re.I | re.S)
        title = re.sub(r"\s+", " ", m.group(1)).strip() if m else None
    return text, title, iso_date(date), _short_name(author), _short_name(publisher)


def _short_name(value) -> str | None:
    name = re.sub(r"\s+", " ", str(value or "")).strip()
    return name[:120] if name else None


MONTHS = {m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                                      "september", "october", "november", "december"], 1)}
# "By Ana Lopez", "by Ana Lopez and Ben Roe": the name's words capitalised ("By the way" is no byline)
# "By Tomas Berg, Science Desk" / "By Ana Lopez | Reuters": the name, then the desk or outlet
BYLINE = re.compile(r"^\s*(?:[Ww]ritten\s+)?[Bb][Yy]\s+([A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|and|de|van|von|la)){0,6})"
                    r"\s*(?:[,|–—]\s*[A-Z][\w'’.&-]*(?:\s+[\w'’.&-]+){0,5}\s*)?$")
DATELINE = re.compile(r"^\s*(?:published|posted|updated)?\s*(?:on|:)?\s*(?:\w+day,?\s+)?"
                      r"(\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Za-z]+\s+\d{4}|[A-Za-z]+\s+\d{1,2},?\s+\d{4})\s*$", re.I)


def _text_date(value: str) -> str | None:
    """An ISO date from "2024-10-01", "1 October 2024" or "October 1, 2024"."""
    import datetime

    if re.match(r"\d{4}-", value):
        return iso_date(value)
    m = re.match(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})$", value) or re.match(r"([A-Za-z]+)\s+(\d{1,2}),?\s+(\d{4})$", value)
    if not m:
        return None
    a, b, year = m.groups()
    day, month = (a, b) if a.isdecimal() else (b, a)
    if month.lower() not in MONTHS:
        return None
    try:
        return datetime.date(int(year), MONTHS[month.lower()], int(day)).isoformat()
    except ValueError:
        return None


def byline(text: str) -> tuple[str | None, str | None]:
    """(author, date) from a byline and a dateline among an article's first lines ("By Ana Lopez",
    "Published 1 October 2024"), for text without page metadata; (None, None) where there are none."""
    author = date = None
    for line in text.strip().splitlines()[:6]:
        line = line.strip().strip("*_ ")
        if author is None and (m := BYLINE.match(line)):
            author = m.group(1).strip()
        elif date is None and len(line) < 60 and (m := DATELINE.match(line)):
            date = _text_date(m.group(1))
    return author, date


def iso_date(value) -> str | None:
    """A YYYY-MM-DD date that exists, from the start of `value`, else None."""
    import datetime

    m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", str(value or ""))
    if not m:
        return None
    try:
        return datetime.date(*map(int, m.groups())).isoformat()
    except ValueError:
        return None


# titles that PDF writers put in the metadata which name no document (a browser's "Save as PDF"
# of a blank tab, a word processor's default, a file name or an address)
JUNK_TITLE = re.compile(r"^\s*(about:\S*|untitled\b.*|document\s*\d*|microsoft (word|powerpoint) - .*|"
                        r".*\.(docx?|pdf|indd|odt|rtf|pages|txt)|https?://\S*|www\.\S*|\W*)\s*$", re.I)


def _pdf_title(reader) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception:  # a broken /Info dictionary must not lose the text
        return None
    if not isinstance(title, str) or not title.strip() or JUNK_TITLE.match(title):
        return None
    return " ".join(title.split())


def _pdf_heading(page) -> str | None:
    """The first page's opening text set larger than its body text (a headline), if any."""
    frags: list[tuple[str, float]] = []

    def visit(text, cm, tm, font_dict, font_size):
        scale = abs(tm[3] * cm[3]) if tm and cm and tm[3] and cm[3] else 1.0
        if text and text.strip():
            frags.append((text, float(font_size or 0) * scale))

    try:
        page.extract_text(visitor_text=visit)
    except Exception:  # the heading is a nicety; the text was read already
        return None
    sizes = sorted(size for text, size in frags for _ in range(len(text.strip())))
    if not sizes:
        return None
    body = sizes[len(sizes) // 2]
    heading = []
    for text, size in frags:
        if size < 1.2 * body:
            break
        heading.append(text.strip())
    title = " ".join(" ".join(heading).split())
    return title if 0 < len(title) <= 200 and len(heading) < len(frags) else None


def _split_heading(text: str, heading: str | None) -> str:
    """The page text with a blank line after its heading, so the headline never runs into the first sentence."""
    if not heading:
        return text
    words, pos = heading.split(), 0
    for word in words:
        found = text.find(word, pos)
        if found < 0 or text[pos:found].strip():
            return text
        pos = found + len(word)
    return text[:pos].strip() + "\n\n" + text[pos:].lstrip()


@contextlib.contextmanager
def _quiet(logger: str):
    """Hide a library's log warnings for a while: pypdf logs every flaw of a damaged file to
    stderr (once even a logging traceback of its own), and we say what went wrong in one line."""
    log = logging.getLogger(logger)
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def _parse_pdf(body: bytes, origin: str) -> tuple[str, str | None]:
    with _quiet("pypdf"):
        return _read_pdf(body, origin)


def _read_pdf(body: bytes, origin: str) -> tuple[str, str | None]:
    from pypdf import PdfReader

    started = time.monotonic()
    try:
        reader = PdfReader(io.BytesIO(body))
        if reader.is_encrypted:
            raise UnsupportedDocument(f"{origin} is an encrypted PDF")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise UnsupportedDocument(f"{origin} has {len(reader.pages):,} pages, over the "
                                      f"{MAX_PDF_PAGES:,}-page limit")
        pages = []
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            if time.monotonic() - started > MAX_PDF_SECONDS:
                raise UnsupportedDocument(f"cannot read PDF {origin}: still not done after "
                                          f"{MAX_PDF_SECONDS:.0f} s (damaged or too complex)")
        heading = _pdf_heading(reader.pages[0]) if pages and pages[0].strip() else None
        if heading:
            pages[0] = _split_heading(pages[0], heading)
        title = _pdf_title(reader) or heading
    except SourceError:
        raise
    except Exception as exc:
        # pypdf raises PdfReadError, LimitReachedError, but also TypeError, AttributeError,
        # AssertionError, KeyError, NotImplementedError... on damaged files (issue #13)
        from pypdf.errors import PyPdfError

        why = _one_line(exc) if isinstance(exc, PyPdfError) else f"pypdf: {type(exc).__name__}"
        raise UnsupportedDocument(f"cannot read PDF {origin}: damaged or unsupported ({why})") from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        raise EmptyDocument(f"{origin} has no extractable text (a scanned PDF needs OCR first)")
    return text, title


def _one_line(exc: Exception, limit: int = 120) -> str:
    msg = " ".join(str(exc).split()) or "no details"
    return msg if len(msg) <= limit else msg[:limit - 1] + "…"


def _strip_markdown(text: str) -> tuple[str, str | None]:
    title = None
    lines = []
    for line in text.split("\n"):
        m = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            line = m.group(1)
            title = title or line
        line = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", line)
        line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)
        line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)
        line = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", line)
        line = re.sub(r"^\s*[-*+]\s+", "", line)
        line = re.sub(r"^\s*>\s?", "", line)
        lines.append(line)
    return "\n".join(lines), title


def _first_line_title(text: str) -> str | None:
    """A heading-like first line as it is; else the start of the text, cut at a word."""
    lines = [line.strip() for line in text.strip().split("\n") if line.strip()]
    # a byline or a dateline is no title ("By Priya Raman" above the first paragraph)
    lines = [line for line in lines[:3] if not BYLINE.match(line) and not DATELINE.match(line)] + lines[3:]
    first = lines[0] if lines else ""
    if not first:
        return None
    # a heading, unless the next line goes on with its sentence (a line wrapped in a PDF)
    wrapped = len(lines) > 1 and bool(re.match(r"[a-z]", lines[1]))
    if len(first) <= 100 and not first.endswith((".", "?", "!")) and not wrapped:
        return first
    cut = first[:60].rsplit(" ", 1)[0] if len(first) > 60 else first
    return cut.rstrip(",;:") + "…"


def parse_document(body: bytes, *, origin: str, filename: str | None = None,
                   content_type: str | None = None, charset: str | None = None,
                   title: str | None = None) -> Document:
    """Clean text and a title from raw bytes, or a one-line `SourceError`."""
    if not body or not body.strip():
        raise EmptyDocument(f"{origin} is empty")
    kind = _kind(body, filename, content_type)
    date = author = publisher = None
    if kind == "pdf":
        text, found = _parse_pdf(body, origin)
    else:
        if looks_binary(body):
            raise UnsupportedDocument(f"{origin} looks like a binary file, not text, HTML or PDF")
        raw = decode_text(body, charset or (_html_charset(body) if kind == "html" else None), origin)
        if kind == "html":
            text, found, date, author, publisher = _parse_html(raw, origin)
        elif kind == "markdown":
            text, found = _strip_markdown(raw)
        else:
            text, found = raw, None
    text = normalize_text(text)
    if not text:
        raise EmptyDocument(f"{origin} has no readable text")
    if not re.search(r"[^\W\d_]", text):
        raise EmptyDocument(f"{origin} has no words in it")
    found = found or _first_line_title(text) or Path(filename or origin).stem
    if kind != "html" or not (author and date):
        by, on = byline(text)
        author, date = author or by, date or on
    return Document(title=(title or found or origin).strip()[:300], text=text, origin=origin, kind=kind, date=date,
                    author=author, publisher=publisher)


def read_path(path: str | Path, title: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read and parse a local file."""
    p = Path(path)
    if not p.exists():
        raise UnsupportedDocument(f"no such file: {p}")
    if p.is_dir():
        raise UnsupportedDocument(f"{p} is a folder, not a file")
    size = p.stat().st_size
    if size > max_bytes:
        raise UnsupportedDocument(f"{p} is {size:,} bytes, over the {max_bytes:,}-byte limit")
    if p.suffix.lower() not in TEXT_SUFFIXES:
        body = p.read_bytes()
        if looks_binary(body) and body[:5] != b"%PDF-":
            raise UnsupportedDocument(f"{p} looks like a binary file ({p.suffix}), not text, HTML or PDF")
        return parse_document(body, origin=str(p), filename=p.name, title=title)
    return parse_document(p.read_bytes(), origin=str(p), filename=p.name, title=title)
