"""Claim-evidence alignment beyond numbers (issue #14): which evidence sentence says the same
thing as a claim, and the values a sentence gives to slots that are not numbers: a person's
nationality (a demonym or "of COUNTRY"), an office held in a country ("Prime Minister of Portugal"),
and lists of named things ("the United States, Canada and Finland").

Everything here reads a spaCy parse and returns plain data (`Frame`), so verdicts stay pure
functions. Countries, their other names and demonyms come from the `countryinfo` package; unit
conversions ("7,845 metres" against "nearly 5 miles") from `pint`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

__all__ = ["Frame", "ListSlot", "ALIGN_MIN", "frames_of", "merge_frames", "country_of", "overlap", "measure", "same_name"]

# Sentences align when this share (two in five) of the claim's content words (nouns, verbs, adjectives other than
# the compared values) is in the evidence sentence; below it a value there is about something else.
ALIGN_MIN = 0.4
LABEL_FAMILY = {"PERSON": "person", "GPE": "place", "LOC": "place", "NORP": "place", "ORG": "org", "FAC": "place",
                "EVENT": "event", "WORK_OF_ART": "work", "PRODUCT": "product", "LAW": "law", "NAME": "name"}
NOT_CONTENT = {"be", "have", "do", "say", "also", "only", "former", "current", "first", "last", "new", "own",
               "year", "time", "today", "now"}
# nouns that hold an office in a country: "Prime Minister of Portugal", "foreign minister of South Korea"
OFFICE_HEADS = {"president", "minister", "premier", "chancellor", "king", "queen", "monarch", "governor",
                "mayor", "ambassador", "secretary", "leader", "head", "speaker", "senator", "prince", "princess",
                "emperor", "dictator", "commissioner", "chief", "director", "chairman", "chair"}


ROMAN = re.compile(r"(?=[IVXLC])X{0,3}(?:IX|IV|V?I{0,3})|[IVX]{1,4}")
TITLE_WORDS = {"prime", "vice", "deputy", "foreign", "general", "high", "first", "lord", "mr", "mrs", "ms", "dr",
               "sir", "dame", "saint", "st", "the"}


NATIONAL_OFFICES = {"president", "minister", "premier", "chancellor", "king", "queen", "monarch", "emperor"}


@dataclass(frozen=True)
class ListSlot:
    """Two or more named things joined by "and"/commas, of one kind, and the word they hang from."""

    family: str
    members: tuple[str, ...]
    head: str       # lemma of the verb or noun the list attaches to ("open", "in")
    start: int
    end: int


@dataclass
class Frame:
    """One sentence read for alignment: its span, content words, names (with spaCy labels),
    nationalities and offices of the people it names, and its lists."""

    start: int
    end: int
    text: str
    lemmas: frozenset[str]
    entities: list[tuple[str, str]] = field(default_factory=list)
    nationality: dict[str, dict[str, str]] = field(default_factory=dict)  # person -> {country: words}
    offices: dict[str, dict[tuple[str, str], str]] = field(default_factory=dict)  # person -> {(office, country): words}
    lists: list[ListSlot] = field(default_factory=list)
    negated: bool = False
    # what the sentence says of a word in the slots next to it: a noun's adjectives and compound
    # nouns, a verb's object or complement ("predicts" -> {"mortality"}; "timepoint" -> {"lowest"})
    attached: dict[str, frozenset[str]] = field(default_factory=dict)
    # who did what to what: (verb's synonym group, the thing) -> the doers' names, from "the trial
    # was run by Thomas Francis Jr." and "Thomas Francis Jr. ran the trial"; `passive_agents` are
    # those the sentence gives with "by" (a claim's doer slot, which must be checked)
    agents: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    passive_agents: set[tuple[str, str]] = field(default_factory=set)
    # a time that ends a relative clause may date the clause or the verb its noun is the object of
    # ("signed the treaties that returned the canal in 1977"): (start, end) of the time -> (that
    # verb's lemma, its subject's name or None)
    time_readings: dict[tuple[int, int], tuple[str, str | None]] = field(default_factory=dict)


# --- countries -----------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Lower-case name, other spelling or demonym -> the country's common name."""
    from countryinfo import CountryInfo

    out: dict[str, str] = {}
    # names first, then other spellings, then demonyms; of two countries with one demonym
    # ("American"), the more populous keeps it
    infos = sorted((i for i in CountryInfo.all().values() if i.get("name")),
                   key=lambda i: -(i.get("population") or 0))
    for field_ in ("name", "altSpellings", "demonym"):
        for info in infos:
            vals = info.get(field_) or []
            for k in ([vals] if isinstance(vals, str) else vals):
                k = k.strip().lower()
                if len(k) > 3 or field_ == "name":
                    out.setdefault(k, info["name"])
    # the forms news text uses that the package does not list
    for k, v in {"the united states": "United States", "us": "United States", "america": "United States",
                 "britain": "United Kingdom", "the united kingdom": "United Kingdom", "uk": "United Kingdom",
                 "the netherlands": "Netherlands", "dutch": "Netherlands", "the philippines": "Philippines",
                 "south korean": "South Korea", "north korean": "North Korea", "english": "United Kingdom",
                 "scottish": "United Kingdom", "welsh": "United Kingdom"}.items():
        out.setdefault(k, v)
    return out


