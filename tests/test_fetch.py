"""URL fetching against a real HTTP server on 127.0.0.1."""

import socket

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


def test_dns_failure():
    with pytest.raises(SourceFetchError, match="resolve"):
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
