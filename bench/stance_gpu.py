"""The stance model's LoRA recipe on every real pair, trained where a GPU is lent (issue 14, step 3).

bench/train_stance.py trains on this CPU with at most a few thousand real pairs per file and
one epoch. This runs the same recipe (LoRA on all six layers, mean pooling, a 3-way head,
class-weighted cross-entropy, bfloat16 autocast) on every real pair for several epochs, once
per left-out file and once on all files, in three steps:

1. here:  python -m bench.stance_gpu pack ../shared/data/verification .gpu-stance
   Every (claim, evidence) pair tokenised with the packaged tokenizer, each marked fit / held
   out / unused exactly as bench/train_stance.py marks them (covid-fact by its split field,
   others 10% of claims, seed 0); the base weights in float16 with the vocabulary rows used.
2. GPU:   python3 bench/stance_gpu.py train .gpu-stance OUT
   For each left-out file: train on the other files' fit pairs, write the adapters and the
   logits of their held-out pairs; then the same on all files (the candidate to ship).
3. here:  python -m bench.stance_gpu finish ../shared/data/verification OUT bench/out/gpu
   Temperature and claim-level thresholds fitted on the held-out training claims (as
   train_stance.py does), each file saved and reloaded through the shipped loader, and each
   left-out file scored through `factcheck eval verification`'s code, stance as the verdict
   (slow on 2 cores: the rules read every passage); `heldout` reads the stance alone (faster).

Step 2 imports nothing of this project.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

MAX_TOKENS = 128
LORA_MODULES = r".*encoder\.layer\.\d+\.(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)"
ORDER = ("climate-fever", "healthver", "scifact", "vitaminc-sample", "covid-fact")


def pack(args) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from safetensors.torch import save_file

    from bench.train_stance import held_out_claims, load_file, pairs_of
    from sources.crossencoder import encode_pairs
    from sources.embed import Embedder

    st = Embedder()._model
    tok, base = st.tokenizer, st[0].auto_model
    files, used = {}, {0}
    for f in sorted(args.data.glob("*.jsonl")):
        rows = load_file(f)
        pairs = pairs_of(rows)
        held, unused = held_out_claims(f.stem, rows, np.random.default_rng(0))
        role = np.array([1 if p[0] in held else 2 if p[0] in unused else 0 for p in pairs], dtype=np.int8)
        enc = encode_pairs(tok, [p[1] for p in pairs], [p[2] for p in pairs], MAX_TOKENS)
        ids, types, mask = enc["input_ids"].numpy(), enc["token_type_ids"].numpy(), enc["attention_mask"].numpy()
        used.update(np.unique(ids).tolist())
        files[f.stem] = (ids, types, mask.sum(1), np.array([p[3] for p in pairs], dtype=np.int8), role)
    vocab = np.array(sorted(used), dtype=np.int64)
    lookup = np.zeros(int(vocab.max()) + 1, dtype=np.int64)
    lookup[vocab] = np.arange(len(vocab))
    arrays = {"vocab": vocab}
    for name, (ids, types, lens, y, role) in files.items():
        full = np.zeros((len(ids), MAX_TOKENS), dtype=np.int16)
        full[:, :ids.shape[1]] = lookup[ids]
        tt = np.zeros((len(ids), MAX_TOKENS), dtype=np.int8)
        tt[:, :ids.shape[1]] = types
        arrays.update({f"{name}/ids": full, f"{name}/types": tt, f"{name}/len": lens.astype(np.int16),
                       f"{name}/y": y, f"{name}/role": role})
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out / "data.npz", **arrays)
    state = {k: v.detach().half().contiguous() for k, v in base.state_dict().items()}
    state["embeddings.word_embeddings.weight"] = state["embeddings.word_embeddings.weight"][vocab].contiguous()
    save_file(state, str(args.out / "base.safetensors"))
    config = base.config.to_dict()
    config["vocab_size"] = len(vocab)
    (args.out / "config.json").write_text(json.dumps(config))
    print({n: {"pairs": len(v[3]), "fit": int((v[4] == 0).sum()), "held": int((v[4] == 1).sum())}
           for n, v in files.items()}, "vocab", len(vocab))


# ---------------------------------------------------------------- GPU side: torch, transformers, peft

def train(args) -> None:
    import torch
    from peft import LoraConfig, get_peft_model
    from safetensors.torch import load_file, save_file
    from transformers import BertConfig, BertModel

    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    d = np.load(args.pack / "data.npz")
    config = BertConfig.from_dict(json.loads((args.pack / "config.json").read_text()))
    weights = {k: v.float() for k, v in load_file(str(args.pack / "base.safetensors")).items()}
    data = {n: {k: d[f"{n}/{k}"] for k in ("ids", "types", "len", "y", "role")} for n in ORDER}
    if args.limit:  # a smoke test: only the first N pairs of each file are trained on
        for f in data.values():
            f["role"] = f["role"].copy()
            f["role"][(f["role"] == 0) & (np.arange(len(f["role"])) >= args.limit)] = 2
    args.out.mkdir(parents=True, exist_ok=True)
    t_start = time.time()

    def batch_of(f, idx):
        n = torch.tensor(f["len"][idx].astype(np.int64))
        width = int(n.max())
        x = torch.tensor(f["ids"][idx, :width].astype(np.int64)).to(dev)
        t = torch.tensor(f["types"][idx, :width].astype(np.int64)).to(dev)
        mask = (torch.arange(width)[None, :] < n[:, None]).long().to(dev)
        return x, t, mask

    def forward(model, head, x, t, mask):
        with torch.autocast(dev.type, dtype=torch.bfloat16):
            h = model(input_ids=x, token_type_ids=t, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).float()
        return head((h.float() * m).sum(1) / m.sum(1).clamp(min=1e-9))

    def run(names, log):
        torch.manual_seed(args.seed)
        base = BertModel(config, add_pooling_layer=False)
        missing, _ = base.load_state_dict(weights, strict=False)
        assert not [m for m in missing if "pooler" not in m], missing
        for p in base.parameters():
            p.requires_grad_(False)
        model = get_peft_model(base, LoraConfig(r=args.rank, lora_alpha=2 * args.rank, lora_dropout=0.0,
                                                target_modules=LORA_MODULES)).to(dev)
        head = torch.nn.Linear(config.hidden_size, 3).to(dev)
        fit = [(n, i) for n in names for i in np.flatnonzero(data[n]["role"] == 0)]
        y_all = np.array([data[n]["y"][i] for n, i in fit])
        counts = np.bincount(y_all, minlength=3).astype(float)
        cw = torch.tensor(counts.sum() / (3 * np.maximum(counts, 1)), dtype=torch.float32, device=dev)
        loss_fn = torch.nn.CrossEntropyLoss(weight=cw)
        lora = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.AdamW([{"params": lora, "lr": args.lr}, {"params": head.parameters(), "lr": args.head_lr}],
                                weight_decay=0.01)
        rng = np.random.default_rng(args.seed)
        # minibatches within one file (so one tensor per batch), of similar length, in random order
        minis = []
        for _ in range(args.epochs):
            ep = []
            for n in names:
                idx = np.flatnonzero(data[n]["role"] == 0)
                idx = idx[rng.permutation(len(idx))]
                for s in range(0, len(idx), args.batch * 20):
                    part = sorted(idx[s:s + args.batch * 20], key=lambda i: data[n]["len"][i])
                    ep += [(n, np.array(part[k:k + args.batch])) for k in range(0, len(part), args.batch)]
            rng.shuffle(ep)
            minis += ep
        warm = max(1, len(minis) // 30)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda k: min(1.0, (k + 1) / warm) * max(0.05, 1 - k / len(minis)))
        model.train()
        t0, total = time.time(), 0.0
        for k, (n, idx) in enumerate(minis):
            x, t, mask = batch_of(data[n], idx)
            z = forward(model, head, x, t, mask)
            loss = loss_fn(z.float(), torch.tensor(data[n]["y"][idx].astype(np.int64), device=dev))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach())
        log(f"  {len(fit)} pairs {counts.astype(int).tolist()}, {len(minis)} batches, loss {total / len(minis):.4f}, "
            f"{time.time() - t0:.0f}s")
        model.eval()
        held = {}
        with torch.no_grad():
            for n in names:
                idx = np.flatnonzero(data[n]["role"] == 1)
                out = []
                for s in range(0, len(idx), 256):
                    x, t, mask = batch_of(data[n], idx[s:s + 256])
                    out.append(forward(model, head, x, t, mask).float().cpu().numpy())
                held[n] = np.concatenate(out) if out else np.zeros((0, 3))
        tensors = {}
        for li, layer in enumerate(model.base_model.model.encoder.layer):
            for name, module in layer.named_modules():
                if hasattr(module, "lora_A") and "default" in module.lora_A:
                    a = module.lora_A["default"].weight.detach()
                    b = module.lora_B["default"].weight.detach() * module.scaling["default"]
                    tensors[f"lora.layer{li}.{name}.A"] = a.float().cpu().contiguous()
                    tensors[f"lora.layer{li}.{name}.B"] = b.float().cpu().contiguous()
        tensors["head.weight"] = head.weight.detach().float().cpu().contiguous()
        tensors["head.bias"] = head.bias.detach().float().cpu().contiguous()
        return tensors, held, {"training_pairs": len(fit), "training_pairs_by_stance": counts.astype(int).tolist(),
                               "train_seconds": round(time.time() - t0), "batches": len(minis)}

    def log(msg):
        print(msg, flush=True)

    runs = [(f"without-{n}", [m for m in ORDER if m != n]) for n in ORDER] + [("all", list(ORDER))]
    if args.limit:
        runs = runs[2:3]
    logits, info = {}, {}
    for tag, names in runs:
        if time.time() - t_start > args.budget:
            log(f"budget spent before {tag}")
            break
        log(f"{tag}: training on {', '.join(names)}")
        tensors, held, meta = run(names, log)
        save_file(tensors, str(args.out / f"stance-{tag}.safetensors"))
        logits.update({f"{tag}/{n}": z for n, z in held.items()})
        info[tag] = {**meta, "names": names}
    np.savez(args.out / "stance-logits.npz", **logits)
    (args.out / "stance-runs.json").write_text(json.dumps({
        "runs": info, "recipe": {k: getattr(args, k) for k in ("epochs", "lr", "head_lr", "rank", "batch", "seed")},
        "max_tokens": MAX_TOKENS, "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
        "seconds": round(time.time() - t_start)}, indent=1))


# ---------------------------------------------------------------- here again: calibrate, save, evaluate

def finish(args) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.train_stance import choose_decision, fit_temperature, held_out_claims, load_file, pairs_of, save, softmax
    from claims.evaluate import classification_report, evaluate_verification
    from claims.stance import STANCE_FILE, STANCES

    runs = json.loads((args.trained / "stance-runs.json").read_text())
    z_all = np.load(args.trained / "stance-logits.npz")
    rows = {n: load_file(args.data / f"{n}.jsonl") for n in ORDER}
    pairs = {n: pairs_of(r) for n, r in rows.items()}
    held = {n: held_out_claims(n, r, np.random.default_rng(0))[0] for n, r in rows.items()}
    recipe = runs["recipe"]
    results = {}
    for tag, meta in runs["runs"].items():
        names = meta["names"]
        if args.only and tag not in args.only:
            continue
        hold = [((n, p[0]), p[1], p[2], p[3]) for n in names for p in pairs[n] if p[0] in held[n]]
        z = np.concatenate([z_all[f"{tag}/{n}"] for n in names])
        assert len(z) == len(hold), (tag, len(z), len(hold))
        y = np.array([p[3] for p in hold])
        rep = classification_report([STANCES[i] for i in y], [STANCES[i] for i in z.argmax(1)], list(STANCES))
        temperature = fit_temperature(z, y)
        gold = {(n, i): rows[n][i]["label"] for n in names for i in held[n]}
        decision = {k: (round(float(v), 4) if v is not None else None)
                    for k, v in choose_decision(hold, softmax(z, temperature), gold).items()}
        ns = argparse.Namespace(rank=recipe["rank"], max_tokens=runs["max_tokens"], seed=recipe["seed"],
                                epochs=recipe["epochs"], lr=recipe["lr"], max_real=None, synth_passages=0)
        info = {"held_out_pair_macro_f1": round(rep["macro_f1"], 4), **meta, "trained_where": runs["device"],
                "recipe": recipe, "check_pairs": [(p[1], p[2]) for p in hold[:16]], "check_logits": z[:16].tolist()}
        info.pop("names")
        tensors = dict(__import__("safetensors.torch", fromlist=["load_file"]).load_file(
            str(args.trained / f"stance-{tag}.safetensors")))
        adapters = {k: v for k, v in tensors.items() if k.startswith("lora.")}

        class Head:  # what save() reads of a head
            weight, bias = tensors["head.weight"], tensors["head.bias"]

        path = args.out / f"stance-{tag}.safetensors"
        save(adapters, Head, temperature, decision, names, ns, info, path)
        print(f"{tag}: held-out pair macro-F1 {rep['macro_f1']:.3f}, temperature {temperature:.2f}, {decision}",
              flush=True)
        if tag.startswith("without-") and not args.no_eval:
            name = tag[len("without-"):]
            t0 = time.time()
            r = evaluate_verification(args.data / f"{name}.jsonl", stance_model_file=path, stance_mode="suggest")
            results[name] = {k: r[k] for k in ("n", "accuracy", "macro_f1", "per_label", "majority_baseline",
                                               "rules_only", "stance_only", "selective") if k in r}
            (args.out / f"stance-{tag}.eval.json").write_text(json.dumps(results[name], indent=1) + "\n")
            print(f"  held out {name}: accuracy {r['accuracy']:.3f}, macro-F1 {r['macro_f1']:.3f}, "
                  f"stance alone {r.get('stance_only')} ({time.time() - t0:.0f}s)", flush=True)
    if args.ship and "all" in runs["runs"]:
        import shutil

        for suffix in (".safetensors", ".json"):
            shutil.copyfile(args.out / f"stance-all{suffix}", STANCE_FILE.with_suffix(suffix))
        print(f"wrote {STANCE_FILE}")
    print(json.dumps(results, indent=1))


def heldout(args) -> None:
    """Each left-out file read by the model trained without it, stance alone: every (claim, evidence)
    pair through the saved file and the shipped loader (temperature included), each claim's
    strongest support and refutation against the thresholds fitted on the training files' held-out
    claims (`choose_decision`'s rule), against the file's own labels."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.train_stance import claim_scores, load_file, pairs_of
    from claims.evaluate import classification_report
    from claims.stance import StanceModel
    from claims.verdict import stance_label
    from sources.embed import Embedder

    embedder = Embedder()
    out = {}
    for name in args.only or ORDER:
        path = args.models / f"stance-without-{name}.safetensors"
        model = StanceModel(embedder, path, path.with_suffix(".json"))
        rows = load_file(args.data / f"{name}.jsonl")
        pairs = [((name, p[0]), p[1], p[2], p[3]) for p in pairs_of(rows)]
        t0 = time.time()
        probs = model.predict([(p[1], p[2]) for p in pairs])
        scores = claim_scores(pairs, probs)
        keys = sorted(scores)
        gold = [rows[k[1]]["label"] for k in keys]
        pred = [stance_label(scores[k][0], scores[k][1], model.decision, apart=scores[k][2]) for k in keys]
        labels = sorted(set(gold))
        rep = classification_report(gold, pred, labels)
        major = max(labels, key=gold.count)
        base = classification_report(gold, [major] * len(gold), labels)
        out[name] = {"claims": len(keys), "pairs": len(pairs), "accuracy": round(rep["accuracy"], 4),
                     "macro_f1": round(rep["macro_f1"], 4), "majority_accuracy": round(base["accuracy"], 4),
                     "majority_macro_f1": round(base["macro_f1"], 4), "per_label": rep.get("per_label"),
                     "seconds": round(time.time() - t0)}
        print(name, json.dumps({k: v for k, v in out[name].items() if k != "per_label"}), flush=True)
    (args.models / "heldout.json").write_text(json.dumps(out, indent=1) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack")
    p.add_argument("data", type=Path)
    p.add_argument("out", type=Path)
    t = sub.add_parser("train")
    t.add_argument("pack", type=Path)
    t.add_argument("out", type=Path)
    t.add_argument("--epochs", type=int, default=3)
    t.add_argument("--lr", type=float, default=7e-4)
    t.add_argument("--head-lr", type=float, default=2e-3)
    t.add_argument("--rank", type=int, default=8)
    t.add_argument("--batch", type=int, default=64)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--limit", type=int, default=0, help="a smoke test: the first N pairs of each file")
    t.add_argument("--budget", type=float, default=330, help="seconds after which no further run starts")
    f = sub.add_parser("finish")
    f.add_argument("data", type=Path)
    f.add_argument("trained", type=Path)
    f.add_argument("out", type=Path)
    f.add_argument("--only", action="append", default=[], help="only this run (e.g. without-scifact)")
    f.add_argument("--no-eval", action="store_true")
    f.add_argument("--ship", action="store_true", help="copy the model trained on all files to claims/models/")
    h = sub.add_parser("heldout", help="here: each left-out file, stance alone, by the model trained without it")
    h.add_argument("data", type=Path)
    h.add_argument("models", type=Path, help="the folder `finish` wrote")
    h.add_argument("--only", action="append", default=[])
    args = ap.parse_args()
    {"pack": pack, "train": train, "finish": finish, "heldout": heldout}[args.cmd](args)


if __name__ == "__main__":
    main()
