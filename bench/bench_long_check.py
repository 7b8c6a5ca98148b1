"""A long report, end to end (issue 15, step 5): from its text to stored claims, evidence and
suggestions, through `check_article` with the shipped models and defaults.

Usage:
  .venv/bin/python -m bench.bench_long_check ../shared/data [WORDS] [--json]

The report is WORDS words (default 100,000) of distinct sentences: the CT24 training sentences
(checkworthiness/ct24-train.jsonl), six to a paragraph, with one paragraph in ten a copy of an
earlier one (a long report repeats itself: summaries, boxes). The library it is checked against is
the Climate-FEVER evidence sentences (verification/climate-fever.jsonl), ten to a document: about
6,000 passages of encyclopaedia text. Both are only read into a temporary database, never stored
in the project. Prints each stage's seconds, the claims, and words per second; the baseline in the
same run is the extraction of claims alone from the first 10,000 words (the part of a check the
rest is compared with).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def report(path: Path, words: int) -> str:
    rows = [json.loads(line)["text"] for line in path.open(encoding="utf-8") if line.strip()]
    paras: list[str] = []
    n = i = 0
    while n < words:
        if len(paras) % 10 == 9:
            para = paras[len(paras) // 2]  # a repeated paragraph
        else:
            para = " ".join(" ".join(r.split()) for r in rows[i:i + 6])
            i += 6
            if i >= len(rows):
                i = 0
        paras.append(para)
        n += len(para.split())
    return "\n\n".join(paras)


def library_docs(path: Path) -> list:
    from sources.parse import Document

    seen, sentences = set(), []
    for line in path.open(encoding="utf-8"):
        for ev in json.loads(line).get("evidence") or []:
            t = " ".join(str(ev.get("text") or "").split())
            if t and t not in seen:
                seen.add(t)
                sentences.append((ev.get("source") or "Untitled", t))
    docs = []
    for k in range(0, len(sentences), 10):
        group = sentences[k:k + 10]
        docs.append((Document(title=group[0][0], text=" ".join(t for _, t in group), origin=f"cf-{k}.txt",
                              kind="text"), None))
    return docs


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path, help="the shared data folder")
    ap.add_argument("words", type=int, nargs="?", default=100_000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from claims import store
    from claims.checkworthiness import get_checkworthiness_model
    from claims.extract import extract_claims, get_nlp
    from claims.pipeline import check_article
    from sources.embed import get_embedder
    from sources.library import add_documents
    from sources.parse import Document

    text = report(args.data / "checkworthiness" / "ct24-train.jsonl", args.words)
    embedder, nlp = get_embedder(), get_nlp()
    scorer = get_checkworthiness_model(embedder)
    with tempfile.TemporaryDirectory() as tmp:
        db = store.open_db(Path(tmp) / "bench.db")
        t = time.perf_counter()
        docs = library_docs(args.data / "verification" / "climate-fever.jsonl")
        add_documents(db, docs, embedder)
        passages = db["passages"].count
        ingest_s = time.perf_counter() - t
        store.set_setting(db, "max_article_words", str(max(args.words * 2, 1000)))
        first = " ".join(text.split()[:10_000])
        extract_claims(first[:2000], nlp, scorer=scorer)  # warm
        t = time.perf_counter()
        extract_claims(first, nlp, scorer=scorer)
        baseline_s = time.perf_counter() - t
        t = time.perf_counter()
        stages: list[tuple[str, float]] = []
        r = check_article(db, Document(title="A long report", text=text, origin="bench", kind="text"), embedder,
                          nlp=nlp, progress=lambda stage, frac: stages.append((stage, time.perf_counter() - t)))
        total = time.perf_counter() - t
        stored = db.execute("select count(*) from claims where article_id = ?", [r.article_id]).fetchone()[0]
    n = len(text.split())
    out = {"words": n, "library_passages": passages, "library_ingest_s": round(ingest_s, 1),
           "claims": len(r.claims), "stored_claims": stored, "seconds": round(total, 1),
           "words_per_s": round(n / total), "stages_s": {k: round(v, 1) for k, v in r.timings.items()},
           "baseline_extract_10k_words_s": round(baseline_s, 1),
           "ratio_to_extract_baseline": round(total / baseline_s, 1), "progress_updates": len(stages)}
    print(json.dumps(out, indent=None if args.json else 2))
    return out


if __name__ == "__main__":
    main()
