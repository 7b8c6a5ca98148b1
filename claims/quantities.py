"""Parse numbers, ordinals, durations, years, dates and date ranges out of text.

Pure functions over strings: no model, no I/O. `parse_quantities(text)` returns
`Quantity` objects with character offsets into `text`; `attach_context` adds the
entity each quantity is about when the caller has entity spans (from spaCy).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import asdict, dataclass, field

__all__ = ["Quantity", "parse_quantities", "parse_number_words", "singular", "attach_context", "resolve_relative"]

UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
TENS_WORDS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
SCALE_WORDS = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
               "trillion": 1_000_000_000_000}
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
    "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90, "hundredth": 100,
}
FRACTION_WORDS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
                  "fourth": 4, "fourths": 4, "fifth": 5, "fifths": 5, "tenth": 10, "tenths": 10}
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
TIME_UNITS_DAYS = {"day": 1.0, "week": 7.0, "month": 30.436875, "year": 365.2425,
                   "decade": 3652.425, "century": 36524.25}
CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
CURRENCY_WORDS = {"dollar": "USD", "euro": "EUR", "pound": "GBP", "yen": "JPY"}
QUALIFIERS = {
    "about": "approx", "around": "approx", "approximately": "approx", "roughly": "approx",
    "some": "approx", "almost exactly": "approx", "an estimated": "approx", "estimated": "approx",
    "nearly": "nearly", "almost": "nearly", "just under": "nearly", "a little under": "nearly",
    "little under": "nearly", "close to": "nearly", "just shy of": "nearly",
    "just over": "justover", "a little over": "justover", "little over": "justover",
    "slightly more than": "justover", "slightly over": "justover",
    "over": "over", "more than": "over", "well over": "over", "greater than": "over", "above": "over",
    "upwards of": "over", "in excess of": "over", "exceeding": "over",
    "under": "under", "less than": "under", "fewer than": "under", "below": "under", "lower than": "under",
    "higher than": "over",
    "at least": "atleast", "no fewer than": "atleast", "no less than": "atleast",
    "up to": "atmost", "at most": "atmost", "no more than": "atmost",
}
# only in front of a year or a date ("by 12 countries" is no bound)
TIME_QUALIFIERS = {"since": "since", "before": "before", "after": "after", "by": "by", "until": "by",
                   "prior to": "before", "earlier than": "before", "later than": "after"}
DETERMINERS = {"the", "a", "an", "its", "his", "her", "their", "our", "your", "my", "this", "that", "whose"}
STOP_UNIT = {
    "and", "or", "of", "in", "on", "at", "to", "the", "a", "an", "is", "are", "was", "were",
    "has", "have", "had", "since", "for", "by", "with", "from", "who", "which", "that", "per",
    "than", "as", "it", "its", "their", "his", "her", "be", "been", "will", "would", "could",
    "after", "before", "later", "ago", "earlier", "when", "while", "into", "out", "up", "so",
    "but", "not", "this", "these", "those", "there", "he", "she", "they", "we", "old",
    "today", "now", "yesterday", "tomorrow", "then", "each", "apiece", "altogether", "overall",
    "already", "still", "yet", "again", "instead", "too", "also", "even", "only", "just",
    "all", "against", "between", "through", "across", "along", "over", "under", "about", "around",
    "towards", "toward", "beyond", "during", "without", "within", "via", "near",
}
# Words that follow a measure without being its unit: "16 kilometres long", "ten points clear"
AFTER_UNIT = {"long", "high", "tall", "wide", "deep", "thick", "clear", "ahead", "behind", "above", "below",
              "away", "apart", "across", "across", "overall", "in", "more", "less", "fewer"}
# units of measure end a unit phrase: "82 kilometres Colón" is never a "Colón" of kilometres
MEASURE_WORDS = {"metre", "meter", "kilometre", "kilometer", "centimetre", "millimetre", "mile", "foot", "feet",
                 "yard", "inch", "kilogram", "gram", "tonne", "litre", "liter", "gallon", "hectare", "acre"}
PRECISION_DAYS = {"day": 0.0, "month": 31.0, "year": 366.0}

# Digits are tested with str.isdecimal(), never isdigit(): isdigit() is also true for "²" and "①",
# which int() rejects, so one footnote mark ("² October 2024") crashed every check (issue #13).

_TOKEN = re.compile(
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:st|nd|rd|th)?"   # 1,280 / 1,000,000
    r"|\d+(?:\.\d+)?(?:st|nd|rd|th|s)?"                 # 32 / 13th / 2.5 / 1990s
    r"|[A-Za-z]+(?:'s|’s)?"
    r"|[%$€£¥]|[-–—]|\S"
)


@dataclass
class Quantity:
    """One number in a text, with what kind of quantity it is and where it stands."""

    kind: str                      # count, ordinal, duration, year, date, percent, money, fraction, number,
                                   # relative (signed days from the time of writing: "last week" = -7)
    value: float | None
    text: str
    start: int
    end: int
    unit: str | None = None        # head noun, singular: "member", "year", "USD"
    modifiers: tuple[str, ...] = ()  # words between the number and its noun: ("founding",)
    qualifier: str | None = None   # approx, nearly, justover, over, under, atleast, atmost;
                                   # for years and dates: since, before, after, by
    date: str | None = None        # ISO date for kind == "date"
    precision: str | None = None   # day, month or year for dates
    low: float | None = None       # bounds of what the text allows (durations in days)
    high: float | None = None
    derived: bool = False          # a duration computed from a date range
    subject: str | None = None     # the entity the quantity is about
    predicate: str | None = None   # the verb it hangs from
    about: str | None = None       # the head noun of what it is said of, when that is no entity:
                                   # "span" for "the bridge's main span is 490 metres"

    def to_dict(self) -> dict:
        """Plain JSON-ready dict."""
        d = asdict(self)
        d["modifiers"] = list(self.modifiers)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Quantity":
        """Inverse of `to_dict`."""
        d = dict(d)
        d["modifiers"] = tuple(d.get("modifiers") or ())
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})

    def describe(self) -> str:
        """Human-readable value, as a rationale shows it."""
        if self.kind == "duration":
            return describe_days(self.value) if self.derived else self.text
        if self.kind == "date" and self.date:
            return self.text
        return self.text


@dataclass
class _Tok:
    text: str
    start: int
    end: int
    low: str = field(init=False)

    def __post_init__(self):
        self.low = self.text.lower().replace("’", "'")


def singular(word: str) -> str:
    """Crude English singular for unit nouns: members -> member, countries -> country."""
    w = word.lower()
    if w.endswith("'s"):
        w = w[:-2]
    irregular = {"people": "person", "men": "man", "women": "woman", "children": "child",
                 "centuries": "century", "feet": "foot", "staff": "staff", "series": "series",
                 "news": "news", "species": "species"}
    if w in irregular:
        return irregular[w]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def parse_number_words(words: list[str]) -> tuple[float, int] | None:
    """Value of a run of number words ("thirty", "two") and how many words it used."""
    total, current, used = 0.0, 0.0, 0
    seen = False
    last = None  # the kind of the previous word: "one five" is two numbers, not six
    for w in words:
        parts = w.lower().split("-")
        if len(parts) == 2 and parts[0] in TENS_WORDS and parts[1] in UNITS_WORDS:
            if last in ("unit", "tens"):
                break
            current += TENS_WORDS[parts[0]] + UNITS_WORDS[parts[1]]
            last = "unit"
        elif w in UNITS_WORDS:
            if last == "unit" or (last == "tens" and UNITS_WORDS[w] >= 10):
                break
            current += UNITS_WORDS[w]
            last = "unit"
        elif w in TENS_WORDS:
            if last in ("unit", "tens"):
                break
            current += TENS_WORDS[w]
            last = "tens"
        elif w in SCALE_WORDS and seen:
            scale = SCALE_WORDS[w]
            if scale == 100:
                current *= 100
            else:
                total += current * scale
                current = 0
            last = "scale"
        elif w == "and" and seen and used + 1 < len(words) and words[used + 1] in (
                *UNITS_WORDS, *TENS_WORDS) and total + current >= 100:
            used += 1
            continue
        else:
            break
        seen = True
        used += 1
    if not seen:
        return None
    return total + current, used


def _digits(text: str) -> float | None:
    t = text.replace(",", "")
    t = re.sub(r"(st|nd|rd|th|s)$", "", t)
    try:
        return float(t)
    except ValueError:
        return None


def _tokens(text: str) -> list[_Tok]:
    return [_Tok(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _is_year(v: float, raw: str) -> bool:
    return raw.isdecimal() and len(raw) == 4 and 1000 <= v <= 2199


def _valid_date(y: int, m: int, d: int) -> bool:
    try:
        dt.date(y, m, d)
        return True
    except ValueError:
        return False


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokens(text)
        self.out: list[Quantity] = []
        self.used: set[int] = set()

    # --- helpers -------------------------------------------------------
    def low(self, i: int) -> str:
        return self.toks[i].low if 0 <= i < len(self.toks) else ""

    def span(self, i: int, j: int) -> tuple[str, int, int]:
        s, e = self.toks[i].start, self.toks[j - 1].end
        return self.text[s:e], s, e

    def emit(self, i: int, j: int, kind: str, value, **kw) -> Quantity:
        text, s, e = self.span(i, j)
        q = Quantity(kind=kind, value=value, text=text, start=s, end=e, **kw)
        self.out.append(q)
        self.used.update(range(i, j))
        return q

    def qualifier_before(self, i: int, table: dict[str, str] = QUALIFIERS) -> str | None:
        for n in (3, 2, 1):
            if i - n < 0:
                continue
            phrase = " ".join(self.low(k) for k in range(i - n, i))
            if phrase in table:
                return table[phrase]
        return None

    def time_qualifier_before(self, i: int) -> str | None:
        """"before 1998", "since 2014", "by 2035" (skipping a preposition: "before in 1998" is rare)."""
        got = self.qualifier_before(i, TIME_QUALIFIERS)
        if got is None and self.low(i - 1) in ("in", "on", "of"):
            got = self.qualifier_before(i - 1, TIME_QUALIFIERS)
        return got

    def number_at(self, i: int) -> tuple[float, int, str] | None:
        """(value, tokens used, raw first token) for a cardinal starting at token i."""
        t = self.toks[i]
        if t.low == "single" and self.low(i - 1) == "a" and self.low(i + 1) not in ("-", "–") and \
                self.unit_after(i + 1)[0] not in (None, *UNITS_WORDS):
            return 1.0, 1, t.text  # "served a single term": one term
        if t.low[0].isdecimal():
            if re.search(r"(st|nd|rd|th)$", t.low) or re.fullmatch(r"\d{4}s", t.low):
                return None
            v = _digits(t.low)
            if v is None:
                return None
            used = 1
            nxt = self.low(i + 1)
            if nxt in SCALE_WORDS and nxt != "hundred":
                v *= SCALE_WORDS[nxt]
                used = 2
            elif nxt in ("bn",):
                v *= 1e9
                used = 2
            elif nxt in ("m",) and self.low(i - 1) in CURRENCY_SYMBOLS:
                v *= 1e6
                used = 2
            return v, used, t.text
        if t.text[:1].isupper() and i > 0 and self.low(i - 1) not in (".", "!", "?", '"', "“", "(", ":", "—"):
            return None  # "Twenty-One Pilots": a number word inside a name
        words = []
        k = i
        while k < len(self.toks) and len(words) < 8:
            w = self.low(k)
            if w == "-" and words and k + 1 < len(self.toks):
                # "thirty - two" written with spaces is rare; the tokenizer splits "thirty-two"
                combined = words[-1] + "-" + self.low(k + 1)
                if parse_number_words([combined]) and words[-1] in TENS_WORDS:
                    words[-1] = combined
                    k += 2
                    continue
                break
            if w in UNITS_WORDS or w in TENS_WORDS or w in SCALE_WORDS or w == "and":
                words.append(w)
                k += 1
                continue
            break
        if not words:
            return None
        parsed = parse_number_words(words)
        if not parsed:
            return None
        value, nwords = parsed
        # map words consumed back onto tokens (hyphen pairs took three tokens)
        consumed, k = 0, i
        while consumed < nwords:
            if self.low(k + 1) == "-" and self.low(k) in TENS_WORDS and self.low(k + 2) in UNITS_WORDS:
                k += 3
            else:
                k += 1
            consumed += 1
        if value == 1 and nwords == 1 and self.low(i) == "one":
            # "one of the", "one day": only a number when a unit follows
            if self.low(k) == "of" or self.low(k) in ("another", "way"):
                return None
        return value, k - i, self.toks[i].text

    def unit_after(self, j: int) -> tuple[str | None, tuple[str, ...], int]:
        """Noun (and modifiers) right after a number ending at token j."""
        k = j
        if self.low(k) in ("-", "–") and k + 1 < len(self.toks) and \
                self.toks[k].start == self.toks[k - 1].end and self.toks[k + 1].start == self.toks[k].end:
            # "32-nation", "1000-day": the compound's noun is the unit
            w = self.low(k + 1)
            if re.fullmatch(r"[a-z]+", w):
                return singular(w), (), k + 2
        if self.low(k) in ("-", "–"):
            k += 1
        words: list[str] = []
        while k < len(self.toks) and len(words) < 3:
            w = self.low(k)
            if not re.fullmatch(r"[a-z]+(?:'s)?", w) or w in STOP_UNIT or w in MONTHS or w in AFTER_UNIT:
                break
            if words and (w.endswith("ed") or w.endswith("ly")) and singular(w) not in TIME_UNITS_DAYS:
                break
            words.append(singular(w))
            k += 1
            if w.endswith("'s"):
                break
            # "secretary-general": keep a hyphenated noun together
            if self.low(k) == "-" and re.fullmatch(r"[a-z]+", self.low(k + 1)) and \
                    self.toks[k].start == self.toks[k - 1].end:
                words[-1] = words[-1] + "-" + singular(self.low(k + 1))
                k += 2
            if words[-1] in TIME_UNITS_DAYS or words[-1] in CURRENCY_WORDS or words[-1] in MEASURE_WORDS:
                break
            if (w.endswith("s") and singular(w) != w and not w.endswith("ss")) or \
                    w.endswith(("children", "people", "men", "women")):
                break  # a plural ends an English noun phrase: "two pylons stand 204 metres high"
            nxt = self.low(k)
            if nxt in STOP_UNIT or not re.fullmatch(r"[a-z]+(?:'s)?", nxt):
                break
        if not words:
            return None, (), j
        return words[-1], tuple(words[:-1]), k

    # --- passes --------------------------------------------------------
    def parse(self) -> list[Quantity]:
        self.dates()
        self.ranges()
        self.relative()
        i = 0
        while i < len(self.toks):
            if i in self.used:
                i += 1
                continue
            i = self.one(i)
        self.durations_merge()
        return sorted(self.out, key=lambda q: (q.start, -q.end))

    def _date_at(self, i: int) -> tuple[str, str, int] | None:
        """(iso, precision, tokens used) for a date starting at token i."""
        a, b, c = self.low(i), self.low(i + 1), self.low(i + 2)
        a_ord = re.sub(r"(st|nd|rd|th)$", "", a)
        # 1 October 1971
        if a_ord.isdecimal() and b in MONTHS and c.isdecimal() and len(c) == 4:
            y, m, d = int(c), MONTHS[b], int(a_ord)
            if _valid_date(y, m, d):
                return f"{y:04d}-{m:02d}-{d:02d}", "day", 3
        # October 1, 1971 / October 1 1971
        if a in MONTHS and b.rstrip("stndrh").isdecimal():
            d = int(re.sub(r"(st|nd|rd|th)$", "", b)) if re.fullmatch(r"\d{1,2}(st|nd|rd|th)?", b) else None
            k = i + 2
            if self.low(k) == ",":
                k += 1
            y = self.low(k)
            if d and y.isdecimal() and len(y) == 4 and _valid_date(int(y), MONTHS[a], d):
                return f"{int(y):04d}-{MONTHS[a]:02d}-{d:02d}", "day", k + 1 - i
        # October 1971
        if a in MONTHS and len(a) > 2 and b.isdecimal() and len(b) == 4 and 1000 <= int(b) <= 2199:
            return f"{int(b):04d}-{MONTHS[a]:02d}-01", "month", 2
        # 2024-03-07
        if re.fullmatch(r"\d{4}", a) and b == "-" and re.fullmatch(r"\d{2}", c) and \
                self.low(i + 3) == "-" and re.fullmatch(r"\d{2}", self.low(i + 4)):
            y, m, d = int(a), int(c), int(self.low(i + 4))
            if _valid_date(y, m, d):
                return f"{y:04d}-{m:02d}-{d:02d}", "day", 5
        return None

    def dates(self) -> None:
        i = 0
        while i < len(self.toks):
            got = self._date_at(i)
            if got:
                iso, precision, n = got
                self.emit(i, i + n, "date", None, date=iso, precision=precision,
                          qualifier=self.time_qualifier_before(i))
                i += n
            else:
                i += 1

    def _point_at(self, i: int) -> tuple[dt.date, str, int] | None:
        """A date or a bare year starting at token i (for ranges)."""
        if i >= len(self.toks):
            return None  # "signed on 1 October 2024 –" at the end of a passage
        for q in self.out:
            if q.kind == "date" and q.start == self.toks[i].start:
                n = sum(1 for t in self.toks if q.start <= t.start < q.end)
                return dt.date.fromisoformat(q.date), q.precision, n
        t = self.low(i)
        if t.isdecimal() and len(t) == 4 and 1000 <= int(t) <= 2199:
            return dt.date(int(t), 1, 1), "year", 1
        return None

    def ranges(self) -> None:
        """Date ranges ("from X to Y", "between X and Y", "1971-1984") become durations."""
        i = 0
        while i < len(self.toks):
            w = self.low(i)
            start_tok = i
            if w in ("from", "between"):
                i += 1
            a = self._point_at(i) if i < len(self.toks) else None
            if not a:
                i = start_tok + 1
                continue
            d1, p1, n1 = a
            k = i + n1
            sep = self.low(k)
            if (w == "from" and sep in ("to", "until", "till", "through")) or \
                    (w == "between" and sep == "and") or (sep in ("-", "–", "—") and w not in ("from", "between")):
                b = self._point_at(k + 1)
                if b:
                    d2, p2, n2 = b
                    if p1 == "year" and p2 != "year":
                        d1 = dt.date(d1.year, 1, 1)
                    if d2 > d1:
                        end = k + 1 + n2
                        days = float((d2 - d1).days)
                        slack = max(PRECISION_DAYS[p1], PRECISION_DAYS[p2])
                        for idx, (d, p, n) in ((i, a), (k + 1, b)):
                            if p == "year" and not any(q.start == self.toks[idx].start for q in self.out):
                                self.emit(idx, idx + 1, "year", float(d.year))
                        text, s, e = self.span(start_tok, end)
                        self.out.append(Quantity(
                            kind="duration", value=days, text=text, start=s, end=e, unit="day",
                            low=max(0.0, days - slack), high=days + slack, derived=True))
                        self.used.update(range(start_tok, end))
                        i = end
                        continue
            i = start_tok + 1

    def relative(self) -> None:
        """Relative times: "last week", "next year", "three years ago", "yesterday" (signed days)."""
        days_of = {"yesterday": -1.0, "today": 0.0, "tomorrow": 1.0}
        i = 0
        while i < len(self.toks):
            w = self.low(i)
            if i in self.used:
                i += 1
                continue
            if w in days_of:
                self.emit(i, i + 1, "relative", days_of[w], unit="day")
            elif w in ("last", "next", "this", "past") and singular(self.low(i + 1)) in TIME_UNITS_DAYS \
                    and not self.low(i + 1).endswith("s"):
                sign = {"last": -1, "past": -1, "next": 1, "this": 0}[w]
                self.emit(i, i + 2, "relative", sign * TIME_UNITS_DAYS[singular(self.low(i + 1))], unit="day")
                i += 2
                continue
            else:
                num = self.number_at(i) if (w[:1].isdecimal() or w in UNITS_WORDS or w in TENS_WORDS) else None
                if num:
                    v, n, _ = num
                    unit = singular(self.low(i + n))
                    if unit in TIME_UNITS_DAYS and self.low(i + n + 1) == "ago":
                        self.emit(i, i + n + 2, "relative", -v * TIME_UNITS_DAYS[unit], unit="day")
                        i += n + 2
                        continue
            i += 1

    def one(self, i: int) -> int:
        t = self.toks[i]
        lw = t.low
        qual = self.qualifier_before(i)
        # ordinals: 13th, thirteenth, thirty-second
        m = re.fullmatch(r"(\d+)(st|nd|rd|th)", lw)
        ordv = int(m.group(1)) if m else ORDINAL_WORDS.get(lw)
        n_ord = 1
        if ordv is None and lw in TENS_WORDS and self.low(i + 1) == "-" and self.low(i + 2) in ORDINAL_WORDS:
            ordv = TENS_WORDS[lw] + ORDINAL_WORDS[self.low(i + 2)]
            n_ord = 3
        if ordv is not None and not m and not (self.low(i - 1) in DETERMINERS or self.low(i - 1).endswith("'s")):
            ordv = None  # "was first released": an adverb, not a rank
        if ordv is not None:
            if lw in FRACTION_WORDS and self.low(i - 1) == "a" and self.low(i + 1) == "of":
                # "a third of the members"
                self.emit(i - 1, i + 1, "fraction", 1 / FRACTION_WORDS[lw], qualifier=self.qualifier_before(i - 1))
                return i + 1
            unit, mods, end = self.unit_after(i + n_ord)
            if m or lw != "second" or unit:  # "a second" alone is time, not an ordinal
                self.emit(i, i + n_ord, "ordinal", float(ordv), unit=unit, modifiers=mods)
                return i + n_ord
        # currency symbol before a number
        currency = CURRENCY_SYMBOLS.get(lw)
        if currency:
            num = self.number_at(i + 1) if i + 1 < len(self.toks) else None
            if num:
                v, n, _ = num
                q = self.qualifier_before(i)
                low, high = _bounds(v, q, rounding=0.0)
                self.emit(i, i + 1 + n, "money", v, unit=currency, qualifier=q, low=low, high=high)
                return i + 1 + n
            return i + 1
        # decades: the 1990s
        if re.fullmatch(r"\d{4}s", lw):
            self.emit(i, i + 1, "year", float(lw[:4]), precision="decade", qualifier=self.time_qualifier_before(i))
            return i + 1
        # fractions: two-thirds, one third, half of
        if lw in UNITS_WORDS and self.low(i + 1) in ("-", "") and self.low(i + 2) in FRACTION_WORDS:
            self.emit(i, i + 3, "fraction", UNITS_WORDS[lw] / FRACTION_WORDS[self.low(i + 2)], qualifier=qual)
            return i + 3
        if lw in UNITS_WORDS and self.low(i + 1) in FRACTION_WORDS and self.low(i + 1) not in ("second",) \
                and (self.low(i + 1).endswith("s") or lw == "one"):
            self.emit(i, i + 2, "fraction", UNITS_WORDS[lw] / FRACTION_WORDS[self.low(i + 1)], qualifier=qual)
            return i + 2
        if lw == "half" and self.low(i + 1) == "of":
            self.emit(i, i + 1, "fraction", 0.5, qualifier=qual)
            return i + 1
        if lw[:1].isdecimal() and i > 0 and self.toks[i - 1].end == t.start and (
                self.toks[i - 1].text[-1:].isalpha() or (self.low(i - 1) == "-" and i > 1 and
                                                         self.toks[i - 2].end == self.toks[i - 1].start and
                                                         self.toks[i - 2].text[-1:].isalpha())):
            return i + 1  # "COVID-19", "G7", "SARS-CoV-2": part of a name, not a quantity
        num = self.number_at(i)
        if not num:
            return i + 1
        value, n, raw = num
        j = i + n
        # a numeric range: "36–70%", "1.5 to 4.5 degrees", "between 75% and 90%"
        sep = self.low(j)
        if sep in ("%", "percent"):
            sep_at = j + 1
            sep = self.low(sep_at)
        else:
            sep_at = j
        if (sep in ("-", "–", "to") or (sep == "and" and self.low(i - 1) == "between")) and \
                not _is_year(value, raw) and sep_at + 1 < len(self.toks):
            other = self.number_at(sep_at + 1)
            if other and other[0] > value:
                k = sep_at + 1 + other[1]
                unit_tok = self.low(k)
                if unit_tok in ("%", "percent") or self.low(j) in ("%", "percent"):
                    end = k + 1 if unit_tok in ("%", "percent") else k
                    self.emit(i, end, "percent", other[0], unit="percent", low=value, high=other[0])
                    return end
                unit, mods, end = self.unit_after(k)
                if unit in TIME_UNITS_DAYS:
                    d = TIME_UNITS_DAYS[unit]
                    self.emit(i, end, "duration", other[0] * d, unit=unit, modifiers=mods, low=value * d,
                              high=other[0] * d)
                    return end
                kind = "count" if unit else "number"
                self.emit(i, end if unit else k, kind, other[0], unit=unit, modifiers=mods, low=value,
                          high=other[0])
                return end if unit else k
        nxt = self.low(j)
        if nxt == "%" or nxt == "percent" or (nxt == "per" and self.low(j + 1) == "cent"):
            end = j + (2 if nxt == "per" else 1)
            low, high = _bounds(value, qual, rounding=0.0)
            self.emit(i, end, "percent", value, unit="percent", qualifier=qual, low=low, high=high)
            return end
        if nxt == "percentage" and self.low(j + 1) == "points":
            self.emit(i, j + 2, "percent", value, unit="percentage point", qualifier=qual)
            return j + 2
        if _is_year(value, raw) and n == 1:
            unit, mods, end = self.unit_after(j)
            prev = self.low(i - 1)
            yearish_prev = prev in ("in", "since", "by", "from", "until", "of", "to", "year", "before",
                                    "after", "during", "early", "late", "mid", "around", "(", ",", "")
            # a season: "the 2015–16 season", "2019/20" (the second year in two digits); one year
            # as written, not a year and a count of 16 seasons
            if self.low(j) in ("–", "-", "/") and j + 1 < len(self.toks) and \
                    re.fullmatch(r"\d{2}", self.toks[j + 1].text) and \
                    int(self.toks[j + 1].text) == (int(value) + 1) % 100:
                self.emit(i, j + 2, "year", value, precision="year", qualifier=self.time_qualifier_before(i))
                return j + 2
            if unit is None or yearish_prev:
                self.emit(i, j, "year", value, precision="year", qualifier=self.time_qualifier_before(i))
                return j
        unit, mods, end = self.unit_after(j)
        if unit in CURRENCY_WORDS:
            low, high = _bounds(value, qual, rounding=0.0)
            self.emit(i, end, "money", value, unit=CURRENCY_WORDS[unit], qualifier=qual, low=low, high=high)
            return end
        if unit in TIME_UNITS_DAYS:
            days = value * TIME_UNITS_DAYS[unit]
            low, high = _bounds(days, qual, rounding=TIME_UNITS_DAYS[unit])
            self.emit(i, end, "duration", days, unit=unit, modifiers=mods, qualifier=qual, low=low, high=high)
            return end
        kind = "count" if unit else "number"
        low, high = _bounds(value, qual, rounding=0.0)
        self.emit(i, end if unit else j, kind, value, unit=unit, modifiers=mods, qualifier=qual,
                  low=low, high=high)
        return end if unit else j

    def durations_merge(self) -> None:
        """"12 years and 9 months" is one duration."""
        durs = sorted((q for q in self.out if q.kind == "duration" and not q.derived), key=lambda q: q.start)
        for a, b in zip(durs, durs[1:]):
            between = self.text[a.end:b.start].strip().lower()
            if between in ("and", ",", ", and") and TIME_UNITS_DAYS.get(b.unit, 0) < TIME_UNITS_DAYS.get(a.unit, 0) \
                    and a in self.out and b in self.out:
                merged = Quantity(kind="duration", value=a.value + b.value, text=self.text[a.start:b.end],
                                  start=a.start, end=b.end, unit=b.unit, qualifier=a.qualifier)
                merged.low, merged.high = _bounds(merged.value, a.qualifier, rounding=TIME_UNITS_DAYS[b.unit])
                self.out.remove(a)
                self.out.remove(b)
                self.out.append(merged)


def _bounds(value: float, qualifier: str | None, rounding: float) -> tuple[float, float]:
    """The interval a stated value allows, by how people round and hedge.

    `rounding` is the size of the stated unit (a year for "12 years"): a whole
    number of units is consistent with anything up to one unit more ("12 years"
    for 12 years 8 months) because people round durations down. "More than" and
    "less than" are strict and open-ended; "nearly" and "just over" stay close.
    """
    eps = 1e-9 * max(1.0, abs(value))
    if qualifier == "approx":
        slack = max(abs(value) * 0.1, rounding)
        return value - slack, value + slack
    if qualifier == "nearly":
        return value - abs(value) * 0.1, value
    if qualifier == "justover":
        return value, value + max(abs(value) * 0.1, rounding)
    if qualifier == "over":
        return value + eps, float("inf")
    if qualifier == "under":
        return float("-inf"), value - eps
    if qualifier == "atleast":
        return value, float("inf")
    if qualifier == "atmost":
        return float("-inf"), value
    if rounding:
        return value, value + rounding
    return value, value


def describe_days(days: float | None) -> str:
    """A duration in days as "12 years 8 months" (or days when short)."""
    if days is None:
        return "?"
    if days < 62:
        return f"{int(round(days))} days"
    years = int(days // TIME_UNITS_DAYS["year"])
    months = int((days - years * TIME_UNITS_DAYS["year"]) // TIME_UNITS_DAYS["month"])
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if months:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " ".join(parts) or f"{int(round(days))} days"


def parse_quantities(text: str) -> list[Quantity]:
    """Every quantity in `text`, in reading order, with offsets into `text`."""
    if not text or not text.strip():
        return []
    return _Parser(text).parse()


def attach_context(quantities: list[Quantity], entities: list[tuple[int, int, str]],
                   predicates: dict[int, str] | None = None) -> list[Quantity]:
    """Set each quantity's subject: the nearest entity before it in the same text (a sentence;
    never one after it, which is what the next clause is about).

    `entities` are (start, end, text) spans in the same text; `predicates` maps a
    character offset to the lemma of the verb governing the token there.
    """
    ents = sorted(entities)
    for q in quantities:
        before = [e for e in ents if e[1] <= q.start and not (e[0] >= q.start and e[1] <= q.end)]
        if before:
            q.subject = before[-1][2]
        if predicates:
            q.predicate = predicates.get(q.start)
    return quantities


def resolve_relative(quantities: list[Quantity], text: str, on: str | None) -> list[Quantity]:
    """Times told from the day of writing, as dates, given that day (`on`, ISO): "yesterday" (a day),
    "last month" (a month), "last year", "three years ago" (a year), "in the last two years" (after a
    day). "Today" and "now" stay as they are: they say the claim holds when written, not when
    something happened. Without `on`, or for anything else, the quantities are returned unchanged."""
    import datetime

    if not on:
        return quantities
    try:
        day = datetime.date.fromisoformat(on[:10])
    except ValueError:
        return quantities
    out = []
    for q in quantities:
        try:
            out.append(_resolved(q, text, day))
        except (OverflowError, ValueError):  # "the past 125,000 years": no calendar date; left as it is
            out.append(q)
    return out


def _resolved(q: Quantity, text: str, day) -> Quantity:
    """One quantity of `resolve_relative`, as a date where it is a time told from `day`."""
    import datetime
    import re as _re

    new = None
    if q.kind == "relative" and q.value:
        days = q.value
        if abs(days) < 7:
            d = day + datetime.timedelta(days=days)
            new = dict(kind="date", date=d.isoformat(), precision="day", value=None)
        elif abs(abs(days) - TIME_UNITS_DAYS["month"]) < 1:
            m = day.month - 1 + (1 if days > 0 else -1)
            y, m = day.year + m // 12, m % 12 + 1
            new = dict(kind="date", date=f"{y:04d}-{m:02d}-01", precision="month", value=None)
        elif abs(days) >= 365 and abs(days / TIME_UNITS_DAYS["year"] - round(days / TIME_UNITS_DAYS["year"])) < 0.01:
            new = dict(kind="year", value=float(day.year + round(days / TIME_UNITS_DAYS["year"])), precision="year")
    elif q.kind == "duration" and q.value and _re.search(r"\b(?:last|past)\s+$", text[:q.start].lower()):
        since = day - datetime.timedelta(days=round(q.value))
        new = dict(kind="date", date=since.isoformat(), precision="day", value=None, qualifier="after",
                   text=f"after {since.isoformat()} ({q.text} before {day.isoformat()})", low=None, high=None)
    if new is None:
        return q
    fields = {**q.__dict__, **new}
    if "text" not in new:
        fields["text"] = f"{q.text} ({fields['date'] or int(fields['value'])})"
    return Quantity(**fields)
