"""Train the reranker shipped in sources/models/ on training splits, choosing its settings on
held-out training queries.

Usage:
  .venv/bin/python bench/train_reranker.py ../shared/data [--libraries bench/out/libraries] [--ship]

Training data: the *train* qrels of SciFact and CheckThat! 2020 (Climate-FEVER is never used; the
dev/test splits the RESULTS report are never used). Each training query goes through the search
`check` uses; its candidates are the top --depth passages of the fused search. A positive is the
best-ranked passage of each relevant document (found in the top 300; other passages of a relevant
document are left out, since only one may hold the evidence); negatives are the candidates from
documents that are not relevant. The frozen layers' outputs are cached once; layers 4-5 and a
one-output head are trained with binary cross-entropy.

15% of each set's training queries (seed 0) are held out: after each epoch the held-out queries are
reranked and scored (SciFact nDCG@10, CheckThat! MAP@5), which picks the epoch and the prior
(final score = logit - prior x ln(fused rank)). Without --ship the model goes to
bench/out/reranker.safetensors.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from bench.pair_training import cache_pairs, head_outputs, train_epoch  # noqa: E402
from sources.embed import get_embedder  # noqa: E402
from sources.evaluate import build_library, document_run, load_beir, score_run  # noqa: E402
from sources.rerank import MAX_TOKENS, RERANK_FILE, TUNED_LAYERS, combine, pair_text  # noqa: E402
from sources.search import Searcher, prepare_query  # noqa: E402

SETS = {"scifact": ("retrieval/scifact", "ndcg@10"), "checkthat2020": ("claim-matching/checkthat2020", "map@5")}
PRIORS = (0.0, 0.5, 1.0, 2.0, 4.0)


def log(msg: str) -> None:
    print(msg, flush=True)


def candidates(searcher: Searcher, texts: list[str], depth: int):
    """Per query: the fused top-300 hits (the first `depth` are the reranker's candidates)."""
    return searcher.search_many(texts, top_k=300)


def cache(model, pairs, batch_size=64):
    """Hidden states entering the first tuned layer for each (query, passage[, label]) pair."""
    return cache_pairs(model, [(p[0], p[1]) for p in pairs], TUNED_LAYERS[0], MAX_TOKENS, batch_size)


def logits_of(layers, head, batches, n):
    return head_outputs(layers, head, batches, n)[:, 0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--libraries", type=Path, default=Path(__file__).resolve().parent / "out" / "libraries")
    ap.add_argument("--depth", type=int, default=20)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ship", action="store_true", help=f"write {RERANK_FILE} and its .json")
    args = ap.parse_args()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    args.libraries.mkdir(parents=True, exist_ok=True)
    emb = get_embedder()
    st = emb._model
    fit_pairs: list[tuple[str, str, int]] = []
    held: dict[str, dict] = {}
    t0 = time.time()
    for name, (folder, metric) in SETS.items():
        db, source_docs, _, _ = build_library(args.data / folder, emb, args.libraries / f"{name}.db")
        _, queries, qrels = load_beir(args.data / folder, "train")
        qids = sorted(qrels)
        rng = np.random.default_rng(args.seed)
        hold = set(rng.permutation(qids)[:max(1, int(0.15 * len(qids)))].tolist())
        texts = [prepare_query(queries[q]) for q in qids]  # as `Searcher._rerank` reads them
        hits = candidates(Searcher(db, emb, candidates=300), texts, args.depth)
        h_q, h_hits, h_pairs = [], [], []
        n_pos = n_neg = 0
        for q, text, qh in zip(qids, texts, hits):
            rel = {d for d, g in qrels[q].items() if g > 0}
            docs_of = {h.passage_id: set(source_docs.get(h.source_id, [])) for h in qh}
            if q in hold:
                h_q.append(q)
                h_hits.append(qh[:args.depth])
                h_pairs.extend((text, pair_text(h.source_title, h.text)) for h in qh[:args.depth])
                continue
            seen_docs: set[str] = set()
            for rank, h in enumerate(qh):
                ds = docs_of[h.passage_id]
                if ds & rel:
                    if not (ds & rel) <= seen_docs:
                        fit_pairs.append((text, pair_text(h.source_title, h.text), 1))
                        n_pos += 1
                    seen_docs |= ds & rel
                elif rank < args.depth:
                    fit_pairs.append((text, pair_text(h.source_title, h.text), 0))
                    n_neg += 1
        held[name] = {"qids": h_q, "hits": h_hits, "pairs": h_pairs, "qrels": {q: qrels[q] for q in h_q},
                      "source_docs": source_docs, "metric": metric}
        base_run = document_run(h_q, h_hits, source_docs)
        held[name]["baseline"] = score_run(base_run, held[name]["qrels"])[metric]
        log(f"{name}: {len(qids) - len(h_q)} training queries ({n_pos} positive / {n_neg} negative pairs), "
            f"{len(h_q)} held out; held-out {metric} before reranking {held[name]['baseline']:.4f} "
            f"({time.time() - t0:.0f}s)")
        db.close()
    fit_cache = cache(st, fit_pairs)
    log(f"cached {len(fit_pairs)} training pairs ({time.time() - t0:.0f}s)")
    for name, h in held.items():
        h["cache"] = cache(st, h["pairs"])
    log(f"cached held-out pairs ({time.time() - t0:.0f}s)")
    y_all = torch.tensor([p[2] for p in fit_pairs], dtype=torch.float32)
    minis = []
    for idx, hidden, mask in fit_cache:
        for s in range(0, len(idx), args.batch):
            minis.append((hidden[s:s + args.batch], mask[s:s + args.batch], y_all[idx[s:s + args.batch]]))
    pos = float(y_all.sum())
    pos_weight = torch.tensor([(len(y_all) - pos) / max(pos, 1.0)])
    base = st[0].auto_model
    layers = [copy.deepcopy(base.encoder.layer[n]) for n in TUNED_LAYERS]
    head = torch.nn.Linear(base.config.hidden_size, 1)
    opt = torch.optim.AdamW([{"params": [p for layer in layers for p in layer.parameters()], "lr": args.lr},
                             {"params": head.parameters(), "lr": 1e-3}], weight_decay=0.01)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)

    def held_scores(prior_grid=PRIORS):
        out = {}
        z_of = {name: logits_of(layers, head, h["cache"], len(h["pairs"])) for name, h in held.items()}
        for prior in prior_grid:
            per = {}
            for name, h in held.items():
                z, k, reranked = z_of[name], 0, []
                for qh in h["hits"]:
                    final = combine(z[k:k + len(qh)], prior)
                    k += len(qh)
                    reranked.append([qh[i] for i in sorted(range(len(qh)), key=lambda i: -final[i])])
                run = document_run(h["qids"], reranked, h["source_docs"])
                per[name] = score_run(run, h["qrels"])[h["metric"]]
            out[prior] = per
        return out

    best = (-1.0, None)
    history = []
    for epoch in range(args.epochs):
        t1 = time.time()
        total = train_epoch(layers, head, minis, opt, lambda z, y: loss_fn(z[:, 0], y))
        scores = held_scores()
        for prior, per in scores.items():
            mean = sum(per.values()) / len(per)
            history.append({"epoch": epoch + 1, "prior": prior, **per})
            if mean > best[0]:
                best = (mean, {"epoch": epoch + 1, "prior": prior, "held_out": per,
                               "state": ([copy.deepcopy(layer.state_dict()) for layer in layers],
                                         copy.deepcopy(head.state_dict()))})
        log(f"epoch {epoch + 1}: loss {total / len(y_all):.4f} ({time.time() - t1:.0f}s); held-out by prior: "
            + "; ".join(f"{p}: " + ", ".join(f"{n} {v:.4f}" for n, v in per.items()) for p, per in scores.items()))
    choice = best[1]
    log(f"chosen: epoch {choice['epoch']}, prior {choice['prior']}, held-out {choice['held_out']} "
        f"(before reranking: {({n: round(h['baseline'], 4) for n, h in held.items()})})")
    from safetensors.torch import save_file

    states, head_state = choice["state"]
    tensors = {}
    for n, state in zip(TUNED_LAYERS, states):
        tensors.update({f"layer{n}.{k}": v.detach().half().contiguous() for k, v in state.items()})
    tensors.update({"head.weight": head_state["weight"].float().contiguous(),
                    "head.bias": head_state["bias"].float().contiguous()})
    path = RERANK_FILE if args.ship else Path(__file__).resolve().parent / "out" / "reranker.safetensors"
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path))
    path.with_suffix(".json").write_text(json.dumps({
        "base_model": "all-MiniLM-L6-v2", "tuned_layers": list(TUNED_LAYERS), "max_tokens": MAX_TOKENS,
        "depth": args.depth, "prior": choice["prior"], "epoch": choice["epoch"], "epochs": args.epochs,
        "lr": args.lr, "seed": args.seed, "trained_on": ["scifact train", "checkthat2020 train"],
        "held_out": "15% of each set's training queries",
        "held_out_scores": choice["held_out"],
        "held_out_before": {n: round(h["baseline"], 4) for n, h in held.items()},
        "history": history,
    }, indent=1) + "\n")
    log(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
