"""Turn bytes (a file, a fetched page, pasted text) into clean readable text and a title."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sources.errors import EmptyDocument, UnsupportedDocument

__all__ = ["Document", "parse_document", "normalize_text", "read_path", "looks_binary", "decode_text", "MAX_FILE_BYTES"]

MAX_FILE_BYTES = 50 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".pdf", ""}


@dataclass
class Document:
    """Clean text of one document, with where it came from."""

    title: str
    text: str
    origin: str          # URL, file path or "pasted text"
    kind: str            # text, markdown, html, pdf


def normalize_text(text: str) -> str:
    """NFC, Unix newlines, no trailing spaces, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\ufeff", "")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def looks_binary(body: bytes) -> bool:
    """True for bytes that are not text (NULs outside UTF-16, or many control characters)."""
    head = body[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return bool(head) and control / len(head) > 0.05


def decode_text(body: bytes, charset: str | None, origin: str) -> str:
    """Text of `body`: its declared charset, else UTF-8 (BOM allowed) or UTF-16; a clear error otherwise."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16")
    for enc in [c for c in (charset, "utf-8-sig") if c]:
        try:
            return body.decode(enc)
        except (UnicodeDecodeError, LookupError):
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
    return "text"


def _html_charset(body: bytes) -> str | None:
    m = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_\-]+)", body[:4096], re.I)
    return m.group(1).decode("ascii") if m else None


def _parse_html(html: str, origin: str) -> tuple[str, str | None]:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True,
                               deduplicate=False) or ""
    title = None
    try:
        meta = trafilatura.extract_metadata(html)
        title = meta.title if meta else None
    except Exception:  # metadata is a nicety; a broken <head> must not lose the text
        title = None
    if not title:
        m = re.search(r"<title[^>]*>(.*?)</title>", html, re.I | re.S)
        title = re.sub(r"\s+", " ", m.group(1)).strip() if m else None
    return text, title


def _parse_pdf(body: bytes, origin: str) -> tuple[str, str | None]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(body))
        if reader.is_encrypted:
            raise UnsupportedDocument(f"{origin} is an encrypted PDF")
        pages = [(p.extract_text() or "") for p in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or None
    except PdfReadError as exc:
        raise UnsupportedDocument(f"{origin} is not a readable PDF ({exc})") from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        raise EmptyDocument(f"{origin} has no extractable text (a scanned PDF needs OCR first)")
    return text, title


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
    first = text.strip().split("\n", 1)[0].strip()
    if not first:
        return None
    if len(first) <= 100 and not first.endswith((".", "?", "!")):
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
    if kind == "pdf":
        text, found = _parse_pdf(body, origin)
    else:
        if looks_binary(body):
            raise UnsupportedDocument(f"{origin} looks like a binary file, not text, HTML or PDF")
        raw = decode_text(body, charset or (_html_charset(body) if kind == "html" else None), origin)
        if kind == "html":
            text, found = _parse_html(raw, origin)
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
    return Document(title=(title or found or origin).strip()[:300], text=text, origin=origin, kind=kind)


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
