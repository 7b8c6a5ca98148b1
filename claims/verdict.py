"""Suggested verdicts from evidence: exact, explained comparisons of quantities and dates, and
the aggregation of the stance model's pair probabilities to a claim verdict.

Pure functions over `Quantity` and `PassageFacts`. By the rules, a claim is SUPPORTED or REFUTED
only when a quantity of the same kind, about the same subject, in a stored passage agrees or
disagrees with it; otherwise NOT_ENOUGH_EVIDENCE. The rationale quotes the passage and shows the
computation. `aggregate_stance` and `combine` add the stance model where the rules are silent.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from claims.align import ALIGN_MIN, Frame, canonical, measure, overlap, same_name, says_otherwise
from claims.extract import PassageFacts
from claims.quantities import TIME_UNITS_DAYS, Quantity, describe_days, singular
from sources.chunk import split_sentences

__all__ = ["Verdict", "Comparison", "LABELS", "suggest", "compare", "same_entity", "compatible"]

LABELS = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_EVIDENCE", "CONFLICTING")
METHOD = "quantity-rules-v1"

UNIT_GROUPS = [
    {"member", "nation", "country", "state", "ally", "member-state", "member-country", "signatory"},
    {"person", "people", "resident", "inhabitant", "citizen"},
    {"secretary-general", "secretarygeneral", "secretary"},
]
PREDICATE_GROUPS = [
    {"take", "become", "assume", "start", "begin", "appoint", "elect", "name", "succeed", "arrive", "reach"},
    {"join", "accede", "admit", "enter"},
    {"found", "establish", "create", "form", "sign", "set", "launch", "open", "complete", "finish", "build",
     "release", "publish", "premiere", "debut", "introduce", "issue"},
    {"lead", "serve", "head", "spend", "hold", "run", "chair", "remain", "stay"},
    {"leave", "step", "resign", "end", "retire", "depart", "quit"},
    {"die", "kill"},
    {"bear"},
    {"win", "award", "receive", "share", "earn", "accept", "collect"},  # a prize or a title
    {"consist", "comprise", "compose", "make"},  # what a thing is made of ("made of" / "consists of")
]
MODIFIER_IGNORE = {"member", "state", "country", "nation", "full", "current", "total"}


@dataclass
class Comparison:
    """One claim quantity set against one evidence quantity."""

    claim_q: Quantity
    evidence_q: Quantity
    passage: PassageFacts
    outcome: str   # agree or disagree
    detail: str


@dataclass
class Verdict:
    """A suggested verdict with its confidence, a one-line rationale and the passage it cites."""

    label: str
    confidence: float
    rationale: str
    passage_id: int | None = None
    source_id: int | None = None
    method: str = METHOD
    comparisons: list[Comparison] = field(default_factory=list)
    probability: float | None = None  # calibrated chance that it is right (claims.calibrate), where fitted


def _norm_entity(name: str) -> list[str]:
    n = name.lower().replace("’", "'")
    n = re.sub(r"'s\b", "", n)
    words = re.findall(r"[\w-]+", n)
    if words and words[0] == "the":
        words = words[1:]
    return words


def same_entity(a: str | None, b: str | None) -> bool:
    """True when two entity mentions name the same thing: equal, one a part of the other
    ("Luns" / "Joseph Luns"), or an acronym of the other ("NATO" / "North Atlantic Treaty Organization")."""
    if not a or not b:
        return False
    wa, wb = _norm_entity(a), _norm_entity(b)
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if all(w in long_ for w in short) and any(len(w) > 2 for w in short):
        return True
    if len(short) == 1:
        initials = "".join(w[0] for w in long_ if w not in ("of", "the", "and", "for"))
        if len(initials) >= 2 and short[0] == initials:
            return True
    return False


def _group(word: str | None, groups) -> int | None:
    if word is None:
        return None
    for i, g in enumerate(groups):
        if word in g:
            return i
    return None


def _unit_key(q: Quantity) -> str:
    return re.sub(r"[\s-]", "", "".join((*q.modifiers, q.unit or "")))


def _same_unit(c: Quantity, e: Quantity) -> bool:
    if c.kind in ("duration", "year", "date", "percent"):
        return True
    if c.kind == "money":
        return c.unit == e.unit
    if c.kind == "ordinal":
        return bool(c.unit and e.unit) and (_unit_key(c) == _unit_key(e) or (
            _group(c.unit, UNIT_GROUPS) is not None and _group(c.unit, UNIT_GROUPS) == _group(e.unit, UNIT_GROUPS)
            and set(c.modifiers) - MODIFIER_IGNORE == set(e.modifiers) - MODIFIER_IGNORE))
    mc, me = measure(c.unit, c.modifiers), measure(e.unit, e.modifiers)
    if mc or me:  # lengths, masses, areas ...: any two units of one dimension ("metres" / "miles")
        return bool(mc and me) and mc[0] == me[0]
    if c.unit is None or e.unit is None:
        return False
    gc, ge = _group(c.unit, UNIT_GROUPS), _group(e.unit, UNIT_GROUPS)
    short, long_ = sorted((_child(c.unit), _child(e.unit)), key=len)
    same_head = c.unit == e.unit or (gc is not None and gc == ge) or (len(short) >= 4 and long_.endswith(short))
    return same_head and _modifiers(c) == _modifiers(e)


SIZE_MODIFIER = re.compile(r"^(?:\d[\d.,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                           r"fifteen|twenty|thirty|fifty|hundred)-\w+$")
# a compound participle says how the things counted look or are made ("gold-coated segments",
# "hand-built engines"), not which things they are
DESCRIPTIVE_MODIFIER = re.compile(r"^[a-z]+-[a-z]+(?:ed|en)$")


def _modifiers(q: Quantity) -> set[str]:
    """The words that make a unit another unit ("member states" is not "states"); a size or
    length ("a five-year term", "a 10-km race") does not: one term is one term."""
    return {m for m in q.modifiers
            if m not in MODIFIER_IGNORE and not SIZE_MODIFIER.match(m) and not DESCRIPTIVE_MODIFIER.match(m)}


def _child(unit: str) -> str:
    """A unit noun with its plural undone where `singular` leaves it ("schoolchildren")."""
    return re.sub(r"children$", "child", unit)


NUMERIC_KINDS = ("count", "money", "percent", "number", "fraction", "duration")
UNIQUE_EVENT_GROUPS = (0, 1, 2, 4, 5, 6)  # start, join, found/release, end, die, bear (PREDICATE_GROUPS indexes)
HEDGES = {"over": "more than", "under": "less than", "nearly": "nearly", "approx": "about", "justover": "just over",
          "atleast": "at least", "atmost": "at most", "before": "before", "after": "after", "by": "by",
          "since": "since"}


def _distance(c: Quantity, e: Quantity) -> float:
    cv, ev = abs(c.value or 0.0), abs(e.value or 0.0)
    if cv <= 0 or ev <= 0:
        return abs(cv - ev)
    return abs(math.log(ev / cv))


def _unique_event(c: Quantity) -> bool:
    return _group(c.predicate, PREDICATE_GROUPS) in UNIQUE_EVENT_GROUPS


def said(q: Quantity) -> str:
    """The quantity as the text states it, hedge included ("more than 100 people")."""
    hedge = HEDGES.get(q.qualifier or "")
    return f"{hedge} {q.text}" if hedge and not q.text.lower().startswith(hedge) else q.text


def _same_event(c: Quantity, e: Quantity) -> bool:
    if c.predicate and canonical(c.predicate) == canonical(e.predicate) and c.predicate not in ("be", "have", "do"):
        return True
    gc, ge = _group(c.predicate, PREDICATE_GROUPS), _group(e.predicate, PREDICATE_GROUPS)
    return gc is not None and gc == ge


def frame_at(passage: PassageFacts, offset: int) -> Frame | None:
    """The sentence frame of `passage` that holds character `offset`."""
    return next((f for f in passage.frames if f.start <= offset < f.end + 1), None)


TOPIC_STOP = {"the", "a", "an", "of", "and", "in", "on", "at", "for", "to", "years", "year", "after", "how",
              "why", "what", "new", "its", "his", "her", "their"}


def _names(title: str | None) -> set[str]:
    """The capitalised words of a title or name, but its first (capitalised by position alone)."""
    words = re.findall(r"[^\W\d_][\w’'-]*", title or "")
    words = words[1:] if len(words) > 1 else words
    return {re.sub(r"[’']s$", "", w).lower() for w in words if w[0].isupper() and w.lower() not in TOPIC_STOP}


def _title_names(title: str | None, name: str | None) -> bool:
    """Whether a title names `name`: one of its runs of capitalised words is the same entity
    ("Leicester City's 2015–16 Premier League title" names "Leicester")."""
    if not title or not name:
        return False
    runs = re.findall(r"[A-ZÀ-Þ][\w’'.-]*(?:\s+(?:of\s+|the\s+)?[A-ZÀ-Þ][\w’'.-]*)*", title)
    return any(same_entity(name, r) for r in runs if r.lower() not in TOPIC_STOP)


def _names_other(fr: Frame | None, subject: str, about: str) -> bool:
    """Whether a sentence names something else whose name the description fits ("the club" in a
    sentence that also names Arsenal FC's "club"): then the description may be that one."""
    if fr is None:
        return False
    return any(about in _entity_words(n) and not same_entity(subject, n) for n, _ in fr.entities)


def _singular_description(fr: Frame | None, about: str) -> bool:
    """Whether the sentence has "the [adjectives] NOUN" for `about` in the singular: "the team" can
    name Leicester City, "the new locks" cannot name the Panama Canal."""
    return fr is not None and re.search(rf"\bthe\s+(?:[\w-]+\s+){{0,2}}{re.escape(about)}\b", fr.text, re.I) is not None


def _entity_words(name: str) -> set[str]:
    return {singular(w) for w in re.findall(r"[a-z]+", name.lower())}


def _compatible_predicates(c: Quantity, e: Quantity) -> bool:
    """The same verb, verbs of one event group, or a copula on either side (which names no event)."""
    return c.predicate == e.predicate or _same_event(c, e) or "be" in (c.predicate, e.predicate) \
        or None in (c.predicate, e.predicate)


def _listed_together(a: str, b: str, fr: Frame | None) -> bool:
    """Two names in one list of the sentence ("Jimmy Carter and Omar Torrijos signed"): what the
    sentence says of the list it says of each."""
    return fr is not None and any(
        any(same_name(a, m) for m in lst.members) and any(same_name(b, m) for m in lst.members) for lst in fr.lists)


def same_topic(topic: str | None, passage: PassageFacts) -> bool:
    """Whether a passage's source is about what the article is about, judged by the names in their
    titles ("Twenty-five years of the Øresund Bridge" / "The Øresund Link": yes; / "The Great Belt
    Fixed Link": no). Without a topic or names on either side, yes."""
    a, b = _names(topic), _names(passage.source_title)
    # a word the passage also writes in lower case is a common noun ("the canal"), not a name:
    # "The Panama Canal" and "The Suez Canal" share no name
    common = {w for w in a | b if re.search(rf"(?<![\w-]){re.escape(w)}s?\b", passage.text)}
    a, b = a - common, b - common
    return not a or not b or bool(a & b)


def compatible(c: Quantity, e: Quantity, claim_entities: list[str], passage: PassageFacts,
               claim_frame: Frame | None = None, topic: str | None = None) -> bool:
    """Whether an evidence quantity speaks about the same thing as a claim quantity: the same kind
    and unit (any unit of one dimension for measures), and about the same subject: an entity the
    claim names (in the evidence number's own sentence, when the parse gives it no subject), or,
    for a claim whose subject is a description ("the bridge's main span"), the same head noun in a
    sentence that says what the claim says, from a source about the article's subject."""
    fr = frame_at(passage, e.start) if passage.frames else None
    kinds_ok = c.kind == e.kind or {c.kind, e.kind} <= {"year", "date"}
    # "won 23 of their matches, drew 12 and lost only three": a bare number after the same verb, in
    # a sentence that names the claim's unit, counts that unit
    elided = (c.kind == "count" and e.kind == "number" and e.unit is None and fr is not None
              and c.predicate is not None and c.predicate == e.predicate and c.predicate not in ("be", "have")
              and c.unit in fr.lemmas and not re.match(r"\s*of\b", passage.text[e.end:e.end + 6]))  # not "23 of ..."
    aligned = claim_frame is not None and fr is not None and overlap(claim_frame, fr) >= ALIGN_MIN \
        and same_topic(topic, passage)
    # two bare numbers ("odds of 5,000 to 1", "won 23 of their matches") after the same verb, in
    # sentences that say the same: the same slot, though neither names a unit
    bare = (c.kind == e.kind == "number" and c.unit is None and e.unit is None and aligned
            and c.predicate is not None and c.predicate == e.predicate and c.predicate not in ("be", "have", "do"))
    if not (elided or bare) and (not kinds_ok or not _same_unit(c, e)):
        return False
    if c.subject:
        if e.subject and (same_entity(c.subject, e.subject) or _listed_together(c.subject, e.subject, fr)):
            return True
        # "The Panama Canal opened on ..." / "The canal opened on ...": a description by the
        # name's own head noun, in a sentence that says the same, from a source on the same subject
        if not e.subject and e.about and aligned and _compatible_predicates(c, e) and \
                e.about == singular(re.sub(r"[’']s$", "", c.subject.split()[-1].lower())):
            return True
        # "Leicester finished with 81 points" / "The team finished with 81 points" in a source
        # whose title names Leicester: a description of the source's own subject
        if not e.subject and e.about and aligned and _compatible_predicates(c, e) and \
                _title_names(passage.source_title, c.subject) and not _names_other(fr, c.subject, e.about) and \
                _singular_description(fr, e.about):
            return True
        names = [n for n, _ in fr.entities] if fr is not None else passage.entities
        # the evidence number has no subject of its own, but its sentence names the claim's: only
        # if that sentence says what the claim says (not a different figure beside the name)
        if not e.subject and any(same_entity(c.subject, n) for n in names) and (
                claim_frame is None or fr is None or overlap(claim_frame, fr) >= ALIGN_MIN):
            return True
        if e.subject:
            return False
    # "The canal is 82 kilometres long" / "It [the Panama Canal] runs for 82 kilometres": the
    # description is the name's own head noun, the article's title names that name ("The Panama Canal
    # at 110", never "The Suez Canal"), and the sentence says the same once its subject is read in
    head = singular(re.sub(r"[’']s$", "", e.subject.split()[-1].lower())) if e.subject else None
    if c.about and head == c.about and claim_frame is not None and fr is not None and claim_frame.lemmas and \
            _compatible_predicates(c, e) and _title_names(topic, e.subject) and \
            len(claim_frame.lemmas & (fr.lemmas | {head})) / len(claim_frame.lemmas) >= ALIGN_MIN:
        return True
    if c.about and aligned:
        if e.about == c.about and _compatible_predicates(c, e):
            return True  # "its locks lift ships 26 metres" is not "the old locks, 320 metres long"
        # "the champions won 23" / "Leicester won 23": a named subject the article's title names
        if e.subject and (_names(e.subject) & _names(topic) or _title_names(topic, e.subject)):
            return True
        # the same event told the other way round: "the initiative was launched in 1994" / "the
        # Assembly launched the Global Polio Eradication Initiative in 1988"
        return _same_event(c, e) and (c.about in fr.lemmas or any(c.about in _entity_words(n) for n, _ in fr.entities))
    return False  # without knowing what the claim's number is about, no comparison is safe


def _interval(q: Quantity) -> tuple[float, float]:
    if q.low is not None and q.high is not None:
        return q.low, q.high
    return q.value, q.value


BOUND_SIDE = {"over": 1, "atleast": 1, "under": -1, "atmost": -1}


def _bound_against_bound(c: Quantity, e: Quantity) -> bool:
    """True where a one-sided bound meets another bound on the same side at another figure ("over
    15 people" against "more than 250 people": a threshold or a second estimate, not the same
    statement), or meets the very figure it starts from ("over 80 percent" against "80 percent"):
    neither settles the claim."""
    sc, se = BOUND_SIDE.get(c.qualifier or ""), BOUND_SIDE.get(e.qualifier or "")
    if not (sc or se) or (c.unit or "") != (e.unit or ""):
        return False
    if sc and se:
        return sc == se and not math.isclose(c.value, e.value, rel_tol=1e-6)
    return math.isclose(c.value, e.value, rel_tol=1e-6)


def compare(c: Quantity, e: Quantity) -> tuple[str, str] | None:
    """("agree" | "disagree", the computation in words), or None when they cannot be compared."""
    if c.kind in ("year", "date") or e.kind in ("year", "date"):
        cy = c.value if c.kind == "year" else (int(c.date[:4]) if c.date else None)
        ey = e.value if e.kind == "year" else (int(e.date[:4]) if e.date else None)
        if cy is None or ey is None:
            return None
        if c.precision == "decade":
            inside = int(cy) <= int(ey) < int(cy) + 10
            return ("agree" if inside else "disagree"), f"{int(ey)} is {'' if inside else 'not '}in the {c.text}"
        both_days = c.kind == "date" and e.kind == "date" and c.precision == e.precision == "day"
        # compared at the coarser of the two precisions: "last month" (December 2023) is not
        # "March 2023", though the years agree
        months = not both_days and c.kind == e.kind == "date" and {c.precision, e.precision} <= {"day", "month"}
        ckey, ekey = (c.date, e.date) if both_days else (c.date[:7], e.date[:7]) if months else (int(cy), int(ey))
        bound = {"before": ekey < ckey, "after": ekey > ckey, "by": ekey <= ckey,
                 "since": ekey <= ckey}.get(c.qualifier or "")
        if bound is not None:
            if not both_days and ckey == ekey:
                return None  # "after 2 March 2022" against "in 2022": cannot tell
            return ("agree" if bound else "disagree"), f"{e.text} is {'' if bound else 'not '}{said(c)}"
        same = ckey == ekey
        if months:
            return ("agree" if same else "disagree"), f"{e.text} {'is' if same else 'is not'} {c.text}"
        if both_days:
            return ("agree" if same else "disagree"), f"{e.text} {'is' if same else 'is not'} {c.text}"
        return ("agree" if same else "disagree"), f"{int(ey)} {'=' if same else '≠'} {int(cy)}"
    if c.value is None or e.value is None:
        return None
    if _bound_against_bound(c, e):
        return None
    if c.kind == "duration":
        clo, chi = _interval(c)
        elo, ehi = _interval(e)
        # a stated whole number of units covers [v, v + 1 unit); overlap means consistent
        agree = elo <= chi and clo <= ehi if e.derived else (
            elo <= chi and clo <= ehi and not (e.qualifier is None and c.qualifier is None and
                                               abs(c.value - e.value) >= TIME_UNITS_DAYS.get(c.unit or "day", 1) * 0.99))
        shown = describe_days(e.value) if e.derived else e.text
        return ("agree" if agree else "disagree"), f"{shown} {'is consistent with' if agree else 'is not'} {said(c)}"
    if c.kind in ("count", "ordinal", "number", "money", "percent", "fraction"):
        clo, chi = _interval(c)
        elo, ehi = _interval(e)
        mc, me = measure(c.unit, c.modifiers), measure(e.unit, e.modifiers)
        converted = ""
        if mc and me and mc[0] == me[0] and mc[1] != me[1]:
            # into the claim's unit: "7,845 metres" against "nearly 5 miles" is 4.87 miles
            f = me[1] / mc[1]
            elo, ehi = elo * f, ehi * f
            converted = f" ({_num(e.value * f)} {_plural(c.unit)})"
        tol = 0.5 if c.kind == "percent" and c.qualifier is None else 0.0
        if c.qualifier == "approx" and e.qualifier in ("approx", None) and e.value is not None:
            # two round figures: each must fall within what the other allows
            ev = e.value * (me[1] / mc[1] if converted else 1.0)
            if clo <= ev <= chi:
                return "agree", f"{said(e)}{converted} matches {said(c)}"
            if not (elo <= c.value <= ehi):
                return "disagree", f"{said(e)}{converted} differs from {said(c)}"
            return None
        # the evidence settles the claim only when its range lies inside the claim's (agree) or
        # outside it (disagree); "over 2.3 million" neither confirms nor refutes "more than 3 million"
        if clo - tol <= elo and ehi <= chi + tol:
            return "agree", f"{said(e)}{converted} matches {said(c)}"
        if ehi < clo - tol or elo > chi + tol:
            return "disagree", f"{said(e)}{converted} differs from {said(c)}"
        return None
    return None


def _plural(unit: str) -> str:
    return {"foot": "feet", "inch": "inches"}.get(unit, unit if unit.endswith("s") else unit + "s")


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}".rstrip("0").rstrip(".")


