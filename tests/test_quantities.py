import pytest

from claims.quantities import Quantity, attach_context, describe_days, parse_number_words, parse_quantities, singular

YEAR = 365.2425


def first(text, kind=None):
    qs = [q for q in parse_quantities(text) if kind is None or q.kind == kind]
    assert qs, f"nothing of kind {kind} in {text!r}"
    return qs[0]


@pytest.mark.parametrize("text,kind,value,unit", [
    ("NATO has 32 members", "count", 32, "member"),
    ("the 32-nation alliance", "count", 32, "nation"),
    ("thirty-two countries", "count", 32, "country"),
    ("1,000 people", "count", 1000, "person"),
    ("NATO's 13th secretary-general", "ordinal", 13, "secretary-general"),
    ("the thirteenth holder", "ordinal", 13, "holder"),
    ("the thirty-second member", "ordinal", 32, "member"),
    ("took over in 2014", "year", 2014, None),
    ("a 2% rise", "percent", 2, "percent"),
    ("12.5 percent of voters", "percent", 12.5, "percent"),
    ("two-thirds of members", "fraction", 2 / 3, None),
    ("a third of the allies", "fraction", 1 / 3, None),
    ("one third of voters", "fraction", 1 / 3, None),
    ("$1.5 million", "money", 1_500_000, "USD"),
    ("300 euros", "money", 300, "EUR"),
    ("two hundred and five delegates", "count", 205, "delegate"),
    ("in the 1990s", "year", 1990, None),
])
def test_kinds_and_values(text, kind, value, unit):
    q = first(text, kind)
    assert q.value == pytest.approx(value)
    assert q.unit == unit
    assert text[q.start:q.end] == q.text


@pytest.mark.parametrize("text,years", [
    ("Joseph Luns spent 12 years in charge", 12),
    ("the 1000-day mark", 1000 / YEAR),
    ("twelve years and nine months", 12.75),
    ("a decade", None),
])
def test_durations(text, years):
    qs = [q for q in parse_quantities(text) if q.kind == "duration"]
    if years is None:
        assert qs == []
        return
    assert qs[0].value / YEAR == pytest.approx(years, rel=0.01)


def test_date_range_gives_exact_duration_and_dates():
    text = "Luns served from 1 October 1971 to 25 June 1984."
    qs = parse_quantities(text)
    dur = next(q for q in qs if q.kind == "duration")
    assert dur.derived and dur.value == 4651
    assert describe_days(dur.value) == "12 years 8 months"
    assert [q.date for q in qs if q.kind == "date"] == ["1971-10-01", "1984-06-25"]


@pytest.mark.parametrize("text,iso,precision", [
    ("on 7 March 2024", "2024-03-07", "day"),
    ("on October 1, 2024", "2024-10-01", "day"),
    ("in March 2024", "2024-03-01", "month"),
    ("on 2024-03-07", "2024-03-07", "day"),
])
def test_dates(text, iso, precision):
    q = first(text, "date")
    assert (q.date, q.precision) == (iso, precision)


def test_year_range_has_year_slack():
    q = first("prime minister between 2005 and 2013", "duration")
    assert q.low / YEAR == pytest.approx(7, abs=0.01) and q.high / YEAR == pytest.approx(9, abs=0.02)


@pytest.mark.parametrize("text,qualifier", [
    ("about 30 countries", "approx"), ("nearly 14 years", "nearly"), ("more than 100 people", "over"),
    ("at least 5 members", "atleast"), ("a little under thirteen years", "nearly"), ("since 2014", "since"),
    ("less than $127 million", "under"), ("over 79 %", "over"), ("born before 1967", "before"),
    ("founded by 12 countries", None), ("by 2035", "by"), ("after 1 October 2024", "after"),
])
def test_qualifiers(text, qualifier):
    assert parse_quantities(text)[0].qualifier == qualifier


def test_more_than_is_strict_and_open_ended():
    q = first("more than five different sports", "count")
    assert q.low > 5 and q.high == float("inf")
    q = first("less than $127 million", "money")
    assert q.high < 127_000_000


@pytest.mark.parametrize("text", ["Guilty Gear was first released in Japan.", "Tyler Joseph leads Twenty-One Pilots.",
                                  "He came second in the race."])
