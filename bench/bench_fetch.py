"""Fetching from hostile servers on 127.0.0.1: for each case (slow body, slow headers, endless body,
gzip bomb, huge headers, wrong or missing content type, silence, redirect loop) the time until
`fetch_url` gives up, its one-line message and the peak RSS of the fetching process (a fresh
subprocess per case that has parsed one page first, so each peak is that case's alone over the
same start; `baseline` fetches a normal page).

Usage:  .venv/bin/python bench/bench_fetch.py [--timeout 15] [--max-mb 20] [--bomb-gb 1] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

__all__ = ["HostileServer", "CASES", "gzip_bomb"]

PAGE = b"<html><head><title>Fine</title></head><body><p>The bridge opened in 1937.</p></body></html>"
_BOMBS: dict[int, bytes] = {}


def gzip_bomb(decoded_bytes: int) -> bytes:
    """A gzip stream of `decoded_bytes` zero bytes (about 1 KB per MB), built once per size."""
    if decoded_bytes not in _BOMBS:
        z = zlib.compressobj(9, zlib.DEFLATED, 31)
        block, parts, left = bytes(1 << 20), [], decoded_bytes
        while left > 0:
            parts.append(z.compress(block[:min(left, len(block))]))
            left -= len(block)
        parts.append(z.flush())
        _BOMBS[decoded_bytes] = b"".join(parts)
    return _BOMBS[decoded_bytes]


def _head(status="200 OK", headers=()):
    headers = [("Connection", "close"), *headers]
    return (f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n").encode("latin-1")


def _trickle(conn, data: bytes, interval: float, stop: threading.Event):
    for i in range(len(data)):
        if stop.wait(interval):
            return
        conn.sendall(data[i:i + 1])


def _slow_body(conn, stop, o):
    conn.sendall(_head(headers=[("Content-Type", "text/html"), ("Content-Length", "100000")]))
    _trickle(conn, b"<p>" + b"x" * 99_997, o["interval"], stop)


def _slow_headers(conn, stop, o):
    _trickle(conn, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"x" * 100_000, o["interval"], stop)


def _endless_body(conn, stop, o):
    conn.sendall(_head(headers=[("Content-Type", "text/html")]))
    block = b"<p>word word word word</p>\n" * 2400
    while not stop.is_set():
        conn.sendall(block)


def _gzip_bomb(conn, stop, o):
    body = gzip_bomb(o["bomb_bytes"])
    conn.sendall(_head(headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                                ("Content-Length", str(len(body)))]) + body)


def _many_headers(conn, stop, o):
    conn.sendall(_head(headers=[("Content-Type", "text/html")] + [(f"X-H{i}", "y" * 60) for i in range(5000)]))
    conn.sendall(PAGE)


def _long_header(conn, stop, o):
    conn.sendall(_head(headers=[("Content-Type", "text/html"), ("X-Long", "y" * 1_000_000)]))
    conn.sendall(PAGE)


def _wrong_type(conn, stop, o):
    body = bytes(range(256)) * 400
    conn.sendall(_head(headers=[("Content-Type", "application/octet-stream"), ("Content-Length", str(len(body)))])
                 + body)


def _no_type(conn, stop, o):
    body = bytes(range(256)) * 400
    conn.sendall(_head(headers=[("Content-Length", str(len(body)))]) + body)


def _silent(conn, stop, o):
    stop.wait(o["hold"])


def _redirect_loop(conn, stop, o):
    conn.sendall(_head("302 Found", [("Location", "/again"), ("Content-Length", "0")]))


def _baseline(conn, stop, o):
    conn.sendall(_head(headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(PAGE)))])
                 + PAGE)


CASES = {
    "baseline": _baseline, "slow-body": _slow_body, "slow-headers": _slow_headers,
    "endless-body": _endless_body, "gzip-bomb": _gzip_bomb, "many-headers": _many_headers,
    "long-header": _long_header, "wrong-type": _wrong_type, "no-type": _no_type, "silent": _silent,
    "redirect-loop": _redirect_loop,
}


class HostileServer:
    """A raw-socket HTTP server on 127.0.0.1 that answers every request with one `CASES` behaviour.

    Use as a context manager; `url` is its base URL. `interval` is the trickle delay in seconds,
    `bomb_bytes` the decoded size of the gzip bomb, `hold` how long `silent` keeps a connection.
    """

    def __init__(self, case: str, interval: float = 1.0, bomb_bytes: int = 100 << 20, hold: float = 60.0):
        self.behaviour = CASES[case]
        self.options = {"interval": interval, "bomb_bytes": bomb_bytes, "hold": hold}
        if case == "gzip-bomb":
            gzip_bomb(bomb_bytes)
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def __enter__(self) -> "HostileServer":
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.listener.close()

    def _accept(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn:
            try:
                conn.settimeout(5)
                request = b""
                while b"\r\n\r\n" not in request and len(request) < 65536:
                    got = conn.recv(4096)
                    if not got:
                        return
                    request += got
                conn.settimeout(None)
                self.behaviour(conn, self.stop, self.options)
            except OSError:
                pass  # the client hung up: what a good client does to a hostile server


def _child(url: str, timeout: float, max_bytes: int) -> None:
    """Fetch and parse `url` as `read_source` does, and print one JSON line about it."""
    from bench.report import peak_rss_mb
    from sources.errors import SourceError
    from sources.fetch import fetch_url
    from sources.parse import parse_document

    parse_document(PAGE, origin="warm-up", filename="page.html")   # the parser's imports count in every case
    t = time.perf_counter()
    try:
        f = fetch_url(url, timeout=timeout, max_bytes=max_bytes, allow_networks="127.0.0.1/32")
        doc = parse_document(f.body, origin=f.final_url, filename="page.html", content_type=f.content_type,
                             charset=f.charset)
        message, ok = f"fetched: {doc.title}", True
    except SourceError as exc:
        message, ok = f"{type(exc).__name__}: {exc}", False
    print(json.dumps({"seconds": round(time.perf_counter() - t, 2), "ok": ok, "message": message,
                      "peak_rss_mb": round(peak_rss_mb(), 1)}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=15.0, help="fetch_url's total deadline, seconds")
    ap.add_argument("--max-mb", type=float, default=20.0, help="fetch_url's size cap, MB")
    ap.add_argument("--bomb-gb", type=float, default=1.0, help="decoded size of the gzip bomb, GB")
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between trickled bytes")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", nargs=3, metavar=("URL", "TIMEOUT", "MAX_BYTES"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child[0], float(args.child[1]), int(args.child[2]))
        return
    rows = []
    for case in args.cases.split(","):
        with HostileServer(case, interval=args.interval, bomb_bytes=int(args.bomb_gb * (1 << 30)),
                           hold=args.timeout + 30) as server:
            proc = subprocess.run([sys.executable, __file__, "--child", server.url + "/page.html",
                                   str(args.timeout), str(int(args.max_mb * 1e6))],
                                  capture_output=True, text=True, timeout=args.timeout + 120,
                                  env=dict(os.environ, FACTCHECK_ALLOW_NETWORKS=""))
        if proc.returncode:
            rows.append({"case": case, "seconds": None, "ok": False, "message": proc.stderr.strip()[-300:],
                         "peak_rss_mb": None})
            continue
        rows.append({"case": case, **json.loads(proc.stdout.strip().splitlines()[-1])})
    if args.json:
        print(json.dumps({"timeout_s": args.timeout, "max_mb": args.max_mb, "bomb_gb": args.bomb_gb,
                          "cases": rows}, indent=2))
        return
    print(f"fetch_url against hostile servers on 127.0.0.1 (deadline {args.timeout:g}s, cap {args.max_mb:g} MB, "
          f"gzip bomb {args.bomb_gb:g} GB decoded)")
    print(f"{'case':15} {'seconds':>8} {'peak RSS MB':>12}  message")
    for r in rows:
        secs = f"{r['seconds']:.2f}" if r["seconds"] is not None else "-"
        rss = f"{r['peak_rss_mb']:.1f}" if r["peak_rss_mb"] is not None else "-"
        print(f"{r['case']:15} {secs:>8} {rss:>12}  {r['message']}")


if __name__ == "__main__":
    main()