def _quote(passage: PassageFacts, q: Quantity, limit: int = 160) -> str:
    sent = next((s for s in split_sentences(passage.text) if s.start <= q.start < s.end + 1), None)
    text = sent.text if sent else passage.text
    if len(text) > limit:
        rel = q.start - (sent.start if sent else 0)
        lo = max(0, min(rel - limit // 2, len(text) - limit))
        text = ("…" if lo else "") + text[lo:lo + limit].strip() + "…"
    return text.replace("\n", " ")


def _relative(q: Quantity, text: str) -> bool:
    """A time told from the day of writing ("today", "in the last two years"): it cannot be checked
    without the article's date, so it does not hold a suggestion back."""
    if q.kind == "relative":
        return True
    return q.kind == "duration" and bool(re.search(r"\b(?:last|past|next|coming|recent)\s+$", text[:q.start].lower()))


def _restatements(quantities: list[Quantity], text: str) -> list[Quantity]:
    """A measure restated in another unit right after it ("7,845 metres, nearly 5 miles") is about
    the same thing: it takes the first one's subject, so that both are compared."""
    out = list(quantities)
    for i in range(1, len(out)):
        a, b = out[i - 1], out[i]
        ma, mb = measure(a.unit, a.modifiers), measure(b.unit, b.modifiers)
        if ma and mb and ma[0] == mb[0] and ma[1] != mb[1] and re.fullmatch(
                r"[\s,(]*(?:or|is|are|was|about|nearly|almost|roughly|some|just over|over|under)?[\s,(]*",
                text[a.end:b.start] if a.end <= b.start <= len(text) else "x"):
            out[i] = Quantity(**{**b.__dict__, "subject": a.subject, "about": a.about, "predicate": a.predicate})
    return out


def _slot_values(frame: Frame | None) -> list[tuple[str, Quantity, object]]:
    """The claim's non-numeric values as (slot, a Quantity standing for the value, its key)."""
    if frame is None:
        return []
    out = []
    for person, by_country in frame.nationality.items():
        offices = frame.offices.get(person, {})
        for country, words in by_country.items():
            if any(k[1] == country for k in offices):
                continue  # an office in a country is checked as the office
            out.append(("nationality", Quantity("nationality", None, words, 0, 0, subject=person), country))
    for person, offices in frame.offices.items():
        for key, words in offices.items():
            out.append(("office", Quantity("office", None, words, 0, 0, subject=person), key))
    for lst in frame.lists:
        out.append(("list", Quantity("list", None, _and(lst.members), 0, 0), lst))
    for key in sorted(frame.passive_agents):
        doers = frame.agents[key]
        out.append(("agent", Quantity("agent", None, _and(doers), 0, 0, subject=key[1], predicate=key[0]),
                    (key, doers)))
    return out


def _the(thing: str) -> str:
    return thing if " " in thing else f"the {thing}"


def _same_thing(a: str, b: str) -> bool:
    return a == b or (" " in a or " " in b or a[:1].isupper()) and same_name(a, b)


def _other_readings(quantities: list[Quantity], frame: Frame | None) -> list[Quantity]:
    """The quantities with a second reading of each time that ends a relative clause: "signed the
    treaties that returned the canal in 1977" may date the signing. A source that dates either event
    the same supports the claim; one that dates the signing otherwise refutes it."""
    if frame is None or not frame.time_readings:
        return quantities
    out = list(quantities)
    for q in quantities:
        if q.kind not in ("year", "date"):
            continue
        for (s0, s1), (verb, subject) in frame.time_readings.items():
            if s0 <= q.start and q.end <= s1 and verb != q.predicate:
                out.append(replace(q, predicate=verb, subject=subject or q.subject, about=None if subject else q.about))
    return out


def _and(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _in_list(name: str, members) -> bool:
    return any(same_name(name, m) for m in members)


def _slot_comparisons(claim_frame: Frame | None, p: PassageFacts, values, topic: str | None) -> list[Comparison]:
    """Nationalities, offices and lists of the claim against those the passage's sentences give
    to the same person (or, for lists, in a sentence that says what the claim says)."""
    out = []
    for slot, cq, key in values:
        for fr in p.frames:
            ev = lambda words: Quantity(slot, None, words, fr.start, fr.end)  # noqa: E731
            if slot in ("nationality", "office"):
                given = fr.nationality if slot == "nationality" else fr.offices
                for person, by_key in given.items():
                    if slot == "office":  # an office is compared only with offices in the same country
                        by_key = {k: w for k, w in by_key.items() if k[1] == key[1]}
                    if not by_key or not same_name(cq.subject, person):
                        continue
                    if key in by_key:
                        out.append(Comparison(cq, ev(by_key[key]), p, "agree", f"{by_key[key]} matches {cq.text}"))
                    else:
                        got = _and(by_key.values())
                        out.append(Comparison(cq, ev(got), p, "disagree",
                                              f"source: {got}; claim: {cq.text} ({cq.subject})"))
            elif slot == "agent":
                (verb, thing), doers = key
                if " " not in thing and not same_topic(topic, p):
                    continue  # "the trial" of another source may be another trial
                for (v, t), theirs in fr.agents.items():
                    if v != verb or not _same_thing(thing, t):
                        continue
                    if any(_in_list(d, theirs) for d in doers):
                        out.append(Comparison(cq, ev(_and(theirs)), p, "agree",
                                              f"{_and(theirs)} matches {cq.text} ({_the(thing)})"))
                    elif not any(_in_list(d, [n for n, _ in f2.entities]) for f2 in p.frames for d in doers):
                        # another doer, and the passage never names the claim's: a swapped name
                        out.append(Comparison(cq, ev(_and(theirs)), p, "disagree",
                                              f"source: {_and(theirs)}; claim: {cq.text} ({_the(thing)})"))
            elif slot == "list" and claim_frame is not None and same_topic(topic, p):
                aligned = overlap(claim_frame, fr) >= ALIGN_MIN
                for lst in fr.lists:
                    if "name" not in (lst.family, key.family) and lst.family != key.family:
                        continue
                    shared = [m for m in key.members if _in_list(m, lst.members)]
                    # a list that shares a member, in a sentence that says what the claim says, or
                    # two members or more in a sentence that shares at least one content word
                    # ("the United States, Canada and ..." took part; not "... signed NAFTA")
                    if not shared or not (aligned or (len(shared) >= 2 and overlap(claim_frame, fr) > 0)):
                        continue
                    missing = [m for m in key.members if not _in_list(m, lst.members)]
                    # a list refutes only as the same list with one member swapped; a longer or
                    # shorter one may be a selection ("additions include ...")
                    if missing and (len(missing) > 1 or len(lst.members) != len(key.members)):
                        continue
                    if missing:
                        out.append(Comparison(cq, ev(_and(lst.members)), p, "disagree",
                                              f"source: {_and(lst.members)}; claim: {cq.text} "
                                              f"({_and(missing)} not in the source's list)"))
                    else:
                        out.append(Comparison(cq, ev(_and(lst.members)), p, "agree",
                                              f"{_and(lst.members)} includes {cq.text}"))
                names = [n for n, _ in fr.entities]
                others = [n for n, _ in claim_frame.entities if not _in_list(n, key.members)]
                # a sentence that also names what the claim is about ("The Øresund Link joins
                # Copenhagen ... to Malmö") says where its members are, even in other words
                named = any(not _in_list(n, key.members) and _in_list(n, others) for n in names)
                if (aligned or named) and not fr.lists and all(_in_list(m, names) for m in key.members):
                    # the parse found no list there, but the sentence names every member
                    found = [n for n in names if _in_list(n, key.members)]
                    got = _and(found)
                    at = p.text.find(found[0], fr.start)  # quote the sentence that names them
                    where = Quantity(slot, None, got, at, at + len(found[0])) if at >= 0 else ev(got)
                    out.append(Comparison(cq, where, p, "agree", f"the source names {got}"))
    return out


def _said_of_something_else(comparisons: list[Comparison], claim_frame: Frame | None):
    """(comparisons kept, [(agreement dropped, why)]): a value that agrees in a sentence that says
    something else of the same word, or negates what the claim affirms, supports nothing."""
    if claim_frame is None:
        return comparisons, []
    kept, dropped = [], []
    for cmp in comparisons:
        fr = frame_at(cmp.passage, cmp.evidence_q.start) if cmp.outcome == "agree" else None
        why = says_otherwise(claim_frame, fr) if fr is not None else None
        if why:
            dropped.append((cmp, why))
        else:
            kept.append(cmp)
    return kept, dropped


# slots a person can hold several values of at once: a source giving the claimed one settles it
MANY_VALUED = ("nationality", "office")


def suggest(claim_text: str, claim_quantities: list[Quantity], claim_entities: list[str],
            evidence: list[PassageFacts], claim_frame: Frame | None = None, topic: str | None = None) -> Verdict:
    """The suggested verdict for one claim from its evidence passages (best first).

    `claim_frame` (`claims.extract.claim_frames`) adds the comparisons that are not numbers
    (nationality, office, lists) and lets a claim about a description ("the main span") be compared
    in sentences that say the same; `topic` (the article's title) keeps such claims to sources about
    the article's subject."""
    if not evidence:
        return Verdict("NOT_ENOUGH_EVIDENCE", 0.9, "No passage in the library matches this claim.")
    comparisons: list[Comparison] = []
    claim_quantities = _other_readings(_restatements(claim_quantities, claim_text), claim_frame)
    values = _slot_values(claim_frame)
    for p in evidence:
        comparisons.extend(_slot_comparisons(claim_frame, p, values, topic))
        for c in claim_quantities:
            found = []
            for e in p.quantities:
                if not compatible(c, e, claim_entities, p, claim_frame, topic):
                    continue
                got = compare(c, e)
                if got is None:
                    continue
                outcome, detail = got
                # a year or a date says something only about the same event ("born in 1919" is no
                # evidence for "murdered in 1919"), and a different year refutes only an event that
                # happens once (born, founded, took office; not "won the cup"); a differing
                # duration only refutes for the same event
                if c.kind in ("year", "date") and not _same_event(c, e):
                    continue
                # two dates to the day for the same act ("announced on 12 April 1955") are one event
                same_day_event = c.kind == e.kind == "date" and c.precision == e.precision == "day"
                if outcome == "disagree" and c.kind in ("year", "date") and not (_unique_event(c) or same_day_event):
                    continue
                if outcome == "disagree" and c.kind == "duration" and not _same_event(c, e):
                    continue
                found.append(Comparison(c, e, p, outcome, detail))
            # of several numbers of one passage, the one nearest the claim's speaks to it
            # ("less than $127 million" against a total of $127 million, not a $59 million part)
            if found and c.kind in NUMERIC_KINDS:
                found = [min(found, key=lambda f: _distance(c, f.evidence_q))]
            comparisons.extend(found)
    top = evidence[0]
    comparisons, otherwise = _said_of_something_else(comparisons, claim_frame)
    if not comparisons and otherwise:
        cmp, why = otherwise[0]
        return Verdict("NOT_ENOUGH_EVIDENCE", 0.5,
                       f"\"{_quote(cmp.passage, cmp.evidence_q)}\" ({cmp.passage.source_title}) has "
                       f"\"{said(cmp.claim_q)}\", but {why}.",
                       passage_id=cmp.passage.passage_id, source_id=cmp.passage.source_id)
    if not comparisons:
        return Verdict("NOT_ENOUGH_EVIDENCE", 0.5,
                       f"No passage states a comparable number, date, name or list; closest: \"{_short(top.text)}\" "
                       f"({top.source_title}).", passage_id=top.passage_id, source_id=top.source_id)
    per_q: dict[int, dict[str, list[Comparison]]] = {}
    for cmp in comparisons:
        per_q.setdefault(id(cmp.claim_q), {"agree": [], "disagree": []})[cmp.outcome].append(cmp)
    # two readings of one time ("signed the treaties that returned the canal in 1977"): where a
    # source confirms one of them, the other reading's disagreement refutes nothing
    readings: dict[tuple[int, int, str], list[int]] = {}
    for q in claim_quantities:
        if id(q) in per_q and q.kind in ("year", "date"):
            readings.setdefault((q.start, q.end, q.text), []).append(id(q))
    for ids in readings.values():
        if len(ids) > 1 and any(per_q[i]["agree"] for i in ids):
            for i in ids:
                if not per_q[i]["agree"]:
                    del per_q[i]
    conflicting, refuting, supporting = [], [], []
    for outcomes in per_q.values():
        agree, disagree = outcomes["agree"], outcomes["disagree"]
        if agree and agree[0].claim_q.kind in MANY_VALUED:
            disagree = []  # a second office or nationality of the same person is no disagreement
        agree_src = {c.passage.source_id for c in agree}
        disagree_src = {c.passage.source_id for c in disagree} - agree_src
        if agree and disagree_src:
            conflicting.append((agree[0], next(c for c in disagree if c.passage.source_id in disagree_src)))
        elif agree:
            supporting.append(agree[0])
        else:
            refuting.append(disagree[0])
    if conflicting:
        a, d = conflicting[0]
        return Verdict("CONFLICTING", 0.6 * max(a.passage.credibility, d.passage.credibility),
                       f"Sources disagree on \"{said(a.claim_q)}\": \"{_quote(a.passage, a.evidence_q)}\" "
                       f"({a.passage.source_title}): {a.detail}; but \"{_quote(d.passage, d.evidence_q)}\" "
                       f"({d.passage.source_title}): {d.detail}.",
                       passage_id=a.passage.passage_id, source_id=a.passage.source_id, comparisons=comparisons)
    if refuting:
        d = refuting[0]
        return Verdict("REFUTED", round(0.9 * d.passage.credibility, 3),
                       f"Claim says \"{said(d.claim_q)}\"; \"{_quote(d.passage, d.evidence_q)}\" "
                       f"({d.passage.source_title}): {d.detail}.",
                       passage_id=d.passage.passage_id, source_id=d.passage.source_id, comparisons=comparisons)
    # the rationale quotes what the claim asserts before a list that names where or who it is
    # about ("opened on 1 July 2000" before "between Copenhagen and Malmö")
    supporting.sort(key=lambda x: x.claim_q.kind == "list")
    a = supporting[0]
    agreed = {id(x.claim_q) for x in supporting}
    spans = [(x.claim_q.start, x.claim_q.end) for x in supporting if x.claim_q.end > x.claim_q.start]
    unchecked = [q for q in claim_quantities if id(q) not in agreed and not _relative(q, claim_text)
                 and not any(s0 <= q.start and q.end <= s1 for s0, s1 in spans)]
    unchecked += [cq for _, cq, _ in values if id(cq) not in agreed]
    if unchecked:
        missing = _and([f'"{said(q)}"' for q in unchecked])
        # one value agreeing is no support for a claim that says more ("served two terms, from
        # 1992 to 1996"): it stays open, with what agreed and what no source states
        return Verdict("NOT_ENOUGH_EVIDENCE", 0.5,
                       f"Sources agree on \"{said(a.claim_q)}\" (\"{_quote(a.passage, a.evidence_q)}\" "
                       f"({a.passage.source_title}): {a.detail}), but no passage found states "
                       f"{missing}.",
                       passage_id=a.passage.passage_id, source_id=a.passage.source_id, comparisons=comparisons)
    n_values = len({(q.start, q.end, q.text) for q in claim_quantities}) + len(values)  # a second reading is no value
    share = min(1.0, len(supporting) / max(1, n_values))
    return Verdict("SUPPORTED", round((0.6 + 0.3 * share) * a.passage.credibility, 3),
                   f"Claim says \"{said(a.claim_q)}\"; \"{_quote(a.passage, a.evidence_q)}\" "
                   f"({a.passage.source_title}): {a.detail}.",
                   passage_id=a.passage.passage_id, source_id=a.passage.source_id, comparisons=comparisons)


_HEADING = re.compile(r"\A[ \t]*#*[ \t]*[^\n]*[^\s.!?:;…\"'”’)][ \t]*\n[ \t]*\n")


def _short(text: str, limit: int = 140) -> str:
    """A passage as a reason quotes it: on one line, without the heading it opens with (a source's
    first passage starts with its title, which run into the sentence read as one: "… title
    Leicester City won …"), cut at a word."""
    rest = _HEADING.sub("", text, count=1)
    text = " ".join((rest if rest.strip() else text).split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


STANCE_METHOD = "stance-model-v1"  # two fine-tuned layers; adapter files (v2) name themselves
DEFAULT_DECISION = {"support": 0.5, "refute": 0.5, "conflict": 0.6}


def stance_label(support: float, refute: float, decision: dict, apart: bool = True) -> str:
    """The claim verdict from the strongest (credibility-weighted) support and refutation over its
    passages. CONFLICTING needs both above the conflict threshold in different passages (`apart`)."""
    d = {**DEFAULT_DECISION, **(decision or {})}
    if apart and support >= d["conflict"] and refute >= d["conflict"]:
        return "CONFLICTING"
    if support >= d["support"] and (support >= refute or refute < d["refute"]):
        return "SUPPORTED"
    if refute >= d["refute"]:
        return "REFUTED"
    return "NOT_ENOUGH_EVIDENCE"


def aggregate_stance(evidence: list[PassageFacts], probs, decision: dict | None = None,
                     method: str = STANCE_METHOD) -> Verdict:
    """A claim verdict from the stance model's (supports, refutes, unrelated) probabilities for each
    evidence passage, each weighed by its source's credibility; cites the deciding passage.
    `method` names the model (StanceModel.method) in the verdict and its calibration."""
    if not evidence:
        return Verdict("NOT_ENOUGH_EVIDENCE", 0.9, "No passage in the library matches this claim.",
                       method=method)
    s = [float(p[0]) * e.credibility for p, e in zip(probs, evidence)]
    r = [float(p[1]) * e.credibility for p, e in zip(probs, evidence)]
    i_s = max(range(len(s)), key=s.__getitem__)
    i_r = max(range(len(r)), key=r.__getitem__)
    label = stance_label(s[i_s], r[i_r], decision or {}, apart=i_s != i_r)
    ps, pr = evidence[i_s], evidence[i_r]
    if label == "CONFLICTING":
        return Verdict(label, round(min(s[i_s], r[i_r]), 3),
                       f"Passages disagree: \"{_short(ps.text, 90)}\" ({ps.source_title}) supports it "
                       f"({s[i_s]:.2f}), \"{_short(pr.text, 90)}\" ({pr.source_title}) contradicts it "
                       f"({r[i_r]:.2f}).", passage_id=ps.passage_id, source_id=ps.source_id, method=method)
    if label == "SUPPORTED":
        return Verdict(label, round(s[i_s], 3), f"Read as supporting ({s[i_s]:.2f}): \"{_short(ps.text)}\" "
                       f"({ps.source_title}).", passage_id=ps.passage_id, source_id=ps.source_id,
                       method=method)
    if label == "REFUTED":
        return Verdict(label, round(r[i_r], 3), f"Read as contradicting ({r[i_r]:.2f}): \"{_short(pr.text)}\" "
                       f"({pr.source_title}).", passage_id=pr.passage_id, source_id=pr.source_id,
                       method=method)
    top = evidence[0]
    return Verdict(label, round(1.0 - max(s[i_s], r[i_r]), 3),
                   f"No passage clearly supports or contradicts it (best support {s[i_s]:.2f}, "
                   f"contradiction {r[i_r]:.2f}); closest: \"{_short(top.text)}\" ({top.source_title}).",
                   passage_id=top.passage_id, source_id=top.source_id, method=method)


def combine(rules: Verdict, stance: Verdict | None, mode: str = "suggest") -> Verdict:
    """The quantity rules decide when they answer (exact, with the arithmetic shown). Otherwise,
    with `mode` "suggest", the stance model's verdict; with "hint", the rules' NOT_ENOUGH_EVIDENCE
    stays the suggestion and the model's reading is added to its reason, citing its passage."""
    if stance is None or rules.label != "NOT_ENOUGH_EVIDENCE":
        return rules
    if mode == "suggest" or stance.label == "NOT_ENOUGH_EVIDENCE":
        return stance if mode == "suggest" else rules
    right = f", right {stance.probability:.0%} of the time on labelled claims" if stance.probability is not None else ""
    return Verdict("NOT_ENOUGH_EVIDENCE", rules.confidence,
                   f"{rules.rationale} Stance model (a hint, not a verdict{right}): "
                   f"{stance.label.lower().replace('_', ' ')} — {stance.rationale}",
                   passage_id=stance.passage_id, source_id=stance.source_id,
                   method=rules.method, comparisons=rules.comparisons)


def hold_back(v: Verdict, calibration, min_probability: float | None = None) -> Verdict:
    """A SUPPORTED / REFUTED / CONFLICTING suggestion with its calibrated probability; below the
    threshold (the calibration's for its method and label, or `min_probability`), NOT_ENOUGH_EVIDENCE
    with the held-back reading first in the reason. With the calibration's own thresholds (no
    `min_probability`) only the stance model's suggestions are held back; the quantity rules'
    keep their label and say their probability. A stance model the calibration does not know is
    held back; another method it does not know (a claim matched to an earlier fact-check) passes
    as it is; so does everything without a calibration."""
    if calibration is None or v.label == "NOT_ENOUGH_EVIDENCE":
        return v
    key = f"{v.method}:{v.label}"
    p = calibration.probability(key, v.confidence)
    if p is None and v.method.startswith("stance-model") and min_probability is None:
        # a stance model the calibration was not fitted for (a retrained one) has no measured
        # precision: its reading stays a hint until bench.calibrate_verdicts is run for it
        return replace(v, label="NOT_ENOUGH_EVIDENCE", rationale=f"Held back: {v.label.replace('_', ' ').lower()} "
                       f"from {v.method}, which has no calibration yet. {v.rationale}")
    if p is None:
        return v
    if min_probability is None and v.method == METHOD:
        # by default a rule's suggestion, which shows its comparison, is not held back: it carries
        # its measured probability instead (bench/RESULTS.md has why)
        return replace(v, probability=p, rationale=f"{v.rationale} Probability {p:.2f} (calibrated on labelled claims).")
    need = min_probability if min_probability is not None else calibration.threshold(key)
    if need is not None and p >= need:
        return replace(v, probability=p)
    if min_probability is not None:
        why = f"below the team's minimum of {need:.2f}"
    elif need is not None:
        why = f"below the {need:.2f} that gave {calibration.target:.0%} precision on labelled claims"
    else:
        why = f"this kind of suggestion never reached {calibration.target:.0%} precision on labelled claims"
    return replace(v, label="NOT_ENOUGH_EVIDENCE", probability=p,
                   rationale=f"Held back: {v.label.replace('_', ' ').lower()} at probability {p:.2f}, {why}. {v.rationale}")
