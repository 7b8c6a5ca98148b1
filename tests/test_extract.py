"""Sentences, check-worthiness rules and claim types, on the real spaCy pipeline."""

import pytest

from claims.extract import SentenceFeatures, checkworthiness, claim_type, extract_claims


def texts(article, nlp, scorer=None):
    return [c.text for c in extract_claims(article, nlp, scorer=scorer)]


@pytest.mark.parametrize("sentence", [
    "NATO has 32 members.",
    "Joseph Luns spent 12 years in charge of NATO.",
    "Unemployment in France rose by 2% last year.",
    "Mark Rutte succeeded Jens Stoltenberg as head of NATO.",
])
def test_factual_sentences_are_claims(sentence, nlp, embedder):
    from claims.checkworthiness import get_checkworthiness_model

    assert sentence in texts(sentence, nlp) + texts(sentence, nlp, get_checkworthiness_model(embedder))
    assert texts(sentence, nlp, get_checkworthiness_model(embedder))  # the model finds a claim here


@pytest.mark.parametrize("sentence", [
    "Can he keep all 32 allies on the same page?",
    "Many diplomats think Rutte is the right man for a difficult job.",
    "His calm style could deliver a more united alliance at the next summit.",
    "Photo: Flags outside NATO headquarters in Brussels in 2024.",
    "By Jane Doe",
    "Follow us on X for live updates from Brussels.",
    "Read more: NATO at 75 in pictures",
    "It was a lovely day.",
])
def test_questions_opinions_predictions_captions_are_skipped(sentence, nlp, embedder):
    from claims.checkworthiness import get_checkworthiness_model

    assert texts(sentence, nlp) == []
    assert texts(sentence, nlp, get_checkworthiness_model(embedder)) == []


def test_offsets_point_into_the_article(nlp):
    article = "Headline without a verb\n\nBy Jane Doe\n\n- NATO has 32 members.\n\nThe EU has 27 member states."
    claims = extract_claims(article, nlp, scorer=None)
    assert [c.text for c in claims] == ["NATO has 32 members.", "The EU has 27 member states."]
    for c in claims:
        assert article[c.start:c.end] == c.text
        assert 0 <= c.checkworthiness <= 1


def test_types_and_quantities(nlp):
    claims = {c.text: c for c in extract_claims(
        "NATO has 32 members. Luns took office in 1971. Rutte is the longest-serving Dutch prime minister. "
        "Mark Rutte succeeded Jens Stoltenberg.", nlp, scorer=None)}
    assert claims["NATO has 32 members."].type == "quantity"
    assert claims["NATO has 32 members."].quantities[0].subject == "NATO"
    assert claims["Luns took office in 1971."].type == "date/time"
    assert claims["Rutte is the longest-serving Dutch prime minister."].type == "comparison"
    assert claims["Mark Rutte succeeded Jens Stoltenberg."].type == "entity/attribution"


def test_subject_follows_the_parse(nlp):
    c = extract_claims("Mark Rutte became NATO's 14th secretary-general, taking over from Jens Stoltenberg.", nlp,
                       scorer=None)[0]
    assert c.quantities[0].subject == "Mark Rutte" and c.quantities[0].predicate == "become"
    cs = extract_claims("Stoltenberg, NATO's 13th secretary-general, took over in 2014.", nlp, scorer=None)
    assert [c.text for c in cs] == ["Stoltenberg took over in 2014.", "Stoltenberg was NATO's 13th secretary-general."]
    assert {q.subject for c in cs for q in c.quantities} == {"Stoltenberg"}
    assert cs[1].original == "Stoltenberg … NATO's 13th secretary-general"


@pytest.mark.parametrize("sentence,subject", [
    # "who" stands for the official, and the official is Webb (not NASA, not "American")
    ("It is named after James E. Webb, an American government official who ran NASA from 1961 to 1968.",
     "James E. Webb"),
    ("An American engineer who joined the firm in 1990 built the bridge.", None),
])
def test_a_relative_clause_dates_the_name_it_describes(sentence, subject, nlp):
    from claims.extract import _sentence_analysis

    f = _sentence_analysis(nlp(sentence)[:], 0)[3]
    assert {q.subject for q in f.quantities if q.kind == "year"} == {subject}


@pytest.mark.parametrize("text", ["", "   \n ", "12 34 56 78", "<div><span></span></div>",
                                  "Le chat est sur la table."])
def test_no_claims_in_non_text(text, nlp):
    assert extract_claims(text, nlp, scorer=None) == []
    assert extract_claims(text, nlp) == []  # the trained model agrees


