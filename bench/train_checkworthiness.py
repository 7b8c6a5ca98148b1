"""Train the check-worthiness model shipped in claims/models/ and print its scores.

Usage:  .venv/bin/python bench/train_checkworthiness.py ../shared/data/checkworthiness [--epochs 3]

Trains on ct24-train.jsonl only: 90% to fit, a fixed 10% (seed 0) held out to pick the epoch,
fit the calibration and choose the threshold. ct24-dev.jsonl and claimbuster-2000.jsonl are only
scored at the end (ClaimBuster rows whose normalised text also occurs in ct24-train are dropped
from that report, since the two sets overlap). Deterministic for a given machine and seed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from claims.checkworthiness import (MAX_TOKENS, META_FILE, MODEL_FILE, TUNED_LAYER, extended_mask,  # noqa: E402
                                    mean_pool)
from claims.evaluate import prf  # noqa: E402
from sources.embed import Embedder  # noqa: E402


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def best_threshold(y, p) -> tuple[float, float]:
    grid = np.linspace(0.05, 0.95, 91)
    scores = [prf(y, p, t)["f1"] for t in grid]
    i = int(np.argmax(scores))
    return float(grid[i]), float(scores[i])


def cache_hidden(model, texts, batch_size=128):
    """Hidden states entering the tuned layer, per length-sorted batch (float16 to save memory)."""
    tok, base = model.tokenizer, model[0].auto_model
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    batches = []
    with torch.no_grad():
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            b = tok([texts[j] for j in idx], padding=True, truncation=True, max_length=MAX_TOKENS,
                    return_tensors="pt")
            out = base(**b, output_hidden_states=True)
            batches.append((idx, out.hidden_states[TUNED_LAYER].half(), b["attention_mask"]))
    return batches


def forward(layer, head, hidden, mask):
    h = layer(hidden.float(), attention_mask=extended_mask(mask, torch.float32))
    h = h[0] if isinstance(h, (tuple, list)) else h
    return head(mean_pool(h, mask))[:, 0]


def predict(layer, head, batches, n):
    layer.eval()
    out = np.zeros(n)
    with torch.no_grad():
        for idx, hidden, mask in batches:
            out[idx] = forward(layer, head, hidden, mask).numpy()
    return out


def fit_platt(z, y) -> tuple[float, float]:
    """Logistic calibration p = sigmoid(a z + b), fitted by Newton steps."""
    a, b = 1.0, 0.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-(a * z + b)))
        g = np.array([((p - y) * z).sum(), (p - y).sum()])
        w = p * (1 - p)
        H = np.array([[(w * z * z).sum(), (w * z).sum()], [(w * z).sum(), w.sum()]]) + 1e-6 * np.eye(2)
        step = np.linalg.solve(H, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return float(a), float(b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path, help="folder with ct24-train.jsonl, ct24-dev.jsonl, claimbuster-2000.jsonl")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-save", action="store_true", help="train and report without writing the model")
    ap.add_argument("--from-adapters", type=Path, metavar="FILE",
                    help="no training: calibrate and report LoRA adapters trained by bench/cw_gpu.py (its "
                         "cw-grid.json beside FILE says how), then ship them")
    ap.add_argument("--extra", action="append", default=[], metavar="FILE",
                    help="another training file of the same label family (worth checking, not 'was checked'): "
                         "e.g. claimbuster-two-class-train.jsonl, claimbuster-small.jsonl, ct20-tweets.jsonl "
                         "(its train split); deduplicated against ct24-train, the held-out rows and each other")
    args = ap.parse_args()
    if args.from_adapters:
        return from_adapters(args)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    train = load(args.data / "ct24-train.jsonl")
    rng = np.random.default_rng(args.seed)
    perm = rng.permutation(len(train))
    n_hold = len(train) // 10
    hold_idx, fit_idx = perm[:n_hold], perm[n_hold:]
    fit = [train[i] for i in fit_idx]
    hold = [train[i] for i in hold_idx]
    taken = {normalise(r["text"]) for r in train}
    extra_rows = []
    for name in args.extra:
        rows = [r for r in load(args.data / name) if r.get("split", "train") == "train"]
        new = []
        for r in rows:
            key = normalise(r["text"])
            if key and key not in taken:
                taken.add(key)
                new.append({"text": r["text"], "label": int(r["label"])})
        print(f"{name}: {len(new)} of {len(rows)} rows added ({sum(r['label'] for r in new)} check-worthy)", flush=True)
        extra_rows += new
    fit += extra_rows

    embedder = Embedder()
    st = embedder._model
    t0 = time.time()
    fit_b = cache_hidden(st, [r["text"] for r in fit])
    hold_b = cache_hidden(st, [r["text"] for r in hold])
    print(f"cached hidden states in {time.time() - t0:.0f}s", flush=True)
    y_fit = torch.tensor([float(r["label"]) for r in fit])
    y_hold = np.array([r["label"] for r in hold])

    import copy

    layer = copy.deepcopy(st[0].auto_model.encoder.layer[TUNED_LAYER])
    head = torch.nn.Linear(384, 1)
    opt = torch.optim.AdamW([{"params": layer.parameters(), "lr": args.lr},
                             {"params": head.parameters(), "lr": 1e-3}], weight_decay=0.01)
    # the cached batches are length-sorted; re-split them into shuffled mini-batches of 32
    minis = []
    for idx, hidden, mask in fit_b:
        for s in range(0, len(idx), 32):
            minis.append((torch.tensor(idx[s:s + 32]), hidden[s:s + 32], mask[s:s + 32]))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    best = (-1.0, None)
    for epoch in range(args.epochs):
        layer.train()
        random.shuffle(minis)
        t0 = time.time()
        total = 0.0
        for idx, hidden, mask in minis:
            opt.zero_grad()
            loss = loss_fn(forward(layer, head, hidden, mask), y_fit[idx])
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        z_hold = predict(layer, head, hold_b, len(hold))
        thr, f1 = best_threshold(y_hold, 1 / (1 + np.exp(-z_hold)))
        print(f"epoch {epoch + 1}: loss {total / len(fit):.4f}, held-out F1 {f1:.3f} at {thr:.2f} "
              f"({time.time() - t0:.0f}s)", flush=True)
        if f1 > best[0]:
            best = (f1, (copy.deepcopy(layer.state_dict()), copy.deepcopy(head.state_dict()), epoch + 1))
    layer_state, head_state, best_epoch = best[1]
    layer.load_state_dict(layer_state)
    head.load_state_dict(head_state)
    z_hold = predict(layer, head, hold_b, len(hold))
    a, b = fit_platt(z_hold, y_hold.astype(float))
    p_hold = 1 / (1 + np.exp(-(a * z_hold + b)))
    thr, f1 = best_threshold(y_hold, p_hold)
    report = {"held_out": {**prf(y_hold, p_hold, thr), "n": len(hold)}, "epoch": best_epoch, "threshold": thr}

    def score(rows):
        b = cache_hidden(st, [r["text"] for r in rows])
        z = predict(layer, head, b, len(rows))
        p = 1 / (1 + np.exp(-(a * z + b_)))
        y = np.array([r["label"] for r in rows])
        return {**prf(y, p, thr), "n": len(rows)}

    b_ = b
    dev = load(args.data / "ct24-dev.jsonl")
    report["ct24_dev"] = score(dev)
    seen = {normalise(r["text"]) for r in train + extra_rows}
    cb = [r for r in load(args.data / "claimbuster-2000.jsonl") if normalise(r["text"]) not in seen]
    report["claimbuster_unseen"] = score(cb) if cb else None
    print(json.dumps(report, indent=2))
    if args.no_save:
        return
    from safetensors.torch import save_file

    tensors = {f"layer.{k}": v.detach().half().contiguous() for k, v in layer.state_dict().items()}
    tensors.update({"head.weight": head.weight.detach().float().contiguous(),
                    "head.bias": head.bias.detach().float().contiguous()})
    MODEL_DIR = MODEL_FILE.parent
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(MODEL_FILE))
    META_FILE.write_text(json.dumps({
        "base_model": "all-MiniLM-L6-v2", "tuned_layer": TUNED_LAYER, "max_tokens": MAX_TOKENS,
        "calibration": {"a": a, "b": b}, "threshold": thr, "trained_on": "ct24-train.jsonl (90%, seed "
        f"{args.seed})" + "".join(f" + {n}" for n in args.extra), "epochs": args.epochs, "best_epoch": best_epoch, "lr": args.lr, "report": report,
    }, indent=2) + "\n")
    print(f"wrote {MODEL_FILE} ({MODEL_FILE.stat().st_size / 1e6:.1f} MB) and {META_FILE}")


def from_adapters(args) -> None:
    """Calibrate adapters trained elsewhere through the shipped loader, on the held-out 10% only."""
    import shutil
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from cw_gpu import split_rows

    from claims.checkworthiness import CheckworthinessModel

    grid = json.loads((args.from_adapters.parent / "cw-grid.json").read_text())
    chosen = grid["chosen"]
    extras = ["ct20-tweets.jsonl", "claimbuster-two-class-train.jsonl", "claimbuster-small.jsonl"]
    _, hold, _, dev, cb = split_rows(args.data, extras, args.seed)  # as bench/cw_gpu.py packed them
    extra = extras if chosen["mix"] == "extra" else []
    meta = {"base_model": "all-MiniLM-L6-v2", "format": "lora", "tuned_layers": list(range(6)),
            "lora_rank": chosen["rank"], "max_tokens": MAX_TOKENS, "calibration": {"a": 1.0, "b": 0.0},
            "threshold": 0.5}
    with tempfile.TemporaryDirectory() as tmp:
        meta_file = Path(tmp) / "cw.json"
        meta_file.write_text(json.dumps(meta))
        model = CheckworthinessModel(Embedder(), args.from_adapters, meta_file)
        y_hold = np.array([r["label"] for r in hold])
        z_hold = model.logits([r["text"] for r in hold])
        a, b = fit_platt(z_hold, y_hold.astype(float))
        p_hold = 1 / (1 + np.exp(-(a * z_hold + b)))
        thr, _ = best_threshold(y_hold, p_hold)

        def score(rows):
            z = model.logits([r["text"] for r in rows])
            p = 1 / (1 + np.exp(-(a * z + b)))
            return {**prf(np.array([r["label"] for r in rows]), p, thr), "n": len(rows)}

        report = {"held_out": {**prf(y_hold, p_hold, thr), "n": len(hold)}, "threshold": thr,
                  "ct24_dev": score(dev), "claimbuster_unseen": score(cb)}
    print(json.dumps(report, indent=2))
    trained = np.load(args.from_adapters.parent / "cw-logits.npz")["hold"]
    diff = float(np.abs(z_hold[:len(trained)] - trained).max())
    print(f"held-out logits within {diff:.3f} of those where the adapters were trained")
    if diff > 0.25:
        raise SystemExit(f"the adapters do not reproduce the trained model here ({diff:.3f})")
    if args.no_save:
        return
    shutil.copyfile(args.from_adapters, MODEL_FILE)
    trained_on = "ct24-train.jsonl (90%, seed 0)" + ("".join(f" + {n}" for n in extra)
                                                    if chosen["mix"] == "extra" else "")
    META_FILE.write_text(json.dumps({
        **meta, "calibration": {"a": a, "b": b}, "threshold": thr, "trained_on": trained_on,
        "recipe": {k: chosen[k] for k in ("mix", "lr", "rank", "epochs", "batch", "best_epoch")},
        "trained_where": grid.get("device"), "grid": grid["grid"], "report": report,
    }, indent=2) + "\n")
    print(f"wrote {MODEL_FILE} ({MODEL_FILE.stat().st_size / 1e6:.1f} MB) and {META_FILE}")


if __name__ == "__main__":
    main()
