"""The reranker: a cross-encoder that reads a claim and a candidate passage together and scores
how well the passage answers it; it reorders the top candidates of the fused search.

Built on the packaged MiniLM (`sources.crossencoder`): layers 0-3 are the embedding model's,
layers 4-5 and a one-output head are fine-tuned on the training splits of SciFact and CheckThat!
2020 (`bench/train_reranker.py`). The final order is the reranker's logit minus
`prior` x ln(fused rank), so a weak reranker cannot throw away what the first stage was sure of;
`prior` and the number of candidates are chosen on held-out training queries and stored in the
model's .json.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Sequence

import numpy as np

from sources.crossencoder import TunedPairModel

__all__ = ["Reranker", "get_reranker", "RERANK_FILE", "RERANK_META", "pair_text", "combine", "TUNED_LAYERS",
           "MAX_TOKENS"]

MODEL_DIR = Path(__file__).resolve().parent / "models"
RERANK_FILE = MODEL_DIR / "reranker.safetensors"
RERANK_META = MODEL_DIR / "reranker.json"
TUNED_LAYERS = (4, 5)
MAX_TOKENS = 192


def pair_text(title: str, passage: str) -> str:
    """The passage side of a pair: its source's title, then the passage."""
    return f"{title}\n{passage}" if title else passage


def combine(logits: Sequence[float], prior: float) -> list[float]:
    """Final scores of candidates given in fused order: logit - prior * ln(fused rank)."""
    return [float(z) - prior * math.log(r) for r, z in enumerate(logits, start=1)]


class Reranker(TunedPairModel):
    """Relevance logits for (query, passage) pairs, and the chosen depth and prior."""

    def __init__(self, embedder, model_file: Path = RERANK_FILE, meta_file: Path = RERANK_META):
        super().__init__(embedder, model_file, meta_file, TUNED_LAYERS, MAX_TOKENS)
        self.depth = int(self.meta.get("depth", 20))
        self.prior = float(self.meta.get("prior", 0.0))

    def scores(self, query: str, passages: Sequence[str]) -> np.ndarray:
        """One relevance logit per passage for `query`."""
        return self.logits([(query, p) for p in passages])[:, 0]

    def scores_many(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """One relevance logit per (query, passage) pair, all batched together."""
        return self.logits(list(pairs))[:, 0]


@functools.lru_cache(maxsize=4)
def _load(embedder_id: int, embedder, model_file: str, meta_file: str) -> Reranker:
    return Reranker(embedder, Path(model_file), Path(meta_file))


def get_reranker(embedder=None, model_file: str | Path | None = None) -> Reranker | None:
    """The shipped reranker on top of the packaged embedder, loaded once; None when there is no
    model file or the embedder is another model. `model_file` picks another trained file."""
    if embedder is None:
        from sources.embed import get_embedder

        embedder = get_embedder()
    if embedder.model_id != "all-MiniLM-L6-v2":
        return None
    path = Path(model_file) if model_file else RERANK_FILE
    meta = path.with_suffix(".json")
    if not path.exists() or not meta.exists():
        return None
    return _load(id(embedder), embedder, str(path), str(meta))
