"""Passage size for evidence search: chunk a corpus several ways, choose on a training split,
report on a held-out one.

Usage:
  .venv/bin/python bench/bench_passages.py ../shared/data/retrieval/scifact [--tune train] [--report dev] [--json]

Each variant (sentences per window, stride, character cap) ingests the corpus into its own
library through `add_documents` (kept under bench/out/libraries, so a rerun embeds nothing) and
runs the queries through the search `check` uses (hybrid, no reranker, so the figure is the
first stage's). Only SciFact has multi-sentence documents among the benchmark sets: Climate-FEVER
and CheckThat! documents are one sentence or claim each, so passage size cannot matter there.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.report import report  # noqa: E402
from sources import library  # noqa: E402
from sources.embed import get_embedder  # noqa: E402
from sources.evaluate import build_library, document_run, load_beir, score_run  # noqa: E402
from sources.search import Searcher  # noqa: E402

VARIANTS = {"1 abstract (no split)": (1000, 1000, 100_000), "5 sentences, stride 3": (5, 3, 1500),
            "3 sentences, stride 2 (default)": (3, 2, 900), "2 sentences, stride 1": (2, 1, 600)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--tune", default="train")
    ap.add_argument("--report", default="dev")
    ap.add_argument("--libraries", type=Path, default=Path(__file__).resolve().parent / "out" / "libraries")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    args.libraries.mkdir(parents=True, exist_ok=True)
    emb = get_embedder()
    out: dict = {}
    default = library.PASSAGE_SIZE
    for name, size in VARIANTS.items():
        library.PASSAGE_SIZE = size
        t = time.perf_counter()
        tag = "-".join(str(x) for x in size)
        db, source_docs, _, _ = build_library(args.folder, emb, args.libraries / f"{args.folder.name}-{tag}.db")
        row = {"passages": db["passages"].count, "ingest_s": round(time.perf_counter() - t, 1)}
        for split in (args.tune, args.report):
            _, queries, qrels = load_beir(args.folder, split)
            qids = list(qrels)
            hits = Searcher(db, emb, candidates=300).search_many([queries[q] for q in qids], top_k=300, rerank=False)
            s = score_run(document_run(qids, hits, source_docs), qrels)
            row[f"{split}_ndcg@10"], row[f"{split}_recall@10"] = s["ndcg@10"], s["recall@10"]
        db.close()
        out[name] = row
        print(name, row, file=sys.stderr, flush=True)
    library.PASSAGE_SIZE = default
    best = max(out, key=lambda n: out[n][f"{args.tune}_ndcg@10"])
    report({"variants": out, f"chosen_on_{args.tune}": best}, args.json)


if __name__ == "__main__":
    main()
