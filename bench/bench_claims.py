"""Claim extraction speed: sentences per second for scoring and decomposition, and a
1,000-word article from text to stored claims (warm), on this machine.

Usage:  .venv/bin/python bench/bench_claims.py [--words 1000] [--json]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.report import peak_rss_mb, report  # noqa: E402
from claims.article import article_from_text, load_article  # noqa: E402
from claims.checkworthiness import get_checkworthiness_model  # noqa: E402
from claims.decompose import EntityContext, decompose  # noqa: E402
from claims.demo import article_path, load_demo_library  # noqa: E402
from claims.extract import extract_claims, get_nlp, score_texts  # noqa: E402
from claims.pipeline import check_article  # noqa: E402
from claims.store import open_db, save_check  # noqa: E402
from sources.embed import get_embedder  # noqa: E402


def article_of(words: int) -> str:
    """The demo article's paragraphs repeated until the text has `words` words."""
    base = load_article(str(article_path()))[0].text
    paras = [p for p in base.split("\n\n") if len(p.split()) > 5]
    out, n = [], 0
    while n < words:
        for p in paras:
            out.append(p)
            n += len(p.split())
            if n >= words:
                break
    return "\n\n".join(out)


RUNS = 5


def best_of(fn, runs=None):
    runs = runs or RUNS
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5, help="repeat each timing, keep the best")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    global RUNS
    RUNS = args.runs
    embedder, nlp = get_embedder(), get_nlp()
    scorer = get_checkworthiness_model(embedder)
    text = article_of(args.words)
    doc = article_from_text(text, title="bench")
    sentences = [s.text for s in nlp(text).sents if s.text.strip()]
    out = {"words": len(text.split()), "sentences": len(sentences)}
    score_texts(sentences[:8], nlp, scorer=scorer)  # warm-up

    t, _ = best_of(lambda: scorer.score(sentences))
    out["model_scoring_sentences_per_s"] = len(sentences) / t

    def decomposition():
        ctx, n = EntityContext(), 0
        for sent in nlp(text).sents:
            n += len(decompose(sent, 0, ctx, lambda s, e: text[s:e]))
        return n

    t, n_atoms = best_of(decomposition)
    out["parse_and_decompose_sentences_per_s"] = len(sentences) / t
    out["atomic_claims_before_threshold"] = n_atoms

    db = open_db(Path(tempfile.mkdtemp()) / "bench.db")
    t, claims = best_of(lambda: extract_claims(text, nlp, scorer=scorer))
    out["extract_claims_s"] = t
    out["claims"] = len(claims)

    def to_store():
        cs = extract_claims(text, nlp, scorer=scorer)
        return save_check(db, title="bench", origin="bench", url=None, text=text, claims=cs,
                          evidence=[[] for _ in cs], verdicts=[_nee() for _ in cs], model_id=embedder.model_id)

    t, _ = best_of(to_store)
    out["text_to_stored_claims_s"] = t

    load_demo_library(db, embedder)
    check_article(db, doc, embedder, nlp=nlp, again=True)
    t, r = best_of(lambda: check_article(db, doc, embedder, nlp=nlp, again=True), runs=min(3, RUNS))
    out["full_check_with_evidence_and_verdicts_s"] = t
    out["full_check_stages_s"] = {k: round(v, 3) for k, v in r.timings.items()}
    # suggestions alone for 30 claims with their top-5 evidence (rules, then the stance model)
    from claims.pipeline import suggest_for
    from claims.stance import get_stance_model

    cs, ev = r.claims[:30], r.evidence[:30]
    out["suggest_30_claims_rules_only_s"], _ = best_of(lambda: suggest_for(cs, ev, nlp), runs=min(3, RUNS))
    stance = get_stance_model(embedder)
    if stance is not None:
        out["suggest_30_claims_with_stance_s"], _ = best_of(lambda: suggest_for(cs, ev, nlp, stance=stance),
                                                           runs=min(3, RUNS))
        pairs = [(c.text, h.text) for c, hits in zip(cs, ev) for h in hits]
        out["stance_pairs_scored"] = len(pairs)
        out["stance_all_pairs_s"], _ = best_of(lambda: stance.predict(pairs), runs=min(3, RUNS))
    # evidence search for the same claims: the fused first stage alone, then with the reranker
    from sources.rerank import get_reranker
    from sources.search import Searcher

    texts = [c.text for c in cs]
    first = Searcher(db, embedder)
    qv = first.encode(texts)
    out["search_30_claims_first_stage_s"], _ = best_of(lambda: first.search_many(texts, top_k=5, query_vectors=qv))
    reranker = get_reranker(embedder)
    if reranker is not None:
        second = Searcher(db, embedder, reranker=reranker)
        out["rerank_depth"] = reranker.depth
        out["search_30_claims_reranked_s"], _ = best_of(lambda: second.search_many(texts, top_k=5, query_vectors=qv),
                                                        runs=min(3, RUNS))
    out["peak_rss_mb"] = peak_rss_mb()
    report(out, args.json)


def _nee():
    from claims.verdict import Verdict

    return Verdict("NOT_ENOUGH_EVIDENCE", 0.5, "benchmark: no search")


if __name__ == "__main__":
    main()
