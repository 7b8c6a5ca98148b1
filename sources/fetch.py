"""All network access: fetch a URL with a total deadline, a size cap, an address policy and one
clear error per failure.

By default a fetch reaches only public addresses (issue #13): a host is resolved once, every
address it resolves to is checked, and the connection goes to that checked address, so no
spelling of an address (decimal, octal, hex, `127.1`, IPv4-mapped IPv6) and no DNS rebinding gets
past the check. Redirects are followed here, each one checked again. Networks named in
`allow_networks` or in the FACTCHECK_ALLOW_NETWORKS environment variable are reachable as well.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import re
import socket
import threading
import time
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.cookies import extract_cookies_to_jar
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from sources.errors import BlockedAddress, SourceFetchError, UnsupportedDocument

__all__ = ["Fetched", "fetch_url", "is_url", "address_problem", "allowed_networks", "DEFAULT_MAX_BYTES",
           "DEFAULT_TIMEOUT", "ALLOW_ENV"]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_TIMEOUT = 15.0      # seconds for the whole exchange: resolve, connect, headers, body, redirects
CONNECT_TIMEOUT = 10.0
MAX_REDIRECTS = 5
ALLOW_ENV = "FACTCHECK_ALLOW_NETWORKS"
USER_AGENT = "factcheck-workbench/0.1 (+https://example.org/factcheck)"
HEADERS = {"User-Agent": USER_AGENT, "Accept": "text/html,text/plain,application/pdf,*/*;q=0.5"}
TEXT_TYPES = ("text/", "application/xhtml", "application/xml", "application/pdf", "application/json",
              "application/ld+json",
              "application/rss", "application/atom")
REDIRECTS = (301, 302, 303, 307, 308)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")]
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_SPECIAL = [ipaddress.ip_network(n) for n in ("192.0.0.0/24", "192.88.99.0/24")]   # older Pythons miss these
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_ALLOW_HINT = f"allow its network with the fetch_allow_networks setting or {ALLOW_ENV}"


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
    return urlsplit(value).scheme in ("http", "https")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, 6to4, Teredo (client) or NAT64 address."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_problem(ip: Address) -> str | None:
    """Why fetching does not reach `ip` by default ("a loopback address", ...); None for a public one."""
    if ip.version == 6:
        inner = _embedded_ipv4(ip)
        if inner is not None:
            problem = address_problem(inner)
            if problem or ip.ipv4_mapped:
                return problem
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address (where cloud metadata services live)"
    if ip.version == 4 and ip in _SHARED:
        return "a shared (carrier-grade NAT) address"
    if ip.is_multicast:
        return "a multicast address"
    if any(ip in n for n in _PRIVATE) or (ip.version == 6 and ip.is_site_local):
        return "a private address"
    if not ip.is_global or ip.is_reserved or any(ip in n for n in _SPECIAL):
        return "not a public address (reserved or special-purpose)"
    return None


def allowed_networks(allow: str | Iterable[str] | None = None, environment: bool = True) -> list[Network]:
    """The networks in `allow` (comma-separated CIDR, or a list) plus, with `environment`, those in
    FACTCHECK_ALLOW_NETWORKS."""
    nets = []
    for where, value in (("the fetch_allow_networks setting", allow),
                         (ALLOW_ENV, os.environ.get(ALLOW_ENV) if environment else None)):
        items = value.split(",") if isinstance(value, str) else list(value or ())
        for item in (str(i).strip() for i in items):
            if not item:
                continue
            try:
                nets.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise SourceFetchError(f"{item!r} in {where} is not a network: write CIDR such as 10.0.0.0/8 "
                                       f"or an address such as 192.168.1.20") from None
    return nets


def _allowed(ip: Address, nets: list[Network]) -> bool:
    candidates = [ip] + ([ip.ipv4_mapped] if ip.version == 6 and ip.ipv4_mapped else [])
    return any(c.version == n.version and c in n for c in candidates for n in nets)


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))


def _check_url(url: str, came_from: str | None = None) -> None:
    """Refuse what is never fetched: other schemes, credentials, no host (before any lookup)."""
    via = f", redirected from {came_from}" if came_from else ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as exc:
        raise SourceFetchError(f"invalid URL {_redact(url)}{via}: {exc}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise SourceFetchError(f"not an http(s) URL: {_redact(url)}{via}")
    if "@" in parts.netloc:
        raise SourceFetchError(f"refused {_redact(url)}{via}: URLs with a user name or password are not fetched "
                               "(the password would be sent to the server and stored with the source)")
    if not parts.hostname:
        raise SourceFetchError(f"invalid URL {url}{via}: no host")


def _literal(host: str) -> Address | None:
    """`host` as an address if it is one in any spelling inet_aton accepts (127.1, 0x7f.1, 2130706433)."""
    host = host[:-1] if host.endswith(".") else host   # "127.0.0.1." is 127.0.0.1
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if re.fullmatch(r"[0-9a-fA-FxX.]+", host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            pass
    return None


class _Exchange:
    """One fetch: its deadline, its address policy, and the sockets it opened, which a watchdog
    shuts when the deadline passes (a per-read timeout alone lets a server trickle for ever)."""

    def __init__(self, timeout: float, nets: list[Network]):
        self.timeout, self.nets = timeout, nets
        self.deadline = time.monotonic() + timeout
        self.expired = False
        self.current = self.came_from = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(timeout, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def close(self) -> None:
        self._timer.cancel()

    def _register(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def vet(self, host: str, port: int) -> list[Address]:
        """Resolve `host` once and return its addresses, or raise `BlockedAddress` naming the one refused."""
        ip = _literal(host)
        found = [ip] if ip else self._resolve(host, port)
        for ip in found:
            problem = address_problem(ip)
            if problem and not _allowed(ip, self.nets):
                what = f"{ip} is {problem}" if _literal(host) else f"{host} resolves to {ip}, {problem}"
                via = f", redirected from {self.came_from}" if self.came_from else ""
                raise BlockedAddress(f"refused {self.current}{via}: {what}; fetching reaches only public addresses "
                                     f"unless you {_ALLOW_HINT}")
        return found

    def _resolve(self, host: str, port: int) -> list[Address]:
        answer: list = []

        def lookup():
            try:
                answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
            except OSError as exc:
                answer.append(exc)

        worker = threading.Thread(target=lookup, daemon=True)
        worker.start()
        worker.join(self.remaining())
        if not answer:
            self.expired = True
            raise SourceFetchError(f"timed out after {self.timeout:g}s resolving {host} for {self.current}")
        if isinstance(answer[0], OSError):
            raise SourceFetchError(f"cannot resolve host {host} (DNS lookup failed) for {self.current}")
        found = []
        for *_, sockaddr in answer[0]:
            ip = ipaddress.ip_address(sockaddr[0].split("%")[0])
            if ip not in found:
                found.append(ip)
        if not found:
            raise SourceFetchError(f"cannot resolve host {host} (no addresses) for {self.current}")
        return found

    def connect(self, conn, addresses: list[Address], port: int) -> socket.socket:
        """A socket connected to one of the vetted `addresses` (tried in order) within the deadline."""
        error: Exception | None = None
        for ip in addresses:
            wait = min(CONNECT_TIMEOUT, self.remaining())
            if wait <= 0:
                break
            sock = socket.socket(socket.AF_INET6 if ip.version == 6 else socket.AF_INET, socket.SOCK_STREAM)
            self._register(sock)
            try:
                sock.settimeout(wait)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.connect((str(ip), port))
                return sock
            except TimeoutError as exc:
                sock.close()
                error = ConnectTimeoutError(conn, f"connecting to {ip} timed out")
                error.__cause__ = exc
            except OSError as exc:
                sock.close()
                error = NewConnectionError(conn, f"Failed to establish a new connection: {exc}")
                error.__cause__ = exc
        raise error or ConnectTimeoutError(conn, "the deadline passed before connecting")


def _shut(sock: socket.socket) -> None:
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # wakes a recv blocked in another thread
    except OSError:
        pass


class _PinnedConnection:
    """A urllib3 connection whose socket goes to an address already vetted, while the Host header,
    TLS SNI and certificate check keep using the host name."""

    def __init__(self, *args, exchange: _Exchange, addresses: list[Address], **kw):
        self._exchange, self._addresses = exchange, addresses
        super().__init__(*args, **kw)

    def _new_conn(self) -> socket.socket:
        return self._exchange.connect(self, self._addresses, self.port)


class _PinnedHTTPConnection(_PinnedConnection, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnection, HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        # the TLS socket replaces the raw one (detached, so shutting that wakes nothing): the
        # watchdog must shut this one for the deadline to hold over https
        self._exchange._register(self.sock)


class _PinnedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class _VettingAdapter(HTTPAdapter):
    """A requests transport that vets each host's addresses once and connects only to them."""

    def __init__(self, exchange: _Exchange):
        self._exchange, self._pools = exchange, {}
        super().__init__(max_retries=0)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        scheme, host = host_params["scheme"], host_params["host"]
        port = host_params["port"] or (443 if scheme == "https" else 80)
        if (scheme, host, port) not in self._pools:
            addresses = self._exchange.vet(host, port)
            kw = {"exchange": self._exchange, "addresses": addresses}
            self._pools[scheme, host, port] = (_PinnedHTTPSPool(host, port, **pool_kwargs, **kw) if scheme == "https"
                                               else _PinnedHTTPPool(host, port, **kw))
        return self._pools[scheme, host, port]

    def close(self) -> None:
        super().close()
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo = [exc]
    while todo and len(seen) < 50:
        e = todo.pop()
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        todo += [x for x in (e.__cause__, e.__context__, getattr(e, "reason", None), *getattr(e, "args", ()))
                 if isinstance(x, BaseException)]
    return seen


