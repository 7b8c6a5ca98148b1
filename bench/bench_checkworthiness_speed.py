"""Check-worthiness scoring speed: the shipped model under float32 and under the embedder's
bfloat16 autocast, alternating in one process (issue 15, step 5).

Usage:  .venv/bin/python -m bench.bench_checkworthiness_speed ../shared/data/checkworthiness/ct24-dev.jsonl
"""

import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    from claims.checkworthiness import get_checkworthiness_model

    path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/checkworthiness/ct24-dev.jsonl"
    m = get_checkworthiness_model()
    texts = [json.loads(line)["text"] for line in open(path, encoding="utf-8") if line.strip()][:1000]
    m.score(texts[:64])  # warm
    shipped, res = m.backend, {}
    for _ in range(2):
        for backend in ("fp32", "bf16"):
            m.backend = backend
            t = time.perf_counter()
            m.score(texts)
            res.setdefault(backend, []).append(time.perf_counter() - t)
    m.backend = shipped
    best = {k: min(v) for k, v in res.items()}
    print(json.dumps({"sentences": len(texts), "seconds": {k: round(v, 2) for k, v in best.items()},
                      "fp32_over_bf16": round(best["fp32"] / best["bf16"], 2)}))


if __name__ == "__main__":
    main()
