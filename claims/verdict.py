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
from dataclasses import dataclass, field

from claims.extract import PassageFacts
from claims.quantities import TIME_UNITS_DAYS, Quantity, describe_days
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
    {"take", "become", "assume", "start", "begin", "appoint", "elect", "name", "succeed", "arrive"},
    {"join", "accede", "admit", "enter"},
    {"found", "establish", "create", "form", "sign", "set", "launch", "open", "complete", "finish", "build",
     "release", "publish", "premiere", "debut", "introduce", "issue"},
    {"lead", "serve", "head", "spend", "hold", "run", "chair", "remain", "stay"},
    {"leave", "step", "resign", "end", "retire", "depart", "quit"},
    {"die", "kill"},
    {"bear"},
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
    if c.unit is None or e.unit is None:
        return False
    gc, ge = _group(c.unit, UNIT_GROUPS), _group(e.unit, UNIT_GROUPS)
    same_head = c.unit == e.unit or (gc is not None and gc == ge)
    return same_head and set(c.modifiers) - MODIFIER_IGNORE == set(e.modifiers) - MODIFIER_IGNORE


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
    if c.predicate and c.predicate == e.predicate and c.predicate not in ("be", "have", "do"):
        return True
    gc, ge = _group(c.predicate, PREDICATE_GROUPS), _group(e.predicate, PREDICATE_GROUPS)
    return gc is not None and gc == ge


def compatible(c: Quantity, e: Quantity, claim_entities: list[str], passage: PassageFacts) -> bool:
    """Whether an evidence quantity speaks about the same thing as a claim quantity:
    the same kind and unit, and about an entity the claim names."""
    kinds_ok = c.kind == e.kind or {c.kind, e.kind} <= {"year", "date"}
    if not kinds_ok or not _same_unit(c, e):
        return False
    if not claim_entities or not c.subject:
        return False  # without knowing what the claim's number is about, no comparison is safe
    if e.subject:
        return same_entity(c.subject, e.subject)
    return any(same_entity(c.subject, p) for p in passage.entities)


def _interval(q: Quantity) -> tuple[float, float]:
    if q.low is not None and q.high is not None:
        return q.low, q.high
    return q.value, q.value


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
        ckey, ekey = (c.date, e.date) if both_days else (int(cy), int(ey))
        bound = {"before": ekey < ckey, "after": ekey > ckey, "by": ekey <= ckey,
                 "since": ekey <= ckey}.get(c.qualifier or "")
        if bound is not None:
            return ("agree" if bound else "disagree"), f"{e.text} is {'' if bound else 'not '}{c.qualifier} {c.text}"
        same = ckey == ekey
        if both_days:
            return ("agree" if same else "disagree"), f"{e.text} {'is' if same else 'is not'} {c.text}"
        return ("agree" if same else "disagree"), f"{int(ey)} {'=' if same else '≠'} {int(cy)}"
    if c.value is None or e.value is None:
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
        tol = 0.5 if c.kind == "percent" and c.qualifier is None else 0.0
        # the evidence settles the claim only when its range lies inside the claim's (agree) or
        # outside it (disagree); "over 2.3 million" neither confirms nor refutes "more than 3 million"
        if clo - tol <= elo and ehi <= chi + tol:
            return "agree", f"{said(e)} matches {said(c)}"
        if ehi < clo - tol or elo > chi + tol:
            return "disagree", f"{said(e)} differs from {said(c)}"
        return None
    return None


