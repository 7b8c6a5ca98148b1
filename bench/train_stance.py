"""Train the stance model shipped in claims/models/ and report how it generalises.

Usage:
  .venv/bin/python bench/train_stance.py ../shared/data/verification \
      --leave-out climate-fever --leave-out healthver --leave-out scifact \
      --leave-out vitaminc-sample --leave-out covid-fact [--ship]

Training pairs, per training file:
- every (claim, evidence) pair of the file (the evidence's own label where the file gives one,
  else the claim's; NOT_ENOUGH_EVIDENCE means unrelated), at most --max-real of them;
- synthetic contrastive pairs made from the file's evidence text (bench/synth_pairs.py): a
  sentence of a passage is supported by it, the same sentence with an entity, number, year,
  negation, direction word or office changed is refuted by it, a sentence of another passage on
  the same subject is unrelated; from at most --synth-passages passages.

The model: the packaged all-MiniLM-L6-v2 as a cross-encoder, low-rank adapters (LoRA through
peft) on every linear module of all six layers, mean pooling, a 3-way head; trained under the
same bfloat16 autocast the embedder uses (where the CPU has it), class-weighted cross-entropy.

Held out from training, per file: covid-fact's own `dev` split (its refuted claims are
word-swapped copies of supported ones, so a random split would leak; its `test` split is never
trained on), 10% of every other file's claims (seed 0). The held-out claims fit the softmax
temperature and the claim-level thresholds. For each --leave-out NAME a model is trained on the
other files only and scored on NAME through `factcheck eval verification`'s code
(claims.evaluate.evaluate_verification, stance model as the verdict), so the figure says how it
does on data it never saw. --ship trains on every file and writes claims/models/stance.*.
Deterministic for a given machine and seed; progress goes to stderr.
"""

from __future__ import annotations

import argparse
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

from claims.evaluate import classification_report  # noqa: E402
from claims.stance import STANCE_FILE, STANCES  # noqa: E402
from claims.verdict import stance_label  # noqa: E402
from sources.crossencoder import encode_pairs, layers_below, run_tuned  # noqa: E402
from sources.embed import Embedder  # noqa: E402

LAYERS = tuple(range(6))
LORA_MODULES = r".*\.(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)"
LABEL_TO_STANCE = {"SUPPORTED": 0, "REFUTED": 1, "NOT_ENOUGH_EVIDENCE": 2}


