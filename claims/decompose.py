"""Split a parsed sentence into atomic, self-contained claims.

Appositions ("Stoltenberg, NATO's 13th secretary-general, took over in 2014"), non-restrictive
relative clauses ("Joseph Luns, who spent 12 years in charge, ...") and coordinated clauses
("... in 1949 and now has 32 members") become claims of their own; pronouns and vague
references ("his tenure", "the alliance") are replaced by the entity they point to when the
preceding text names one. Each claim keeps the character spans of the article words it
comes from, so the original wording stays visible next to the rewrite.
"""

from __future__ import annotations

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


@dataclass
class EntityContext:
    """Entities seen so far in the article, most recent last: (label, text, article offset)."""

    seen: list[tuple[str, str, int]] = field(default_factory=list)
    # the previous sentence's subject, as (entity label or "" for a name the recogniser missed, text):
    # "The telescope was launched in 2021. It was built by NASA. Its mirror ..." -> the telescope;
    # a definite description ("The telescope orbits ...") is labelled DESC, and any other common
    # noun ("A sunshield keeps ...") UNSURE, with no text: "it" there is left as it is
    subject: tuple[str, str | None] | None = None

    def subject_for(self, labels: tuple[str, ...]) -> str | None:
        """The previous sentence's subject if a pronoun of these labels can stand for it: a person
        for "he"/"she", anything but a person for "it"/"its"."""
        if self.subject is None:
            return None
        label, text = self.subject
        if "PERSON" in labels:
            return text if label in ("PERSON", "") else None  # "" a name the recogniser missed ("Vardy")
        return text if label != "PERSON" else None

    def unsure_for(self, labels: tuple[str, ...]) -> bool:
        """True where "it"/"its" most likely stands for the previous sentence's subject, a thing
        with no name and no definite description: the most recent organisation would be a guess
        (the telescope's images are not "NASA's images")."""
        return "PERSON" not in labels and self.subject is not None and self.subject[0] == "UNSURE"

    def resolve(self, labels: tuple[str, ...], before: int) -> str | None:
        """The most recent entity with one of `labels` that starts before `before`."""
        for label, text, pos in reversed(self.seen):
            if pos < before and label in labels:
                return text
        return None


def _name_tokens(head) -> list[int]:
    """Token indices of a noun's name: the named entity it ends, else its compounds and itself."""
    for ent in head.sent.ents:
        if ent.start <= head.i < ent.end:
            return list(range(ent.start, ent.end))
    left = [c.i for c in head.lefts if c.dep_ in ("compound", "flat") and c.ent_type_ == head.ent_type_]
    return sorted(left + [head.i])


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

    main_items = [(i, None) for i in sorted(main)]
    claims: list[AtomicClaim] = []
    groups = [main_items] + pieces if pieces else [main_items]
    for items in groups:
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
        claims.append(AtomicClaim(text=text, original=original, spans=spans,
                                  rewritten=changed or len(groups) > 1))
    for ent in sent.ents:
        context.seen.append((ent.label_, ent.text, ent.start_char + offset))
    _remember_subject(sent, context, offset)
    return claims


def _remember_subject(sent, context: EntityContext, offset: int = 0) -> None:
    """Keep the sentence's main subject for a pronoun in the next one (a pronoun subject keeps the
    one it stands for; a common noun or a clause ends the chain)."""
    subj = next((c for c in sent.root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is None:
        context.subject = None
        return
    if subj.lower_ in PRONOUNS:
        return
    ent = next((e for e in sent.ents if e.start <= subj.i < e.end), None)
    if ent is not None:
        label = ent.label_
        last = ent[-1].lower_
        if label == "PERSON" and any(t.text == last for t in sent.doc if t.i != ent[-1].i and not t.is_sent_start):
            label = ""  # "James Webb Space Telescope" is no person where the text also says "the telescope"
        context.subject = (label, ent.text)
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
        if low in PRONOUNS and in_subject:
            name = context.subject_for(PRONOUNS[low])
            if name is None and not context.unsure_for(PRONOUNS[low]):
                name = context.resolve(PRONOUNS[low], tok.idx + offset) or _earlier_in_sentence(doc, tok, PRONOUNS[low])
            if name:
                out.append((i, name + ("'s" if low in POSSESSIVE else "")))
                changed = True
                continue
        if low == "the" and i + 1 < len(doc) and doc[i + 1].lower_ in VAGUE_NOUNS and \
                doc[i + 1].head.i != i and (i + 1, None) in items and doc[i + 1].ent_type_ == "":
            labels = VAGUE_NOUNS[doc[i + 1].lower_]
            name = context.resolve(labels, tok.idx + offset) or _earlier_in_sentence(doc, tok, labels)
            if name:
                out.append((i, name))
                skip.add(i + 1)
                changed = True
                continue
        out.append((i, None))
    # keep index order for rendering: replacements stand where their tokens stood
    return out, changed


def _earlier_in_sentence(doc, tok, labels) -> str | None:
    for ent in reversed(list(tok.sent.ents)):
        if ent.end <= tok.i and ent.label_ in labels:
            return ent.text
    return None