def test_rule_score_is_bounded():
    base = dict(text="x", n_tokens=10, quantities=[], entities=[], has_comparative=False, fact_verb=False,
                is_question=False, opinion=False, prediction=False, boilerplate=False, attribution=False)
    assert checkworthiness(SentenceFeatures(**{**base, "is_question": True, "boilerplate": True})) == 0
    rich = SentenceFeatures(**{**base, "entities": ["A", "B"], "has_comparative": True, "fact_verb": True})
    assert 0 < checkworthiness(rich) <= 1
    assert claim_type(SentenceFeatures(**base)) == "other"


def test_long_article_reports_progress(nlp):
    article = "\n\n".join(f"Paragraph {i}: NATO has 32 members and the EU has 27 member states." for i in range(300))
    seen = []
    claims = extract_claims(article, nlp, scorer=None, progress=lambda i, n, *what: seen.append((i, n)))
    assert len(claims) == 600 and seen[-1] == (300, 300)  # each sentence holds two coordinated claims


def test_the_claimant_is_who_the_sentence_says_makes_the_claim(nlp):
    text = ('Mark Rutte spoke in Brussels on Tuesday. "We will spend 2 percent more," he said. '
            "Rutte, the former Dutch prime minister, said that NATO has 32 members. "
            "According to the IMF, global growth will be 3 percent this year. NATO was founded in 1949.")
    got = {c.text: c.claimant for c in extract_claims(text, nlp, threshold=0, scorer=None)}
    assert got['"We will spend 2 percent more," Mark Rutte said.'] == "Mark Rutte"  # the pronoun resolved
    assert got["Rutte said that NATO has 32 members."] == "Rutte"
    assert got["Rutte is the former Dutch prime minister."] is None  # the article says that, not Rutte
    assert got["According to the IMF, global growth will be 3 percent this year."] == "the IMF"
    assert got["NATO was founded in 1949."] is None


@pytest.mark.parametrize("sentence", [
    "The title was confirmed on 2 May 2016, when Tottenham drew at Chelsea.",
    "Guterres's second term began on 1 January 2022.",
    "The telescope is named after James E. Webb, who ran NASA from 1961 to 1968.",
    "The canal is about 82 kilometres long, roughly 71 miles.",
])
def test_a_dated_or_measured_fact_is_kept_though_the_debate_model_rates_it_low(sentence, nlp, embedder):
    """The model learnt check-worthiness from debates and rates plain news facts with a date or a
    measure 0.16-0.29; a fact-checker of a news story checks exactly these."""
    from claims.checkworthiness import get_checkworthiness_model
    from claims.extract import score_texts

    scorer = get_checkworthiness_model(embedder)
    assert texts(sentence, nlp, scorer)
    assert score_texts([sentence], nlp, scorer)[0] >= scorer.threshold  # the eval scores what check keeps


@pytest.mark.parametrize("sentence,dated", [
    ("Prices may rise after 2026, the minister said.", False),      # a prediction stays vetoed
    ("Do you remember what happened in Paris in 2015?", False),     # a question
    ("Well, to go back to 1955.", False),                           # a fragment without a subject
    ("I think Paris was lovely in 2015.", False),                   # an opinion
    ("The treaty was signed in Paris on 2 May 2016.", True),        # "May" the month is no modal
])
def test_which_sentences_count_as_dated_facts(sentence, dated, nlp):
    from claims.extract import _sentence_analysis, dated_fact

    assert dated_fact(_sentence_analysis(nlp(sentence)[:], 0)[3]) is dated


def test_a_blank_line_ends_a_sentence_so_a_heading_is_not_read_into_the_paragraph(nlp):
    """A source's heading sat in the same spaCy sentence as its first paragraph ("Leicester City's
    2015–16 Premier League title\\n\\nLeicester City won ..."), so that sentence's frame had the
    heading's words; a blank line now ends a sentence, and the next one is not cut again a word on."""
    from claims.extract import analyze_passages

    text = ("Leicester City's 2015–16 Premier League title\n\nLeicester City won the Premier League in the "
            "2015–16 season, the first top-flight title in the club's 132-year history. The team finished "
            "with 81 points.")
    sents = [s.text.strip() for s in nlp(text).sents]
    assert sents[0] == "Leicester City's 2015–16 Premier League title"
    assert sents[1].startswith("Leicester City won the Premier League") and sents[1].endswith("history.")
    frames = analyze_passages([{"passage_id": 1, "source_id": 1, "source_title": "Leicester", "text": text}],
                              nlp)[1].frames
    assert [f.text.strip()[:22] for f in frames] == ["Leicester City's 2015–", "Leicester City won the", "The team finished with"]
    # a single line break (hard-wrapped text) is not a sentence end
    wrapped = [s.text for s in nlp("The Golden Gate Bridge opened\nin 1937 after four years of work.").sents]
    assert len(wrapped) == 1