def _timed_out(ex: _Exchange) -> SourceFetchError:
    return SourceFetchError(f"timed out after {ex.timeout:g}s fetching {ex.current} (the limit is for the whole "
                            "exchange)")


def _explain(exc: BaseException, ex: _Exchange) -> SourceFetchError:
    """One clear line for whatever went wrong talking to the current host."""
    url = ex.current
    host = urlsplit(url).hostname or url
    causes = _causes(exc)
    if ex.expired:
        return _timed_out(ex)
    if any(isinstance(c, http.client.LineTooLong) or (type(c) is http.client.HTTPException and "header" in str(c))
           for c in causes):
        return SourceFetchError(f"response headers too large from {host} for {url} "
                                "(more than 100 headers or a line over 64 KiB)")
    if any(isinstance(c, http.client.BadStatusLine) and not isinstance(c, http.client.RemoteDisconnected)
           for c in causes):
        return SourceFetchError(f"{host} did not answer in HTTP for {url}")
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return SourceFetchError(f"timed out connecting to {host} for {url}")
    if isinstance(exc, requests.exceptions.Timeout) or any(isinstance(c, TimeoutError) for c in causes):
        return SourceFetchError(f"timed out after {ex.timeout:g}s fetching {url}")
    if isinstance(exc, requests.exceptions.SSLError):
        return SourceFetchError(f"TLS failed with {host} for {url} (certificate or handshake)")
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return SourceFetchError(f"connection refused by {host} for {url}")
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return SourceFetchError(f"{url} sent a compressed body that does not decode")
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidSchema)):
        return SourceFetchError(f"invalid URL {url}: {exc}")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return SourceFetchError(f"lost the connection while reading {url}")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return SourceFetchError(f"cannot connect to {host} for {url}")
    return SourceFetchError(f"failed to fetch {url}: {exc.__class__.__name__}")


