"""ONNX Runtime paths for the embedding model, measured by bench/bench_encode.py and not used by
the product: an int8 copy of the packaged model (torch.onnx export, then onnxruntime dynamic
per-channel int8 quantisation of the weights), run by onnxruntime.

Needs the bench extra: `.venv/bin/pip install -e '.[bench]'` (onnx, onnxruntime).
On this project's 2-core CI machine it was 1.4x plain encode on sentences and 0.9x on abstracts
(bench/RESULTS.md), so the product uses bfloat16 autocast instead (sources/embed.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

def _cache_dir() -> Path:
    root = os.environ.get("FACTCHECK_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "factcheck")
    return Path(root)


def onnx_int8_file(st_model, model_path: str) -> Path:
    """The int8 ONNX copy of a sentence-transformers BERT model, made once per machine and model
    (torch.onnx export, then onnxruntime dynamic per-channel int8 quantisation of the weights)
    and cached under ~/.cache/factcheck (FACTCHECK_CACHE overrides)."""
    import hashlib

    import onnxruntime
    import torch

    weights = sorted(Path(model_path).glob("*.safetensors")) or sorted(Path(model_path).glob("*.bin"))
    stamp = "|".join(f"{w.name}:{w.stat().st_size}:{int(w.stat().st_mtime)}" for w in weights)
    key = hashlib.sha256(f"{model_path}|{stamp}|{torch.__version__}|{onnxruntime.__version__}".encode()).hexdigest()[:16]
    target = _cache_dir() / f"{Path(model_path).name}-{key}-int8.onnx"
    if target.exists():
        return target
    import tempfile

    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.parent.mkdir(parents=True, exist_ok=True)
    bert = st_model[0].auto_model.eval()

    class Hidden(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).last_hidden_state

    sample = st_model.tokenizer(["a short example", "two"], padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        fp32, int8 = Path(tmp) / "model.onnx", Path(tmp) / "model-int8.onnx"
        import warnings

        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(Hidden(bert), tuple(sample[n] for n in names), str(fp32), input_names=names,
                              output_names=["hidden"], opset_version=17, dynamo=False,
                              dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "hidden"]})
        import logging

        logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))  # "consider pre-processing"
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(int8, target)
    return target


class OnnxInt8Encoder:
    """Mean-pooled, normalised sentence vectors from the int8 ONNX model on onnxruntime, batched
    by length like `SentenceTransformer.encode`."""

    def __init__(self, st_model, model_path: str, batch_size: int = 64, threads: int | None = None):
        import onnxruntime as ort
        import torch

        self.file = onnx_int8_file(st_model, model_path)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or torch.get_num_threads()
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(self.file), opts, providers=["CPUExecutionProvider"])
        self.tokenizer = st_model.tokenizer
        self.max_tokens = int(st_model.max_seq_length)
        self.batch_size = batch_size
        self.dims = int(st_model[0].auto_model.config.hidden_size)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for s in range(0, len(texts), self.batch_size):
            idx = order[s:s + self.batch_size]
            b = self.tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=self.max_tokens,
                               return_tensors="np")
            feeds = {n: b[n].astype(np.int64) for n in ("input_ids", "attention_mask", "token_type_ids")}
            hidden = self.session.run(None, feeds)[0]
            m = feeds["attention_mask"][..., None].astype(np.float32)
            v = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
            out[idx] = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        return out