def country_of(name: str) -> str | None:
    """The country a place name or demonym names ("Japanese" -> "Japan"), else None."""
    n = re.sub(r"\s+", " ", name.replace("’", "'")).strip().lower()
    n = re.sub(r"'s$", "", n)
    table = _countries()
    if n in table:
        return table[n]
    if n.startswith("the ") and n[4:] in table:
        return table[n[4:]]
    return None


# --- units ---------------------------------------------------------------------------------

MEASURE_UNITS = {
    "metre": "meter", "meter": "meter", "m": "meter", "kilometre": "kilometer", "kilometer": "kilometer",
    "km": "kilometer", "centimetre": "centimeter", "cm": "centimeter", "millimetre": "millimeter",
    "mm": "millimeter", "mile": "mile", "foot": "foot", "feet": "foot", "ft": "foot", "yard": "yard",
    "inch": "inch", "kilogram": "kilogram", "kg": "kilogram", "gram": "gram", "tonne": "metric_ton",
    "ton": "metric_ton", "lb": "pound", "litre": "liter", "liter": "liter", "gallon": "gallon",
    "hectare": "hectare", "acre": "acre", "square kilometre": "kilometer**2", "square mile": "mile**2",
    "km2": "kilometer**2", "mph": "mile/hour", "kph": "kilometer/hour", "km/h": "kilometer/hour",
}


@functools.lru_cache(maxsize=1)
def _ureg():
    import pint

    return pint.UnitRegistry()


def measure(unit: str | None, modifiers: tuple[str, ...] = ()) -> tuple[str, float] | None:
    """(dimension, factor to base units) of a length, mass, area, volume or speed unit, else None:
    "kilometre" -> ("[length]", 1000.0)."""
    if not unit:
        return None
    name = MEASURE_UNITS.get(unit)
    if name is None and modifiers and modifiers[-1] == "square":
        name = MEASURE_UNITS.get(f"square {unit}")
    if name is None:
        return None
    q = _ureg().Quantity(1.0, name)
    base = q.to_base_units()
    return str(base.dimensionality), float(base.magnitude)


# --- names ---------------------------------------------------------------------------------

def _words(name: str) -> list[str]:
    n = name.lower().replace("’", "'")
    n = re.sub(r"'s\b", "", n)
    words = re.findall(r"[\w-]+", n)
    return words[1:] if words and words[0] == "the" else words


