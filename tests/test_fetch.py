"""URL fetching against a real HTTP server on 127.0.0.1."""

import socket
import time

import pytest

from sources.errors import SourceFetchError, UnsupportedDocument
from sources.fetch import fetch_url
from sources.library import read_source


def test_page_is_fetched_and_parsed(http_server):
    doc, url = read_source(f"{http_server}/article.html")
    assert url.endswith("/article.html") and "1,280 metres" in doc.text and "Golden Gate" in doc.title


def test_redirect_is_followed(http_server):
    f = fetch_url(f"{http_server}/redirect")
    assert f.final_url.endswith("/article.html") and b"Golden Gate" in f.body


@pytest.mark.parametrize("path,error,words", [
    ("/missing", SourceFetchError, "HTTP 404"),
    ("/broken", SourceFetchError, "HTTP 500"),
    ("/binary", UnsupportedDocument, "application/octet-stream"),
    ("/image", UnsupportedDocument, "image/png"),
])
def test_http_failures(http_server, path, error, words):
    with pytest.raises(error, match=words):
        fetch_url(http_server + path)


def test_slow_response_times_out(http_server):
    with pytest.raises(SourceFetchError, match="timed out"):
        fetch_url(f"{http_server}/slow", timeout=1.0)


def test_too_large_body_is_refused(http_server):
    with pytest.raises(SourceFetchError, match="limit"):
        fetch_url(f"{http_server}/big", max_bytes=100_000)


def test_refused_connection():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(SourceFetchError, match="refused"):
        fetch_url(f"http://127.0.0.1:{port}/")


def test_dns_failure(monkeypatch):
    def no_such_host(*args, **kwargs):  # a real lookup would leave this machine
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(SourceFetchError, match="cannot resolve host no-such-host.invalid"):
        fetch_url("http://no-such-host.invalid/page", timeout=5)


def test_not_a_url():
    with pytest.raises(SourceFetchError, match="not an http"):
        fetch_url("ftp://example.org/x")


def test_page_without_text(http_server):
    with pytest.raises(Exception, match="no readable text"):
        read_source(f"{http_server}/notext.html")


def test_malformed_html_still_gives_text(http_server):
    doc, _ = read_source(f"{http_server}/malformed.html")
    assert "57 participating states" in doc.text and "Helsinki" in doc.text


def test_latin1_page_decoded_by_its_charset(http_server):
    doc, _ = read_source(f"{http_server}/latin1.html")
    assert "Café Zürich" in doc.text


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """An HTTPS server on 127.0.0.1 with a self-signed certificate for `localhost`; records Host and SNI."""
    import http.server
    import ssl
    import subprocess
    import threading

    tmp = tmp_path_factory.mktemp("tls")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    seen = {"host": [], "sni": []}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            seen["host"].append(self.headers["Host"])
            if self.path == "/slow":  # one byte at a time, each within any per-read timeout
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "100")
                self.end_headers()
                for _ in range(100):
                    try:
                        self.wfile.write(b"x")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.25)
                return
            body = b"<html><body><p>Served over TLS in 1937.</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.sni_callback = lambda sock, name, _: seen["sni"].append(name)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], cert, seen
    server.shutdown()
    server.server_close()


def tls_session(cert, monkeypatch):
    """A session that trusts the test certificate, with `localhost` resolving to 127.0.0.1 only."""
    import requests

    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: real("127.0.0.1" if host == "localhost" else host,
                                                                          *a, **k))
    session = requests.Session()
    session.verify = str(cert)
    return session


def test_tls_keeps_the_host_name_for_sni_host_and_certificate(tls_server, monkeypatch):
    """The socket goes to the vetted 127.0.0.1; TLS and HTTP still speak to `localhost`."""
    port, cert, seen = tls_server
    session = tls_session(cert, monkeypatch)
    f = fetch_url(f"https://localhost:{port}/page.html", session=session)
    assert b"1937" in f.body and seen["host"][-1] == f"localhost:{port}" and seen["sni"][-1] == "localhost"
    with pytest.raises(SourceFetchError, match="TLS failed with 127.0.0.1"):   # the certificate is for localhost
        fetch_url(f"https://127.0.0.1:{port}/page.html", session=session)


def test_the_deadline_holds_over_tls(tls_server, monkeypatch):
    """The watchdog shuts the TLS socket itself (shutting the raw socket it wraps wakes nothing)."""
    port, cert, _ = tls_server
    session = tls_session(cert, monkeypatch)
    t = time.monotonic()
    with pytest.raises(SourceFetchError, match="timed out"):
        fetch_url(f"https://localhost:{port}/slow", session=session, timeout=1.5)
    assert time.monotonic() - t < 5
