import pytest

from sources.chunk import chunk_passages, split_sentences

TEXT = """# NATO secretaries general

Joseph Luns, a Dutch diplomat, held the post from 1971 to 1984. Mr. Luns was born in 1911. Dr. Smith, of the U.S. delegation, disagreed.
He served the longest term.

- Jens Stoltenberg led from 2014 to 2024.
- Mark Rutte took over in 2024."""


def test_sentences_keep_offsets_and_skip_abbreviations():
    sents = split_sentences(TEXT)
    for s in sents:
        assert TEXT[s.start:s.end] == s.text
    texts = [s.text for s in sents]
    assert "Mr. Luns was born in 1911." in texts
    assert "Dr. Smith, of the U.S. delegation, disagreed." in texts
    assert texts[0] == "# NATO secretaries general"
    assert len(texts) == 7


def test_hard_wrapped_lines_are_joined():
    text = "The alliance was founded in 1949 by twelve\ncountries in Washington. It grew."
    assert [s.text for s in split_sentences(text)][0].endswith("Washington.")


@pytest.mark.parametrize("window,stride", [(3, 2), (2, 1), (1, 1), (4, 3)])
def test_passages_overlap_and_cover_everything(window, stride):
    ps = chunk_passages(TEXT, window=window, stride=stride)
    for p in ps:
        assert TEXT[p.start:p.end] == p.text
    covered = set()
    for p in ps:
        covered.update(range(p.start, p.end))
    for s in split_sentences(TEXT):
        assert s.start in covered
    if window > stride:
        assert any(a.end > b.start for a, b in zip(ps, ps[1:]))


def test_one_enormous_sentence_is_cut():
    text = "word " * 2000
    ps = chunk_passages(text.strip(), max_chars=500)
    assert len(ps) > 5 and all(len(p.text) <= 500 for p in ps)


def test_empty():
    assert chunk_passages("") == [] and split_sentences("   ") == []
