"""The reranker stage: a cross-encoder reorders the top fused candidates of a hybrid search."""

import json

import pytest

from sources.library import add_text
from sources.rerank import RERANK_FILE, Reranker, combine, get_reranker
from sources.search import Searcher


def test_combine_keeps_a_prior_on_the_fused_rank():
    assert combine([0.0, 0.0, 0.0], prior=1.0) == pytest.approx([0.0, -0.6931, -1.0986], abs=1e-4)
    assert combine([0.0, 5.0], prior=0.0) == [0.0, 5.0]


@pytest.fixture
def library(db, embedder):
    add_text(db, "NATO has 32 members since Sweden joined in March 2024.", embedder, title="NATO")
    add_text(db, "The European Union has 27 member states.", embedder, title="EU")
    add_text(db, "The Eiffel Tower in Paris is 330 metres tall.", embedder, title="Tower")
    add_text(db, "The OSCE has 57 participating states in Europe, Asia and North America.", embedder,
             title="OSCE")
    return db


@pytest.fixture
def made_up_reranker(tmp_path, embedder):
    """A reranker file whose head scores by a fixed random direction: the mechanics, not quality."""
    import torch
    from safetensors.torch import save_file

    base = embedder._model[0].auto_model
    torch.manual_seed(1)
    tensors = {}
    for n in (4, 5):
        tensors.update({f"layer{n}.{k}": v.half() for k, v in base.encoder.layer[n].state_dict().items()})
    tensors["head.weight"] = torch.randn(1, base.config.hidden_size)
    tensors["head.bias"] = torch.zeros(1)
    path = tmp_path / "r.safetensors"
    save_file(tensors, str(path))
    path.with_suffix(".json").write_text(json.dumps({"tuned_layers": [4, 5], "max_tokens": 128, "depth": 3,
                                                     "prior": 0.0}))
    return Reranker(embedder, path, path.with_suffix(".json"))


def test_reranker_reorders_the_top_candidates_only(library, embedder, made_up_reranker):
    plain = Searcher(library, embedder).search("How many members does NATO have?", top_k=4)
    reranked = Searcher(library, embedder, reranker=made_up_reranker).search("How many members does NATO have?",
                                                                            top_k=4)
    depth = made_up_reranker.depth
    assert {h.passage_id for h in reranked[:depth]} == {h.passage_id for h in plain[:depth]}
    assert [h.passage_id for h in reranked[depth:]] == [h.passage_id for h in plain[depth:]]
    logits = made_up_reranker.scores("How many members does NATO have?",
                                     [f"{h.source_title}\n{h.text}" for h in reranked[:depth]])
    assert list(logits) == sorted(logits, reverse=True)
    assert all(h.rerank_score is not None for h in reranked[:depth])
    assert all(h.rerank_score is None for h in reranked[depth:])
    # rerank=False, or another mode, leaves the first stage's order alone
    s = Searcher(library, embedder, reranker=made_up_reranker)
    assert [h.passage_id for h in s.search_many(["How many members does NATO have?"], top_k=4, rerank=False)[0]] \
        == [h.passage_id for h in plain]


def test_batched_reranking_equals_one_query_at_a_time(library, embedder, made_up_reranker):
    s = Searcher(library, embedder, reranker=made_up_reranker)
    queries = ["How many members does NATO have?", "How tall is the Eiffel Tower?"]
    together = s.search_many(queries, top_k=3)
    for q, hits in zip(queries, together):
        alone = s.search(q, top_k=3)
        assert [h.passage_id for h in hits] == [h.passage_id for h in alone]
        assert [h.rerank_score for h in hits] == pytest.approx([h.rerank_score for h in alone], abs=1e-4)


@pytest.mark.skipif(not RERANK_FILE.exists(), reason="no reranker shipped")
def test_shipped_reranker_puts_the_answer_first(library, embedder):
    r = get_reranker(embedder)
    assert r is not None and r.depth >= 5
    z = r.scores("NATO has 32 members.", ["NATO\nNATO has 32 members since Sweden joined in March 2024.",
                                          "Tower\nThe Eiffel Tower in Paris is 330 metres tall.",
                                          "EU\nThe European Union has 27 member states."])
    assert z.argmax() == 0


@pytest.mark.skipif(not RERANK_FILE.exists(), reason="no reranker shipped")
def test_check_reranks_evidence_only_when_the_setting_is_on(library, embedder, nlp):
    from claims.article import article_from_text
    from claims.errors import InvalidReview
    from claims.pipeline import check_article
    from claims.store import get_settings, set_setting

    article = article_from_text("NATO has 32 members, the secretary general said on Monday.")
    assert get_settings(library)["rerank_evidence"] == "off"
    off = check_article(library, article, embedder, nlp=nlp, again=True)
    assert off.evidence and all(h.rerank_score is None for hits in off.evidence for h in hits)
    set_setting(library, "rerank_evidence", "on")
    on = check_article(library, article, embedder, nlp=nlp, again=True)
    assert all(h.rerank_score is not None for hits in on.evidence for h in hits)
    assert on.evidence[0][0].source_title == "NATO"
    with pytest.raises(InvalidReview, match="'on' or 'off'"):
        set_setting(library, "rerank_evidence", "maybe")
