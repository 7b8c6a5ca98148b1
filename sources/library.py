"""Adding and removing sources: read (file, URL, text) -> parse -> chunk -> embed -> store."""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import requests
import sqlite_utils

from sources import ann, store
from sources.chunk import chunk_passages
from sources.errors import AlreadyStored, EmptyDocument, SourceError, SourceFetchError
from sources.fetch import fetch_url, is_url
from sources.parse import Document, parse_document, read_path

__all__ = ["AddResult", "read_source", "read_url", "add_document", "add_documents", "add_source", "add_url",
           "add_text", "remove_source", "embedding_text"]

Progress = Callable[[int, int], None]


@dataclass
class AddResult:
    """What adding one source did."""

    source_id: int
    title: str
    origin: str
    added: bool          # False when the same content was already in the library
    passages: int
    embedded: int        # passages that needed a new vector
    message: str

    def to_dict(self) -> dict:
        """Plain JSON-ready dict."""
        return asdict(self)


def read_source(spec: str, title: str | None = None, session: requests.Session | None = None,
                stdin=None, allow_networks: str | None = None) -> tuple[Document, str | None]:
    """A document from a URL, a file path or "-" (stdin), and its URL if it has one; URLs reach
    public addresses and `allow_networks` (comma-separated CIDR), see `fetch_url`."""
    if spec == "-":
        data = (stdin or sys.stdin.buffer).read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        return parse_document(data, origin="standard input", title=title), None
    if is_url(spec):
        return read_url(spec, title=title, session=session, allow_networks=allow_networks)
    return read_path(spec, title=title), None


def read_url(url: str, title: str | None = None, session: requests.Session | None = None,
             allow_networks: str | None = None) -> tuple[Document, str]:
    """A document from an http(s) URL, and its final URL. Anything else (a path, file:, ftp:) is
    refused, so a URL box never reads a file on the server (issue #13); files come by upload."""
    url = (url or "").strip()
    try:
        ok = is_url(url) and bool(urlsplit(url).hostname)
    except ValueError:  # "http://[" and the like
        ok = False
    if not ok:
        raise SourceFetchError(f"not an http(s) URL: {url!r}; to add a file, upload it")
    f = fetch_url(url, session=session, allow_networks=allow_networks)
    doc = parse_document(f.body, origin=f.final_url, filename=Path(f.final_url.split("?")[0]).name,
                         content_type=f.content_type, charset=f.charset, title=title)
    return doc, f.final_url


EMBED_TITLE = True
# Passages: windows of 2 sentences every sentence, at most 600 characters (sentences per window,
# stride, character cap), chosen on SciFact train among four sizes by bench/bench_passages.py
# (bench/RESULTS.md). Libraries made with another size keep their passages; new sources use this.
PASSAGE_SIZE = (2, 1, 600)


def embedding_text(title: str, passage: str) -> str:
    """What gets embedded for a passage: its source's title, then the passage (a title says what
    a passage is about when the passage itself only says "it"); see bench/RESULTS.md."""
    return f"{title}\n{passage}" if EMBED_TITLE and title else passage


def add_document(db: sqlite_utils.Database, doc: Document, embedder, *, url: str | None = None,
                 credibility: float = 1.0, progress: Progress | None = None) -> AddResult:
    """Chunk, embed (only texts without a vector yet) and store a parsed document."""
    return add_documents(db, [(doc, url)], embedder, credibility=credibility, progress=progress)[0]


