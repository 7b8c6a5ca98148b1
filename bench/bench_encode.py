"""Faster embedding paths for the same model, against plain `SentenceTransformer.encode`, in one
run: throughput on a BEIR corpus (title + text, as the library embeds passages) and the dense
retrieval quality each path gives on that corpus's queries (nDCG@10, Recall@5).

Paths: plain encode (batch 64, the baseline); a bigger batch; torch dynamic int8 quantisation
of the Linear layers; bfloat16 autocast (the product's "bf16" backend, `sources.embed`); the model
cast to bfloat16; the int8 ONNX copy on onnxruntime (bench/onnx_paths.py, needs the bench extra);
one thread against all threads. A path is worth keeping only at >= 2x the baseline's throughput
with nDCG@10 within 1 point. "mixed" scores the bf16 path's query vectors against the baseline's
passage vectors (a library embedded before the switch).

Usage:  .venv/bin/python bench/bench_encode.py ../shared/data/retrieval/climate-fever [--split test] [--json]
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from bench.report import report  # noqa: E402
from sources.embed import Embedder, get_embedder, resolve_model  # noqa: E402
from sources.evaluate import load_beir, score_run  # noqa: E402
from sources.library import embedding_text  # noqa: E402
from sources.search import cosine_top_k  # noqa: E402


def quality(doc_vecs, doc_ids, query_vecs, qids, qrels) -> dict:
    top = cosine_top_k(query_vecs, doc_vecs, 100)
    run = {q: [doc_ids[r] for r, _ in row] for q, row in zip(qids, top)}
    s = score_run(run, qrels)
    return {"ndcg@10": s["ndcg@10"], "recall@5": s["recall@5"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--split", default="test")
    ap.add_argument("--limit", type=int, default=None, help="encode only the first N documents")
    ap.add_argument("--paths", default="plain_b64,plain_b256,int8_dynamic,bf16_autocast,bf16_weights,onnx_int8",
                    help="comma-separated paths to run (plain_b64, the baseline, always runs first)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    corpus, queries, qrels = load_beir(args.folder, args.split)
    corpus = corpus[:args.limit] if args.limit else corpus
    texts = [embedding_text(d.get("title") or "", d["text"]) for d in corpus]
    doc_ids = [str(d["_id"]) for d in corpus]
    qids = [q for q in qrels]
    qtexts = [queries[q] for q in qids]
    st = get_embedder(backend="fp32")._model
    threads = torch.get_num_threads()

    def plain(model, batch=64):
        return lambda xs: model.encode(xs, batch_size=batch, normalize_embeddings=True, convert_to_numpy=True,
                                       show_progress_bar=False)

    int8 = copy.deepcopy(st)
    # the Transformer module keeps its model in `.model` (`auto_model` is a read-only view), and
    # quantize_dynamic needs the qconfig spelled out to touch the Linear layers of a BertModel
    int8[0].model = torch.ao.quantization.quantize_dynamic(
        int8[0].model, {torch.nn.Linear: torch.ao.quantization.default_dynamic_qconfig}, dtype=torch.qint8)
    probe = ["NATO has 32 members."]
    assert not np.allclose(st.encode(probe), int8.encode(probe)), "int8 quantisation did not take effect"
    bf16 = Embedder(backend="bf16")
    bf16_weights = copy.deepcopy(st).to(torch.bfloat16)
    paths = {"plain_b64": plain(st), "plain_b256": plain(st, 256), "int8_dynamic": plain(int8),
             "bf16_autocast": bf16.encode, "bf16_weights": plain(bf16_weights)}
    if "onnx_int8" in args.paths:
        try:
            from bench.onnx_paths import OnnxInt8Encoder

            paths["onnx_int8"] = OnnxInt8Encoder(st, resolve_model(None)[1]).encode
        except ImportError as exc:
            print(f"onnx_int8 skipped ({exc}); pip install -e '.[bench]'", file=sys.stderr)
    wanted = ["plain_b64"] + [p for p in args.paths.split(",") if p in paths and p != "plain_b64"]
    paths = {p: paths[p] for p in wanted}
    vectors = {}
    out: dict = {"documents": len(texts), "queries": len(qids), "threads": threads}
    base_q = None
    for name, fn in paths.items():
        fn(texts[:64])  # warm up
        t = time.perf_counter()
        dv = np.asarray(fn(texts), dtype=np.float32)
        took = time.perf_counter() - t
        qv = np.asarray(fn(qtexts), dtype=np.float32)
        q = quality(dv, doc_ids, qv, qids, qrels)
        vectors[name] = (dv, qv)
        out[f"{name}_texts_per_s"] = round(len(texts) / took, 1)
        out[f"{name}_ndcg@10"] = q["ndcg@10"]
        out[f"{name}_recall@5"] = q["recall@5"]
        if base_q is None:
            base_q, base_rate = q, len(texts) / took
        out[f"{name}_speed_ratio"] = round(len(texts) / took / base_rate, 3)
        out[f"{name}_ndcg_delta_points"] = round(100 * (q["ndcg@10"] - base_q["ndcg@10"]), 2)
    for name in vectors:
        if name != "plain_b64":
            out[f"{name}_min_cosine_to_plain"] = round(float((vectors[name][0] * vectors["plain_b64"][0]).sum(1).min()), 4)
    if "bf16_autocast" in vectors:
        mixed = quality(vectors["plain_b64"][0], doc_ids, vectors["bf16_autocast"][1], qids, qrels)
        out["mixed_bf16_queries_plain_passages_ndcg@10"] = mixed["ndcg@10"]
    torch.set_num_threads(1)
    t = time.perf_counter()
    paths["plain_b64"](texts[:1000])
    one = 1000 / (time.perf_counter() - t)
    torch.set_num_threads(threads)
    t = time.perf_counter()
    paths["plain_b64"](texts[:1000])
    out["one_thread_vs_all_speed_ratio"] = round(one / (1000 / (time.perf_counter() - t)), 3)
    report(out, args.json)


if __name__ == "__main__":
    main()
