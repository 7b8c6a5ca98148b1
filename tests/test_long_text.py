"""Long documents (issue 15, step 5): a limit the team sets, with one line past it; a paragraph
too long for the parser read in parts; progress with counts and the time left."""

from __future__ import annotations

import pytest

from claims import store
from claims.article import article_from_text
from claims.errors import ArticleTooLong, InvalidReview
from claims.extract import _cut, extract_claims
from claims.pipeline import check_article, time_left


def test_past_the_word_limit_one_line_and_nothing_stored(db, embedder, nlp):
    store.set_setting(db, "max_article_words", "500")
    doc = article_from_text("The bridge is 40 metres long and opened in 1932. " * 60)  # 600 words
    with pytest.raises(ArticleTooLong) as exc:
        check_article(db, doc, embedder, nlp=nlp)
    line = str(exc.value)
    assert "\n" not in line and "600 words" in line and "500" in line and "max_article_words" in line
    assert db.execute("select count(*) from articles").fetchone()[0] == 0
    store.set_setting(db, "max_article_words", "1000")  # raised: the same text is read
    r = check_article(db, doc, embedder, nlp=nlp)
    assert r.claims and db.execute("select count(*) from articles").fetchone()[0] == 1


def test_the_default_limit_takes_a_100000_word_report():
    assert int(store.SETTINGS["max_article_words"][0]) >= 100_000


@pytest.mark.parametrize("value", ["ten", "-5", "50", "99999999999", "1.5"])
def test_a_bad_word_limit_is_refused(db, value):
    with pytest.raises(InvalidReview, match="max_article_words"):
        store.set_setting(db, "max_article_words", value)


def test_a_paragraph_too_long_is_cut_at_sentences_with_true_offsets():
    text = "xx " + " ".join(f"Sentence {i} says the dam is {i} metres high." for i in range(400))
    parts = list(_cut(3, text[3:], limit=500))
    assert len(parts) > 10 and all(len(p) <= 500 for _, p in parts)
    for offset, part in parts:
        assert text[offset:offset + len(part)] == part
        assert part.rstrip().endswith(".")  # cut after a full stop, never inside a sentence
    assert "".join(p for _, p in parts).replace(" ", "") == text[3:].replace(" ", "")
    wall = "a" * 1200  # no space at all: cut at the limit, nothing lost
    assert [len(p) for _, p in _cut(0, wall, limit=500)] == [500, 500, 200]


def test_a_long_paragraph_gives_the_same_claims_as_short_ones(nlp, monkeypatch):
    import claims.extract as extract

    text = " ".join(f"The {n} bridge opened in {1900 + i} and is {40 + i} metres long."
                    for i, n in enumerate(["Tower", "Forth", "Severn", "Humber", "Clifton", "Menai"] * 5))
    whole = extract_claims(text, nlp, scorer=None)
    monkeypatch.setattr(extract, "PIECE_MAX_CHARS", 300)
    cut = extract_claims(text, nlp, scorer=None)
    assert [(c.text, c.start, c.end) for c in cut] == [(c.text, c.start, c.end) for c in whole]
    assert all(text[c.sentence_start:c.sentence_end] == c.sentence for c in cut)


def test_progress_counts_what_is_done_and_never_goes_back(db, embedder, nlp):
    from claims.demo import load_demo_library

    load_demo_library(db, embedder)
    text = "\n\n".join(f"NATO had {12 + i} members in {1950 + i}. Mark Rutte took office on 1 October 2024."
                       for i in range(30))
    seen: list[tuple[str, float]] = []
    check_article(db, article_from_text(text), embedder, nlp=nlp, progress=lambda s, f: seen.append((s, f)))
    fracs = [f for _, f in seen]
    assert fracs == sorted(fracs) and fracs[-1] == 1.0
    lines = [s for s, _ in seen]
    assert "Finding claims: 30 of 30 paragraphs read" in lines
    assert any(s.startswith("Finding claims:") and "sentences rated" in s for s in lines)
    assert any(s.startswith("Suggesting verdicts:") and "claim-passage pairs read" in s for s in lines)


def test_time_left_is_estimated_from_the_time_so_far():
    now = [0.0]
    shown: list[tuple[float, str]] = []
    say = time_left(lambda f, line: shown.append((f, line)), clock=lambda: now[0])
    say("Reading", 0.0)
    now[0] = 1.0
    say("Reading", 0.01)   # too soon to tell
    now[0] = 10.0
    say("Suggesting verdicts", 0.25)  # 10 s for a quarter: 30 s to go
    now[0] = 10.1
    say("Suggesting verdicts", 0.26)  # within a quarter second of the last: not shown
    now[0] = 100.0
    say("Suggesting verdicts", 0.5)   # 100 s for half: 100 s to go
    now[0] = 200.0
    say("Done", 1.0)
    assert shown == [(0.0, "Reading"), (0.01, "Reading"), (0.25, "Suggesting verdicts (about 30 s left)"),
                     (0.5, "Suggesting verdicts (about 2 min left)"), (1.0, "Done")]


# --- the app shows times in the reader's clock and relevance in words (issue 17, step 6) --------

def test_stored_times_are_shown_in_the_readers_time_zone():
    from app_pages.common import local_time

    t = "2026-12-04T13:05:09+00:00"
    assert local_time(t, "Europe/Amsterdam") == "2026-12-04 14:05 CET"
    assert local_time(t, "America/New_York") == "2026-12-04 08:05 EST"
    assert local_time("2026-07-04T13:05:09+00:00", "Europe/Amsterdam") == "2026-07-04 15:05 CEST"
    assert local_time(t, None, -60) == "2026-12-04 14:05 UTC+01:00"  # only the browser's offset known
    assert local_time(t, "Not/AZone", None) == "2026-12-04 13:05 UTC"  # nothing known: UTC, said so
    assert local_time(None) == "" and local_time("yesterday") == "yesterday"


def test_a_passages_relevance_is_said_in_words_that_compare_across_claims():
    from app_pages.common import relevance

    assert relevance({"dense_score": 0.714, "lexical_score": 3.2}) == "71% similar in meaning · shares the claim's key words"
    assert relevance({"dense_score": -0.05, "lexical_score": None}) == "0% similar in meaning"
    assert relevance({"dense_score": None, "lexical_score": None}) == "not scored (added by hand)"
