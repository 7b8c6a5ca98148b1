"""A small cross-encoder on top of the packaged MiniLM, shared by the reranker and the stance model.

A (query, passage) pair goes in as one "[CLS] query [SEP] passage [SEP]" input. Two kinds of
file, told apart by their keys:
- tuned layers (`layer{N}.*`: the reranker and the shipped stance model): the first layers are
  the packaged embedding model's own, frozen; the last few are fine-tuned copies stored in
  float16. During training the frozen layers' outputs are computed once and cached
  (bench/train_reranker.py).
- low-rank adapters (`lora.layer{N}.{module}.A` / `.B`: the stance model's next recipe): every
  layer is adapted; at load time each adapted weight becomes W + B @ A (the scaling is already in
  B), so inference costs what the plain model costs. Trained with `peft` (bench/train_stance.py).
Both end in mean pooling and a small linear head (`head.weight`, `head.bias`).
"""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

__all__ = ["extended_mask", "mean_pool", "encode_pairs", "run_tuned", "layers_below", "merge_adapters",
           "TunedPairModel"]


def extended_mask(mask, dtype):
    """The additive attention mask a BERT layer takes, from a 0/1 padding mask."""
    import torch

    return (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


def mean_pool(hidden, mask):
    """Mean of token vectors over real (unpadded) tokens, as sentence-transformers pools."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def encode_pairs(tokenizer, first: Sequence[str], second: Sequence[str], max_tokens: int):
    """Token ids of (query, passage) pairs; only the passage is cut when the pair is too long."""
    return tokenizer(list(first), list(second), padding=True, truncation="only_second",
                     max_length=max_tokens, return_tensors="pt")


def run_tuned(layers, head, hidden, mask):
    """The tuned layers, mean pooling and head over hidden states entering the first tuned layer."""
    import torch

    ext = extended_mask(mask, torch.float32)
    h = hidden.float()
    for layer in layers:
        h = layer(h, attention_mask=ext)
        h = h[0] if isinstance(h, (tuple, list)) else h
    return head(mean_pool(h.float(), mask))


def layers_below(base, batch, n: int):
    """Hidden states entering layer `n` of a BERT model: the embeddings and layers 0..n-1 only
    (asking the model for all hidden states would also run the layers the tuned copies replace)."""
    import torch

    with torch.no_grad():
        h = base.embeddings(input_ids=batch["input_ids"], token_type_ids=batch.get("token_type_ids"))
        ext = extended_mask(batch["attention_mask"], h.dtype)
        for layer in base.encoder.layer[:n]:
            h = layer(h, attention_mask=ext)
            h = h[0] if isinstance(h, (tuple, list)) else h
    return h


def merge_adapters(base, weights: dict, layers: Sequence[int]) -> list:
    """Copies of the base model's `layers` with the low-rank adapters in `weights` merged in:
    `lora.layer{N}.{module}.A` (rank x in) and `.B` (out x rank, scaling included) add B @ A to
    the weight of that linear module of layer N."""
    import torch

    out = []
    for n in layers:
        layer = copy.deepcopy(base.encoder.layer[n])
        prefix = f"lora.layer{n}."
        for key in weights:
            if key.startswith(prefix) and key.endswith(".A"):
                module = key[len(prefix):-2]
                a, b = weights[key].float(), weights[f"{prefix}{module}.B"].float()
                with torch.no_grad():
                    layer.get_submodule(module).weight += b @ a
        layer.eval()
        out.append(layer)
    return out


class TunedPairModel:
    """Raw head outputs for (query, passage) pairs from a file of tuned layers + head.

    The file holds `layer{N}.*` tensors for each tuned layer N and `head.weight` / `head.bias`;
    its .json beside it says which layers (`tuned_layers`) and the token limit (`max_tokens`).
    A file of adapters (`lora.*` keys) adapts the layers its .json names instead.
    `bf16`: run the layers under the embedder's bfloat16 autocast where it uses one."""

    def __init__(self, embedder, model_file: Path, meta_file: Path, default_layers: Sequence[int] = (4, 5),
                 default_max_tokens: int = 160, bf16: bool = False):
        import torch
        from safetensors.torch import load_file

        self.path = Path(model_file)
        self.meta = json.loads(Path(meta_file).read_text())
        st_model = embedder._model
        self.tokenizer = st_model.tokenizer
        self.base = st_model[0].auto_model
        self.tuned = tuple(self.meta.get("tuned_layers", default_layers))
        self.max_tokens = int(self.meta.get("max_tokens", default_max_tokens))
        weights = load_file(str(model_file))
        self.adapters = any(k.startswith("lora.") for k in weights)
        self.bf16 = bf16 and getattr(embedder, "backend", "fp32") == "bf16"
        self.layers = merge_adapters(self.base, weights, self.tuned) if self.adapters else []
        for n in ([] if self.adapters else self.tuned):
            layer = copy.deepcopy(self.base.encoder.layer[n])
            prefix = f"layer{n}."
            layer.load_state_dict({k[len(prefix):]: v.float() for k, v in weights.items() if k.startswith(prefix)})
            layer.eval()
            self.layers.append(layer)
        out_dim = weights["head.weight"].shape[0]
        self.head = torch.nn.Linear(self.base.config.hidden_size, out_dim)
        self.head.load_state_dict({"weight": weights["head.weight"].float(), "bias": weights["head.bias"].float()})
        self.head.eval()
        self._lock = threading.Lock()
        self._torch = torch

    def hidden_below(self, first: Sequence[str], second: Sequence[str]):
        """(hidden states entering the first tuned layer, attention mask) for a batch of pairs."""
        batch = encode_pairs(self.tokenizer, first, second, self.max_tokens)
        return layers_below(self.base, batch, self.tuned[0]), batch["attention_mask"]

    def logits(self, pairs: Sequence[tuple[str, str]], batch_size: int = 32,
               progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """An (n, outputs) array of head outputs, computed in length-sorted batches; `progress`
        gets (pairs done, pairs) after each batch."""
        torch = self._torch
        result = np.zeros((len(pairs), self.head.out_features), dtype=np.float64)
        if not pairs:
            return result
        from sources.embed import precision

        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        with self._lock, torch.no_grad(), precision("bf16" if self.bf16 else "fp32"):
            for s in range(0, len(order), batch_size):
                idx = order[s:s + batch_size]
                hidden, mask = self.hidden_below([pairs[j][0] for j in idx], [pairs[j][1] for j in idx])
                result[idx] = run_tuned(self.layers, self.head, hidden, mask).float().numpy()
                if progress:
                    progress(s + len(idx), len(order))
        return result
