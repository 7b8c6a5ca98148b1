"""What finding an article checked before costs a check, on a library of many stored articles.

    .venv/bin/python -m bench.bench_checked_before [N_ARTICLES] [WORDS_EACH]

Stores N articles (default 2,000, of about 800 words each, every one distinct) in a temporary
database, then times `claims.store.checked_before` for a text stored already (the hash lookup), for a
new text of the same length (the near-identical scan over the NEAR_CANDIDATES most recent articles
of about its length), and, in the same process, the extraction of claims from that text (the
first step of every check) as the baseline the scan is measured against.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

from claims import store
from claims.extract import extract_claims, get_nlp
from sources.store import content_hash, now_iso

WORDS = ("council budget bridge river report minister election school hospital railway museum harbour "
         "festival library station tunnel airport stadium market factory").split()


def article(rng: random.Random, words: int) -> str:
    sentences = []
    while sum(len(s.split()) for s in sentences) < words:
        n = rng.randint(8, 20)
        body = " ".join(rng.choice(WORDS) for _ in range(n - 3))
        sentences.append(f"The {body} opened in {rng.randint(1900, 2025)} with {rng.randint(2, 900)} staff.")
    return " ".join(sentences)


def best(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    words = int(sys.argv[2]) if len(sys.argv) > 2 else 800
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        db = store.open_db(Path(tmp) / "bench.db")
        texts = [article(rng, words) for _ in range(n)]
        with db.conn:
            db.conn.executemany(
                "insert into articles (title, origin, text, content_hash, checked_at) values (?, ?, ?, ?, ?)",
                [(f"Article {i}", f"a{i}.txt", t, content_hash(t), now_iso())
                 for i, t in enumerate(texts)])
        new = article(rng, words)
        assert store.checked_before(db, texts[-1])["exact"] and store.checked_before(db, new) is None
        exact_s = best(lambda: store.checked_before(db, texts[-1]))
        scan_s = best(lambda: store.checked_before(db, new))
        nlp = get_nlp()
        extract_claims(new, nlp)
        extract_s = best(lambda: extract_claims(new, nlp), runs=3)
        db.close()
    print(json.dumps({"articles": n, "words_each": words, "candidates_scanned": min(n, store.NEAR_CANDIDATES),
                      "exact_lookup_ms": round(exact_s * 1000, 2), "near_scan_ms": round(scan_s * 1000, 1),
                      "extract_claims_ms": round(extract_s * 1000, 1),
                      "near_scan_over_extraction": round(scan_s / extract_s, 3)}, indent=2))


if __name__ == "__main__":
    main()
