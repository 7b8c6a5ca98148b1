"""Choose the evidence-search settings on training splits, then report every stage on held-out splits.

Usage:
  .venv/bin/python bench/tune_search.py ../shared/data [--libraries bench/out/libraries] [--json]

What it chooses (sources/search.py: TITLE_WEIGHT, FUSION_WEIGHTS):
- the weight of the source title in keyword search (0 = text only, 0.5, 1, 2);
- the reciprocal-rank fusion weights (dense, keyword) for each query kind: "claim" on SciFact
  train (nDCG@10), "post" (social-media text) on CheckThat! 2020 train (MAP@5);
- whether to prepare posts (links, attribution lines and # / @ marks out) before searching.
The held-out figures (SciFact dev, CheckThat! 2020 test, Climate-FEVER test, which has no training
split and is never used to choose) are printed for every stage, so the table says what each buys.

Libraries are built once through `add_documents` under --libraries and reused (nothing is
re-embedded on a second run). The dense and keyword rankings are computed once per setting; the
fusions are recombined from them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from sources.embed import get_embedder  # noqa: E402
from sources.evaluate import build_library, document_run, load_beir, score_run  # noqa: E402
from sources.search import Searcher, query_kind, reciprocal_rank_fusion  # noqa: E402

SETS = {  # name: (folder under DATA, tuning split or None, held-out split, metric)
    "scifact": ("retrieval/scifact", "train", "dev", "ndcg@10"),
    "checkthat2020": ("claim-matching/checkthat2020", "train", "test", "map@5"),
    "climate-fever": ("retrieval/climate-fever", None, "test", "recall@5"),
}
TITLE_WEIGHTS = (0.0, 0.5, 1.0, 2.0)
# keyword weight relative to dense: 0 = dense only, None = keyword only
RATIOS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, None)
DEPTH = 300


def rankings(searcher: Searcher, texts: list[str], mode: str) -> list[list[tuple[int, int]]]:
    """(passage id, source id) lists, best first."""
    hits = searcher.search_many(texts, top_k=DEPTH, mode=mode)
    return [[(h.passage_id, h.source_id) for h in row] for row in hits]


def fuse(dense, lexical, ratio, k=60):
    out = []
    for d, lx in zip(dense, lexical):
        if ratio == 0.0:
            out.append([s for _, s in d])
            continue
        if ratio is None:
            out.append([s for _, s in lx])
            continue
        src = dict(d) | dict(lx)
        fused = reciprocal_rank_fusion([[p for p, _ in d], [p for p, _ in lx]], k=k, weights=(1.0, ratio))
        out.append([src[p] for p, _ in fused[:DEPTH]])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--libraries", type=Path, default=Path(__file__).resolve().parent / "out" / "libraries")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    args.libraries.mkdir(parents=True, exist_ok=True)
    emb = get_embedder()
    table: dict = {}
    for name, (folder, tune_split, test_split, metric) in SETS.items():
        path = args.data / folder
        t = time.perf_counter()
        db, source_docs, _, _ = build_library(path, emb, args.libraries / f"{name}.db")
        print(f"{name}: library ready in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        for split in [s for s in (tune_split, test_split) if s]:
            _, queries, qrels = load_beir(path, split)
            qids = list(qrels)
            texts = [queries[q] for q in qids]
            kinds = [query_kind(q) for q in texts]
            res: dict = {"queries": len(qids), "posts": kinds.count("post"), "metric": metric, "runs": {}}
            for prep in (False, True):
                dense = rankings(Searcher(db, emb, candidates=DEPTH, prepare=prep), texts, "dense")
                for tw in TITLE_WEIGHTS:
                    lexical = rankings(Searcher(db, emb, candidates=DEPTH, prepare=prep, title_weight=tw),
                                       texts, "lexical")
                    for ratio in RATIOS:
                        if ratio == 0.0 and tw != TITLE_WEIGHTS[0]:
                            continue  # dense only does not depend on the title weight
                        fused = fuse(dense, lexical, ratio)
                        run = document_run(qids, fused, source_docs)
                        res["runs"][f"prep={int(prep)} title={tw} ratio={ratio}"] = score_run(run, qrels)
            table.setdefault(name, {})[split] = res
            print(f"  {split}: {len(qids)} queries scored", file=sys.stderr)
        db.close()

    def m(name, split, key):
        r = table[name][split]
        return r["runs"][key][r["metric"]]

    # choose on the training splits only
    best = {}
    for tw in TITLE_WEIGHTS:
        for prep in (False, True):
            claim = max(RATIOS, key=lambda r: m("scifact", "train", f"prep={int(prep)} title={tw if r != 0.0 else 0.0} ratio={r}"))
            post = max(RATIOS, key=lambda r: m("checkthat2020", "train", f"prep={int(prep)} title={tw if r != 0.0 else 0.0} ratio={r}"))
            key_c = f"prep={int(prep)} title={tw if claim != 0.0 else 0.0} ratio={claim}"
            key_p = f"prep={int(prep)} title={tw if post != 0.0 else 0.0} ratio={post}"
            score = m("scifact", "train", key_c) + m("checkthat2020", "train", key_p)
            best[(tw, prep)] = (score, claim, post, key_c, key_p)
    (tw, prep), (score, claim, post, key_c, key_p) = max(best.items(), key=lambda kv: kv[1][0])
    chosen = {"title_weight": tw, "prepare_posts": prep, "claim_ratio": claim, "post_ratio": post,
              "train_sum": round(score, 4)}

    def held_out(prep_, tw_, ratio_claim, ratio_post):
        """Held-out metric per set for a setting (claims use ratio_claim, posts ratio_post)."""
        out = {}
        for name, (_, _, test_split, metric) in SETS.items():
            r = table[name][test_split]
            # every query of a set is of one kind in these sets but CheckThat's few claim-like tweets:
            ratio = ratio_post if name == "checkthat2020" else ratio_claim
            key = f"prep={int(prep_)} title={tw_ if ratio != 0.0 else 0.0} ratio={ratio}"
            out[name] = {metric: r["runs"][key][metric], "ndcg@10": r["runs"][key]["ndcg@10"]}
        return out

    stages = {
        "dense only": held_out(False, 0.0, 0.0, 0.0),
        "BM25 only (text)": held_out(False, 0.0, None, None),
        "BM25 only (title + text, chosen weight)": held_out(False, tw, None, None),
        "RRF 1:1 (text), no preparation": held_out(False, 0.0, 1.0, 1.0),
        "RRF 1:1 (title + text)": held_out(prep, tw, 1.0, 1.0),
        "chosen (kind-dependent weights)": held_out(prep, tw, claim, post),
    }
    result = {"chosen": chosen, "held_out": stages, "table": table}
    out = Path(__file__).resolve().parent / "out" / "tune_search.json"
    out.write_text(json.dumps(result, indent=1))
    if args.json:
        print(json.dumps({"chosen": chosen, "held_out": stages}, indent=1))
        return
    print(f"chosen on training splits: {chosen}")
    for stage, vals in stages.items():
        print(f"  {stage:42}" + "  ".join(f"{n} {list(v.values())[0]:.4f}" for n, v in vals.items()))


if __name__ == "__main__":
    main()