def load_file(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def pairs_of(rows: list[dict]) -> list[tuple[int, str, str, int]]:
    """(claim index, claim, evidence text, stance) for every evidence item of every claim."""
    out = []
    for i, r in enumerate(rows):
        for e in r["evidence"]:
            lab = e.get("label") or r["label"]
            if lab not in LABEL_TO_STANCE:
                continue
            out.append((i, r["claim"], e["text"], LABEL_TO_STANCE[lab]))
    return out


def softmax(z, t=1.0):
    z = z / t
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def fit_temperature(z, y) -> float:
    grid = np.exp(np.linspace(np.log(0.5), np.log(5.0), 60))
    nll = [-np.log(softmax(z, t)[np.arange(len(y)), y] + 1e-12).mean() for t in grid]
    return float(grid[int(np.argmin(nll))])


def claim_scores(pairs, probs):
    """Per claim (support, refute, apart): the strongest support and refutation over its pairs."""
    best: dict[tuple, list] = {}
    for k, (key, _, _, _) in enumerate(pairs):
        b = best.setdefault(key, [-1.0, -1, -1.0, -1])
        if probs[k, 0] > b[0]:
            b[0], b[1] = probs[k, 0], k
        if probs[k, 1] > b[2]:
            b[2], b[3] = probs[k, 1], k
    return {key: (b[0], b[2], b[1] != b[3]) for key, b in best.items()}


def choose_decision(pairs, probs, gold: dict) -> dict:
    """Claim-level thresholds with the best macro-F1 on the held-out training claims."""
    scores = claim_scores(pairs, probs)
    keys = sorted(scores)
    g = [gold[k] for k in keys]
    labels = sorted(set(g))
    grid = [round(x, 2) for x in np.arange(0.2, 0.96, 0.05)]
    best = (-1.0, None)
    conflict_grid = grid if "CONFLICTING" in labels else [None]
    for ts in grid:
        for tr in grid:
            for tc in conflict_grid:
                # with no CONFLICTING claim to learn from, call a claim conflicting when both
                # a support and a refutation pass their own thresholds in different passages
                d = {"support": ts, "refute": tr, "conflict": tc if tc is not None else max(ts, tr)}
                pred = [stance_label(scores[k][0], scores[k][1], d, apart=scores[k][2]) for k in keys]
                f1 = classification_report(g, pred, labels)["macro_f1"]
                if f1 > best[0]:
                    best = (f1, d)
    return {**best[1], "held_out_macro_f1": best[0]}




def held_out_claims(name: str, rows: list[dict], rng) -> tuple[set[int], set[int]]:
    """(claims held out to fit temperature and thresholds, claims never used): covid-fact by its
    own split field (dev held out, test unused), any other file 10% of its claims at random."""
    if any("split" in r for r in rows):
        return ({i for i, r in enumerate(rows) if r.get("split") == "dev"},
                {i for i, r in enumerate(rows) if r.get("split") == "test"})
    ids = np.arange(len(rows))
    return set(rng.permutation(ids)[:max(1, len(rows) // 10)].tolist()), set()


def synthetic(name: str, rows: list[dict], keep: set[int], nlp, args, log) -> list[tuple]:
    """Synthetic pairs from the evidence of the kept claims (one passage per claim: its evidence
    joined), cached in the out dir (deterministic, so reruns reuse them)."""
    from bench.synth_pairs import make_pairs

    cache = args.out_dir / f"synth-{name}-{args.synth_passages}-{args.seed}.jsonl"
    if cache.exists():
        got = [json.loads(line) for line in cache.open(encoding="utf-8")]
    else:
        passages = [" ".join(e["text"] for e in rows[i]["evidence"]) for i in sorted(keep)]
        t0 = time.time()
        got = [p.__dict__ for p in make_pairs(passages, nlp, seed=args.seed, limit=args.synth_passages)]
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text("".join(json.dumps(p) + "\n" for p in got), encoding="utf-8")
        log(f"  synthetic pairs from {name}: {len(got)} ({time.time() - t0:.0f}s)")
    return [(("synth", name, p["source"]), p["claim"], p["evidence"], p["stance"]) for p in got]


def batches_of(pairs: list[tuple], size: int, rng) -> list[list[int]]:
    """Minibatches of similar length (so little padding), in random order."""
    order = list(rng.permutation(len(pairs)))
    chunk = size * 50
    out = []
    for s in range(0, len(order), chunk):
        part = sorted(order[s:s + chunk], key=lambda i: len(pairs[i][1]) + len(pairs[i][2]))
        out.extend(part[k:k + size] for k in range(0, len(part), size))
    rng.shuffle(out)
    return out


class Adapted(torch.nn.Module):
    """Copies of the base model's layers, the part peft adapts; embeddings stay the base model's."""

    def __init__(self, base):
        super().__init__()
        import copy

        self.layer = torch.nn.ModuleList(copy.deepcopy(base.encoder.layer[n]) for n in LAYERS)


def precision():
    from sources.embed import cpu_has_bf16
    from sources.embed import precision as backend_precision

    return backend_precision("bf16" if cpu_has_bf16() else "fp32")


def forward(base, layers, head, tok, pairs, idx, max_tokens):
    b = encode_pairs(tok, [pairs[j][1] for j in idx], [pairs[j][2] for j in idx], max_tokens)
    hidden = layers_below(base, b, 0)
    return run_tuned(layers, head, hidden, b["attention_mask"])


def logits_of(base, layers, head, tok, pairs, max_tokens, size=64) -> np.ndarray:
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][1]) + len(pairs[i][2]))
    z = np.zeros((len(pairs), len(STANCES)))
    with torch.no_grad(), precision():
        for s in range(0, len(order), size):
            idx = order[s:s + size]
            z[idx] = forward(base, layers, head, tok, pairs, idx, max_tokens).float().numpy()
    return z


def adapter_tensors(layers) -> dict:
    """The file's `lora.layer{N}.{module}.A` / `.B` tensors from peft-adapted layers, the scaling
    (alpha / rank) folded into B so that loading only adds B @ A to each weight."""
    out = {}
    for n, layer in zip(LAYERS, layers):
        for name, module in layer.named_modules():
            if hasattr(module, "lora_A") and "default" in module.lora_A:
                a = module.lora_A["default"].weight.detach()
                b = module.lora_B["default"].weight.detach() * module.scaling["default"]
                out[f"lora.layer{n}.{name}.A"] = a.float().contiguous()
                out[f"lora.layer{n}.{name}.B"] = b.float().contiguous()
    return out


def train(st, names, data, nlp, args, log):
    """Train on the named files; returns (adapter tensors, head, temperature, decision, report)."""
    from peft import LoraConfig, get_peft_model

    rng = np.random.default_rng(args.seed)
    fit, hold, gold_hold = [], [], {}
    for name in names:
        rows, pairs = data[name]["rows"], data[name]["pairs"]
        held, unused = held_out_claims(name, rows, np.random.default_rng(args.seed))
        keep = set(range(len(rows))) - held - unused
        real = [p for p in pairs if p[0] in keep]
        if len(real) > args.max_real:
            real = [real[i] for i in sorted(rng.permutation(len(real))[:args.max_real])]
        fit += [((name, p[0]), p[1], p[2], p[3]) for p in real]
        if args.synth_passages:
            fit += synthetic(name, rows, keep, nlp, args, log)
        hold += [((name, p[0]), p[1], p[2], p[3]) for p in pairs if p[0] in held]
        gold_hold.update({(name, i): rows[i]["label"] for i in held})
    y_fit = np.array([p[3] for p in fit])
    counts = np.bincount(y_fit, minlength=len(STANCES)).astype(float)
    weights = torch.tensor(counts.sum() / (len(STANCES) * np.maximum(counts, 1)), dtype=torch.float32)
    log(f"  training pairs {len(fit)} {dict(zip(STANCES, counts.astype(int).tolist()))}, held-out pairs {len(hold)}")
    base, tok = st[0].auto_model, st.tokenizer
    for p in base.parameters():
        p.requires_grad_(False)
    model = get_peft_model(Adapted(base), LoraConfig(r=args.rank, lora_alpha=2 * args.rank, lora_dropout=0.0,
                                                     target_modules=LORA_MODULES))
    layers = model.base_model.model.layer
    head = torch.nn.Linear(base.config.hidden_size, len(STANCES))
    lora = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW([{"params": lora, "lr": args.lr}, {"params": head.parameters(), "lr": args.head_lr}],
                            weight_decay=0.01)
    minis = [b for _ in range(args.epochs) for b in batches_of(fit, args.batch, rng)]
    warm = max(1, len(minis) // 30)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: min(1.0, (k + 1) / warm) * max(0.05, 1 - k / len(minis)))
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    model.train()
    t0, total = time.time(), 0.0
    for k, idx in enumerate(minis):
        with precision():
            z = forward(base, layers, head, tok, fit, idx, args.max_tokens)
        loss = loss_fn(z.float(), torch.tensor(y_fit[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        total += float(loss.detach())
        if (k + 1) % 100 == 0 or k + 1 == len(minis):
            rate = (k + 1) / (time.time() - t0)
            log(f"  batch {k + 1}/{len(minis)}: loss {total / (k + 1):.4f}, {rate * args.batch:.0f} pairs/s, "
                f"{(len(minis) - k - 1) / rate / 60:.1f} min left")
    model.eval()
    z = logits_of(base, layers, head, tok, hold, args.max_tokens)
    y_hold = np.array([p[3] for p in hold])
    rep = classification_report([STANCES[i] for i in y_hold], [STANCES[i] for i in z.argmax(1)], list(STANCES))
    temperature = fit_temperature(z, y_hold)
    decision = {k: (round(float(v), 4) if v is not None else None)
                for k, v in choose_decision(hold, softmax(z, temperature), gold_hold).items()}
    log(f"  held-out pair macro-F1 {rep['macro_f1']:.3f}, temperature {temperature:.2f}, decision {decision}")
    adapters = adapter_tensors(layers)
    info = {"held_out_pair_macro_f1": round(rep["macro_f1"], 4), "training_pairs": len(fit),
            "training_pairs_by_stance": dict(zip(STANCES, counts.astype(int).tolist())),
            "train_seconds": round(time.time() - t0)}
    info["check_pairs"] = [(p[1], p[2]) for p in hold[:16]]
    info["check_logits"] = z[:16].tolist()
    return adapters, head, temperature, decision, info


def check_saved(path: Path, info: dict, log) -> None:
    """Load the saved file the way `check` does and compare its outputs with the trained model's
    on a few held-out pairs (bfloat16: agreement to about 0.1 is expected)."""
    from claims.stance import StanceModel

    model = StanceModel(Embedder(), path, path.with_suffix(".json"))
    got = model.logits(info["check_pairs"])
    diff = float(np.abs(got - np.array(info["check_logits"])).max())
    log(f"  saved model reloaded: outputs within {diff:.3f} of the trained model's")
    if diff > 0.25:
        raise SystemExit(f"the saved stance model does not reproduce the trained one ({diff:.3f})")


def save(adapters, head, temperature, decision, names, args, info, path: Path):
    from safetensors.torch import save_file

    tensors = dict(adapters)
    tensors.update({"head.weight": head.weight.detach().float().contiguous(),
                    "head.bias": head.bias.detach().float().contiguous()})
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path))
    path.with_suffix(".json").write_text(json.dumps({
        "base_model": "all-MiniLM-L6-v2", "format": "lora", "tuned_layers": list(LAYERS), "lora_rank": args.rank,
        "max_tokens": args.max_tokens, "stances": list(STANCES), "temperature": temperature, "decision": decision,
        "trained_on": [f"{n}.jsonl" for n in names],
        "held_out": f"covid-fact: its dev split (test unused); others: 10% of each file's claims, seed {args.seed}",
        "epochs": args.epochs, "lr": args.lr, "max_real_pairs_per_file": args.max_real,
        "synthetic_passages_per_file": args.synth_passages,
        **{k: v for k, v in info.items() if not k.startswith("check_")},
    }, indent=2) + "\n")
    check_saved(path, info, lambda m: print(m, file=sys.stderr, flush=True))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path, help="folder with the verification *.jsonl files")
    ap.add_argument("--leave-out", action="append", default=[], help="train without this file, report on it")
    ap.add_argument("--ship", action="store_true", help="train on every file and write claims/models/stance.*")
    ap.add_argument("--out-dir", type=Path, default=Path("bench/out"), help="where leave-out models go")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--lr", type=float, default=5e-4, help="learning rate of the adapters")
    ap.add_argument("--head-lr", type=float, default=2e-3)
    ap.add_argument("--rank", type=int, default=8, help="LoRA rank")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--max-real", type=int, default=3000, help="real pairs per training file, at most")
    ap.add_argument("--synth-passages", type=int, default=1200,
                    help="passages per training file that synthetic pairs are made from (0: none)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    data = {}
    for f in sorted(args.data.glob("*.jsonl")):
        rows = load_file(f)
        data[f.stem] = {"rows": rows, "pairs": pairs_of(rows), "path": f}
    for name in args.leave_out:
        if name not in data:
            ap.error(f"no {name}.jsonl in {args.data}")
    from claims.evaluate import evaluate_verification
    from claims.extract import get_nlp

    st, nlp = Embedder()._model, get_nlp()
    results = {}
    for name in args.leave_out:
        names = [n for n in data if n != name]
        log(f"run without {name}: training on {', '.join(names)}")
        torch.manual_seed(args.seed)
        adapters, head, temperature, decision, info = train(st, names, data, nlp, args, log)
        path = args.out_dir / f"stance-without-{name}.safetensors"
        save(adapters, head, temperature, decision, names, args, info, path)
        t0 = time.time()
        rep = evaluate_verification(data[name]["path"], stance_model_file=path, stance_mode="suggest")
        results[name] = {k: rep[k] for k in ("n", "labels", "accuracy", "macro_f1", "per_label", "confusion",
                                             "majority_baseline", "rules_only", "stance_only", "components", "selective")
                         if k in rep}
        log(f"  held out {name}: accuracy {rep['accuracy']:.3f}, macro-F1 {rep['macro_f1']:.3f} "
            f"({time.time() - t0:.0f}s)")
        (args.out_dir / f"stance-without-{name}.eval.json").write_text(json.dumps(results[name], indent=1) + "\n")
    if args.ship:
        names = list(data)
        log(f"shipped model: training on {', '.join(names)}")
        torch.manual_seed(args.seed)
        adapters, head, temperature, decision, info = train(st, names, data, nlp, args, log)
        info["leave_one_out"] = {n: {"accuracy": r["accuracy"], "macro_f1": r["macro_f1"]} for n, r in results.items()}
        save(adapters, head, temperature, decision, names, args, info, STANCE_FILE)
        log(f"wrote {STANCE_FILE} ({STANCE_FILE.stat().st_size / 1e6:.2f} MB)")
    print(json.dumps({n: {"accuracy": r["accuracy"], "macro_f1": r["macro_f1"],
                          "majority": r["majority_baseline"], "rules_only": r["rules_only"],
                          "stance_only": r["stance_only"]}
                      for n, r in results.items()}, indent=2))


if __name__ == "__main__":
    main()
