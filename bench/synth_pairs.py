"""Synthetic contrastive (claim, passage, stance) pairs made from reference text, VitaminC-style.

From each passage one sentence is taken as a claim:
- the sentence itself, or its main clause without a leading introductory phrase, is SUPPORTED by
  the passage;
- the same claim with one thing changed is REFUTED by it: a named entity swapped for another of
  the same kind from another passage, a number or a year changed, the main verb negated (or its
  negation removed), a direction word turned round ("rose" / "fell", "more" / "less") or an office
  swapped for another ("president" / "prime minister");
- a sentence of another passage on the same subject (sharing content words) is NOT_ENOUGH_EVIDENCE
  for it.

The model trained on these has to read what the claim says rather than how much of it the passage
repeats: every REFUTED claim overlaps its passage as much as the SUPPORTED one does.
Used by bench/train_stance.py; deterministic for a given seed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

SWAP_LABELS = ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW")
NUMBER_LABELS = ("CARDINAL", "QUANTITY", "PERCENT", "MONEY", "ORDINAL")
WORD_NUMBERS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve",
                "twenty", "hundred", "thousand", "million", "billion")
# pairs of words whose swap turns a statement round; both directions are used
OPPOSITES = [
    ("increase", "decrease"), ("increases", "decreases"), ("increased", "decreased"),
    ("increasing", "decreasing"), ("rise", "fall"), ("rises", "falls"), ("rose", "fell"),
    ("rising", "falling"), ("higher", "lower"), ("more", "less"), ("larger", "smaller"),
    ("largest", "smallest"), ("greater", "smaller"), ("before", "after"), ("above", "below"),
    ("positive", "negative"), ("reduces", "increases"), ("reduced", "raised"), ("improved", "worsened"),
    ("won", "lost"), ("wins", "loses"), ("north", "south"), ("east", "west"), ("northern", "southern"),
    ("eastern", "western"), ("first", "last"), ("earliest", "latest"), ("longest", "shortest"),
    ("highest", "lowest"), ("most", "least"), ("strong", "weak"), ("stronger", "weaker"),
    ("warmer", "cooler"), ("warming", "cooling"), ("gained", "lost"), ("expanded", "shrank"),
    ("younger", "older"), ("oldest", "youngest"), ("lower", "higher"), ("fewer", "more"),
    ("protects", "harms"), ("effective", "ineffective"), ("safe", "unsafe"), ("common", "rare"),
    ("inside", "outside"), ("maximum", "minimum"), ("minority", "majority"), ("male", "female"),
]
OPPOSITE = {**{a: b for a, b in OPPOSITES}, **{b: a for a, b in OPPOSITES}}
OFFICES = ("president", "prime minister", "vice president", "chancellor", "governor", "mayor",
           "senator", "king", "queen", "secretary-general", "foreign minister", "finance minister",
           "chief executive", "chairman", "director", "captain", "coach", "founder", "ambassador",
           "speaker", "general", "bishop", "emperor", "prince", "minister")
AUX = {"is", "are", "was", "were", "can", "could", "will", "would", "should", "may", "might", "must",
       "has", "have", "had"}
DO_FORM = {"VBD": "did", "VBZ": "does", "VBP": "do"}
SUPPORTS, REFUTES, UNRELATED = 0, 1, 2


@dataclass
class SynthPair:
    claim: str
    evidence: str
    stance: int
    kind: str  # "sentence", "main clause", "entity", "number", "year", "negation", "opposite", "office", "other passage"
    source: int  # index of the passage the claim was made from


def _case_like(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _replace(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def swap_entity(sent, pool: dict[str, list[str]], passage_text: str, rng) -> str | None:
    """The sentence with one named entity replaced by another of the same label that the passage
    does not mention."""
    ents = [e for e in sent.ents if e.label_ in SWAP_LABELS and len(e.text) > 2]
    rng.shuffle(ents)
    low = passage_text.lower()
    for e in ents:
        options = [o for o in pool.get(e.label_, []) if o.lower() not in low and e.text.lower() not in o.lower()
                   and o.lower() not in e.text.lower()]
        if options:
            new = options[int(rng.integers(len(options)))]
            s = sent.start_char
            return _replace(sent.text, e.start_char - s, e.end_char - s, new)
    return None


def _number_text(value: float, like: str) -> str:
    if "," in like:
        return f"{int(round(value)):,}"
    if "." in like:
        decimals = len(like.split(".")[1])
        return f"{value:.{decimals}f}"
    return str(int(round(value)))


def change_number(sent, rng) -> tuple[str, str] | None:
    """(sentence, kind) with one number or year changed to a clearly different value."""
    toks = [t for t in sent if t.like_num and (t.ent_type_ in NUMBER_LABELS or t.ent_type_ == "DATE")]
    rng.shuffle(toks)
    s = sent.start_char
    for t in toks:
        raw = t.text
        low = raw.lower()
        if low in WORD_NUMBERS:
            options = [w for w in WORD_NUMBERS[:11] if w != low]
            new = _case_like(options[int(rng.integers(len(options)))], raw)
            return _replace(sent.text, t.idx - s, t.idx - s + len(raw), new), "number"
        digits = raw.replace(",", "")
        if not re.fullmatch(r"\d+(?:\.\d+)?", digits):
            continue
        value = float(digits)
        if t.ent_type_ == "DATE" or (re.fullmatch(r"1[5-9]\d\d|20\d\d", raw) and t.ent_type_ != "CARDINAL"):
            if not re.fullmatch(r"1[5-9]\d\d|20\d\d", raw):
                continue
            new_year = int(value) + int(rng.choice([-1, 1])) * int(rng.integers(1, 11))
            return _replace(sent.text, t.idx - s, t.idx - s + len(raw), str(new_year)), "year"
        if value == 0:
            new = float(rng.integers(2, 10))
        else:
            new = value * float(rng.choice([0.5, 2.0, 3.0, 0.25, 1.5]))
            if _number_text(new, raw) == raw:
                new = value + float(rng.integers(2, 9))
        return _replace(sent.text, t.idx - s, t.idx - s + len(raw), _number_text(new, raw)), "number"
    return None


def negate(sent) -> str | None:
    """The sentence with its main verb negated ("was" -> "was not", "rose" -> "did not rise"), or
    with its negation removed where that needs no change of verb form ("is not" -> "is")."""
    root = sent.root
    if root.pos_ not in ("VERB", "AUX"):
        return None
    s = sent.start_char
    negs = [c for c in root.children if c.dep_ == "neg"]
    auxes = [c for c in root.children if c.dep_ in ("aux", "auxpass") and c.i < root.i]
    if negs:
        neg = negs[0]
        if any(a.lower_ in ("do", "does", "did") for a in auxes):
            return None
        if neg.lower_ in ("not", "never"):
            start = neg.idx - s
            end = start + len(neg.text_with_ws)
            return sent.text[:start] + sent.text[end:]
        return None
    if any(c.dep_ == "neg" or c.lower_ in ("no", "never", "nor") for c in sent):
        return None
    if root.lower_ in AUX or root.lemma_ == "be":
        return _replace(sent.text, root.idx - s + len(root.text), root.idx - s + len(root.text), " not")
    for a in auxes:
        if a.lower_ in AUX:
            return _replace(sent.text, a.idx - s + len(a.text), a.idx - s + len(a.text), " not")
    if root.tag_ in DO_FORM and not auxes:
        return _replace(sent.text, root.idx - s, root.idx - s + len(root.text),
                        f"{DO_FORM[root.tag_]} not {root.lemma_}")
    return None


def turn_round(sent, rng) -> str | None:
    """The sentence with one direction word replaced by its opposite."""
    toks = [t for t in sent if t.lower_ in OPPOSITE]
    if not toks:
        return None
    t = toks[int(rng.integers(len(toks)))]
    s = sent.start_char
    return _replace(sent.text, t.idx - s, t.idx - s + len(t.text), _case_like(OPPOSITE[t.lower_], t.text))


def swap_office(sent, rng) -> str | None:
    """The sentence with an office or role replaced by another."""
    low = sent.text.lower()
    found = [o for o in OFFICES if re.search(rf"\b{re.escape(o)}\b", low)]
    if not found:
        return None
    old = max(found, key=len)
    m = re.search(rf"\b{re.escape(old)}\b", low)
    options = [o for o in OFFICES if o != old and o not in old and old not in o]
    new = options[int(rng.integers(len(options)))]
    return _replace(sent.text, m.start(), m.end(), _case_like(new, sent.text[m.start():m.end()]))


def main_clause(sent) -> str | None:
    """The sentence without a leading introductory phrase ("In 2019, X did Y" -> "X did Y"), or None."""
    text = sent.text.strip()
    root = sent.root
    comma = next((t for t in sent if t.text == "," and t.i < root.i), None)
    if comma is None or comma.i - sent.start > 8:
        return None
    subj = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass") and c.i > comma.i]
    if not subj:
        return None
    rest = text[comma.idx - sent.start_char + 1:].strip()
    return rest[:1].upper() + rest[1:] if len(rest.split()) >= 5 else None


REFUTERS = ("entity", "number", "negation", "opposite", "office")


def refutations(sent, pool, passage_text, rng, most: int = 2) -> list[tuple[str, str]]:
    """Up to `most` (changed sentence, kind) of different kinds, tried in random order; negation,
    which fits almost any sentence, comes last half of the time so that it does not crowd out
    the changes of entities, numbers and directions."""
    kinds = [str(k) for k in rng.permutation(REFUTERS)]
    if rng.random() < 0.5:
        kinds.remove("negation")
        kinds.append("negation")
    out: list[tuple[str, str]] = []
    for kind in kinds:
        if len(out) >= most:
            break
        got = None
        if kind == "entity":
            text = swap_entity(sent, pool, passage_text, rng)
            got = (text, kind) if text else None
        elif kind == "number":
            got = change_number(sent, rng)
        elif kind == "negation":
            text = negate(sent)
            got = (text, kind) if text else None
        elif kind == "opposite":
            text = turn_round(sent, rng)
            got = (text, kind) if text else None
        else:
            text = swap_office(sent, rng)
            got = (text, kind) if text else None
        if got and got[0].strip() != sent.text.strip():
            out.append((got[0].strip(), got[1]))
    return out


def _content(doc_or_sent) -> set[str]:
    return {t.lemma_.lower() for t in doc_or_sent if t.is_alpha and not t.is_stop and len(t) > 2
            and t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ", "NUM")}


def _usable(sent) -> bool:
    words = [t for t in sent if not t.is_punct]
    text = sent.text.strip()
    return (6 <= len(words) <= 40 and text[-1:] in ".!" and text[:1].isupper() and "?" not in text
            and any(t.pos_ in ("VERB", "AUX") for t in sent) and "http" not in text)


def window(doc, sent, max_chars: int = 700) -> str:
    """The passage around `sent`, sentences added on both sides while it stays under max_chars."""
    sents = list(doc.sents)
    i = next(k for k, s in enumerate(sents) if s.start == sent.start)
    lo, hi = i, i + 1
    size = len(sent.text)
    while True:
        grew = False
        if hi < len(sents) and size + len(sents[hi].text) <= max_chars:
            size += len(sents[hi].text) + 1
            hi += 1
            grew = True
        if lo > 0 and size + len(sents[lo - 1].text) <= max_chars:
            lo -= 1
            size += len(sents[lo].text) + 1
            grew = True
        if not grew:
            break
    return " ".join(s.text.strip() for s in sents[lo:hi])


def make_pairs(passages: list[str], nlp, seed: int = 0, limit: int | None = None,
               batch_size: int = 64) -> list[SynthPair]:
    """Up to four pairs (one SUPPORTED, up to two REFUTED, one NOT_ENOUGH_EVIDENCE) for each of up
    to `limit` distinct passages (a passage may be several sentences on one subject)."""
    rng = np.random.default_rng(seed)
    unique = sorted({p.strip() for p in passages if p and len(p.strip()) > 40})
    order = rng.permutation(len(unique))
    if limit is not None:
        order = order[:limit]
    texts = [unique[i] for i in order]
    docs = list(nlp.pipe(texts, batch_size=batch_size))
    pool: dict[str, set[str]] = defaultdict(set)
    for doc in docs:
        for e in doc.ents:
            if e.label_ in SWAP_LABELS and 2 < len(e.text) < 40 and "\n" not in e.text:
                pool[e.label_].add(e.text)
    pools = {k: sorted(v) for k, v in pool.items()}
    chosen: list = []
    for doc in docs:
        sents = [s for s in doc.sents if _usable(s)]
        chosen.append(sents[int(rng.integers(len(sents)))] if sents else None)
    content = [_content(doc) for doc in docs]
    index: dict[str, list[int]] = defaultdict(list)
    for k, words in enumerate(content):
        for w in words:
            index[w].append(k)
    out: list[SynthPair] = []
    for k, (doc, sent) in enumerate(zip(docs, chosen)):
        if sent is None:
            continue
        evidence = window(doc, sent)
        if rng.random() < 0.5 and (short := main_clause(sent)):
            out.append(SynthPair(short, evidence, SUPPORTS, "main clause", k))
        else:
            out.append(SynthPair(sent.text.strip(), evidence, SUPPORTS, "sentence", k))
        for text, kind in refutations(sent, pools, doc.text, rng):
            out.append(SynthPair(text, evidence, REFUTES, kind, k))
        # another passage on the same subject: the most content words in common, at least two
        counts: dict[int, int] = defaultdict(int)
        for w in content[k]:
            if len(index[w]) < 200:  # words in most passages say nothing of the subject
                for j in index[w]:
                    if j != k and chosen[j] is not None:
                        counts[j] += 1
        if counts:
            j = max(counts, key=lambda x: (counts[x], -x))
            other = chosen[j].text.strip()
            new_words = _content(chosen[j]) - content[k]
            if counts[j] >= 2 and other not in doc.text and len(new_words) >= 2:
                out.append(SynthPair(other, evidence, UNRELATED, "other passage", k))
    return out