def _plain_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False   # no proxies or .netrc from the environment: we connect, and we vet
    return session


def fetch_url(url: str, session: requests.Session | None = None, timeout: float = DEFAULT_TIMEOUT,
              max_bytes: int = DEFAULT_MAX_BYTES, allow_networks: str | Iterable[str] | None = None) -> Fetched:
    """GET `url` and return its body, or raise `SourceFetchError` (`BlockedAddress`) / `UnsupportedDocument`.

    `timeout` bounds the whole exchange (lookups, connects, headers, body, redirects), not each read.
    Bodies over `max_bytes` (after decompression) are refused. Only public addresses are reached,
    plus the networks in `allow_networks` (comma-separated CIDR or a list) and FACTCHECK_ALLOW_NETWORKS.
    `session` supplies headers, cookies and TLS settings; the connection always goes through the
    vetting transport, never through the session's adapters or proxies.
    """
    nets = allowed_networks(allow_networks)
    _check_url(url)
    session = session or _plain_session()
    ex = _Exchange(timeout, nets)
    adapter = _VettingAdapter(ex)
    ex.current = url
    try:
        resp = _follow(session, adapter, ex)
        with resp:
            return _read(resp, ex, url, max_bytes)
    except (SourceFetchError, UnsupportedDocument):
        raise
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException,
            OSError) as exc:
        raise _explain(exc, ex) from None
    finally:
        ex.close()
        adapter.close()


