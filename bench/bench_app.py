"""Review app speed, server side, through Streamlit's AppTest (the script runs as it would for a
browser; the browser's own rendering is not counted).

Measures: pressing "Check" on the demo article until its claims are shown (warm, the models
already loaded); saving a verdict until the next claim is shown, on a database of N claims; and
loading the review page with N claims against the same page with 10 claims (the ratio says
whether the page grows with the database; the queue is paginated and fetches ids only).

Usage:  .venv/bin/python bench/bench_app.py [--claims 1000] [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.report import peak_rss_mb, report  # noqa: E402
from claims.demo import article_path, load_demo_library  # noqa: E402
from claims.store import open_db, save_check  # noqa: E402
from claims.verdict import Verdict  # noqa: E402
from sources.embed import get_embedder  # noqa: E402


def fill(db, n: int) -> tuple[int, list[int]]:
    """An article with `n` stored claims and one evidence passage each (no model needed)."""
    sents = [f"Report line {i} says the region built {i} bridges in {1900 + i % 120}." for i in range(n)]
    text = " ".join(sents)
    claims, hits, pos = [], [], 0
    for i, sent in enumerate(sents):
        claims.append(SimpleNamespace(start=pos, end=pos + len(sent), text=sent, sentence=sent, sentence_start=pos,
                                      sentence_end=pos + len(sent), type="quantity", checkworthiness=(i % 97) / 97,
                                      quantities_json=lambda: [], entities=[], original=sent,
                                      spans=[(pos, pos + len(sent))]))
        hits.append([SimpleNamespace(passage_id=i + 1, source_id=1, score=0.5, dense_score=0.5, lexical_score=1.0,
                                     text=f"The region's records list {i} bridges.", source_title="Records",
                                     source="records.txt", source_url=None)])
        pos += len(sent) + 1
    verdicts = [Verdict("NOT_ENOUGH_EVIDENCE", 0.5, "bench") for _ in sents]
    return save_check(db, title="Bench report", origin="bench", url=None, text=text, claims=claims,
                      evidence=hits, verdicts=verdicts, model_id="bench")


def timed_run(at: AppTest) -> float:
    t = time.perf_counter()
    at.run()
    took = time.perf_counter() - t
    if at.exception:
        raise SystemExit(f"page raised: {[e.value for e in at.exception]}")
    return took


def review_page(path: Path, article_id: int) -> AppTest:
    os.environ["FACTCHECK_DB"] = str(path)
    at = AppTest.from_file(str(ROOT / "app_pages/review_page.py"), default_timeout=300)
    at.session_state["reviewer"] = "bench"
    at.session_state["article_id"] = article_id
    return at


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out: dict = {}
    tmp = Path(tempfile.mkdtemp())

    # 1. demo article: press Check until the claims are shown (second press: warm)
    demo_db = tmp / "demo.db"
    os.environ["FACTCHECK_DB"] = str(demo_db)
    load_demo_library(open_db(demo_db), get_embedder())
    text = Path(article_path()).read_text(encoding="utf-8")
    at = AppTest.from_file(str(ROOT / "app_pages/check_page.py"), default_timeout=300).run()
    at.text_area(key="check_text").input(text)
    times = []
    for _ in range(max(2, args.runs // 2 + 1)):
        at.button(key="check_go").click()
        times.append(timed_run(at))
    claims_shown = sum(1 for m in at.markdown if "<mark" in m.value)
    out["check_demo_first_s"] = round(times[0], 3)
    out["check_demo_warm_s"] = round(statistics.median(times[1:]), 3)
    out["check_demo_article_highlighted"] = claims_shown == 1

    # 2. the review page with 10 claims and with N claims: first load, and save -> next claim
    for n in (10, args.claims):
        path = tmp / f"claims{n}.db"
        article_id, _ = fill(open_db(path), n)
        loads, saves = [], []
        for _ in range(args.runs):
            at = review_page(path, article_id)
            loads.append(timed_run(at))
            at.button(key="verdict_REFUTED").click()
            timed_run(at)
            at.button(key="save_next").click()
            saves.append(timed_run(at))
        out[f"review_load_{n}_claims_s"] = round(statistics.median(loads), 3)
        out[f"save_and_next_{n}_claims_s"] = round(statistics.median(saves), 3)
    out["review_load_ratio_N_over_10"] = round(out[f"review_load_{args.claims}_claims_s"]
                                               / out["review_load_10_claims_s"], 3)
    out["save_ratio_N_over_10"] = round(out[f"save_and_next_{args.claims}_claims_s"]
                                        / out["save_and_next_10_claims_s"], 3)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    report(out, args.json)


if __name__ == "__main__":
    main()
