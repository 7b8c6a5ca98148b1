"""The trained check-worthiness model: the packaged MiniLM adapted, mean pooling and a logistic
head, calibrated to [0, 1].

Two kinds of file, told apart by their keys (as sources/crossencoder.py's):
- `layer.*`: the first five layers frozen, a fine-tuned copy of the last one in float16 (about
  3.5 MB; `bench/train_checkworthiness.py DATA_DIR`);
- `lora.layer{N}.*`: low-rank adapters on all six layers, merged into the weights at load time
  (about 1.3 MB; trained where a GPU is lent, `bench/cw_gpu.py`, then calibrated here by
  `bench/train_checkworthiness.py DATA_DIR --from-adapters FILE`).
Either way the head is `head.weight` / `head.bias` and the rest comes from the packaged model
already installed for embeddings.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from sources.crossencoder import extended_mask, layers_below, mean_pool, merge_adapters
from sources.embed import precision

__all__ = ["CheckworthinessModel", "get_checkworthiness_model", "MODEL_DIR", "MODEL_FILE", "META_FILE",
           "TUNED_LAYER"]

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = MODEL_DIR / "checkworthiness.safetensors"
META_FILE = MODEL_DIR / "checkworthiness.json"
TUNED_LAYER = 5
MAX_TOKENS = 96


class CheckworthinessModel:
    """Scores sentences for check-worthiness in [0, 1] (calibrated probability of "worth checking")."""

    def __init__(self, embedder, model_file: Path = MODEL_FILE, meta_file: Path = META_FILE):
        import torch
        from safetensors.torch import load_file

        self.meta = json.loads(Path(meta_file).read_text())
        st_model = embedder._model
        self.tokenizer = st_model.tokenizer
        self.base = st_model[0].auto_model
        weights = load_file(str(model_file))
        self.adapters = any(k.startswith("lora.") for k in weights)
        if self.adapters:
            self.tuned = tuple(self.meta.get("tuned_layers", range(self.base.config.num_hidden_layers)))
            self.layers = merge_adapters(self.base, weights, self.tuned)
        else:
            self.tuned = (TUNED_LAYER,)
            layer = copy.deepcopy(self.base.encoder.layer[TUNED_LAYER])
            layer.load_state_dict({k[len("layer."):]: v.float() for k, v in weights.items()
                                   if k.startswith("layer.")})
            layer.eval()
            self.layers = [layer]
        self.max_tokens = int(self.meta.get("max_tokens", MAX_TOKENS))
        self.head_w = weights["head.weight"].float()
        self.head_b = weights["head.bias"].float()
        self.a, self.b = self.meta["calibration"]["a"], self.meta["calibration"]["b"]
        self.threshold = float(self.meta["threshold"])
        self._lock = threading.Lock()
        self._torch = torch
        # the embedder's bfloat16 autocast where the CPU has it (as the stance model and reranker)
        self.backend = "bf16" if getattr(embedder, "backend", "fp32") == "bf16" else "fp32"

    def hidden_below(self, texts: Sequence[str]):
        """(hidden states entering the first tuned layer, attention mask) for a batch of texts."""
        batch = self.tokenizer(list(texts), padding=True, truncation=True, max_length=self.max_tokens,
                               return_tensors="pt")
        return layers_below(self.base, batch, self.tuned[0]), batch["attention_mask"]

    def logits(self, texts: Sequence[str], batch_size: int = 64,
               progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Uncalibrated scores of the head; `progress` gets (texts done, texts) after each batch."""
        torch = self._torch
        out = []
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with self._lock, torch.no_grad(), precision(self.backend):
            for i in range(0, len(order), batch_size):
                idx = order[i:i + batch_size]
                hidden, mask = self.hidden_below([texts[j] for j in idx])
                h, ext = hidden, extended_mask(mask, hidden.dtype)
                for layer in self.layers:
                    h = layer(h, attention_mask=ext)
                    h = h[0] if isinstance(h, (tuple, list)) else h
                z = mean_pool(h.float(), mask) @ self.head_w.T + self.head_b
                out.extend(zip(idx, z[:, 0].float().tolist()))
                if progress:
                    progress(i + len(idx), len(order))
        result = np.zeros(len(texts), dtype=np.float64)
        for j, z in out:
            result[j] = z
        return result

    def score(self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Calibrated probabilities in [0, 1] (Platt scaling fitted on held-out training data);
        `progress` gets (distinct texts scored, distinct texts)."""
        if not texts:
            return np.zeros(0)
        unique = list(dict.fromkeys(texts))  # a repeated sentence (a paragraph pasted twice) is scored once
        z = dict(zip(unique, self.logits(unique, progress=progress)))
        z = np.array([z[t] for t in texts], dtype=np.float64)
        return 1.0 / (1.0 + np.exp(-(self.a * z + self.b)))


@functools.lru_cache(maxsize=2)
def _load(embedder_id: int, embedder) -> CheckworthinessModel | None:
    if not MODEL_FILE.exists() or not META_FILE.exists():
        return None
    return CheckworthinessModel(embedder)


def get_checkworthiness_model(embedder=None) -> CheckworthinessModel | None:
    """The shipped model on top of the packaged embedder, loaded once; None if it is not shipped."""
    if embedder is None:
        from sources.embed import get_embedder

        embedder = get_embedder()
    if embedder.model_id != "all-MiniLM-L6-v2":
        return None  # the tuned layer belongs to the packaged model
    return _load(id(embedder), embedder)
