"""Fuzzing every parser with hypothesis (issue #13): quantities, claim extraction, HTML, PDF, text
decoding, CSV and ClaimReview import, ClaimReview export. Garbage in gives a documented user error
(`SourceError` and its subclasses) or an empty result, never another exception.

CI runs a few examples per parser (`CI_EXAMPLES`) plus every crash fuzzing found as a fixed case;
`bench/bench_fuzz.py` runs the same targets on 10,000 inputs each.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.errors import SourceError

CRASHES = Path(__file__).parent / "data" / "crashes"
CI_EXAMPLES = {"quantities": 300, "extract": 30, "html": 40, "pdf": 150, "text": 300, "csv": 150,
               "claimreview": 150, "claimreview_html": 60, "export": 100}
# derandomize: CI draws the same inputs every run, so a failure there reproduces here
FUZZ_SETTINGS = dict(deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))

# --- inputs ------------------------------------------------------------------------------------

NUMBERISH = ["0", "1", "2", "7", "12", "32", "1949", "2024", "2.5", "1,280", "1,000,000", "10,00", "99999999999",
             "²", "³", "¹", "⁴", "₂", "①", "½", "٣", "١٢", "１２", "𝟙", "1st", "2nd", "23rd", "13th", "1990s",
             "2024-03-07", "2024-13-45", "thirty", "two", "hundred", "thousand", "million", "billion", "bn", "m",
             "first", "second", "third", "half", "quarter", "two-thirds", "thirty-second", "twenty-one",
             "January", "Feb", "sept", "October", "May", "%", "percent", "per", "cent", "percentage", "points",
             "$", "€", "£", "¥", "euros", "dollars", "–", "-", "—", ",", ".", "(", ")", "'s", "’s",
             "from", "to", "between", "and", "until", "since", "by", "before", "after", "in", "ago", "last",
             "next", "this", "past", "yesterday", "years", "year", "months", "days", "weeks", "decade", "century",
             "about", "nearly", "more than", "less than", "at least", "up to", "just over", "a", "the", "of",
             "one", "members", "NATO", "COVID-19", "G7", "\n", "\t", "\u00a0", "\u200b", "İ", "ß"]


def numberish_text(max_size: int = 24):
    """Text built from number-ish fragments (digits, ², months, "%", "million", ordinals, dashes)."""
    return st.lists(st.sampled_from(NUMBERISH), max_size=max_size).flatmap(
        lambda parts: st.sampled_from([" ", "", "  "]).map(lambda sep: sep.join(parts)))


ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=200)
QUANTITY_TEXT = st.one_of(ANY_TEXT, numberish_text(), st.lists(st.one_of(numberish_text(6), ANY_TEXT), max_size=4)
                          .map(" ".join))
SENTENCE_WORDS = ["NATO", "has", "32", "members", ".", "The", "bridge", "opened", "in", "1937", "?", "It", "was",
                  "founded", "on", "4", "April", "1949", "by", "12", "countries", "Jens", "Stoltenberg", "said",
                  "²", "—", "\n\n", "\n", "“", "”", "(", ")", "I", "think", "should", "will", "-", "•", "#"]
CLAIM_TEXT = st.one_of(st.text(max_size=120), st.lists(st.sampled_from(SENTENCE_WORDS + NUMBERISH), max_size=30)
                       .map(" ".join))

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252"]


@st.composite
def encoded_text(draw, text=CLAIM_TEXT):
    """Text in some encoding, sometimes cut short or with a byte changed (an odd UTF-16 length...)."""
    body = draw(text).encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if body and draw(st.booleans()):
        cut = draw(st.integers(0, len(body)))
        body = body[:cut] if draw(st.booleans()) else body[:cut] + bytes([draw(st.integers(0, 255))]) + body[cut + 1:]
    return body


CHARSETS = st.one_of(st.none(), st.sampled_from(["utf-8", "UTF-16", "utf-32", "latin-1", "iso-8859-1", "ascii",
                                                 "idna", "punycode", "rot13", "zlib", "base64", "utf-7",
                                                 "x-unknown", "", "utf-8\x00", "cp037", "unicode_escape"]))
TEXT_INPUT = st.tuples(st.one_of(st.binary(max_size=300), encoded_text()), CHARSETS)

HTML_PIECES = ["<html>", "</html>", "<head>", "<body>", "</body>", "<title>", "</title>", "<p>", "</p>", "<br>",
               "<div>", "</div>", "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "<table>",
               "<tr><td>", "<meta charset=\"", "\">", "<meta http-equiv=\"Content-Type\" content=\"text/html; "
               "charset=", "<?xml version=\"1.0\" encoding=\"utf-16\"?>", "<!doctype html>", "&amp;", "&#0;",
               "&#x110000;", "&bogus;", "<a href=\"javascript:x\">", "</a>", "<svg><foreignObject>", "<", ">",
               "\"", "'", "=", "utf-8", "idna", "rot13", "NATO has 32 members.", "It opened in 1937.", "\x00"]
HTML_INPUT = st.tuples(st.lists(st.one_of(st.sampled_from(HTML_PIECES), CLAIM_TEXT), max_size=30).map("".join),
                       st.sampled_from(["utf-8", "utf-16", "latin-1"]), CHARSETS)


def _writer_pdfs() -> list[bytes]:
    from pypdf import PdfReader, PdfWriter

    from tests.test_parse import _pdf

    seeds = [_pdf("The Eiffel Tower was completed in 1889."), _pdf("NATO has 32 members.")]
    w = PdfWriter()
    for t in ("NATO has 32 members.", "It was founded in 1949."):
        w.append(PdfReader(io.BytesIO(_pdf(t))))
    for page in w.pages:
        page.compress_content_streams()
    w.add_outline_item(title="Intro", page_number=0)
    w.add_metadata({"/Title": "Two pages", "/Author": "x"})
    buf = io.BytesIO()
    w.write(buf)
    seeds.append(buf.getvalue())
    return seeds + [p.read_bytes() for p in sorted(CRASHES.glob("pdf-*.pdf"))]


PDF_SEEDS = _writer_pdfs()
PDF_TOKENS = [b"0", b"9999999999", b"-1", b"/Length", b" R ", b"<<", b">>", b"[", b"]", b"obj", b"endobj", b"stream",
              b"endstream", b"/Kids [3 0 R 3 0 R]", b"/Parent 3 0 R", b"/Type /Pages", b"/Filter /FlateDecode",
              b"(", b")", b"\\", b"/Count 99999999", b"xref", b"trailer", b"%%EOF", b"/Encrypt 1 0 R", b"1.5e308"]


@st.composite
def damaged_pdfs(draw):
    """A small PDF (hand-made, pypdf-written, or an earlier crash) with a few bytes changed."""
    b = bytearray(draw(st.sampled_from(PDF_SEEDS)))
    for _ in range(draw(st.integers(0, 6))):
        if not b:
            break
        i = draw(st.integers(0, len(b) - 1))
        op = draw(st.sampled_from(["set", "delete", "insert", "truncate"]))
        if op == "set":
            b[i] = draw(st.integers(0, 255))
        elif op == "delete":
            del b[i:i + draw(st.integers(1, 20))]
        elif op == "insert":
            b[i:i] = draw(st.one_of(st.sampled_from(PDF_TOKENS), st.binary(max_size=8)))
        else:
            del b[i:]
    return bytes(b)


CSV_CELL = st.one_of(st.text(max_size=20), st.sampled_from(["False", "TRUE", "Half true", "SUPPORTED", "=1+1",
                                                            "'=x", "2025-01-02", "\r", "\n", "\r\n", '"', '""',
                                                            ",", "\x00", "\ufeff", "https://c.example/1"]))
CSV_HEADERS = ["claim,verdict,url,date", "\ufeffclaim,verdict", "Claim ,Verdict", "claim", "text,label",
               "article_id,claim,human_verdict,reviewer,reviewed_at", "", "claim,claim,verdict"]


@st.composite
def csv_files(draw):
    """CSV bytes: a known or odd header, rows of odd cells, mixed line ends and encodings."""
    end = st.sampled_from(["\n", "\r\n", "\r"])
    rows = draw(st.lists(st.lists(CSV_CELL, max_size=6), max_size=6))
    quote = draw(st.booleans())
    lines = [draw(st.sampled_from(CSV_HEADERS))]
    for row in rows:
        cells = [('"' + c.replace('"', '""') + '"') if quote else c for c in row]
        lines.append(",".join(cells))
    text = "".join(line + draw(end) for line in lines)
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le"])))


CR_KEYS = ["@context", "@type", "@graph", "@id", "@value", "claimReviewed", "reviewRating", "ratingValue",
           "bestRating", "worstRating", "alternateName", "name", "url", "datePublished", "author", "itemReviewed",
           "appearance", "text"]
JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
                         st.sampled_from(["ClaimReview", "Rating", "False", "Half true", "5", "1e999", "inf",
                                          "https://c.example/1", "", "\ud800 lone surrogate", "\x00"]))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda c: st.one_of(
    st.lists(c, max_size=4), st.dictionaries(st.one_of(st.sampled_from(CR_KEYS), st.text(max_size=5)), c,
                                             max_size=5)), max_leaves=20)


@st.composite
def claimreview_docs(draw):
    """A JSON-LD document: ClaimReview nodes whose fields hold any JSON value, maybe in an @graph or a list."""
    def node():
        d = draw(st.dictionaries(st.sampled_from(CR_KEYS), JSON_VALUES, max_size=8))
        d["@type"] = draw(st.sampled_from(["ClaimReview", ["ClaimReview", "Thing"], "WebPage"]))
        if draw(st.booleans()):
            d["claimReviewed"] = draw(st.one_of(st.text(max_size=30), JSON_VALUES))
        return d

    nodes = [node() for _ in range(draw(st.integers(0, 3)))]
    shape = draw(st.sampled_from(["one", "list", "graph", "any"]))
    if shape == "any":
        return draw(JSON_VALUES)
    if shape == "one" and nodes:
        return nodes[0]
    return {"@context": "https://schema.org", "@graph": nodes} if shape == "graph" else nodes


CR_HTML = st.tuples(st.lists(st.one_of(claimreview_docs().map(json.dumps), st.text(max_size=30),
                                       st.sampled_from(["{ broken", "[[[[", "null", "1" * 5000, "[" * 3000])),
                             max_size=3),
                    st.lists(st.sampled_from(HTML_PIECES), max_size=8).map("".join))
EXPORT_ROWS = st.lists(st.fixed_dictionaries(
    {"human_verdict": st.sampled_from(["SUPPORTED", "REFUTED", "CONFLICTING", "NOT_ENOUGH_EVIDENCE", None]),
     "claim": st.text(max_size=40) | st.sampled_from(["</script>", "<!--", "\u2028", "a\u2029b"]),
     "claim_id": st.integers(1, 10 ** 6)},
    optional={"note": st.text(max_size=20) | st.just("</SCRIPT><!--<script>"),
              "article_url": st.sampled_from(["https://news.example/a", "not a url", "http://[::1", "</script>"]),
              "article_title": st.text(max_size=20), "reviewed_at": st.text(max_size=12),
              "article_checked_at": st.sampled_from(["2026-01-02T00:00:00", "", None])}), max_size=4)
EXPORT_SETTINGS = st.fixed_dictionaries({}, optional={"org_name": st.text(max_size=20) | st.just("</script>"),
                                                      "org_url": st.sampled_from(["https://x.example/", ""]),
                                                      "review_url": st.text(max_size=10)})

# --- targets: each runs one parser; a SourceError is a documented user error, anything else a bug ---


def run_quantities(text: str) -> None:
    from claims.quantities import parse_quantities

    for q in parse_quantities(text):
        assert text[q.start:q.end] == q.text, (text, q)


def run_extract(text: str, nlp=None) -> None:
    from claims.extract import extract_claims

    try:
        for c in extract_claims(text, nlp):
            assert 0 <= c.start <= c.end <= len(text)
    except SourceError:
        pass


def run_text(case: tuple[bytes, str | None]) -> None:
    from sources.parse import decode_text, looks_binary, parse_document

    body, charset = case
    looks_binary(body)
    for call in (lambda: decode_text(body, charset, "x.txt"),
                 lambda: parse_document(body, origin="x.txt", filename="x.txt", charset=charset),
                 lambda: parse_document(body, origin="standard input")):
        try:
            call()
        except SourceError:
            pass


def run_html(case: tuple[str, str, str | None]) -> None:
    from sources.parse import parse_document

    html, encoding, charset = case
    try:
        parse_document(html.encode(encoding, errors="replace"), origin="x.html", filename="x.html",
                       content_type="text/html", charset=charset)
    except SourceError:
        pass


def run_pdf(body: bytes) -> None:
    from sources.parse import parse_document

    try:
        parse_document(body, origin="x.pdf", filename="x.pdf")
    except SourceError:
        pass


class _Archive:
    """One real database file and a scratch folder for the import targets (opened on first use)."""

    def __init__(self):
        self.db = None

    def import_bytes(self, name: str, body: bytes) -> None:
        from claims.claimreview import import_factchecks
        from claims.store import open_db

        if self.db is None:
            self.dir = tempfile.TemporaryDirectory()
            self.db = open_db(Path(self.dir.name) / "fuzz.db")
        p = Path(self.dir.name) / name
        p.write_bytes(body)
        try:
            import_factchecks(self.db, str(p))
        except SourceError:
            pass


ARCHIVE = _Archive()


def run_csv(body: bytes) -> None:
    from claims.claimreview import records_from_csv

    ARCHIVE.import_bytes("fuzz.csv", body)
    try:
        records_from_csv(io.StringIO(body.decode("utf-8", errors="replace")))
    except SourceError:
        pass


def run_claimreview(doc) -> None:
    from claims.claimreview import records_from_jsonld

    for r in records_from_jsonld(doc):
        assert all(v is None or isinstance(v, str) for v in r.values()), r
    ARCHIVE.import_bytes("fuzz.json", json.dumps(doc).encode())


def run_claimreview_html(case: tuple[list[str], str]) -> None:
    from claims.claimreview import records_from_html

    blocks, noise = case
    page = noise + "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks) + noise
    try:
        records_from_html(page)
    except SourceError:
        pass
    ARCHIVE.import_bytes("fuzz.html", page.encode("utf-8", errors="replace"))


def run_export(case: tuple[list[dict], dict]) -> None:
    from claims.claimreview import claimreview_doc, records_from_html, write_claimreview

    rows, conf = case
    out = io.StringIO()
    n = write_claimreview(rows, out, conf)
    text = out.getvalue()
    for bad in ("</", "<!--", "\u2028", "\u2029"):
        assert bad not in text
    docs = json.loads(text)
    assert n == len(docs) and docs == [claimreview_doc(r, conf) for r in rows if r["human_verdict"]]
    page = f'<html><head><script type="application/ld+json">{text}</script></head><body>x</body></html>'
    assert len(records_from_html(page)) == len([d for d in docs if d.get("claimReviewed", "").strip()])


# name: (strategy, target); bench/bench_fuzz.py runs the same
PARSERS = {
    "quantities": (QUANTITY_TEXT, run_quantities),
    "extract": (CLAIM_TEXT, run_extract),
    "html": (HTML_INPUT, run_html),
    "pdf": (damaged_pdfs(), run_pdf),
    "text": (TEXT_INPUT, run_text),
    "csv": (csv_files(), run_csv),
    "claimreview": (claimreview_docs(), run_claimreview),
    "claimreview_html": (CR_HTML, run_claimreview_html),
    "export": (st.tuples(EXPORT_ROWS, EXPORT_SETTINGS), run_export),
}


@pytest.mark.parametrize("name", list(PARSERS))
def test_fuzz(name, nlp):
    strategy, target = PARSERS[name]
    if name == "extract":
        target = lambda text: run_extract(text, nlp)  # noqa: E731 (the session's spaCy pipeline)

    @settings(max_examples=CI_EXAMPLES[name], **FUZZ_SETTINGS)
    @given(strategy)
    def run(x):
        target(x)

    run()


# --- every crash fuzzing found, as a fixed case (damaged PDFs: tests/data/crashes, in test_parse.py) ---

FIXED = [
    ("quantities", "² October 2024"), ("quantities", "³ March 1999"), ("quantities", "October ¹, 2024"),
    ("quantities", "① October 2024"), ("quantities", "from ² October 2024 to 2025"),
    ("quantities", "2024-03-07-2024-03-07's2024-03-07-"), ("quantities", "signed on 1 October 2024 –"),  # IndexError
    ("text", (b"\xff\xfe" + "北约".encode("utf-16-le") + b"x", None)),        # odd byte count after a BOM
    ("text", (b"\xff\xfe\x00\xd8a\x00", None)),                              # a lone surrogate
    ("text", (b"NATO has 32 members.", "idna")), ("text", (b"NATO has 32 members.", "utf-8\x00")),
    ("html", ('<meta charset="idna"><p>NATO has 32 members.</p>', "utf-8", None)),
    ("csv", b"claim,verdict\nThe moon\ris cheese.,False\n"), ("csv", b"claim,verdict\rA,False\r"),
    ("csv", b'claim\n"' + b"x" * 200_000 + b'"\n'),                          # over csv's field size limit
    ("claimreview", {"@type": "ClaimReview", "claimReviewed": "x", "reviewRating": "False"}),
    ("claimreview", {"@type": "ClaimReview", "claimReviewed": "x", "reviewRating": {"alternateName": 5}}),
    ("claimreview", {"@type": "ClaimReview", "claimReviewed": ["x"], "url": {"a": 1}}),
    ("claimreview", {"@type": "ClaimReview", "claimReviewed": "x", "author": [{"name": 7}], "url": 3.5}),
    ("claimreview", {"@type": "ClaimReview", "claimReviewed": "x",
                     "reviewRating": {"ratingValue": 10 ** 400, "bestRating": "inf"}}),
    ("claimreview", [[[[[[[[[[[[{"@type": "ClaimReview", "claimReviewed": "deep"}]]]]]]]]]]]]),
    ("claimreview", {"@type": "ClaimReview", "claimReviewed": "\ud800 x", "url": "\ud800"}),  # lone surrogates
    ("claimreview_html", (["1" * 5000, "[" * 3000], "")),                    # ValueError, RecursionError
    ("claimreview_html", ([], '<?xml version="1.0" encoding="utf-8"?><html/>')),
    ("export", ([{"human_verdict": "REFUTED", "claim": "</script><!--<script>\u2028", "claim_id": 1}], {})),
    ("export", ([{"human_verdict": "REFUTED", "claim": "x", "claim_id": 1, "article_url": "http://[::1"}], {})),
]


@pytest.mark.parametrize("name,case", FIXED, ids=[f"{n}-{i}" for i, (n, _) in enumerate(FIXED)])
def test_fixed_crash(name, case):
    PARSERS[name][1](case)


def test_deep_json_file_is_one_clear_line(tmp_path, db):
    from claims.claimreview import import_factchecks
    from claims.errors import ClaimsError

    for body in ("[" * 100_000, "1" * 5000):
        p = tmp_path / "deep.json"
        p.write_text(body)
        with pytest.raises(ClaimsError, match="not (valid|usable) JSON"):
            import_factchecks(db, str(p))


# --- where a parser can still fail on one passage, the check goes on without it and says so ---


class _FailsOn:
    """The real spaCy pipeline, except that it cannot read one marked text (a stand-in for any
    parser failure on one passage; the quantity parser itself no longer has one to show)."""

    def __init__(self, nlp, marker: str):
        self.nlp, self.marker = nlp, marker

    def __call__(self, text):
        if self.marker in text:
            raise ValueError("cannot read this")
        return self.nlp(text)

    def pipe(self, texts, batch_size=32):
        for t in texts:
            yield self(t)


def test_a_passage_that_fails_is_left_out_and_said(nlp):
    from claims.extract import analyze_passages

    passages = [{"passage_id": i, "source_id": 1, "source_title": "Alliance facts", "text": t} for i, t in
                enumerate(["NATO has 32 members.", "BROKEN passage with 12 numbers.", "It was founded in 1949."])]
    warnings: list[str] = []
    facts = analyze_passages(passages, _FailsOn(nlp, "BROKEN"), warnings)
    assert [f.quantities[0].value for f in (facts[0], facts[2])] == [32, 1949]
    assert facts[1].quantities == [] and facts[1].text == passages[1]["text"]
    assert len(warnings) == 1 and 'passage 1 of "Alliance facts"' in warnings[0] and "\n" not in warnings[0]


def test_a_superscript_in_a_source_does_not_break_the_check(tmp_path, embedder):
    # issue #13 (6): a source with "² October 2024" crashed every check that retrieved that passage
    from click.testing import CliRunner

    from claims.cli import cli
    from claims.demo import article_path

    src = tmp_path / "nato.md"
    src.write_text("# NATO\n\nNATO had 32 members on ² October 2024. Mark Rutte became its secretary general "
                   "on 1 October 2024.\n")
    db = str(tmp_path / "f.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "sources", "add", str(src)]).exit_code == 0
    r = runner.invoke(cli, ["--db", db, "check", str(article_path()), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["claims"] and out["warnings"] == []
    assert any("² October 2024" in e["text"] for c in out["claims"] for e in c["evidence"])
