"""The embedding backends: bfloat16 autocast against plain sentence-transformers."""

import numpy as np
import pytest

from sources.embed import Embedder, _backend, cpu_has_bf16, get_embedder

TEXTS = ["NATO has 32 members.", "Joseph Luns spent 12 years in charge of NATO.",
         "The Eiffel Tower in Paris is 330 metres tall.", "", "  padded text  ", "a " * 400]


@pytest.fixture(scope="module")
def fp32():
    return get_embedder(backend="fp32")


@pytest.fixture(scope="module")
def bf16():
    return get_embedder(backend="bf16")


def test_auto_picks_bf16_only_where_the_cpu_has_it(monkeypatch):
    monkeypatch.delenv("FACTCHECK_EMBED_BACKEND", raising=False)
    assert _backend(None) == ("bf16" if cpu_has_bf16() else "fp32")
    monkeypatch.setenv("FACTCHECK_EMBED_BACKEND", "fp32")
    assert _backend(None) == "fp32"


def test_fp32_is_plain_encode(fp32):
    assert np.allclose(fp32.encode(TEXTS), fp32.plain_encode(TEXTS), atol=1e-5)


def test_bf16_vectors_match_float32(bf16, fp32):
    """The same model to within bfloat16 rounding: unit length, cosine >= 0.999 with float32 for
    every text, the same nearest neighbour, so vectors of both can share a library."""
    a, b = bf16.encode(TEXTS), fp32.encode(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), 384) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-4)
    assert (a * b).sum(1).min() >= 0.999
    assert ((a @ b.T).argmax(1) == np.arange(len(TEXTS))).all()


def test_unknown_backend_is_one_clear_line(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from claims.cli import cli
    from sources.errors import SourceError

    from sources import embed

    monkeypatch.setenv("FACTCHECK_EMBED_BACKEND", "gpu-magic")
    # the CLI loads its embedder through the cached get_embedder; bypass the cache here
    monkeypatch.setattr(embed, "get_embedder", lambda model=None, backend=None: Embedder(model, backend=backend))
    with pytest.raises(SourceError, match="unknown embedding backend"):
        Embedder()
    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "sources", "add", "-", "--title", "t"],
                           input="NATO has 32 members.")
    assert r.exit_code == 1 and "unknown embedding backend 'gpu-magic'" in r.output
    assert "Traceback" not in r.output