def _follow(session: requests.Session, adapter: _VettingAdapter, ex: _Exchange) -> requests.Response:
    """The first response that is not a redirect, checking every hop before connecting to it."""
    first_host = urlsplit(ex.current).hostname
    for _ in range(MAX_REDIRECTS + 1):
        req = session.prepare_request(requests.Request("GET", ex.current, headers=HEADERS))
        if urlsplit(ex.current).hostname != first_host:
            req.headers.pop("Authorization", None)
        resp = adapter.send(req, stream=True, timeout=(min(CONNECT_TIMEOUT, ex.remaining()), ex.remaining() or 0.01),
                            verify=session.verify, cert=session.cert, proxies={})
        extract_cookies_to_jar(session.cookies, req, resp.raw)
        location = resp.headers.get("Location")
        if resp.status_code not in REDIRECTS or not location:
            return resp
        resp.close()
        target = urljoin(ex.current, location.encode("latin-1").decode("utf-8", "replace"))
        _check_url(target, came_from=ex.current)
        ex.came_from, ex.current = ex.current, target
    raise SourceFetchError(f"too many redirects (over {MAX_REDIRECTS}) fetching {ex.came_from}")


def _read(resp: requests.Response, ex: _Exchange, url: str, max_bytes: int) -> Fetched:
    final = ex.current
    if resp.status_code >= 400:
        raise SourceFetchError(f"HTTP {resp.status_code} {resp.reason or ''}".rstrip() + f" for {final}")
    ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if ctype and not ctype.startswith(TEXT_TYPES):
        raise UnsupportedDocument(f"{final} is {ctype}, not a text, HTML or PDF document")
    length = resp.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise SourceFetchError(f"{final} is {int(length):,} bytes, over the {max_bytes:,}-byte limit")
    chunks, size = [], 0
    for chunk in resp.iter_content(chunk_size=65536):   # decoded: a gzip bomb counts at its real size
        size += len(chunk)
        if size > max_bytes:
            raise SourceFetchError(f"{final} is over the {max_bytes:,}-byte limit")
        if ex.expired or not ex.remaining():
            ex.expired = True
            break
        chunks.append(chunk)
    if ex.expired:
        raise _timed_out(ex)
    return Fetched(url=url, final_url=final, content_type=ctype,
                   charset=resp.encoding if "charset" in (resp.headers.get("Content-Type") or "") else None,
                   body=b"".join(chunks))
