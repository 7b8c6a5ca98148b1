"""The stance model: does a passage support the claim, refute it, or neither?

A cross-encoder built on the packaged MiniLM: claim and passage go in together as one
"[CLS] claim [SEP] passage [SEP]" input, then mean pooling and a 3-way head (supports, refutes,
unrelated), run under the embedder's bfloat16 autocast where the CPU has it. Two kinds of file
(sources/crossencoder.py): the shipped one (stance-model-v1) holds fine-tuned copies of the last
two layers, about 7 MB in float16; `bench/train_stance.py` writes the next recipe
(stance-model-v2): LoRA adapters on all six layers, 1.3 MB, merged into the weights at load
time. Either way the rest comes from the embedding model already installed.

It also carries the claim-level decision thresholds chosen on held-out training claims
(see `claims.verdict.aggregate_stance`). Train it with `bench/train_stance.py DATA_DIR`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from sources.crossencoder import TunedPairModel, run_tuned
from sources.crossencoder import encode_pairs as _encode_pairs

__all__ = ["StanceModel", "get_stance_model", "STANCE_FILE", "STANCE_META", "STANCES", "TUNED_LAYERS",
           "MAX_TOKENS", "encode_pairs", "run_tuned"]

MODEL_DIR = Path(__file__).resolve().parent / "models"
STANCE_FILE = MODEL_DIR / "stance.safetensors"
STANCE_META = MODEL_DIR / "stance.json"
STANCES = ("supports", "refutes", "unrelated")
TUNED_LAYERS = (0, 1, 2, 3, 4, 5)  # every layer adapted (older files name their own)
MAX_TOKENS = 160


def encode_pairs(tokenizer, claims: Sequence[str], passages: Sequence[str], max_tokens: int = MAX_TOKENS):
    """Token ids of (claim, passage) pairs; only the passage is cut when the pair is too long."""
    return _encode_pairs(tokenizer, claims, passages, max_tokens)


class StanceModel(TunedPairModel):
    """Probabilities of (supports, refutes, unrelated) for (claim, passage) pairs."""

    def __init__(self, embedder, model_file: Path = STANCE_FILE, meta_file: Path = STANCE_META):
        super().__init__(embedder, model_file, meta_file, TUNED_LAYERS, MAX_TOKENS, bf16=True)
        self.temperature = float(self.meta.get("temperature", 1.0))
        self.decision = self.meta.get("decision", {})
        self.trained_on = list(self.meta.get("trained_on", []))
        # the name its verdicts carry (and their calibration is keyed by)
        self.method = "stance-model-v2" if self.adapters else "stance-model-v1"

    def predict(self, pairs: Sequence[tuple[str, str]], batch_size: int = 32,
                progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """An (n, 3) array of probabilities in STANCES order; `progress` gets (pairs done, pairs)."""
        z = self.logits(pairs, batch_size, progress) / self.temperature
        if not len(z):
            return np.zeros((0, len(STANCES)))
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


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
