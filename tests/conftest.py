"""Shared fixtures: the real packaged model (loaded once), real SQLite files, a real HTTP server."""

from __future__ import annotations

import http.server
import io
import os
import threading
import time

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# URL fetching refuses loopback by default (issue #13); the tests' own servers live on 127.0.0.1,
# so the whole run (and the Streamlit subprocess it starts) allows exactly that network.
# tests/test_fetch_ssrf.py removes it again to test the default.
os.environ["FACTCHECK_ALLOW_NETWORKS"] = "127.0.0.0/8"


@pytest.fixture(scope="session")
def embedder():
    """The packaged all-MiniLM-L6-v2, loaded once for the whole run."""
    from sources.embed import get_embedder

    return get_embedder()


@pytest.fixture(scope="session")
def nlp():
    """spaCy's packaged English pipeline."""
    from claims.extract import get_nlp

    return get_nlp()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "factcheck.db"


@pytest.fixture
def db(db_path):
    from claims.store import open_db

    d = open_db(db_path)
    yield d
    d.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, embedder, nlp):
    """A database with the demo library and the demo article checked (built once; treat as read-only)."""
    from claims.article import load_article
    from claims.demo import article_path, load_demo_library
    from claims.pipeline import check_article
    from claims.store import open_db

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    d = open_db(path)
    load_demo_library(d, embedder)
    doc, _ = load_article(str(article_path()))
    result = check_article(d, doc, embedder, nlp=nlp)
    d.close()
    return path, result


ARTICLE_HTML = b"""<!doctype html><html><head><title>Bridge facts</title>
<script>var tracking = "should never appear";</script></head>
<body><nav><a href="/">Home</a> | <a href="/about">About</a> | <a href="/contact">Contact</a></nav>
<article><h1>The Golden Gate Bridge</h1>
<p>The Golden Gate Bridge opened to traffic in 1937 after four years of construction.</p>
<p>Its main span is 1,280 metres long, and it held the record for the longest suspension bridge span until 1964.</p>
<p>The bridge is painted in a colour called International Orange, chosen to stand out in the fog.</p>
</article><footer>Copyright 2026 Example Bridge Society. All rights reserved.</footer></body></html>"""


# a fact-check page as publishers write them: ClaimReview JSON-LD inside the page (our own words)
FACTCHECK_JSON = b"""{"@context": "https://schema.org", "@type": "ClaimReview",
 "url": "https://checks.example/bridge-1941", "datePublished": "2026-03-02",
 "claimReviewed": "The Golden Gate Bridge opened in 1941.",
 "author": {"@type": "Organization", "name": "Example Checks"},
 "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1, "alternateName": "False"},
 "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A guidebook"}}}"""
FACTCHECK_HTML = (b"""<!doctype html><html><head><title>Did the bridge open in 1941?</title>
<script type="application/ld+json">{ broken json </script>
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "WebPage", "name": "checks"}, """ + FACTCHECK_JSON + b"""]}</script>
</head><body><p>No. It opened in 1937.</p></body></html>""")


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status, body: bytes, ctype="text/html; charset=utf-8", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (the timeout tests want exactly that)

    def do_GET(self):
        p = self.path
        if p == "/article.html":
            self._send(200, ARTICLE_HTML)
        elif p == "/redirect":
            self._send(302, b"", extra={"Location": "/article.html"})
        elif p == "/missing":
            self._send(404, b"not here")
        elif p == "/broken":
            self._send(500, b"oops")
        elif p == "/slow":
            time.sleep(3)
            self._send(200, b"<p>too late</p>")
        elif p == "/big":
            self._send(200, b"<p>" + b"word " * 400_000 + b"</p>")
        elif p == "/binary":
            self._send(200, bytes(range(256)) * 100, ctype="application/octet-stream")
        elif p == "/image":
            self._send(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, ctype="image/png")
        elif p == "/notext.html":
            self._send(200, b"<html><head><title>x</title><script>var a=1;</script></head><body></body></html>")
        elif p == "/malformed.html":
            self._send(200, b"<html><body><div><p>The OSCE has 57 participating states <b>and a secretariat"
                            b" in Vienna.<p>It grew out of the Helsinki Final Act, signed in 1975.</div></span>")
        elif p == "/latin1.html":
            self._send(200, "<html><body><p>Café Zürich opened in 1911 and serves 300 guests a day.</p>"
                            "</body></html>".encode("latin-1"), ctype="text/html; charset=iso-8859-1")
        elif p == "/factcheck.html":
            self._send(200, FACTCHECK_HTML)
        elif p == "/factcheck.json":
            self._send(200, FACTCHECK_JSON, ctype="application/ld+json")
        elif p == "/plain.txt":
            self._send(200, b"NATO has 32 members. The European Union has 27 member states.",
                       ctype="text/plain; charset=utf-8")
        else:
            self._send(404, b"no route")


@pytest.fixture(scope="session")
def http_server():
    """A real HTTP server on 127.0.0.1 serving pages, redirects, errors, slow and large bodies."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def pdf_lines(lines: list[tuple[float, str]], title: str | None = None) -> bytes:
    """A one-page PDF built by hand: lines of (font size, text) in Helvetica, top down, and a
    /Title in its metadata when given."""
    ops, y = ["BT"], 740.0
    for size, text in lines:
        ops.append(f"/F1 {size} Tf 1 0 0 1 72 {y:.1f} Tm ({text}) Tj")
        y -= size * 1.6
    stream = "\n".join(ops + ["ET"]).encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    if title is not None:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(out)))
        writer.add_metadata({"/Title": title})
        buf = io.BytesIO()
        writer.write(buf)
        out = buf.getvalue()
    return out
