"""Reading an article: a file, a URL, standard input or pasted text, into clean text."""

from __future__ import annotations

import requests

from claims.errors import EmptyArticle
from sources.errors import EmptyDocument
from sources.library import read_source
from sources.parse import Document, parse_document

__all__ = ["load_article", "article_from_text"]


def load_article(spec: str, title: str | None = None, session: requests.Session | None = None,
                 stdin=None, allow_networks: str | None = None) -> tuple[Document, str | None]:
    """(document, URL or None) for a path, an http(s) URL or "-" (standard input)."""
    try:
        return read_source(spec, title=title, session=session, stdin=stdin, allow_networks=allow_networks)
    except EmptyDocument as exc:
        raise EmptyArticle(f"the article has no text: {exc}") from None


def article_from_text(text: str, title: str | None = None) -> Document:
    """A document from pasted text."""
    try:
        return parse_document((text or "").encode("utf-8"), origin="pasted text", title=title)
    except EmptyDocument:
        raise EmptyArticle("the article is empty: paste some text first") from None
