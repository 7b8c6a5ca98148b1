"""The stance model: does a passage support the claim, refute it, or neither?

A cross-encoder built on the packaged MiniLM: claim and passage go in together as one
"[CLS] claim [SEP] passage [SEP]" input, the first layers are the packaged model's, frozen, and
the last TUNED_LAYERS are fine-tuned copies, followed by mean pooling and a 3-way head
(supports, refutes, unrelated). The shipped file holds only what training changed (about 7 MB in
float16); the rest comes from the embedding model already installed.

It also carries the claim-level decision thresholds chosen on held-out training claims
(see `claims.verdict.aggregate_stance`). Train it with `bench/train_stance.py DATA_DIR`.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from claims.checkworthiness import extended_mask, mean_pool

__all__ = ["StanceModel", "get_stance_model", "STANCE_FILE", "STANCE_META", "STANCES", "TUNED_LAYERS",
           "MAX_TOKENS"]

MODEL_DIR = Path(__file__).resolve().parent / "models"
STANCE_FILE = MODEL_DIR / "stance.safetensors"
STANCE_META = MODEL_DIR / "stance.json"
STANCES = ("supports", "refutes", "unrelated")
TUNED_LAYERS = (4, 5)
MAX_TOKENS = 160


def encode_pairs(tokenizer, claims: Sequence[str], passages: Sequence[str], max_tokens: int = MAX_TOKENS):
    """Token ids of (claim, passage) pairs; only the passage is cut when the pair is too long."""
    return tokenizer(list(claims), list(passages), padding=True, truncation="only_second",
                     max_length=max_tokens, return_tensors="pt")


def run_tuned(layers, head, hidden, mask):
    """The tuned layers, pooling and head over hidden states entering the first tuned layer."""
    import torch

    ext = extended_mask(mask, torch.float32)
    h = hidden.float()
    for layer in layers:
        h = layer(h, attention_mask=ext)
        h = h[0] if isinstance(h, (tuple, list)) else h
    return head(mean_pool(h, mask))


class StanceModel:
    """Probabilities of (supports, refutes, unrelated) for (claim, passage) pairs."""

    def __init__(self, embedder, model_file: Path = STANCE_FILE, meta_file: Path = STANCE_META):
        import torch
        from safetensors.torch import load_file

        self.path = Path(model_file)
        self.meta = json.loads(Path(meta_file).read_text())
        st_model = embedder._model
        self.tokenizer = st_model.tokenizer
        self.base = st_model[0].auto_model
        weights = load_file(str(model_file))
        self.layers = []
        for n in TUNED_LAYERS:
            layer = copy.deepcopy(self.base.encoder.layer[n])
            prefix = f"layer{n}."
            layer.load_state_dict({k[len(prefix):]: v.float() for k, v in weights.items() if k.startswith(prefix)})
            layer.eval()
            self.layers.append(layer)
        self.head = torch.nn.Linear(self.base.config.hidden_size, len(STANCES))
        self.head.load_state_dict({"weight": weights["head.weight"].float(), "bias": weights["head.bias"].float()})
        self.head.eval()
        self.temperature = float(self.meta.get("temperature", 1.0))
        self.decision = self.meta.get("decision", {})
        self.trained_on = list(self.meta.get("trained_on", []))
        self._lock = threading.Lock()
        self._torch = torch

    def hidden_below(self, claims: Sequence[str], passages: Sequence[str]):
        """(hidden states entering the first tuned layer, attention mask) for a batch of pairs."""
        batch = encode_pairs(self.tokenizer, claims, passages)
        with self._torch.no_grad():
            out = self.base(**batch, output_hidden_states=True)
        return out.hidden_states[TUNED_LAYERS[0]], batch["attention_mask"]

    def predict(self, pairs: Sequence[tuple[str, str]], batch_size: int = 32) -> np.ndarray:
        """An (n, 3) array of probabilities in STANCES order."""
        torch = self._torch
        result = np.zeros((len(pairs), len(STANCES)), dtype=np.float64)
        if not pairs:
            return result
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        with self._lock, torch.no_grad():
            for s in range(0, len(order), batch_size):
                idx = order[s:s + batch_size]
                hidden, mask = self.hidden_below([pairs[j][0] for j in idx], [pairs[j][1] for j in idx])
                z = run_tuned(self.layers, self.head, hidden, mask) / self.temperature
                result[idx] = torch.softmax(z, dim=-1).numpy()
        return result


@functools.lru_cache(maxsize=4)
def _load(embedder_id: int, embedder, model_file: str, meta_file: str) -> StanceModel:
    return StanceModel(embedder, Path(model_file), Path(meta_file))


def get_stance_model(embedder=None, model_file: str | Path | None = None) -> StanceModel | None:
    """The stance model on top of the packaged embedder, loaded once; None if none is shipped.

    `model_file` picks another trained model (its .json must lie beside it)."""
    if embedder is None:
        from sources.embed import get_embedder

        embedder = get_embedder()
    if embedder.model_id != "all-MiniLM-L6-v2":
        return None  # the tuned layers belong to the packaged model
    path = Path(model_file) if model_file else STANCE_FILE
    meta = path.with_suffix(".json")
    if not path.exists() or not meta.exists():
        return None
    return _load(id(embedder), embedder, str(path), str(meta))
