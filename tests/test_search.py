"""Ranking functions with hand-made vectors, and hybrid search on the real model."""

import numpy as np
import pytest

from sources.library import add_text
from sources.search import Searcher, cosine_top_k, fts_query, reciprocal_rank_fusion


def unit(*v):
    a = np.asarray(v, dtype=np.float32)
    return a / np.linalg.norm(a)


def test_cosine_top_k_with_three_d_vectors():
    matrix = np.stack([unit(1, 0, 0), unit(0, 1, 0), unit(1, 1, 0), unit(0, 0, 1)])
    queries = np.stack([unit(1, 0.1, 0), unit(0, 0, 1)])
    top = cosine_top_k(queries, matrix, 2)
    assert [r for r, _ in top[0]] == [0, 2]
    assert top[1][0][0] == 3 and top[1][0][1] == pytest.approx(1.0)
    assert cosine_top_k(queries, matrix, 10)[0][0][0] == 0  # k larger than the corpus
    assert cosine_top_k(queries, np.zeros((0, 0), np.float32), 3) == [[], []]


def test_reciprocal_rank_fusion():
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1]], k=60)
    assert [i for i, _ in fused] == [1, 3, 2]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert reciprocal_rank_fusion([[1], [2]], weights=[1, 2])[0][0] == 2


def test_fts_query_quotes_words_and_drops_stopwords():
    assert fts_query("How many members does NATO have?") == '"members" OR "nato"'
    assert fts_query('the "and" OR (*)') == ""


@pytest.fixture
def library(db, embedder):
    add_text(db, "NATO has 32 members since Sweden joined in March 2024.", embedder, title="NATO")
    add_text(db, "The European Union has 27 member states.", embedder, title="EU")
    add_text(db, "The Eiffel Tower in Paris is 330 metres tall.", embedder, title="Tower")
    return db


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_search_finds_the_right_passage(library, embedder, mode):
    hits = Searcher(library, embedder).search("How many countries are in NATO?", top_k=3, mode=mode)
    assert hits[0].source_title == "NATO"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_hybrid_hits_keep_both_scores_and_offsets(library, embedder):
    hits = Searcher(library, embedder).search("Sweden joined NATO", top_k=2)
    top = hits[0]
    assert top.dense_score is not None and top.lexical_score is not None
    assert top.dense_rank == 1 and top.lexical_rank == 1
    assert (top.start, top.end) == (0, len(top.text))


def test_batch_search_and_cache_invalidation(library, embedder):
    s = Searcher(library, embedder)
    ids, _ = s.vectors()
    batch = s.search_many(["Eiffel Tower height", "EU member states"], top_k=1)
    assert [b[0].source_title for b in batch] == ["Tower", "EU"]
    add_text(library, "The OSCE has 57 participating states.", embedder, title="OSCE")
    assert len(s.vectors()[0]) == len(ids) + 1
    with pytest.raises(ValueError):
        s.search("x", mode="nonsense")


def test_empty_library(db, embedder):
    assert Searcher(db, embedder).search("anything") == []


def test_porter_stems_are_the_index_terms(library):
    from sources.search import porter_stems
    from sources.store import term_doc_counts

    stems = porter_stems(["members", "joined", "policy", "Zürich".lower()])
    assert stems == {"members": "member", "joined": "join", "policy": "polici", "zürich": "zurich"}
    assert term_doc_counts(library, ["member", "join", "nosuchterm"]) == {"member": 2, "join": 1}


def test_large_libraries_leave_out_common_terms(library, embedder, monkeypatch):
    from sources import search
    from sources.search import prune_common

    # "member" is in 2 passages, more than 2% of 60; "sweden" in 1
    assert prune_common(library, [["members", "sweden", "countries"]], 60) == [["sweden", "countries"]]
    # at least the two rarest words stay, however common
    assert prune_common(library, [["members", "nato"]], 60) == [["nato", "members"]]
    monkeypatch.setattr(search, "LEXICAL_PRUNE_FROM", 1)
    hits = Searcher(library, embedder).search("Did Sweden join the alliance's members?", top_k=1, mode="lexical")
    assert hits[0].source_title == "NATO"


def test_prepare_query_cleans_social_media_posts():
    from sources.search import prepare_query, query_kind

    post = ("Minecraft is NOT stopping, Mojang is NOT closing. #Minecrafthttps://t.co/V4Lzv97qOc "
            "— Helen Z (@HelenAngel) January 2, 2020")
    assert prepare_query(post) == ("Minecraft is NOT stopping, Mojang is NOT closing. Minecraft — Helen Z "
                                   "(Helen Angel) January 2, 2020")
    assert prepare_query("The drone strike on #Soleimani.#IranUsapic.twitter.com/TvRkHvlgby") == \
        "The drone strike on Soleimani. Iran Usa"
    assert prepare_query("Ask @NATO about #FreeIran2020") == "Ask NATO about Free Iran 2020"
    assert query_kind(post) == "post"
    # plain sentences (what `check` extracts from articles) come back exactly as they were
    for claim in ("NATO has 32 members.", "Write to a@b.com - it costs 5-10 dollars", "Joseph Luns  led NATO."):
        assert prepare_query(claim) == claim
        assert query_kind(claim) == "claim"


def test_keyword_search_reads_the_source_title(db, embedder):
    """A passage that only says "it" is found by the name in its source's title; the title's BM25
    weight is a setting, and 0 searches the text only."""
    add_text(db, "It was founded in 1949 and now has 32 members.", embedder, title="NATO")
    add_text(db, "The Eiffel Tower in Paris is 330 metres tall.", embedder, title="Tower")
    hits = Searcher(db, embedder).search("NATO", top_k=3, mode="lexical")
    assert hits and hits[0].source_title == "NATO"
    assert Searcher(db, embedder, title_weight=0).search("NATO", top_k=3, mode="lexical") == []


def test_fusion_weights_depend_on_the_query_kind(library, embedder):
    """A post is fused with the post weights, a claim with the claim weights."""
    q_claim, q_post = "Sweden joined NATO", "Sweden joined NATO #nato"
    dense_only = {"claim": (1.0, 0.0), "post": (1.0, 0.0)}
    lexical_only = {"claim": (0.0, 1.0), "post": (0.0, 1.0)}
    mixed = {"claim": (1.0, 0.0), "post": (0.0, 1.0)}
    s = Searcher(library, embedder, fusion_weights=mixed)
    hits = s.search_many([q_claim, q_post], top_k=3)
    want_claim = Searcher(library, embedder, fusion_weights=dense_only).search(q_claim, top_k=3)
    want_post = Searcher(library, embedder, fusion_weights=lexical_only).search(q_post, top_k=3)
    assert [h.passage_id for h in hits[0]] == [h.passage_id for h in want_claim]
    assert [h.passage_id for h in hits[1]] == [h.passage_id for h in want_post]