def _quote(passage: PassageFacts, q: Quantity, limit: int = 160) -> str:
    sent = next((s for s in split_sentences(passage.text) if s.start <= q.start < s.end + 1), None)
    text = sent.text if sent else passage.text
    if len(text) > limit:
        rel = q.start - (sent.start if sent else 0)
        lo = max(0, min(rel - limit // 2, len(text) - limit))
        text = ("…" if lo else "") + text[lo:lo + limit].strip() + "…"
    return text.replace("\n", " ")


def suggest(claim_text: str, claim_quantities: list[Quantity], claim_entities: list[str],
            evidence: list[PassageFacts]) -> Verdict:
    """The suggested verdict for one claim from its evidence passages (best first)."""
    if not evidence:
        return Verdict("NOT_ENOUGH_EVIDENCE", 0.9, "No passage in the library matches this claim.")
    comparisons: list[Comparison] = []
    for p in evidence:
        for c in claim_quantities:
            found = []
            for e in p.quantities:
                if not compatible(c, e, claim_entities, p):
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
                if outcome == "disagree" and c.kind in ("year", "date") and not _unique_event(c):
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
    if not comparisons:
        return Verdict("NOT_ENOUGH_EVIDENCE", 0.5,
                       f"No passage states a comparable number or date; closest: \"{_short(top.text)}\" "
                       f"({top.source_title}).", passage_id=top.passage_id, source_id=top.source_id)
    per_q: dict[int, dict[str, list[Comparison]]] = {}
    for cmp in comparisons:
        per_q.setdefault(id(cmp.claim_q), {"agree": [], "disagree": []})[cmp.outcome].append(cmp)
    conflicting, refuting, supporting = [], [], []
    for outcomes in per_q.values():
        agree, disagree = outcomes["agree"], outcomes["disagree"]
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
    a = supporting[0]
    share = len(supporting) / max(1, len(claim_quantities))
    return Verdict("SUPPORTED", round((0.6 + 0.3 * share) * a.passage.credibility, 3),
                   f"Claim says \"{said(a.claim_q)}\"; \"{_quote(a.passage, a.evidence_q)}\" "
                   f"({a.passage.source_title}): {a.detail}.",
                   passage_id=a.passage.passage_id, source_id=a.passage.source_id, comparisons=comparisons)


def _short(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


STANCE_METHOD = "stance-model-v1"
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


def aggregate_stance(evidence: list[PassageFacts], probs, decision: dict | None = None) -> Verdict:
    """A claim verdict from the stance model's (supports, refutes, unrelated) probabilities for each
    evidence passage, each weighed by its source's credibility; cites the deciding passage."""
    if not evidence:
        return Verdict("NOT_ENOUGH_EVIDENCE", 0.9, "No passage in the library matches this claim.",
                       method=STANCE_METHOD)
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
                       f"({r[i_r]:.2f}).", passage_id=ps.passage_id, source_id=ps.source_id, method=STANCE_METHOD)
    if label == "SUPPORTED":
        return Verdict(label, round(s[i_s], 3), f"Read as supporting ({s[i_s]:.2f}): \"{_short(ps.text)}\" "
                       f"({ps.source_title}).", passage_id=ps.passage_id, source_id=ps.source_id,
                       method=STANCE_METHOD)
    if label == "REFUTED":
        return Verdict(label, round(r[i_r], 3), f"Read as contradicting ({r[i_r]:.2f}): \"{_short(pr.text)}\" "
                       f"({pr.source_title}).", passage_id=pr.passage_id, source_id=pr.source_id,
                       method=STANCE_METHOD)
    top = evidence[0]
    return Verdict(label, round(1.0 - max(s[i_s], r[i_r]), 3),
                   f"No passage clearly supports or contradicts it (best support {s[i_s]:.2f}, "
                   f"contradiction {r[i_r]:.2f}); closest: \"{_short(top.text)}\" ({top.source_title}).",
                   passage_id=top.passage_id, source_id=top.source_id, method=STANCE_METHOD)


def combine(rules: Verdict, stance: Verdict | None, mode: str = "suggest") -> Verdict:
    """The quantity rules decide when they answer (exact, with the arithmetic shown). Otherwise,
    with `mode` "suggest", the stance model's verdict; with "hint", the rules' NOT_ENOUGH_EVIDENCE
    stays the suggestion and the model's reading is added to its reason, citing its passage."""
    if stance is None or rules.label != "NOT_ENOUGH_EVIDENCE":
        return rules
    if mode == "suggest" or stance.label == "NOT_ENOUGH_EVIDENCE":
        return stance if mode == "suggest" else rules
    return Verdict("NOT_ENOUGH_EVIDENCE", rules.confidence,
                   f"{rules.rationale} Stance model (a hint, not a verdict): {stance.label.lower().replace('_', ' ')} "
                   f"— {stance.rationale}", passage_id=stance.passage_id, source_id=stance.source_id,
                   method=rules.method, comparisons=rules.comparisons)
