"""All network access: fetch a URL with timeouts, a size cap and one clear error per failure."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import requests

from sources.errors import SourceFetchError, UnsupportedDocument

__all__ = ["Fetched", "fetch_url", "is_url", "DEFAULT_MAX_BYTES", "DEFAULT_TIMEOUT"]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_TIMEOUT = 15.0
USER_AGENT = "factcheck-workbench/0.1 (+https://example.org/factcheck)"
TEXT_TYPES = ("text/", "application/xhtml", "application/xml", "application/pdf", "application/json",
              "application/ld+json",
              "application/rss", "application/atom")


@dataclass
class Fetched:
    """The body of a fetched URL and what the server said about it."""

    url: str
    final_url: str
    content_type: str
    charset: str | None
    body: bytes


def is_url(value: str) -> bool:
    """True for http(s) URLs."""
    return urlparse(value).scheme in ("http", "https")


def _cause(exc: BaseException) -> BaseException:
    seen = exc
    while seen.__cause__ or seen.__context__:
        nxt = seen.__cause__ or seen.__context__
        if isinstance(nxt, (socket.gaierror, ConnectionRefusedError)):
            return nxt
        seen = nxt
    return exc


def fetch_url(url: str, session: requests.Session | None = None, timeout: float = DEFAULT_TIMEOUT,
              max_bytes: int = DEFAULT_MAX_BYTES) -> Fetched:
    """GET `url` and return its body, or raise `SourceFetchError` / `UnsupportedDocument`.

    `timeout` bounds the whole download, not just each socket read, so a server
    that trickles bytes cannot hold us forever. Bodies over `max_bytes` are refused.
    """
    if not is_url(url):
        raise SourceFetchError(f"not an http(s) URL: {url}")
    session = session or requests.Session()
    host = urlparse(url).hostname or url
    deadline = time.monotonic() + timeout
    try:
        resp = session.get(url, stream=True, timeout=(min(timeout, 10.0), timeout),
                           headers={"User-Agent": USER_AGENT, "Accept": "text/html,text/plain,application/pdf,*/*;q=0.5"},
                           allow_redirects=True)
    except requests.exceptions.InvalidURL as exc:
        raise SourceFetchError(f"invalid URL {url}: {exc}") from None
    except requests.exceptions.TooManyRedirects:
        raise SourceFetchError(f"too many redirects fetching {url}") from None
    except requests.exceptions.Timeout:
        raise SourceFetchError(f"timed out after {timeout:g}s fetching {url}") from None
    except requests.exceptions.ConnectionError as exc:
        cause = _cause(exc)
        if isinstance(cause, socket.gaierror) or "NameResolution" in str(exc) or "Name or service" in str(exc):
            raise SourceFetchError(f"cannot resolve host {host} (DNS lookup failed) for {url}") from None
        if isinstance(cause, ConnectionRefusedError) or "refused" in str(exc).lower():
            raise SourceFetchError(f"connection refused by {host} for {url}") from None
        raise SourceFetchError(f"cannot connect to {host} for {url}") from None
    except requests.exceptions.RequestException as exc:
        raise SourceFetchError(f"failed to fetch {url}: {exc.__class__.__name__}") from None
    with resp:
        if resp.status_code >= 400:
            raise SourceFetchError(f"HTTP {resp.status_code} {resp.reason or ''}".rstrip() + f" for {url}")
        ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype and not ctype.startswith(TEXT_TYPES):
            raise UnsupportedDocument(f"{url} is {ctype}, not a text, HTML or PDF document")
        length = resp.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise SourceFetchError(f"{url} is {int(length):,} bytes, over the {max_bytes:,}-byte limit")
        chunks, size = [], 0
        try:
            for chunk in resp.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > max_bytes:
                    raise SourceFetchError(f"{url} is over the {max_bytes:,}-byte limit")
                if time.monotonic() > deadline:
                    raise SourceFetchError(f"timed out after {timeout:g}s fetching {url}")
                chunks.append(chunk)
        except requests.exceptions.RequestException:
            raise SourceFetchError(f"timed out or lost the connection while reading {url}") from None
        return Fetched(url=url, final_url=resp.url, content_type=ctype,
                       charset=resp.encoding if "charset" in (resp.headers.get("Content-Type") or "") else None,
                       body=b"".join(chunks))
