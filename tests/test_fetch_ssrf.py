"""SSRF: every URL form and redirect chain that reaches a non-public address is refused BEFORE
any connection is attempted (issue #13, defects 3 and 5).

Each test records every `socket.connect` and every `getaddrinfo` call: a connection to anything
but this test's own server on 127.0.0.1 is recorded and refused, and names are resolved from a
table here (IP literals are parsed, never looked up), so no test traffic leaves loopback and a
refusal counts only when the record of connections is empty.
"""

from __future__ import annotations

import http.server
import socket
import threading
from urllib.parse import parse_qs, quote, urlparse

import pytest

from sources.errors import BlockedAddress, SourceFetchError
from sources.fetch import fetch_url

FAKE_DNS = {
    "intranet.example": ["10.0.0.5"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": ["8.8.8.8", "10.0.0.1"],       # one public answer does not excuse a private one
    "v6only.example": ["::1"],
    "mapped.example": ["::ffff:127.0.0.1"],
    "nat64.example": ["64:ff9b::a9fe:a9fe"],
    "localhost": ["127.0.0.1"],
}


class Guard:
    """What a test tried: connections (refused unless listed in `allowed`) and name lookups."""

    def __init__(self):
        self.connections: list = []
        self.lookups: list = []
        self.allowed: set = set()
        self.dns = dict(FAKE_DNS)


@pytest.fixture
def guard(monkeypatch):
    """Block and record socket connections; resolve names from FAKE_DNS only; default policy."""
    g = Guard()
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def connect(sock, address):
        if tuple(address[:2]) in g.allowed:
            return real_connect(sock, address)
        g.connections.append(tuple(address[:2]))
        raise ConnectionRefusedError(f"test guard: no connection to {address[0]}")

    def connect_ex(sock, address):
        try:
            connect(sock, address)
            return 0
        except ConnectionRefusedError:
            return 111

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else str(host)
        g.lookups.append(name)
        try:  # numeric forms only: never a DNS query
            return real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        except socket.gaierror:
            pass
        answers = g.dns.get(name.lower().rstrip("."))
        if callable(answers):
            answers = answers()
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        port = int(port or 0)
        out = []
        for a in answers:
            fam = socket.AF_INET6 if ":" in a else socket.AF_INET
            if family in (0, socket.AF_UNSPEC, fam):
                out.append((fam, socket.SOCK_STREAM, 6, "", (a, port, 0, 0) if fam == socket.AF_INET6 else (a, port)))
        return out

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.delenv("FACTCHECK_ALLOW_NETWORKS", raising=False)
    return g


BLOCKED = [
    # loopback, in every spelling getaddrinfo/inet_aton accept
    ("http://127.0.0.1/", "127.0.0.1 is a loopback"),
    ("http://127.0.0.1:8080/admin", "loopback"),
    ("https://127.0.0.1/", "loopback"),
    ("http://127.255.255.254/", "loopback"),
    ("http://127.0.0.1./", "127.0.0.1 is a loopback"),              # trailing dot
    ("http://127.1/", "127.0.0.1 is a loopback"),
    ("http://127.0.1/", "127.0.0.1 is a loopback"),
    ("http://2130706433/", "127.0.0.1 is a loopback"),              # decimal
    ("http://0x7f000001/", "127.0.0.1 is a loopback"),              # hex
    ("http://0x7f.0x0.0x0.0x1/", "127.0.0.1 is a loopback"),
    ("http://0x7f.1/", "127.0.0.1 is a loopback"),
    ("http://0177.0.0.1/", "127.0.0.1 is a loopback"),              # octal
    ("http://017700000001/", "127.0.0.1 is a loopback"),
    ("http://localhost/", "localhost resolves to 127.0.0.1"),
    ("http://LocalHost.:9/", "127.0.0.1"),
    ("http://[::1]/", "::1 is a loopback"),
    ("http://[0:0:0:0:0:0:0:1]/", "::1 is a loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),                     # IPv4-mapped IPv6
    ("http://[::ffff:7f00:1]/", "loopback"),
    ("http://[::127.0.0.1]/", "not a public"),                      # IPv4-compatible (deprecated)
    ("http://[::ffff:0:7f00:1]/", "not a public"),                  # IPv4-translated
    # private and shared (carrier-grade NAT)
    ("http://10.0.0.1/", "10.0.0.1 is a private"),
    ("http://10.255.255.255/", "private"),
    ("http://172.16.0.1/", "private"),
    ("http://172.31.255.254/", "private"),
    ("http://192.168.0.1/", "private"),
    ("http://192.168.1.1:8443/router", "private"),
    ("http://0xa000001/", "10.0.0.1 is a private"),
    ("http://[fd00::1]/", "private"),
    ("http://[fc00::1]/", "private"),
    ("http://100.64.0.1/", "shared"),
    ("http://100.127.255.254/", "shared"),
    ("http://[::ffff:10.0.0.1]/", "private"),
    ("http://[::ffff:192.168.0.1]/", "private"),
    # link-local and cloud metadata
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local"),
    ("http://169.254.0.1/", "link-local"),
    ("http://2852039166/latest/meta-data/", "169.254.169.254 is a link-local"),
    ("http://0xa9fea9fe/", "169.254.169.254 is a link-local"),
    ("http://[::ffff:169.254.169.254]/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fd00:ec2::254]/", "private"),
    # unspecified, multicast, broadcast, reserved
    ("http://0.0.0.0/", "unspecified"),
    ("http://0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://255.255.255.255/", "not a public"),
    ("http://240.0.0.1/", "not a public"),
    ("http://198.18.0.1/", "not a public"),
    ("http://192.0.0.8/", "not a public"),
    ("http://[100::1]/", "not a public"),                            # discard prefix
    # IPv4 embedded in IPv6 transition addresses
    ("http://[2002:7f00:1::]/", "loopback"),                        # 6to4 of 127.0.0.1
    ("http://[2002:a00:1::1]/", "private"),                         # 6to4 of 10.0.0.1
    ("http://[64:ff9b::a00:1]/", "private"),                        # NAT64 of 10.0.0.1
    ("http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/", "not a public|private"),  # Teredo
    # names that resolve to blocked addresses (the resolved address is what is checked)
    ("http://intranet.example/wiki", "intranet.example resolves to 10.0.0.5"),
    ("http://metadata.example/", "169.254.169.254"),
    ("http://mixed.example/", "mixed.example resolves to 10.0.0.1, a private"),
    ("http://v6only.example/", "v6only.example resolves to ::1, a loopback"),
    ("http://mapped.example/", "loopback"),
    ("http://nat64.example/", "link-local"),
    # a fragment is not userinfo: the host is 127.0.0.1
    ("http://127.0.0.1#@8.8.8.8/", "127.0.0.1 is a loopback"),
]

NOT_FETCHED = [
    ("file:///etc/passwd", "not an http"),
    ("gopher://127.0.0.1:70/_x", "not an http"),
    ("ftp://127.0.0.1/", "not an http"),
    ("http://alice:s3cret@8.8.8.8/", "user name or password"),
    ("http://alice@8.8.8.8/", "user name or password"),
    ("http://:s3cret@8.8.8.8/", "user name or password"),
    ("http:///nohost", "no host|invalid URL|not an http"),
    ("http://8.8.8.8@127.0.0.1/", "user name or password"),     # the host is what follows the last @
]


@pytest.mark.parametrize("url,words", BLOCKED)
def test_blocked_addresses_are_refused_before_any_connection(guard, url, words):
    with pytest.raises(BlockedAddress, match=words) as err:
        fetch_url(url)
    assert guard.connections == []
    message = str(err.value)
    assert "\n" not in message and "FACTCHECK_ALLOW_NETWORKS" in message


@pytest.mark.parametrize("url,words", NOT_FETCHED)
def test_other_schemes_and_credentials_are_refused_before_any_connection(guard, url, words):
    with pytest.raises(SourceFetchError, match=words) as err:
        fetch_url(url)
    assert guard.connections == [] and guard.lookups == []
    assert "s3cret" not in str(err.value)


def test_at_least_forty_forms_are_tested():
    assert len(BLOCKED) + len(NOT_FETCHED) + len(REDIRECTS) >= 40


def test_a_name_is_resolved_once_and_the_vetted_address_is_the_one_connected_to(guard):
    """DNS rebinding: the first answer is public, later ones loopback; only the first is used."""
    answers = iter([["8.8.8.8"]] + [["127.0.0.1"]] * 10)
    guard.dns["rebind.example"] = lambda: next(answers)
    with pytest.raises(SourceFetchError, match="refused"):
        fetch_url("http://rebind.example/")
    assert guard.lookups == ["rebind.example"]
    assert guard.connections == [("8.8.8.8", 80)]   # the guard refused it: no packet left


def test_rebinding_to_a_private_address_is_refused(guard):
    answers = iter([["10.0.0.7"]] + [["8.8.8.8"]] * 10)
    guard.dns["rebind.example"] = lambda: next(answers)
    with pytest.raises(BlockedAddress, match="10.0.0.7"):
        fetch_url("http://rebind.example/")
    assert guard.connections == []


def test_dns_failure_is_a_clear_error(guard):
    with pytest.raises(SourceFetchError, match="cannot resolve host no-such-host.invalid"):
        fetch_url("http://no-such-host.invalid/page")
    assert guard.connections == []


# --- a real server on 127.0.0.1 that redirects wherever ?to= says -----------------------------

class _Redirector(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        q = parse_qs(urlparse(self.path).query)
        if self.path.startswith("/page"):
            body = b"<html><body><p>The bridge opened in 1937.</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        target = "/loop" if self.path.startswith("/loop") else q["to"][0]
        if self.path.startswith("/hop"):
            target = "/go?code=302&to=" + quote(target, safe="")
        self.send_response(int(q.get("code", ["302"])[0]))
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def redirector(guard):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirector)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    guard.allowed.add(("127.0.0.1", port))
    yield f"http://127.0.0.1:{port}", port
    server.shutdown()
    server.server_close()


REDIRECTS = [
    ("/go?code=302&to=", "http://10.0.0.1/", "10.0.0.1 is a private"),
    ("/go?code=301&to=", "http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local"),
    ("/go?code=303&to=", "http://192.168.0.1/", "192.168.0.1 is a private"),
    ("/go?code=307&to=", "http://[::ffff:10.0.0.1]/", "private"),
    ("/go?code=308&to=", "http://2852039166/", "169.254.169.254"),
    ("/go?code=302&to=", "http://127.0.0.2/", "127.0.0.2 is a loopback"),
    ("/go?code=302&to=", "http://0x7f000002/", "127.0.0.2 is a loopback"),
    ("/go?code=302&to=", "http://[::1]/", "::1 is a loopback"),
    ("/go?code=302&to=", "http://intranet.example/", "intranet.example resolves to 10.0.0.5"),
    ("/go?code=302&to=", "//10.0.0.1/scheme-relative", "10.0.0.1 is a private"),
    ("/go?code=302&to=", "http://0.0.0.0/", "unspecified"),
    ("/hop?to=", "http://100.64.0.1/", "100.64.0.1 is a shared"),
    ("/hop?to=", "http://[fd00::1]/", "private"),
]


@pytest.mark.parametrize("path,target,words", REDIRECTS)
def test_redirect_to_a_blocked_address_is_refused_before_connecting_there(guard, redirector, path, target, words):
    base, port = redirector
    with pytest.raises(BlockedAddress, match=words) as err:
        fetch_url(base + path + quote(target, safe=""), allow_networks="127.0.0.1/32")
    assert guard.connections == []
    assert "redirected from" in str(err.value)


@pytest.mark.parametrize("target,words", [
    ("file:///etc/passwd", "not an http"),
    ("gopher://127.0.0.1:70/", "not an http"),
    ("http://alice:s3cret@8.8.8.8/", "user name or password"),
])
def test_redirect_to_another_scheme_or_to_credentials_is_refused(guard, redirector, target, words):
    base, _ = redirector
    with pytest.raises(SourceFetchError, match=words) as err:
        fetch_url(f"{base}/go?to={quote(target, safe='')}", allow_networks="127.0.0.1/32")
    assert guard.connections == [] and "alice:s3cret@" not in str(err.value)   # (the query of ours has it)


def test_redirect_within_the_allowed_network_is_followed(guard, redirector):
    base, _ = redirector
    f = fetch_url(f"{base}/hop?to=/page.html", allow_networks="127.0.0.1/32")
    assert f.final_url == f"{base}/page.html" and b"1937" in f.body


def test_too_many_redirects(guard, redirector):
    base, _ = redirector
    with pytest.raises(SourceFetchError, match="too many redirects"):
        fetch_url(f"{base}/loop", allow_networks="127.0.0.1/32")
    assert guard.connections == []


# --- the allowance: argument, environment variable, setting -----------------------------------

def test_the_local_test_server_is_refused_without_the_allowance(guard, http_server):
    with pytest.raises(BlockedAddress, match="127.0.0.1 is a loopback"):
        fetch_url(f"{http_server}/article.html")
    assert guard.connections == []


def test_the_allowance_by_argument_and_by_environment(guard, http_server, monkeypatch):
    guard.allowed.add(("127.0.0.1", int(http_server.rsplit(":", 1)[1])))
    assert b"Golden Gate" in fetch_url(f"{http_server}/article.html", allow_networks="127.0.0.0/8").body
    assert b"Golden Gate" in fetch_url(f"{http_server}/article.html", allow_networks=["10.0.0.0/8", "127.0.0.1"]).body
    monkeypatch.setenv("FACTCHECK_ALLOW_NETWORKS", "10.0.0.0/8, 127.0.0.1/32")
    assert b"Golden Gate" in fetch_url(f"{http_server}/article.html").body
    assert guard.connections == []


@pytest.mark.parametrize("allow,url,words", [
    ("10.0.0.0/8", "http://169.254.169.254/", "link-local"),
    ("10.0.0.0/8", "http://127.0.0.1/", "loopback"),
    ("127.0.0.1/32", "http://127.0.0.2/", "loopback"),
    ("192.168.0.0/16", "http://[::ffff:10.0.0.1]/", "private"),
])
def test_an_allowance_allows_only_its_networks(guard, allow, url, words):
    with pytest.raises(BlockedAddress, match=words):
        fetch_url(url, allow_networks=allow)
    assert guard.connections == []


def test_an_allowed_intranet_address_is_connected_to(guard):
    with pytest.raises(SourceFetchError, match="refused"):
        fetch_url("http://intranet.example/wiki", allow_networks="10.0.0.0/8")
    assert guard.connections == [("10.0.0.5", 80)]   # the guard refused it: no packet left


@pytest.mark.parametrize("allow", ["intranet", "10.0.0.0/33", "10.0.0.1/8/8"])
def test_an_invalid_allowance_is_a_clear_error(guard, allow):
    with pytest.raises(SourceFetchError, match="FACTCHECK_ALLOW_NETWORKS|fetch_allow_networks"):
        fetch_url("http://8.8.8.8/", allow_networks=allow)
    assert guard.connections == []


def test_credentials_are_refused_without_echoing_the_password(guard, http_server):
    url = http_server.replace("http://", "http://alice:s3cret@") + "/article.html"
    with pytest.raises(SourceFetchError, match="user name or password") as err:
        fetch_url(url, allow_networks="127.0.0.0/8")
    assert "s3cret" not in str(err.value) and guard.connections == []


# --- the shells pass the setting ---------------------------------------------------------------

@pytest.fixture
def run(db_path, guard, http_server):
    from click.testing import CliRunner

    from claims.cli import cli

    guard.allowed.add(("127.0.0.1", int(http_server.rsplit(":", 1)[1])))

    def invoke(*args):
        return CliRunner().invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)

    return invoke


def test_cli_refuses_the_local_server_until_the_setting_allows_it(run, http_server, embedder):
    r = run("sources", "add", f"{http_server}/article.html")
    assert r.exit_code != 0 and "loopback" in r.output and "Traceback" not in r.output
    assert run("settings", "set", "fetch_allow_networks", "127.0.0.0/8").exit_code == 0
    assert "added source" in run("sources", "add", f"{http_server}/article.html").output


def test_cli_check_refuses_credentials_and_stores_nothing(run, http_server):
    url = http_server.replace("http://", "http://alice:s3cret@") + "/article.html"
    run("settings", "set", "fetch_allow_networks", "127.0.0.0/8")
    r = run("check", url)
    assert r.exit_code != 0 and "user name or password" in r.output and "s3cret" not in r.output
    assert "s3cret" not in run("export", "--format", "csv").output


def test_archive_import_uses_the_setting(db, guard, http_server):
    from claims.claimreview import import_factchecks
    from claims.store import set_setting

    guard.allowed.add(("127.0.0.1", int(http_server.rsplit(":", 1)[1])))
    with pytest.raises(BlockedAddress):
        import_factchecks(db, http_server + "/factcheck.json")
    set_setting(db, "fetch_allow_networks", "127.0.0.1/32")
    assert import_factchecks(db, http_server + "/factcheck.json")["added"] == 1


def test_a_slow_lookup_counts_against_the_deadline(guard):
    import time

    guard.dns["slow.example"] = lambda: time.sleep(3) or ["8.8.8.8"]
    t = time.monotonic()
    with pytest.raises(SourceFetchError, match="timed out after 0.5s resolving slow.example"):
        fetch_url("http://slow.example/", timeout=0.5)
    assert time.monotonic() - t < 1.5 and guard.connections == []