def test_words_that_are_not_quantities(text):
    assert [q for q in parse_quantities(text) if q.kind in ("ordinal", "count", "number")] == []


def test_sentence_initial_number_word():
    assert first("Twelve countries signed the treaty.", "count").value == 12


@pytest.mark.parametrize("text", ["", "   ", "one of the best", "No numbers here at all.", "Is it?"])
def test_nothing_to_parse(text):
    assert parse_quantities(text) == []


def test_modifiers_kept_apart_from_unit():
    q = first("founded by 12 founding members", "count")
    assert (q.unit, q.modifiers) == ("member", ("founding",))


def test_number_words():
    assert parse_number_words(["thirty-two"]) == (32, 1)
    assert parse_number_words(["one", "hundred", "and", "five"]) == (105, 4)
    assert parse_number_words(["three", "million"]) == (3_000_000, 2)
    assert parse_number_words(["members"]) is None


@pytest.mark.parametrize("word,expected", [("members", "member"), ("countries", "country"), ("people", "person"),
                                           ("years", "year"), ("status", "status"), ("allies", "ally")])
def test_singular(word, expected):
    assert singular(word) == expected


def test_attach_context_prefers_the_entity_before():
    text = "The European Union has 27 member states, while NATO counts 32."
    qs = parse_quantities(text)
    ents = [(0, 18, "The European Union"), (47, 51, "NATO")]
    attach_context(qs, ents)
    assert [q.subject for q in qs] == ["The European Union", "NATO"]


def test_round_trip_dict():
    q = first("12 founding members", "count")
    assert Quantity.from_dict(q.to_dict()) == q


@pytest.mark.parametrize("text,days", [
    ("last week", -7), ("next year", 365.2425), ("three years ago", -3 * YEAR), ("yesterday", -1),
    ("this month", 0), ("2 days ago", -2),
])
def test_relative_times(text, days):
    q = first(text, "relative")
    assert q.value == pytest.approx(days) and q.text == text


@pytest.mark.parametrize("text,kind,low,high", [
    ("36–70% of it", "percent", 36, 70), ("between 75% and 90%", "percent", 75, 90),
    ("1.5 to 4.5 degrees", "count", 1.5, 4.5), ("2-3 years", "duration", 2 * YEAR, 3 * YEAR),
])
def test_numeric_ranges(text, kind, low, high):
    q = first(text, kind)
    assert (q.low, q.high) == (pytest.approx(low), pytest.approx(high))


@pytest.mark.parametrize("text", ["COVID-19 patients", "the G7 summit", "SARS-CoV-2 infections"])
def test_numbers_inside_names_are_not_quantities(text):
    assert parse_quantities(text) == []


@pytest.mark.parametrize("text", [
    "² October 2024", "on ³ March 1999 it was 2²", "October ¹, 2024", "₂ October 2024", "the ²nd of May",
    "① October 2024", "between ² and 5 members", "from ² October 2024 to 2025", "¼ of the members",
    "١٢ October ٢٠٢٤", "１２ October ２０２４",
])
def test_unicode_digits_never_raise(text):
    # issue #13 (6): one superscript in a source passage crashed every check that retrieved it
    for q in parse_quantities(text):
        assert text[q.start:q.end] == q.text


def test_superscript_footnote_mark_is_not_a_day():
    [q] = parse_quantities("² October 2024")
    assert (q.kind, q.date, q.precision) == ("date", "2024-10-01", "month")


@pytest.mark.parametrize("text", ["signed on 1 October 2024 –", "It ended on 5 May 2021 -", "2024-03-07-"])
def test_a_date_then_a_dash_at_the_end(text):
    # found by tests/test_fuzz.py: a date range with no second end raised IndexError
    assert [q.kind for q in parse_quantities(text)] == ["date"]


@pytest.mark.parametrize("text,season", [
    ("Leicester won the 2015–16 Premier League", "2015–16"),
    ("in the 2019/20 season", "2019/20"),
    ("the 1999-00 campaign", "1999-00"),
])
def test_a_season_is_one_year_not_a_year_and_a_count(text, season):
    qs = parse_quantities(text)
    assert [(q.kind, q.text) for q in qs] == [("year", season)]


def test_a_dash_after_a_year_is_a_season_only_when_the_next_year_follows():
    assert [q.kind for q in parse_quantities("from 1999–16 players")] == ["year", "count"]
