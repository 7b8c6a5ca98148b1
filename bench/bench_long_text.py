"""Claim extraction on a long text of distinct sentences (issue 15, step 5): CT24 training
sentences joined six to a paragraph up to WORDS words, through `extract_claims` with the shipped
model; prints words per second. The data is only read, never stored.

Usage:  .venv/bin/python -m bench.bench_long_text ../shared/data/checkworthiness/ct24-train.jsonl 10000
"""

import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    from claims.checkworthiness import get_checkworthiness_model
    from claims.extract import extract_claims, get_nlp

    path, want = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    nlp, scorer = get_nlp(), get_checkworthiness_model()
    rows = [json.loads(line)["text"] for line in open(path, encoding="utf-8") if line.strip()]
    paras, words = [], 0
    for i in range(0, len(rows), 6):
        para = " ".join(rows[i:i + 6])
        paras.append(para)
        words += len(para.split())
        if words >= want:
            break
    text = "\n\n".join(paras)
    t = time.perf_counter()
    claims = extract_claims(text, nlp, scorer=scorer)
    dt = time.perf_counter() - t
    n = len(text.split())
    print(json.dumps({"words": n, "paragraphs": len(paras), "claims": len(claims), "seconds": round(dt, 1),
                      "words_per_s": round(n / dt)}))


if __name__ == "__main__":
    main()
