"""Hostile servers on 127.0.0.1 (issue #13, defect 4): each fetch ends within its total deadline or
its size cap, with a clear message and bounded memory. The servers are raw sockets
(bench/bench_fetch.py), reached through the test allowance for 127.0.0.0/8 (conftest)."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from bench.bench_fetch import HostileServer
from sources.errors import SourceFetchError, UnsupportedDocument
from sources.fetch import fetch_url
from sources.library import read_source

DEADLINE = 1.5
SLACK = 1.0          # thread start, connect, the watchdog's wake-up


def _fetch(case, **kw):
    options = {k: kw.pop(k) for k in ("interval", "bomb_bytes", "hold") if k in kw}
    with HostileServer(case, **options) as server:
        t = time.monotonic()
        try:
            fetch_url(server.url + "/page.html", **kw)
        finally:
            took = time.monotonic() - t
    return took


@pytest.mark.parametrize("case", ["slow-body", "slow-headers", "silent"])
def test_slow_servers_end_at_the_total_deadline(case):
    t = time.monotonic()
    with pytest.raises(SourceFetchError, match=rf"timed out after {DEADLINE:g}s") as err:
        _fetch(case, interval=0.2, hold=30, timeout=DEADLINE)
    assert DEADLINE - 0.1 <= time.monotonic() - t <= DEADLINE + SLACK
    assert "\n" not in str(err.value)


def test_endless_body_stops_at_the_size_cap_with_bounded_memory():
    tracemalloc.start()
    try:
        with pytest.raises(SourceFetchError, match="over the 2,000,000-byte limit"):
            _fetch("endless-body", max_bytes=2_000_000, timeout=10)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000


def test_gzip_bomb_is_capped_on_its_decoded_size_with_bounded_memory():
    tracemalloc.start()
    try:
        with pytest.raises(SourceFetchError, match="over the 2,000,000-byte limit"):
            _fetch("gzip-bomb", bomb_bytes=200 << 20, max_bytes=2_000_000, timeout=10)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16_000_000


@pytest.mark.parametrize("case", ["many-headers", "long-header"])
def test_huge_headers_are_named_as_such(case):
    with pytest.raises(SourceFetchError, match="response headers too large") as err:
        _fetch(case, timeout=5)
    assert "cannot connect" not in str(err.value)


def test_wrong_content_type_is_refused_before_the_body():
    with pytest.raises(UnsupportedDocument, match="application/octet-stream"):
        _fetch("wrong-type", timeout=5)


def test_missing_content_type_with_a_binary_body_is_a_clear_error():
    with HostileServer("no-type") as server:
        with pytest.raises(UnsupportedDocument, match="binary"):
            read_source(server.url + "/page.html")


def test_redirect_loop_ends():
    with pytest.raises(SourceFetchError, match="too many redirects"):
        _fetch("redirect-loop", timeout=5)

