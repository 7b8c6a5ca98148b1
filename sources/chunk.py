"""Split text into sentences and overlapping passages that keep character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Span", "split_sentences", "chunk_passages"]

ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "gen", "col", "lt", "sgt", "capt", "gov",
    "sen", "rep", "rev", "hon", "no", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co", "corp",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s",
    "u.k", "u.n", "fig", "approx", "est", "dept", "univ", "al", "mt", "ft",
}
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n\s*\n|\n(?=\s*[-*•#])")


@dataclass(frozen=True)
class Span:
    """A piece of a text: [start, end) and the text itself."""

    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Span]:
    """Sentence spans by punctuation and paragraph breaks; abbreviations do not end sentences."""
    spans: list[Span] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        if m.group().startswith((".",)) and "\n" not in m.group():
            word = re.search(r"([\w.]+)\.$", text[max(0, m.start() - 12):m.start() + 1])
            if word and (word.group(1).lower() in ABBREVIATIONS or re.fullmatch(r"[A-Z]", word.group(1))):
                continue
        _add(spans, text, start, end)
        start = end
    _add(spans, text, start, len(text))
    # a heading line (no end punctuation) followed by a line break is its own sentence
    out: list[Span] = []
    for s in spans:
        parts = s.text.split("\n")
        if len(parts) == 1:
            out.append(s)
            continue
        pos = s.start
        for part in parts:
            if part.strip():
                lead = len(part) - len(part.lstrip())
                out.append(Span(pos + lead, pos + len(part.rstrip()), part.strip()))
            pos += len(part) + 1
    return _merge_soft_wraps(out, text)


def _merge_soft_wraps(spans: list[Span], text: str) -> list[Span]:
    """Lines broken mid-sentence (hard-wrapped text) are joined back."""
    out: list[Span] = []
    for s in spans:
        if out and not re.search(r"[.!?:;…\"'”’)]$", out[-1].text) and s.text[:1].islower() \
                and "\n\n" not in text[out[-1].end:s.start]:
            prev = out.pop()
            out.append(Span(prev.start, s.end, text[prev.start:s.end]))
        else:
            out.append(s)
    return out


def _add(spans: list[Span], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece.rstrip())
    if piece.strip():
        spans.append(Span(start + lead, start + trail, piece.strip()))


def chunk_passages(text: str, window: int = 3, stride: int = 2, max_chars: int = 900) -> list[Span]:
    """Overlapping windows of `window` sentences, every `stride` sentences, capped at `max_chars`.

    Offsets index into `text`; `text[p.start:p.end] == p.text` for every passage.
    """
    sents = split_sentences(text)
    if not sents:
        return []
    passages: list[Span] = []
    i = 0
    while i < len(sents):
        j = i + 1
        while j < len(sents) and j - i < window and sents[j].end - sents[i].start <= max_chars:
            j += 1
        start, end = sents[i].start, sents[j - 1].end
        if end - start > max_chars * 2:  # one enormous "sentence": cut it at word boundaries
            pos = start
            while pos < end:
                cut = min(end, pos + max_chars)
                if cut < end:
                    space = text.rfind(" ", pos, cut)
                    cut = space if space > pos else cut
                passages.append(Span(pos, cut, text[pos:cut]))
                pos = cut + 1 if cut < end and text[cut] == " " else cut
        else:
            passages.append(Span(start, end, text[start:end]))
        if j >= len(sents):
            break
        i = min(i + stride, j) if j - i > 1 else j
    return passages
