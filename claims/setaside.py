"""Only the article (issue #15, step 3): the parts of a pasted text or a fetched page that are not
the article's own text (its headline, byline, photo captions, newsletter boxes, navigation, links
to other stories, an embedded post's name and date, a short passage about something else) are set
aside before claims are extracted. Nothing is dropped: the parts stay in the stored text, are
listed with what they looked like, and can be brought back (`claims.pipeline.bring_back`).

Each rule looks at one line; a line is the unit that pasted web pages and trafilatura's output
keep per paragraph, caption or link. Only "off topic" needs the embedder: a short passage whose
meaning is far from the rest of the article and which names nothing the article names.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Callable, Sequence

import numpy as np

from sources.parse import BYLINE, DATELINE

__all__ = ["Aside", "KINDS", "set_aside", "pieces", "headline_shaped", "OFF_TOPIC_SIMILARITY"]

# what each kind of part is, in the words the user sees
KINDS = {
    "headline": "the headline: a title, not a sentence of the article",
    "byline": "a byline or dateline",
    "caption": "a photo caption or credit",
    "newsletter": "a newsletter or subscription box",
    "navigation": "navigation, sharing or cookie text",
    "embedded post": "an embedded post's name, handle, date or buttons",
    "related": "a link to another story",
    "off topic": "a short passage about something the article is not about (another story's teaser?)",
}
# a short passage is off topic below this cosine similarity to the rest of the article (and
# naming nothing the article names); chosen on the training half of bench/setaside (RESULTS.md)
OFF_TOPIC_SIMILARITY = 0.3
OFF_TOPIC_MAX_WORDS = 30
OFF_TOPIC_SAMPLE = 64  # lines read for the article's meaning
OFF_TOPIC_MIN_BLOCKS = 4  # an article of fewer passages has no "rest" to compare with

FUNCTION_END = re.compile(r"\b(and|or|of|the|a|an|to|in|on|at|by|for|with|from|as|that|than|its|their|his|her)$",
                          re.I)
CAPTION = re.compile(
    r"^(photo(graph)?|image|picture|pictured|illustration|caption|image caption|image source|credit|photo credit|"
    r"file photo|video|graphic)\s*(:|\||–|—|-\s)|\((photo|image|picture|credit|illustration)s?\b[^)]*\)\s*$|"
    r"(getty images|reuters|afp|ap photo|epa|shutterstock|alamy|pa media|anadolu)\s*\)?\s*$", re.I)
NEWSLETTER = re.compile(r"\b(sign up|subscribe|newsletter|your inbox|enter your e-?mail|unsubscribe)\b", re.I)
SECOND_PERSON = re.compile(r"\b(you|your|our)\b|^(sign up|subscribe|get|join|enter)\b", re.I)
NAVIGATION = re.compile(
    r"^(skip to (main )?content|menu|home|search|sign in|log in|log out|register|share( this( article| story| page)?"
    r"( on \w+)?)?|copy link|print( this)?|e-?mail( this)?|comments?( \(\d+\))?|advertisement|ad|sponsored( content)?|"
    r"(we use )?cookies?\b.*|accept( all)?( cookies)?|back to top|next (article|story)|previous (article|story)|"
    r"top stories|most (read|popular|viewed)|trending( now)?|listen to this article|\d+ min(ute)?s? read|"
    r"(last )?updated\b.*|follow (us|him|her)\b.*)$", re.I)
ANAPHOR = re.compile(r"^(it|its|he|his|him|she|her|they|their|them|this|these|those|that|there|such|both|"
                     r"the (same|latter|former)|also|but|and|however|meanwhile|then|later|since)\b", re.I)
SEPARATORS = re.compile(r"\s[|•·»›]\s")
POST_CHROME = re.compile(
    r"^[—–-]\s*[^()]{1,80}\(@\w{1,30}\)|^@\w{1,30}$|^pic\.twitter\.com/\S+$|^view this post on (instagram|x|"
    r"facebook|tiktok)|^a post shared by\b|^(reply|retweet|repost|like|quote|follow|copy link to (post|tweet)|"
    r"read \d[\d,]* repl(y|ies)|watch on youtube|tap to unmute)$|^\d[\d,.]*[km]? (likes|retweets|reposts|replies|"
    r"views|comments)$", re.I)
RELATED_LEAD = re.compile(
    r"^(read more|read also|also read|related( stories| articles| content| coverage)?|see also|more on this story|"
    r"more from [\w ]{1,30}|recommended( for you)?|you may also like|don'?t miss|must read|listen|watch|"
    r"explainer|top story|more stories|latest( news)?)\s*(:|\||–|—|»|›|-\s|$)", re.I)


@dataclass
class Aside:
    """A part of the text set aside: where it is, what it looked like, and its text."""

    start: int
    end: int
    kind: str
    why: str
    text: str
    restored: bool = False  # brought back into the claims by a reviewer

    def to_dict(self) -> dict:
        return asdict(self)


def headline_shaped(line: str) -> bool:
    """A short line that reads as a title: no end punctuation, not cut off in the middle of a
    phrase (as a line wrapped in a PDF is), starting with a capital or a digit."""
    s = line.strip().strip("*_#").strip()
    words = s.split()
    if not (1 <= len(words) <= 16) or not re.match(r"[\"“‘'A-Z0-9]", s):
        return False
    if re.search(r"[.!?…,;:\-–—(]$|[.!?]\W?$", s) or FUNCTION_END.search(s):
        return False
    return True


def _lines(text: str) -> list[tuple[int, int, str]]:
    """(start, end, stripped text) of each non-blank line; start/end exclude surrounding spaces."""
    out, pos = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append((pos + lead, pos + lead + len(stripped), stripped))
        pos += len(raw) + 1
    return out


def _norm(s: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", s.lower()).split())


def _kind(line: str, i: int, lines: list, title: str | None, after_related: bool) -> str | None:
    s = line.strip("*_> ").strip()
    words = len(s.split())
    # the first line, when the next one does not go on with its sentence (a line wrapped in a PDF)
    goes_on = i + 1 < len(lines) and not re.match(r"[\"“‘'A-Z0-9]", lines[i + 1][2])
    if i == 0 and len(lines) > 1 and not goes_on and (headline_shaped(s) or (title and _norm(s) == _norm(title))):
        return "headline"
    if 0 < i < 3 and title and _norm(s) == _norm(title) and not goes_on:
        return "headline"
    if (BYLINE.match(s) or (len(s) < 60 and DATELINE.match(s))
                  or re.match(r"^By [A-Z][\w'’.-]+(\s+[A-Z][\w'’.-]+){0,3},\s*[\w ,'’&-]{2,60}$", s)):
        return "byline"
    if POST_CHROME.search(s):
        return "embedded post"
    if words <= 40 and CAPTION.search(s):
        return "caption"
    if words <= 40 and NEWSLETTER.search(s) and SECOND_PERSON.search(s):
        return "newsletter"
    if words <= 10 and NAVIGATION.match(s):
        return "navigation"
    if len(SEPARATORS.findall(s)) >= 3 and max(len(p.split()) for p in SEPARATORS.split(s)) <= 4:
        return "navigation"
    if words <= 30 and RELATED_LEAD.match(s):
        return "related"
    if after_related and headline_shaped(s):
        return "related"  # the list of headlines under "Related stories"
    return None


def _names(s: str) -> set[str]:
    """Capitalised words not at a sentence start, and numbers: what a passage names."""
    found = set()
    for m in re.finditer(r"(?<![.!?:\"“]\s)(?<!^)\b([A-Z][a-z]{2,}|[A-Z]{2,}|\d[\d,.]*\d|\d{2,})\b", s):
        found.add(m.group(1).lower())
    return found


def _off_topic(lines: list, kinds: list, embed: Callable[[Sequence[str]], np.ndarray]) -> list[int]:
    """Teasers of other stories: a headline-shaped line in the body, far in meaning from the rest of
    the article and naming nothing it names, and the short line right after it if that is far too.
    A sentence of the article's own is never set aside for its meaning alone."""
    body = [i for i, k in enumerate(kinds) if k is None]
    if len(body) < OFF_TOPIC_MIN_BLOCKS:
        return []
    heads = [n for n, i in enumerate(body) if headline_shaped(lines[i][2])]
    if not heads:
        return []  # nothing shaped like a teaser: no need to read the meaning (most articles)
    # the article's meaning from at most OFF_TOPIC_SAMPLE of its lines, plus each candidate and the line after it
    step = max(1, len(body) // OFF_TOPIC_SAMPLE)
    rows = sorted(set(range(0, len(body), step)) | set(heads) | {n + 1 for n in heads if n + 1 < len(body)})
    used = [body[n] for n in rows]
    vectors = np.asarray(embed([lines[i][2] for i in used]), dtype=np.float32)
    weights = np.array([max(len(lines[i][2].split()), 1) for i in used], dtype=np.float32)
    total = (vectors * weights[:, None]).sum(axis=0)
    row_of = {i: row for row, i in enumerate(used)}
    names_of = {i: _names(lines[i][2]) for i in body}

    def far(i: int) -> bool:
        row = row_of[i]
        rest = total - vectors[row] * weights[row]
        norm = float(np.linalg.norm(rest)) * float(np.linalg.norm(vectors[row]))
        if norm == 0 or float(vectors[row] @ rest) / norm >= OFF_TOPIC_SIMILARITY:
            return False
        return not any(names_of[i] & names_of[j] for j in body if j != i)

    out: list[int] = []
    for n in heads:
        i = body[n]
        if far(i):
            out.append(i)
            nxt = body[n + 1] if n + 1 < len(body) else None
            if (nxt == i + 1 and len(lines[nxt][2].split()) <= OFF_TOPIC_MAX_WORDS
                    and not ANAPHOR.match(lines[nxt][2]) and far(nxt)):
                out.append(nxt)
    return out


def set_aside(text: str, title: str | None = None,
              embed: Callable[[Sequence[str]], np.ndarray] | None = None) -> list[Aside]:
    """The parts of `text` that are not the article's own text, in reading order. `embed` (texts to
    normalised vectors) adds the "off topic" check; without it only the shape rules run."""
    lines = _lines(text)
    kinds: list[str | None] = []
    after_related = False
    for i, (_, _, s) in enumerate(lines):
        k = _kind(s, i, lines, title, after_related)
        after_related = k == "related" or (after_related and k is None and headline_shaped(s))
        kinds.append(k)
    if embed is not None:
        for i in _off_topic(lines, kinds, embed):
            kinds[i] = "off topic"
    return [Aside(start, end, k, KINDS[k], s) for (start, end, s), k in zip(lines, kinds) if k]


def pieces(text: str, asides: Sequence[Aside] = (), skip: bool = True) -> list[tuple[int, str]]:
    """(offset, text) of the stretches to read for claims: the paragraphs (split at blank lines),
    each also split at the set-aside parts, which are left out when `skip` (else read on their own,
    so a headline never runs into the first sentence)."""
    cuts = sorted((a.start, a.end) for a in asides)
    out: list[tuple[int, str]] = []

    def add(start: int, end: int) -> None:
        part = text[start:end]
        if part.strip():
            lead = len(part) - len(part.lstrip())
            out.append((start + lead, part.strip()))

    pos = 0
    for part in re.split(r"(\n\s*\n)", text):
        start, end = pos, pos + len(part)
        pos = end
        if not part.strip() or re.fullmatch(r"\n\s*\n", part):
            continue
        cursor = start
        for a, b in cuts:
            if b <= start or a >= end:
                continue
            add(cursor, max(a, cursor))
            if not skip:
                add(max(a, start), min(b, end))
            cursor = max(cursor, min(b, end))
        add(cursor, end)
    return out
