"""Split a parsed sentence into atomic, self-contained claims.

Appositions ("Stoltenberg, NATO's 13th secretary-general, took over in 2014"), non-restrictive
relative clauses ("Joseph Luns, who spent 12 years in charge, ...") and coordinated clauses
("... in 1949 and now has 32 members") become claims of their own; pronouns and vague
references ("his tenure", "the alliance") are replaced by the entity they point to when the
preceding text names one. Each claim keeps the character spans of the article words it
comes from, so the original wording stays visible next to the rewrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["AtomicClaim", "EntityContext", "decompose"]

PRONOUNS = {
    "he": ("PERSON",), "him": ("PERSON",), "she": ("PERSON",), "her": ("PERSON",), "his": ("PERSON",),
    "it": ("ORG", "GPE"), "its": ("ORG", "GPE"), "they": ("ORG",), "their": ("ORG",),
}
POSSESSIVE = {"his", "her", "its", "their"}
VAGUE_NOUNS = {
    "alliance": ("ORG",), "organisation": ("ORG",), "organization": ("ORG",), "bloc": ("ORG",),
    "union": ("ORG",), "agency": ("ORG",), "company": ("ORG",), "party": ("ORG",), "body": ("ORG",),
    "country": ("GPE",), "nation": ("GPE",), "city": ("GPE",),
}
CLAUSE_DEPS = {"conj"}


@dataclass
class AtomicClaim:
    """One atomic claim: its self-contained text, the article words it comes from, and where."""

    text: str
    original: str
    spans: list[tuple[int, int]]
    rewritten: bool = False
    claimant: str | None = None   # who the sentence says makes the claim ("Rutte said ...", "according to the IMF")


@dataclass
class EntityContext:
    """What the article said so far, for references in the next sentence: entities seen, most
    recent last, as (label, text, article offset); the subjects of the last sentences; the people
    each recent sentence names; and the gender a title or an earlier pronoun gave a person."""

    seen: list[tuple[str, str, int]] = field(default_factory=list)
    # the previous sentence's subject, as (entity label or "" for a name the recogniser missed, text):
    # "The telescope was launched in 2021. It was built by NASA. Its mirror ..." -> the telescope;
    # a definite description ("The telescope orbits ...") is labelled DESC, any other common noun
    # ("A sunshield keeps ...") UNSURE and a list of names ("Germany and France signed") LIST, with
    # no text: a pronoun or "the country" there is left as it is
    subject: tuple[str, str | None] | None = None
    subjects: list[tuple[str, str | None]] = field(default_factory=list)  # the last three, most recent last
    people: list[list[str]] = field(default_factory=list)                 # per recent sentence
    gender: dict[str, str] = field(default_factory=dict)                  # name -> "m" / "f"
    pending: list[str] = field(default_factory=list)                      # people the sentence's pronouns named
    objects: list[list[tuple[str, str]]] = field(default_factory=list)    # entities as direct objects, per sentence
    entities: list[list[tuple[str, str]]] = field(default_factory=list)   # every entity, per recent sentence

    def subject_for(self, labels: tuple[str, ...], plural: bool = False) -> str | None:
        """The previous sentence's subject if a pronoun of these labels can stand for it: anything
        but a person for "it"/"its" (people go through `person_for`); for "they"/"their" (`plural`)
        never a singular description ("The storm hit the coast. They say ..." is not the storm)."""
        if self.subject is None or "PERSON" in labels:
            return None
        label, text = self.subject
        if plural and label == "DESC":
            return None
        return text if label not in ("PERSON", "UNSURE", "LIST") else None

    def unsure_for(self, labels: tuple[str, ...]) -> bool:
        """True where "it"/"its" most likely stands for the previous sentence's subject, which has no
        name and no definite description, or is a list: the most recent organisation would be a
        guess (the telescope's images are not "NASA's images")."""
        return "PERSON" not in labels and self.subject is not None and self.subject[0] in ("UNSURE", "LIST")

    def person_for(self, pronoun: str) -> str | None:
        """The one person "he"/"she"/"his"/"her" can stand for: of the people the most recent
        sentence that names any names (a pronoun subject chain counts), those whose gender does
        not contradict the pronoun; None when that is not exactly one ("Theresa May met Angela
        Merkel. She ..." stays as written)."""
        want = "f" if pronoun in ("she", "her") else "m"
        for names in reversed(self.people[-3:]):
            if not names:
                continue
            fits = [n for n in names if self.gender.get(n, want) == want]
            return fits[0] if len(fits) == 1 else None
        return None

    def described(self, labels: tuple[str, ...], not_: str | None = None) -> str | None:
        """What "the alliance" / "the country" stands for: the most recent of the last sentences'
        subjects that is a named thing of those labels; None where a list or nothing fits comes
        first. Never `not_`, the subject of the sentence the description is in ("Stoltenberg led
        the alliance" is not Stoltenberg leading himself)."""
        for label, text in reversed(self.subjects):
            if label in ("LIST", "UNSURE"):
                break  # "Punctuality fell ... the agency said": no named subject to follow back
            if label in labels and text and not (not_ and same_person(text, not_)):
                return text
        # no subject fits: the one object of those labels the last sentences name ("Jens Stoltenberg
        # led NATO. His tenure lasted ten years. The alliance grew ...")
        for objects in reversed(self.objects):
            fits = {text for label, text in objects if label in labels}
            if fits:
                return fits.pop() if len(fits) == 1 else None
        return None

    def named_by(self, noun: str, before: int) -> str | None:
        """The one name before `before` that ends in the description's own noun: "the agency" is
        "the Swedish Transport Agency", "the union" the African Union. None where the article names
        two such ("the European Space Agency and the Canadian Space Agency": which agency is unsure)."""
        found: list[str] = []
        for label, text, pos in self.seen:
            words = text.lower().split()
            if pos < before and len(words) > 1 and words[-1] in (noun, noun + "s") and label not in ("PERSON", "DATE"):
                key = re.sub(r"^the\s+", "", text.lower())
                if key not in {re.sub(r"^the\s+", "", f.lower()) for f in found}:
                    found.append(text)
        return found[0] if len(found) == 1 else None

    def resolve(self, labels: tuple[str, ...], before: int) -> str | None:
        """The most recent entity with one of `labels` that starts before `before`."""
        for label, text, pos in reversed(self.seen):
            if pos < before and label in labels:
                return text
        return None


GENDER_TITLES = {"mr": "m", "sir": "m", "lord": "m", "king": "m", "prince": "m", "pope": "m", "father": "m",
                 "mrs": "f", "ms": "f", "miss": "f", "dame": "f", "lady": "f", "queen": "f", "princess": "f",
                 "sister": "f"}
NAME_PARTICLES = {"von", "van", "der", "de", "den", "la", "le", "du", "da", "bin", "al", "ibn", "dos"}


def _full_name(ent) -> tuple[str, str | None]:
    """A person entity's name with the title and name particles the recogniser cut off ("Pope
    Francis", "Ursula von der Leyen"), and the gender the title gives (or None)."""
    doc = ent.doc
    lo, hi = ent.start, ent.end
    while hi < len(doc) and doc[hi].pos_ == "PROPN" and doc[hi].is_title and doc[hi - 1].dep_ in ("compound", "flat") \
            and doc[hi - 1].head.i >= hi:
        hi += 1
    while lo > 0 and doc[lo - 1].dep_ in ("compound", "flat") and doc[lo - 1].head.i >= lo and (
            doc[lo - 1].lower_ in GENDER_TITLES or doc[lo - 1].lower_ in NAME_PARTICLES):
        lo -= 1
    gender = GENDER_TITLES.get(doc[lo].lower_) if lo < ent.start else None
    return doc[lo:hi].text, gender


YEAR_OR_SEASON = re.compile(r"^\d{4}(?:[–-]\d{2}(?:\d{2})?)?$")


def _with_year(doc, names: list[int]) -> list[int]:
    """A name with the year or season written before it: "the 2015–16 Premier League" is not the
    Premier League (the tagger often reads the season as a noun of its own)."""
    first = names[0]
    year = first - 1
    if year < doc[first].sent.start or not YEAR_OR_SEASON.match(doc[year].text):
        return names
    lead = [year]
    if year - 1 >= doc[first].sent.start and doc[year - 1].lower_ == "the":
        lead.insert(0, year - 1)
    return lead + names


def _name_tokens(head) -> list[int]:
    """Token indices of a noun's name: the named entity it ends, else its compounds and itself
    (with a year or season written before it)."""
    for ent in head.sent.ents:
        if ent.start <= head.i < ent.end:
            return _with_year(head.doc, list(range(ent.start, ent.end)))
    if head.pos_ == "NOUN":  # "The Hubble telescope, which was launched ...": the whole description
        left = [t.i for c in head.lefts if c.dep_ in ("det", "compound", "amod", "nmod", "poss", "nummod")
                for t in c.subtree]
        return sorted(set(left + [head.i]))
    left = [c.i for c in head.lefts if c.dep_ in ("compound", "flat") and c.ent_type_ == head.ent_type_]
    return _with_year(head.doc, sorted(left + [head.i]))


def _subtree(tok) -> list[int]:
    return sorted(t.i for t in tok.subtree)


def _spans(doc, indices: list[int], offset: int) -> list[tuple[int, int]]:
    spans: list[list[int]] = []
    for i in sorted(indices):
        tok = doc[i]
        if tok.is_punct and (tok.text in ",;:" or i - 1 not in indices):
            continue
        s, e = tok.idx + offset, tok.idx + len(tok.text) + offset
        if spans and i - 1 in indices and doc[i - 1].i == i - 1 and spans[-1][1] >= s - 1 - len(doc[i - 1].whitespace_):
            spans[-1][1] = e
        else:
            spans.append([s, e])
    return [(s, e) for s, e in spans]


def _comma_bounded(sent, lo: int, hi: int) -> tuple[int, int] | None:
    """(first, last) token indices including the commas around [lo, hi], if it is set off by commas."""
    if lo - 1 < sent.start or sent.doc[lo - 1].text != ",":
        return None
    end = hi
    if hi + 1 < sent.end and sent.doc[hi + 1].text == ",":
        end = hi + 1
    elif not (hi + 1 < sent.end and sent.doc[hi + 1].is_punct):
        return None
    return lo - 1, end


def decompose(sent, offset: int, context: EntityContext, text_of) -> list[AtomicClaim]:
    """Atomic, self-contained claims of a spaCy sentence.

    `offset` maps the sentence's doc offsets to article offsets; `context` holds the entities
    of the preceding text and is updated with this sentence's; `text_of(start, end)` returns
    article text (for the original wording).
    """
    doc = sent.doc
    main = set(range(sent.start, sent.end))
    while main and (doc[min(main)].is_space or doc[min(main)].text in "-•*>"):
        main.discard(min(main))
    pieces: list[list[int]] = []

    for tok in sent:
        if tok.dep_ == "appos" and tok.head.pos_ in ("PROPN", "NOUN"):
            if any(c.dep_ == "nummod" or c.like_num for c in tok.head.children):
                # "two countries, Pakistan and Nigeria", "7,845 metres, nearly 5 miles": the
                # apposition says what the number is or restates it; it stays with it
                continue
            sub = _subtree(tok)
            bounds = _comma_bounded(sent, sub[0], sub[-1])
            if not bounds:
                continue
            main -= set(range(bounds[0], bounds[1] + 1))
            name = _name_tokens(tok.head)
            past = any(t.tag_ == "VBD" for t in sent if t.dep_ == "ROOT")
            verb = "was" if past and not any(t.lower_ in ("former", "ex") for t in tok.subtree) else "is"
            piece = [(i, None) for i in name] + [(-1, verb)] + [(i, None) for i in sub]
            pieces.append(piece)  # type: ignore[arg-type]
        elif tok.dep_ == "relcl" and tok.head.pos_ in ("PROPN", "NOUN"):
            sub = _subtree(tok)
            rel = doc[sub[0]]
            if rel.lower_ not in ("who", "which") or rel.dep_ not in ("nsubj", "nsubjpass"):
                continue
            # "left propellant on board, which extended ...": after a bare singular noun (no article,
            # no modifier) "which" is said of the whole clause, not of the noun
            if tok.head.tag_ == "NN" and not any(c.dep_ in ("det", "poss", "amod", "compound", "nummod")
                                                 for c in tok.head.children):
                continue
            bounds = _comma_bounded(sent, sub[0], sub[-1])
            if not bounds:
                continue
            main -= set(range(bounds[0], bounds[1] + 1))
            name = _name_tokens(tok.head)
            pieces.append([(i, None) for i in name] + [(i, None) for i in sub[1:]])  # type: ignore[arg-type]
        elif tok.dep_ in CLAUSE_DEPS and tok.pos_ in ("VERB", "AUX") and tok.head.dep_ == "ROOT" and \
                any(c.dep_ == "cc" for c in tok.head.children if c.i < tok.i):
            sub = [i for i in _subtree(tok) if i in main]
            if not sub or not any(doc[i].pos_ in ("NUM", "PROPN") for i in sub):
                continue
            cc = [c.i for c in tok.head.children if c.dep_ == "cc" and c.i < tok.i]
            cut = set(sub) | set(cc)
            if cc and cc[-1] - 1 >= sent.start and doc[cc[-1] - 1].text == ",":
                cut.add(cc[-1] - 1)
            main -= cut
            subj = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            piece: list = []
            if subj is None:
                head_subj = next((c for c in tok.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                if head_subj is None:
                    main |= cut
                    continue
                piece = [(i, None) for i in _subtree(head_subj)]
            pieces.append(piece + [(i, None) for i in sub if doc[i].text not in (".",)])

    pieces.extend(_participles_and_comparisons(sent, main))

    main_items = [(i, None) for i in sorted(main)]
    claims: list[AtomicClaim] = []
    groups = [main_items] + pieces if pieces else [main_items]
    speaker = _claimant_tokens(sent, main)
    for n, items in enumerate(groups):
        items = [(i, r) for i, r in items if i == -1 or not doc[i].is_space]
        if sum(1 for i, _ in items if i < 0 or doc[i].is_alpha) < 3:
            continue
        real = [i for i, _ in items if i >= 0]
        items, changed = _resolve(doc, items, offset, context)
        spans = _spans(doc, real, offset)
        if not spans:
            continue
        text = _render_items(doc, items)
        original = " … ".join(text_of(s, e) for s, e in spans)
        # what a split-off part says (an apposition about the speaker) is the article's, not the speaker's
        claimant = _render_span(doc, [(i, r) for i, r in items if i in speaker]) if n == 0 and speaker else None
        claims.append(AtomicClaim(text=text, original=original, spans=spans,
                                  rewritten=changed or len(groups) > 1, claimant=claimant))
    people = []
    for ent in sent.ents:
        context.seen.append((ent.label_, ent.text, ent.start_char + offset))
        if ent.label_ == "PERSON":
            name, gender = _full_name(ent)
            if gender:
                context.gender.setdefault(name, gender)
            if not any(same_person(name, n) for n in people):
                people.append(name)
    for name in context.pending:  # people this sentence's pronouns stood for
        if not any(same_person(name, n) for n in people):
            people.append(name)
    context.pending = []
    _remember_subject(sent, context, offset)
    if context.subject and context.subject[0] == "" and not any(same_person(context.subject[1], n) for n in people):
        people.append(context.subject[1])  # a name the recogniser missed ("Theresa May") may be a person
    context.people = (context.people + [people])[-3:]
    context.objects = (context.objects + [[(e.label_, e.text) for e in sent.ents
                                           if e.root.dep_ in ("dobj", "attr", "oprd", "poss")]])[-2:]
    context.subjects = (context.subjects + [context.subject or ("UNSURE", None)])[-3:]
    context.entities = (context.entities + [[(e.label_, e.text) for e in sent.ents]])[-2:]
    return claims


def same_person(a: str, b: str) -> bool:
    """One person named twice ("Merkel", "Angela Merkel")."""
    wa, wb = a.lower().split(), b.lower().split()
    short, long_ = sorted((wa, wb), key=len)
    return bool(short) and all(w in long_ for w in short)


SPEECH_VERBS = {"say", "tell", "claim", "announce", "state", "insist", "argue", "add", "note", "warn", "report",
                "write", "declare", "estimate", "confirm", "deny", "allege", "suggest", "predict", "explain",
                "stress", "assert", "maintain", "boast", "admit", "tweet", "post"}


def _claimant_tokens(sent, main: set[int]) -> set[int]:
    """The tokens naming who makes the sentence's claim: the subject of a speech verb that governs
    it ("Rutte said ...", "... , Rutte told reporters"), or the object of "according to"; none
    for a claim the article makes itself."""
    root = sent.root
    if root.lemma_ in SPEECH_VERBS and any(c.dep_ in ("ccomp", "parataxis", "dobj") for c in root.children) or (
            root.lemma_ in SPEECH_VERBS and any(t.text in '"“”' for t in sent)):
        subj = next((c for c in root.children if c.dep_ == "nsubj"), None)
        if subj is not None:
            return {i for i in _subtree(subj) if i in main}
    for tok in sent:
        if tok.lower_ == "according" and tok.dep_ == "prep":
            to = next((c for c in tok.children if c.lower_ == "to"), None)
            obj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
            if obj is not None:
                return set(_subtree(obj))
    return set()


def _render_span(doc, items) -> str | None:
    """A few tokens (with their replacements) as text: "Mark Rutte", "the IMF"."""
    words = [(r if r is not None else doc[i].text, doc[i].whitespace_ if r is None else " ")
             for i, r in sorted(items, key=lambda x: x[0]) if i >= 0]
    text = "".join(w + ws for w, ws in words).strip()
    text = text[:-2] if text.endswith("'s") else text
    return text or None


def _inflect(lemma: str, tag: str) -> str:
    from lemminflect import getInflection

    got = getInflection(lemma, tag=tag)
    return got[0] if got else lemma


def _participles_and_comparisons(sent, main: set[int]) -> list[list]:
    """Claims of their own, cut out of `main`, for what a sentence adds after its main clause:
    a participle (", taking over from Jens Stoltenberg" -> "Mark Rutte took over from Jens
    Stoltenberg", in the main verb's tense) and an "in line with" comparison (", in line with
    forecasts" -> "Inflation falling to 2.4 percent in March was in line with forecasts")."""
    doc = sent.doc
    root = sent.root
    subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is None or root.pos_ not in ("VERB", "AUX") or subj.lower_ in ("it", "this", "that", "there"):
        return []
    past = root.tag_ in ("VBD", "VBN") or any(c.dep_ in ("aux", "auxpass") and c.tag_ == "VBD" for c in root.children)
    plural = subj.tag_ in ("NNS", "NNPS") or any(c.dep_ == "conj" for c in subj.children) or subj.lower_ in ("they", "we")
    subject = [(i, None) for i in _subtree(subj) if i in main]  # without an apposition cut out already
    pieces = []
    for tok in root.children:
        sub = _subtree(tok)
        if tok.i < root.i or sub[0] - 1 < sent.start or doc[sub[0] - 1].text != "," or not set(sub) <= main:
            continue
        if tok.dep_ == "advcl" and tok.tag_ == "VBG" and not any(c.dep_ in ("nsubj", "nsubjpass", "mark") for c in tok.children) \
                and any(c.dep_ in ("dobj", "prep", "prt", "acomp", "oprd", "ccomp") for c in tok.children):
            tag = "VBD" if past else ("VBP" if plural else "VBZ")
            body = [(i, None) if i != tok.i else (i, _inflect(tok.lemma_, tag)) for i in sub if not doc[i].is_punct or i != sub[-1]]
            pieces.append(subject + body)
        elif tok.dep_ == "prep" and tok.lower_ == "in" and any(
                c.lower_ == "line" and any(w.lower_ == "with" for w in c.children) for c in tok.children):
            rest = [i for c in root.children if c.i > subj.i and c.i != tok.i and c.dep_ not in ("punct", "aux", "auxpass", "cc", "conj")
                    and not set(_subtree(c)) & set(sub) for i in _subtree(c)]
            verb = [(root.i, _inflect(root.lemma_, "VBG"))]
            pieces.append(subject + verb + [(i, None) for i in sorted(rest)] + [(-1, "was" if past else "is")]
                          + [(i, None) for i in sub])
        else:
            continue
        main -= set(sub) | {sub[0] - 1}
    return pieces


def _remember_subject(sent, context: EntityContext, offset: int = 0) -> None:
    """Keep the sentence's main subject for a pronoun in the next one (a pronoun subject keeps the
    one it stands for; a common noun or a clause ends the chain)."""
    subj = next((c for c in sent.root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is None:
        context.subject = None
        return
    if subj.lower_ in PRONOUNS:
        return
    if any(c.dep_ == "conj" and (c.pos_ == "PROPN" or c.ent_type_) for c in subj.children):
        context.subject = ("LIST", None)  # "Germany and France signed ...": "the country" next is either
        return
    ent = next((e for e in sent.ents if e.start <= subj.i < e.end), None)
    if ent is not None:
        label = ent.label_
        last = ent[-1].lower_
        if label == "PERSON" and any(t.text == last for t in sent.doc if t.i != ent[-1].i and not t.is_sent_start):
            label = ""  # "James Webb Space Telescope" is no person where the text also says "the telescope"
        context.subject = (label, _full_name(ent)[0] if label == "PERSON" else ent.text)
    elif subj.pos_ == "PROPN":
        context.subject = ("", sent.doc[min(_name_tokens(subj)):subj.i + 1].text)
    elif subj.pos_ == "NOUN" and not subj.tag_.endswith("S") and any(
            c.dep_ == "det" and c.lower_ == "the" for c in subj.children) and \
            not any(c.dep_ in ("prep", "relcl", "acl", "poss") for c in subj.children):
        # "The telescope orbits ...": "its" next stands for the telescope (with its adjectives:
        # "the new bridge"), said so
        labels = VAGUE_NOUNS.get(subj.lower_)
        name = context.resolve(labels, subj.idx + offset) if labels else None
        if name:  # "The alliance grew. It is based in Brussels.": the alliance was NATO
            context.subject = (labels[0], name)
            return
        words = [t for t in subj.subtree if t.dep_ in ("det", "amod", "compound") or t.i == subj.i]
        context.subject = ("DESC", " ".join(t.text.lower() if t.i == words[0].i else t.text for t in words))
    elif subj.pos_ in ("NOUN", "PRON"):
        context.subject = ("UNSURE", None)
    else:
        context.subject = None


def _render_items(doc, items) -> str:
    words = []
    for k, (i, repl) in enumerate(items):
        text = repl if repl is not None else doc[i].text
        nxt = items[k + 1][0] if k + 1 < len(items) else None
        if i >= 0 and repl is None and nxt is not None and nxt == i + 1:
            ws = doc[i].whitespace_
        else:
            ws = " " if nxt is not None else ""
            if nxt is not None and nxt >= 0 and items[k + 1][1] is None and doc[nxt].is_punct and \
                    doc[nxt].text in ",.;:!?'s" or (nxt is not None and nxt >= 0 and doc[nxt].text == "'s"):
                ws = ""
        words.append(text + ws)
    out = "".join(words).strip().rstrip(",;: ").strip()
    if out and out[-1] not in ".!?":
        out += "."
    return out[:1].upper() + out[1:]


def _resolve(doc, items, offset, context):
    """Replace pronouns and "the alliance"-style references with the entity they point to."""
    out, changed, skip = [], False, set()
    for k, (i, repl) in enumerate(items):
        if i in skip:
            continue
        if i < 0 or repl is not None:
            out.append((i, repl))
            continue
        tok = doc[i]
        low = tok.lower_
        in_subject = tok.dep_ in ("nsubj", "nsubjpass") or (
            tok.dep_ == "poss" and tok.head.dep_ in ("nsubj", "nsubjpass"))
        own = next((c for c in tok.sent.root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if low in PRONOUNS and in_subject and own is not None and own.i < tok.i and own.i != tok.i \
                and "PERSON" not in PRONOUNS[low]:
            # "The company said it carried ...": "it" is the sentence's own subject, which the claim
            # already names (or, a description left as written, does not): it stays
            out.append((i, None))
            continue
        if low in PRONOUNS and in_subject and not _quoted(tok) and not _not_a_reference(tok):
            if "PERSON" in PRONOUNS[low]:
                name = context.person_for(low) or _earlier_in_sentence(doc, tok, PRONOUNS[low])
                if name:
                    context.gender.setdefault(name, "f" if low in ("she", "her") else "m")
                    context.pending.append(name)
            else:
                plural = low in ("they", "their")
                name = context.subject_for(PRONOUNS[low], plural)
                if name is None and not context.unsure_for(PRONOUNS[low]) and not (
                        plural and context.subject is not None and context.subject[0] == "DESC"):
                    # the previous subject is no thing ("Tim Cook has run Apple since 2011. Its ..."):
                    # the one name of that kind the previous sentence gives, else as written
                    fits = {t for label, t in (context.entities[-1] if context.entities else [])
                            if label in PRONOUNS[low]}
                    name = fits.pop() if len(fits) == 1 else _earlier_in_sentence(doc, tok, PRONOUNS[low])
            if name:
                out.append((i, name + ("'s" if low in POSSESSIVE else "")))
                changed = True
                continue
        if low == "the" and i + 1 < len(doc) and doc[i + 1].lower_ in VAGUE_NOUNS and \
                doc[i + 1].head.i != i and (i + 1, None) in items and doc[i + 1].ent_type_ == "":
            labels = VAGUE_NOUNS[doc[i + 1].lower_]
            own = next((c for c in tok.sent.root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            own_text = doc[min(_name_tokens(own)):own.i + 1].text if own is not None and own.i != i + 1 else None
            name = None if _quoted(tok) else (context.named_by(doc[i + 1].lower_, tok.idx + offset)
                                              or context.described(labels, own_text)
                                              or _earlier_in_sentence(doc, tok, labels))
            if name:
                out.append((i, name))
                skip.add(i + 1)
                changed = True
                continue
        out.append((i, None))
    # keep index order for rendering: replacements stand where their tokens stood
    return out, changed


QUOTES = '"“”'
WEATHER_VERBS = {"rain", "snow", "hail", "seem", "appear", "happen"}


def _quoted(tok) -> bool:
    """Inside quotation marks: someone's own words, never rewritten."""
    before = tok.doc.text[tok.sent.start_char:tok.idx]
    return sum(before.count(q) for q in QUOTES) % 2 == 1


def _not_a_reference(tok) -> bool:
    """An "it" that stands for nothing ("It is unclear whether ...", "It rained") or for the name
    just given ("The Affordable Care Act, as it is known, ...")."""
    head = tok.head
    if any(c.dep_ == "mark" and c.lower_ == "as" for c in head.children):
        return True
    if tok.lower_ != "it":
        return False
    if head.lemma_ in WEATHER_VERBS:
        return True
    # "It is (not) clear when / whether / that ...": the clause may hang from "is" or from "clear"
    comps = [c for c in head.children if c.dep_ in ("acomp", "attr")]
    return head.lemma_ == "be" and bool(comps) and any(
        c.dep_ in ("ccomp", "xcomp", "csubj", "advcl") and c.i > tok.i for t in [head, *comps] for c in t.children)


def _earlier_in_sentence(doc, tok, labels) -> str | None:
    for ent in reversed(list(tok.sent.ents)):
        if ent.end <= tok.i and ent.label_ in labels:
            return ent.text
    return None