def same_name(a: str, b: str) -> bool:
    """Two mentions of one named thing: equal, one inside the other ("Vardy" / "Jamie Vardy"),
    the same country ("Japanese" / "Japan"), or an acronym ("UN" / "United Nations")."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    ca, cb = country_of(a), country_of(b)
    if ca and cb:
        return ca == cb
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if all(w in long_ for w in short) and any(len(w) > 2 for w in short):
        return True
    if len(short) == 1:
        initials = "".join(w[0] for w in long_ if w not in ("of", "the", "and", "for"))
        return len(initials) >= 2 and short[0] == initials
    return False


# --- frames --------------------------------------------------------------------------------

def _ent_spans(doc) -> list:
    """spaCy's named entities, and runs of proper nouns it left out ("Salk", "King Harald V"), labelled
    NAME: the small English model misses many surnames."""
    from spacy.tokens import Span

    ents = [e for e in doc.ents if e.label_ in LABEL_FAMILY]
    taken = {i for e in doc.ents for i in range(e.start, e.end)}
    def name_word(k: int) -> bool:
        return k < len(doc) and k not in taken and (doc[k].pos_ == "PROPN" or ROMAN.fullmatch(doc[k].text) is not None)

    i = 0
    while i < len(doc):
        if doc[i].pos_ == "PROPN" and i not in taken and doc[i].is_title:
            j = i
            while name_word(j + 1):
                j += 1
            # a title alone ("Prime Minister", "President") is an office, not a name
            if not all(t.lemma_.lower() in OFFICE_HEADS or t.lower_ in TITLE_WORDS for t in doc[i:j + 1]):
                ents.append(Span(doc, i, j + 1, label="NAME"))
            i = j + 1
        else:
            i += 1
    return sorted(ents, key=lambda e: e.start)


def _ent_of(tok, ents):
    for e in ents:
        if e.start <= tok.i < e.end:
            return e
    return None


def _person_of(tok, ents, resolve):
    """The person a token belongs to: the PERSON name it is part of, or the person a pronoun names."""
    e = _ent_of(tok, ents)
    if e is not None:
        # the small model often labels a person ORG ("Ferdinand de Lesseps"); a company has a
        # nationality too, and a comparison needs the same name on both sides anyway
        return e.text if e.label_ in ("PERSON", "NAME", "ORG") else None
    if tok.text.lower() in ("he", "she", "him", "her", "his") and resolve is not None:
        return resolve(tok)
    return None


def _owner(tok, ents, resolve, max_up: int = 6):
    """The person a descriptive word is said of, by walking up the parse: an apposition or the
    noun it modifies ("Boutros-Ghali, an Egyptian diplomat"; "Kofi Annan of Ghana"), the subject
    of a copula ("Ban was a Japanese diplomat"), the head of a relative clause ("Ban, who had been
    foreign minister of South Korea"). None through any other verb: "Ban visited Japan" says
    nothing about where he is from."""
    t = tok
    for _ in range(max_up):
        if t.head is t:
            return None
        came, t = t, t.head
        if came.dep_ == "poss":
            return None  # "Ban Ki-moon, the Japanese minister's guest": the minister is Japanese
        p = _person_of(t, ents, resolve)
        if p:
            return p
        if t.pos_ in ("VERB", "AUX"):
            if t.lemma_.lower() not in ("be", "become", "remain", "serve", "name", "appoint", "elect") \
                    or came.dep_ not in ("attr", "acomp", "oprd", "prep", "npadvmod", "appos"):
                return None
            subj, v = None, t
            for _ in range(3):  # "He led X and was Prime Minister of Y": a joined verb shares the subject
                subj = next((c for c in v.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                if subj is not None or v.dep_ != "conj":
                    break
                v = v.head
            if subj is not None:
                p = _person_of(subj, ents, resolve)
                if p:
                    return p
                if subj.text.lower() in ("who", "whom") and t.dep_ == "relcl":
                    return _person_of(t.head, ents, resolve)
            if t.dep_ == "relcl":
                return _person_of(t.head, ents, resolve)
            return None
    return None


def _office_name(noun) -> str:
    parts = [c for c in noun.children if c.dep_ in ("compound", "amod") and c.i < noun.i
             and c.lemma_.lower() not in ("former", "current", "then", "first", "late")]
    words = [c.text for c in sorted(parts, key=lambda c: c.i)] + [noun.text]
    return " ".join(words).lower()


def _office_words(noun) -> str:
    parts = [c for c in noun.children if c.dep_ in ("compound", "amod") and c.i < noun.i
             and c.lemma_.lower() not in ("former", "current", "then", "late")]
    return " ".join(t.text for t in sorted([*parts, noun], key=lambda t: t.i))


def _lists(sent, ents) -> list[ListSlot]:
    out = []
    seen: set[int] = set()
    for e in ents:
        if not (sent.start <= e.start < sent.end) or e.root.i in seen:
            continue
        fam = LABEL_FAMILY[e.label_]
        members = [e]
        t = e.root
        while True:
            nxt = next((c for c in t.children if c.dep_ == "conj"), None)
            if nxt is None:
                break
            ne = _ent_of(nxt, ents)
            if ne is None or "name" not in (fam, LABEL_FAMILY[ne.label_]) and LABEL_FAMILY[ne.label_] != fam:
                break
            members.append(ne)
            t = nxt
        if len(members) < 2 or any(c.dep_ == "cc" and c.lower_ in ("or", "nor") for c in e.root.children):
            continue  # "Hell or High Water", "Canada or Mexico": alternatives, not a list
        seen.update(m.root.i for m in members)
        head = e.root.head
        if head.dep_ == "appos" or e.root.dep_ == "appos":
            head = head.head if e.root.dep_ != "appos" else e.root.head
        out.append(ListSlot(fam, tuple(m.text for m in members), head.lemma_.lower(),
                            members[0].start_char, members[-1].end_char))
    # "Queen Margrethe II of Denmark and King Carl XVI Gustaf of Sweden opened it": the parser
    # sometimes gives a verb two subjects instead of a subject and its conjunct; joined by "and",
    # they are one list
    for verb in sent:
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.i not in seen]
        named = [(c, _ent_of(c, ents)) for c in subjects]
        named = [(c, e) for c, e in named if e is not None]
        if len(named) < 2 or len(named) != len(subjects):
            continue
        (a, ea), (b, eb) = named[0], named[-1]
        fam = {LABEL_FAMILY[ea.label_], LABEL_FAMILY[eb.label_]}
        joined = any(t.lower_ == "and" for t in sent.doc[ea.end:eb.start]) and \
            not any(t.lower_ in ("or", "nor") or t.text in ";:" for t in sent.doc[ea.end:eb.start])
        if joined and (len(fam) == 1 or "name" in fam):
            fam.discard("name")
            members = [e for _, e in named]
            seen.update(c.i for c, _ in named)
            out.append(ListSlot(fam.pop() if fam else "name", tuple(m.text for m in members), verb.lemma_.lower(),
                                members[0].start_char, members[-1].end_char))
    return out


def _frame(sent, ents, resolve, shift: int = 0) -> Frame:
    in_ent = {i for e in ents for i in range(e.start, e.end)} | {i for e in sent.doc.ents for i in range(e.start, e.end)}
    lemmas = frozenset(t.lemma_.lower() for t in sent
                       if t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ") and not t.is_stop and not t.like_num
                       and t.i not in in_ent and t.lemma_.lower() not in NOT_CONTENT and t.is_alpha)
    sent_ents = [e for e in ents if sent.start <= e.start and e.end <= sent.end]
    f = Frame(sent.start_char - shift, sent.end_char - shift, sent.text, lemmas,
              [(e.text, e.label_) for e in sent_ents],
              negated=any(t.dep_ == "neg" for t in sent))
    for e in sent_ents:
        if e.label_ not in ("NORP", "GPE"):
            continue
        country = country_of(e.text)
        if not country:
            continue
        root = e.root
        # "an Egyptian diplomat", "of Ghana", "from Sweden", "minister of South Korea"
        if e.label_ == "NORP" and root.dep_ not in ("amod", "compound", "attr", "appos", "nmod"):
            continue
        if e.label_ == "GPE" and not (root.dep_ == "pobj" and root.head.lower_ in ("of", "from")):
            continue
        anchor = root.head.head if e.label_ == "GPE" else root  # the word "of"/"from" hangs from
        person = _person_of(anchor, ents, resolve) or _owner(anchor, ents, resolve)
        if not person:
            continue
        if e.label_ == "GPE" and anchor.lemma_.lower() in OFFICE_HEADS:
            office = _office_name(anchor)
            f.offices.setdefault(person, {})[(office, country)] = f"{_office_words(anchor)} of {e.text}"
            if anchor.lemma_.lower() in NATIONAL_OFFICES:
                # a minister or president of a country is of it; a governor of "Georgia" need not be
                f.nationality.setdefault(person, {})[country] = e.text
        elif e.label_ == "GPE" and _person_of(anchor, ents, resolve) == person:
            f.nationality.setdefault(person, {})[country] = e.text  # "Kofi Annan of Ghana"
        elif e.label_ == "NORP":
            f.nationality.setdefault(person, {})[country] = e.text
    f.lists = _lists(sent, ents)
    f.attached = _attached(sent, in_ent)
    _agents(sent, ents, f)
    _time_readings(sent, ents, f, shift)
    return f


def _time_readings(sent, ents, f: Frame, shift: int) -> None:
    for verb in sent:
        if verb.dep_ != "relcl" or verb.pos_ != "VERB" or verb.head.dep_ != "dobj" or verb.head.head.pos_ != "VERB":
            continue
        last = max(t.i for t in verb.subtree)
        for prep in verb.children:
            if prep.dep_ != "prep" or max(t.i for t in prep.subtree) != last:
                continue
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if obj is None or not (obj.ent_type_ == "DATE" or re.fullmatch(r"\d{4}", obj.text)):
                continue
            main = verb.head.head
            subj = next((c for c in main.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            e = _ent_of(subj, ents) if subj is not None else None
            span = sent.doc[obj.left_edge.i:obj.right_edge.i + 1]
            f.time_readings[(span.start_char - shift, span.end_char - shift)] = (
                main.lemma_.lower(), e.text if e is not None else None)


AGENT_LABELS = ("PERSON", "NAME", "ORG")


def _thing(tok, ents) -> str | None:
    """What a verb was done to, as a key: a name's words, or a common noun's lemma ("trial")."""
    e = _ent_of(tok, ents)
    if e is not None:
        return e.text.lower().removeprefix("the ")
    if tok.pos_ == "NOUN" and tok.is_alpha:
        return tok.lemma_.lower()
    return None


def _doers(tok, ents) -> tuple[str, ...]:
    """The names a subject or a "by" phrase gives, joined ones included ("by A and B")."""
    out, t, seen = [], tok, set()
    while t is not None:
        e = _ent_of(t, ents)
        if e is None or e.label_ not in AGENT_LABELS or (e.start, e.end) in seen:
            break  # a conjunct inside the same name ("Smith and Wesson") would lead back to it for ever
        seen.add((e.start, e.end))
        if e.text not in out:
            out.append(e.text)
        t = next((c for c in e.root.children if c.dep_ == "conj"), None)
    return tuple(out)


def _agents(sent, ents, f: Frame) -> None:
    for verb in sent:
        if verb.pos_ != "VERB" or any(c.dep_ == "neg" for c in verb.children):
            continue
        key_verb = _AGENT_CANON.get(verb.lemma_.lower(), verb.lemma_.lower())
        by = next((c for c in verb.children if c.dep_ == "agent"), None)
        if by is not None:
            subj = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
            obj = next((c for c in by.children if c.dep_ == "pobj"), None)
            passive = True
        else:
            subj = next((c for c in verb.children if c.dep_ == "dobj"), None)
            obj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
            passive = False
        if subj is None or obj is None:
            continue
        thing, doers = _thing(subj, ents), _doers(obj, ents)
        if not thing or not doers or any(same_name(d, thing) for d in doers):
            continue
        f.agents[(key_verb, thing)] = doers
        if passive:
            f.passive_agents.add((key_verb, thing))


# dependents that say which one or what of their head; determiners, numbers and vague adjectives
# ("many", "other") do not
ATTACHED_DEPS = {"NOUN": ("amod", "compound"), "VERB": ("dobj", "acomp", "oprd")}
VAGUE = {"many", "other", "several", "such", "various", "certain", "same", "different", "recent", "overall",
         "total", "main", "major", "high", "low", "large", "small", "big", "great", "good", "important"}


def _attached(sent, in_ent: set[int]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for t in sent:
        deps = ATTACHED_DEPS.get(t.pos_)
        if not deps or t.is_stop or t.i in in_ent:
            continue
        for c in t.children:
            lemma = c.lemma_.lower()
            if (c.dep_ in deps and c.is_alpha and not c.is_stop and not c.like_num and c.i not in in_ent
                    and lemma not in VAGUE and lemma not in NOT_CONTENT and c.pos_ in ("NOUN", "ADJ", "PROPN")):
                # a phrasal verb is its own verb: "took over the project" is not "took control"
                key = " ".join([t.lemma_.lower()] + [p.lower_ for p in t.children if p.dep_ == "prt"])
                out.setdefault(key, set()).add(lemma)
    return {k: frozenset(v) for k, v in out.items()}


def says_otherwise(claim: "Frame", evidence: "Frame") -> str | None:
    """Where the evidence sentence says something else of the same word than the claim ("predicts
    mortality" / "predicts survival", "at the lowest ... timepoint" / "at the acute ... timepoint"),
    or negates what the claim affirms (or the reverse): a few words, else None. A number or name
    agreeing in such a sentence is no support: the claim asserts something else of it."""
    if claim.negated != evidence.negated:
        return "the source " + ("negates" if evidence.negated else "affirms") + " what the claim " + (
            "affirms" if evidence.negated else "negates")
    for head, words in claim.attached.items():
        theirs = evidence.attached.get(head)
        if not theirs:
            continue
        ev_words, claim_words = _canonical_set(evidence.lemmas), _canonical_set(claim.lemmas)
        ours_only = sorted(w for w in words if canonical(w) not in ev_words)
        theirs_only = sorted(w for w in theirs if canonical(w) not in claim_words)
        if ours_only and theirs_only:
            return f"the source says \"{' '.join(theirs_only)}\" where the claim says \"{' '.join(ours_only)}\""
    return None


def frames_of(doc, resolve=None) -> list[Frame]:
    """One `Frame` per sentence of a spaCy doc; `resolve(token)` names a pronoun's person."""
    ents = _ent_spans(doc)
    return [_frame(s, ents, resolve) for s in doc.sents]


def merge_frames(frames: list[Frame]) -> Frame:
    """One frame for a text read as a whole (a claim the parser split in two)."""
    if len(frames) == 1:
        return frames[0]
    f = Frame(frames[0].start, frames[-1].end, " ".join(x.text for x in frames),
              frozenset().union(*(x.lemmas for x in frames)), [e for x in frames for e in x.entities],
              negated=any(x.negated for x in frames))
    for x in frames:
        for k, v in x.attached.items():
            f.attached[k] = f.attached.get(k, frozenset()) | v
        for k, v in x.nationality.items():
            f.nationality.setdefault(k, {}).update(v)
        for k, v in x.offices.items():
            f.offices.setdefault(k, {}).update(v)
        f.lists.extend(x.lists)
        f.agents.update(x.agents)
        f.time_readings.update(x.time_readings)
        f.passive_agents |= x.passive_agents
    return f


# words that say the same thing in the sentences a fact-checker compares, each group's first word
# standing for all of them ("the locks lift ships" / "the locks raise a vessel"). Kept small and
# unambiguous in a sentence about facts: a word with another common sense stays out ("run" is also
# "the bridge runs 8 km", so it is a synonym of "lead" only where a claim says who did something).
SYNONYMS = [
    ("raise", "lift", "elevate", "hoist"),
    ("ship", "vessel"),
    ("begin", "start", "commence"),
    ("buy", "purchase", "acquire"),
    ("build", "construct"),
    ("found", "establish"),
    ("finish", "complete"),
    ("car", "automobile"),
    ("doctor", "physician"),
    ("child", "kid"),
    ("large", "big"),
    ("reveal", "show", "disclose"),
    ("die", "perish"),
    ("rise", "increase", "grow", "climb"),
    ("fall", "decrease", "decline", "drop"),
]
# what someone did to something, where the doer is the value ("The trial was led / run by ..."):
# the verb of a doer slot is compared by these groups
AGENT_SYNONYMS = SYNONYMS + [
    ("lead", "run", "head", "direct", "conduct", "oversee", "chair"),
    ("write", "author", "pen"),
    ("create", "invent", "devise"),
    ("develop", "design"),
]
_CANON = {w: g[0] for g in SYNONYMS for w in g}
_AGENT_CANON = {w: g[0] for g in AGENT_SYNONYMS for w in g}


def canonical(lemma: str | None) -> str | None:
    """A content word as its synonym group's first word (itself when it has none)."""
    return _CANON.get(lemma, lemma) if lemma else lemma


def _canonical_set(words) -> frozenset[str]:
    return frozenset(_CANON.get(w, w) for w in words)


def overlap(claim: Frame, evidence: Frame) -> float:
    """The share of the claim's content words the evidence sentence has, a synonym counting as the
    word (1.0 for a claim without any)."""
    if not claim.lemmas:
        return 1.0
    ours = _canonical_set(claim.lemmas)
    return len(ours & _canonical_set(evidence.lemmas)) / len(ours)
