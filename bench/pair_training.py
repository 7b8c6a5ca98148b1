"""Training helpers the cross-encoder scripts share (bench/train_stance.py, bench/train_reranker.py):
cache the frozen layers' outputs once, run the tuned layers over the cache, train one epoch."""

from __future__ import annotations

import random
from typing import Callable, Sequence

import numpy as np
import torch

from sources.crossencoder import encode_pairs, layers_below, run_tuned


def cache_pairs(model, pairs: Sequence[tuple[str, str]], first_tuned: int, max_tokens: int, batch_size: int = 64):
    """(pair indices, float16 hidden states entering layer `first_tuned`, attention mask) for each
    length-sorted batch of (first, second) text pairs."""
    tok, base = model.tokenizer, model[0].auto_model
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    batches = []
    for s in range(0, len(order), batch_size):
        idx = order[s:s + batch_size]
        b = encode_pairs(tok, [pairs[j][0] for j in idx], [pairs[j][1] for j in idx], max_tokens)
        batches.append((np.array(idx), layers_below(base, b, first_tuned).half(), b["attention_mask"]))
    return batches


def head_outputs(layers, head, batches, n: int) -> np.ndarray:
    """The head's (n, outputs) values for every cached pair, in eval mode."""
    for layer in layers:
        layer.eval()
    z = np.zeros((n, head.out_features), dtype=np.float64)
    with torch.no_grad():
        for idx, hidden, mask in batches:
            z[idx] = run_tuned(layers, head, hidden, mask).numpy()
    return z


def train_epoch(layers, head, minis: list, opt, loss: Callable) -> float:
    """One pass over shuffled (hidden, mask, target) minibatches; `loss(head outputs, target)`.
    Returns the summed loss (mean per batch times its size)."""
    for layer in layers:
        layer.train()
    random.shuffle(minis)
    total = 0.0
    for hidden, mask, y in minis:
        opt.zero_grad()
        value = loss(run_tuned(layers, head, hidden, mask), y)
        value.backward()
        opt.step()
        total += float(value.detach()) * len(y)
    return total