def add_documents(db: sqlite_utils.Database, docs: list[tuple[Document, str | None]], embedder, *,
                  credibility: float = 1.0, progress: Progress | None = None) -> list[AddResult]:
    """Add several parsed documents, embedding all their new passages in one batch.

    One `encode` call over every new passage lets the model sort them by length
    across documents, which is what keeps ingestion as fast as a bare `encode`.
    """
    plans: list[tuple[Document, str | None, str, list] | AddResult] = []
    in_batch: dict[str, str] = {}
    for doc, url in docs:
        digest = store.content_hash(doc.text)
        existing = store.find_source_by_hash(db, digest)
        if existing:
            plans.append(AddResult(existing["id"], existing["title"], doc.origin, False, 0, 0,
                                   f"already in the library as source {existing['id']} ({existing['title']}); "
                                   "nothing added"))
            continue
        if digest in in_batch:
            plans.append(AddResult(0, doc.title, doc.origin, False, 0, 0,
                                   f"same content as {in_batch[digest]} in this batch; nothing added"))
            continue
        spans = chunk_passages(doc.text, *PASSAGE_SIZE)
        if not spans:
            raise EmptyDocument(f"{doc.origin} has no sentences to index")
        in_batch[digest] = doc.origin
        plans.append((doc, url, digest, spans))
    texts = {store.content_hash(embedding_text(p[0].title, s.text)): embedding_text(p[0].title, s.text)
             for p in plans if not isinstance(p, AddResult) for s in p[3]}
    todo = sorted(store.missing_hashes(db, embedder.model_id, texts))
    vectors = dict(zip(todo, embedder.encode([texts[h] for h in todo], progress=progress))) if todo else {}
    if not todo and progress:
        progress(len(texts), len(texts))
    results = []
    for p in plans:
        if isinstance(p, AddResult):
            results.append(p)
            continue
        doc, url, digest, spans = p
        keyed = [(s.start, s.end, s.text, store.content_hash(embedding_text(doc.title, s.text))) for s in spans]
        hashes = {k[3] for k in keyed}
        mine = {h: v for h, v in vectors.items() if h in hashes}
        try:
            source_id = store.insert_source(
                db, title=doc.title, origin=doc.origin, url=url, kind=doc.kind, text=doc.text, digest=digest,
                passages=keyed, model_id=embedder.model_id, vectors=mine, credibility=credibility)
        except AlreadyStored as exc:  # someone else added the same content while this was embedded
            results.append(AddResult(exc.source_id, exc.title, doc.origin, False, 0, 0, str(exc)))
            continue
        results.append(AddResult(source_id, doc.title, doc.origin, True, len(spans), len(mine),
                                 f"added source {source_id} ({doc.title}): {len(spans)} passages, "
                                 f"{len(mine)} embedded"))
    if any(r.added for r in results):
        ann.update_if_present(db, embedder.model_id)
    return results


def add_source(db: sqlite_utils.Database, spec: str, embedder, *, title: str | None = None,
               session: requests.Session | None = None, credibility: float = 1.0,
               progress: Progress | None = None, allow_networks: str | None = None) -> AddResult:
    """Add a file path, URL or "-" to the library."""
    doc, url = read_source(spec, title=title, session=session, allow_networks=allow_networks)
    return add_document(db, doc, embedder, url=url, credibility=credibility, progress=progress)


def add_url(db: sqlite_utils.Database, url: str, embedder, *, title: str | None = None,
            session: requests.Session | None = None, credibility: float = 1.0,
            progress: Progress | None = None, allow_networks: str | None = None) -> AddResult:
    """Add the document at an http(s) URL to the library; never a local path (see `read_url`)."""
    doc, final_url = read_url(url, title=title, session=session, allow_networks=allow_networks)
    return add_document(db, doc, embedder, url=final_url, credibility=credibility, progress=progress)


def add_text(db: sqlite_utils.Database, text: str, embedder, *, title: str | None = None,
             credibility: float = 1.0, progress: Progress | None = None) -> AddResult:
    """Add pasted text to the library."""
    doc = parse_document(text.encode("utf-8"), origin="pasted text", title=title)
    return add_document(db, doc, embedder, credibility=credibility, progress=progress)


def remove_source(db: sqlite_utils.Database, source_id: int, before_delete=None) -> dict:
    """Remove a source with its passages, index rows and unshared vectors; the removed row."""
    src = store.remove_source(db, source_id, before_delete=before_delete)
    if src is None:
        raise SourceError(f"no source with id {source_id}")
    ann.update_if_present(db)
    return src
