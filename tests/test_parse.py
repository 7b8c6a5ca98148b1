from pathlib import Path

import pytest

from sources.errors import EmptyDocument, UnsupportedDocument
from sources.parse import normalize_text, parse_document, read_path
from tests.conftest import pdf_lines


def _pdf(text: str) -> bytes:
    """A minimal one-page PDF with `text` in Helvetica, built by hand."""
    return pdf_lines([(12, text)])


def test_html_becomes_clean_text_without_scripts_or_navigation():
    from tests.conftest import ARTICLE_HTML

    doc = parse_document(ARTICLE_HTML, origin="x.html", filename="x.html")
    assert doc.kind == "html"
    assert "1,280 metres" in doc.text
    assert "tracking" not in doc.text and "Contact" not in doc.text
    assert doc.title in ("Bridge facts", "The Golden Gate Bridge")


def test_markdown_title_and_syntax():
    doc = parse_document(b"# Title here\n\nSome **bold** text with a [link](http://x).\n", origin="a.md",
                         filename="a.md")
    assert doc.title == "Title here"
    assert "Some bold text with a link." in doc.text


def test_pdf_text():
    doc = parse_document(_pdf("The Eiffel Tower was completed in 1889."), origin="t.pdf", filename="t.pdf")
    assert doc.kind == "pdf" and "completed in 1889" in doc.text


@pytest.mark.parametrize("body,error,words", [
    (b"", EmptyDocument, "empty"),
    (b"   \n\t ", EmptyDocument, "empty"),
    (bytes(range(256)) * 10, UnsupportedDocument, "binary"),
    ("Caf\u00e9 au lait costs 3 euros.".encode("latin-1"), UnsupportedDocument, "not UTF-8"),
    (b"<html><head><script>var a = 1;</script></head><body></body></html>", EmptyDocument, "no readable text"),
    (b"12 34 56", EmptyDocument, "no words"),
])
def test_bad_input_is_one_clear_error(body, error, words):
    with pytest.raises(error) as exc:
        parse_document(body, origin="input", filename="input.html" if body.startswith(b"<html") else "input.txt")
    assert words in str(exc.value) and "\n" not in str(exc.value)


def test_declared_charset_is_honoured():
    doc = parse_document("<html><body><p>Café Zürich opened in 1911 and is still open.</p></body></html>"
                         .encode("latin-1"), origin="u", content_type="text/html", charset="iso-8859-1")
    assert "Café Zürich" in doc.text


def test_read_path_errors(tmp_path):
    with pytest.raises(UnsupportedDocument, match="no such file"):
        read_path(tmp_path / "nope.txt")
    with pytest.raises(UnsupportedDocument, match="folder"):
        read_path(tmp_path)
    big = tmp_path / "big.txt"
    big.write_text("x" * 2000)
    with pytest.raises(UnsupportedDocument, match="limit"):
        read_path(big, max_bytes=1000)


def test_normalize_text():
    assert normalize_text("a \r\nb\u00a0c\n\n\n\nd  ") == "a\nb c\n\nd"


CRASHES = Path(__file__).parent / "data" / "crashes"
UTF16_TEXT = "NATO has 32 members. The alliance was founded in 1949 in Washington."


@pytest.mark.parametrize("body", [
    UTF16_TEXT.encode("utf-16"),                       # with a BOM (little-endian here)
    b"\xfe\xff" + UTF16_TEXT.encode("utf-16-be"),
    UTF16_TEXT.encode("utf-16-le"),                    # no BOM: found by the NULs at odd offsets
    UTF16_TEXT.encode("utf-16-be"),
    ("Zürich " + UTF16_TEXT).encode("utf-16-le"),
])
def test_utf16_text_is_read_as_text(body, tmp_path):
    # issue #12: UTF-16 text files were called "binary"
    assert parse_document(body, origin="x", filename="x.txt").text == normalize_text(
        body.decode("utf-16" if body[:2] in (b"\xff\xfe", b"\xfe\xff") else
                    "utf-16-le" if body[1] == 0 else "utf-16-be"))
    p = tmp_path / "notes.txt"
    p.write_bytes(body)
    assert "founded in 1949" in read_path(p).text


@pytest.mark.parametrize("body", [
    b"\xff\xfe" + "北约有32个成员国。".encode("utf-16-le") + b"x",        # odd byte count after a BOM
    b"\xff\xfe" + UTF16_TEXT.encode("utf-16-le") + b"x",
    b"\xff\xfe" + "ab".encode("utf-16-le") + b"\x00\xd8" + "cd".encode("utf-16-le"),  # a lone surrogate
])
def test_broken_utf16_is_one_clear_error(body):
    # issue #13 (6): an odd byte count after a UTF-16 BOM was a UnicodeDecodeError traceback
    with pytest.raises(UnsupportedDocument, match="not valid UTF-16") as exc:
        parse_document(body, origin="notes.txt", filename="notes.txt")
    assert "\n" not in str(exc.value)


def test_utf16_decoding_helpers():
    from sources.parse import decode_text, looks_binary

    assert not looks_binary(UTF16_TEXT.encode("utf-16-le"))
    assert decode_text(UTF16_TEXT.encode("utf-16-be"), None, "x") == UTF16_TEXT
    assert looks_binary(bytes(range(256)) * 4)
    assert looks_binary(b"".join(i.to_bytes(2, "little") for i in range(0, 30)) * 50)  # small 16-bit integers


@pytest.mark.parametrize("path", sorted(CRASHES.glob("pdf-*.pdf")), ids=lambda p: p.stem)
def test_damaged_pdfs_are_read_or_one_clear_error(path):
    # issue #13 (6): damaged PDFs found by fuzzing raised pypdf's own exceptions and generic ones
    if "-parse-" in path.name:  # our own crash: a /Title that is a number; the text is still there
        assert "NATO has 32 members" in parse_document(path.read_bytes(), origin=path.name, filename=path.name).text
        return
    with pytest.raises((UnsupportedDocument, EmptyDocument)) as exc:
        parse_document(path.read_bytes(), origin=path.name, filename=path.name)
    assert "\n" not in str(exc.value)


def test_a_damaged_pdf_does_not_stop_the_good_file(tmp_path, embedder):
    # issue #13 (6): `sources add a.md b.pdf` with a crashing b.pdf stopped a.md too;
    # issue #12: a broken UTF-16 file is one clear line too
    from click.testing import CliRunner

    from claims.cli import cli
    from claims.store import open_db
    from sources.store import list_sources

    good = tmp_path / "a.md"
    good.write_text("# NATO\n\nNATO has 32 members.\n")
    bad = tmp_path / "b.pdf"
    bad.write_bytes((CRASHES / "pdf-TypeError-reader-1185.pdf").read_bytes())
    odd = tmp_path / "c.txt"
    odd.write_bytes(b"\xff\xfe" + UTF16_TEXT.encode("utf-16-le") + b"x")
    db_path = tmp_path / "f.db"
    r = CliRunner().invoke(cli, ["--db", str(db_path), "sources", "add", str(good), str(bad), str(odd)])
    assert r.exit_code == 1, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    errors = [line for line in r.stderr.split("\n") if line.startswith("Error: ")]
    assert len(errors) == 2 and "b.pdf" in errors[0] and "c.txt is not valid UTF-16" in errors[1], r.stderr
    assert [s["title"] for s in list_sources(open_db(db_path))] == ["NATO"]


def test_a_damaged_pdf_is_one_line_on_the_real_command_line(tmp_path):
    # pypdf logged every flaw to stderr (once with a logging traceback of its own) before our line
    import subprocess
    import sys

    bad = tmp_path / "b.pdf"
    bad.write_bytes((CRASHES / "pdf-TypeError-reader-1185.pdf").read_bytes())
    r = subprocess.run([sys.executable, "-m", "claims.cli", "--db", str(tmp_path / "f.db"), "sources", "add",
                        str(bad)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert r.stderr.strip().split("\n") == [f"Error: cannot read PDF {bad}: damaged or unsupported (pypdf: TypeError)"]


def test_pdf_page_and_time_limits(monkeypatch):
    import io

    from pypdf import PdfReader, PdfWriter

    import sources.parse

    w = PdfWriter()
    for text in ("NATO has 32 members.", "It was founded in 1949."):
        w.append(PdfReader(io.BytesIO(_pdf(text))))
    buf = io.BytesIO()
    w.write(buf)
    monkeypatch.setattr(sources.parse, "MAX_PDF_PAGES", 1)
    with pytest.raises(UnsupportedDocument, match="2 pages, over the 1-page limit"):
        parse_document(buf.getvalue(), origin="two.pdf", filename="two.pdf")
    monkeypatch.setattr(sources.parse, "MAX_PDF_PAGES", 5000)
    monkeypatch.setattr(sources.parse, "MAX_PDF_SECONDS", 0.0)
    with pytest.raises(UnsupportedDocument, match="still not done after 0 s"):
        parse_document(buf.getvalue(), origin="two.pdf", filename="two.pdf")


def test_html_publication_date_from_the_page_metadata():
    page = (b'<html><head><title>Bridge news</title><meta property="article:published_time" '
            b'content="2024-03-10T08:00:00Z"></head><body><article><p>The bridge opened in 1937 and it '
            b'is still open today after many years of service.</p></article></body></html>')
    assert parse_document(page, origin="x.html", filename="x.html").date == "2024-03-10"
    assert parse_document(b"The bridge opened in 1937.", origin="a.txt", filename="a.txt").date is None


def test_byline_and_dateline_of_pasted_text():
    from sources.parse import byline

    assert byline("NATO's new chief\nBy Ana Lopez and Ben Roe\nPublished 1 October 2024\n\nText.") == \
        ("Ana Lopez and Ben Roe", "2024-10-01")
    assert byline("Title\nOctober 3, 2024\nby Ana Lopez\n") == ("Ana Lopez", "2024-10-03")
    assert byline("Title\nBy the end of the year, prices rose.\n") == (None, None)
    assert byline("Title\nBy the way\n") == (None, None)
    assert byline("Title\nPublished 31 February 2024\n") == (None, None)  # no such day
    # the desk or outlet after the name (a new user's byline, session 11) is not the name
    assert byline("Title\nBy Tomas Berg, Science Desk\nPublished 12 July 2025\n") == ("Tomas Berg", "2025-07-12")
    assert byline("Title\nBy Ana Lopez | Reuters\n") == ("Ana Lopez", None)
    assert byline("Title\nBy Ana Lopez, who has covered NATO since 2010, reports\n") == (None, None)
    doc = parse_document(b"# Title\n\nBy Ana Lopez\n\nNATO has 32 members.", origin="a.md", filename="a.md")
    assert doc.author == "Ana Lopez" and doc.date is None


def test_html_metadata_gives_author_publisher_and_date():
    html = (b'<html><head><title>T</title><meta name="author" content="Ana Lopez">'
            b'<meta property="og:site_name" content="The Daily Check">'
            b'<meta property="article:published_time" content="2024-10-02T10:00:00Z"></head>'
            b"<body><article><p>NATO has 32 members and was founded in 1949 by twelve countries.</p></article></body></html>")
    doc = parse_document(html, origin="http://news.example/a", content_type="text/html")
    assert (doc.author, doc.publisher, doc.date) == ("Ana Lopez", "The Daily Check", "2024-10-02")


def test_a_byline_is_no_title():
    doc = parse_document(b"By Priya Raman\n\nPublished 3 March 2025\n\nNordline reported a profit on Monday.",
                         origin="pasted text")
    assert doc.title.startswith("Nordline reported") and doc.author == "Priya Raman" and doc.date == "2025-03-03"


def test_pasted_markdown_is_read_as_the_same_md_file_is(tmp_path):
    # a new user checked an .md file in the CLI, then pasted it in the app: the app kept "# " and
    # the check stored a second copy (session 11)
    from claims.article import article_from_text, load_article
    from sources.store import content_hash

    text = "# Webb at three\n\nBy Tomas Berg, Science Desk\n\nThe mirror has **18** segments.\n"
    (tmp_path / "a.md").write_text(text, encoding="utf-8")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    docs = [load_article(str(tmp_path / "a.md"))[0], article_from_text(text), load_article(str(tmp_path / "a.txt"))[0]]
    assert {d.title for d in docs} == {"Webb at three"} and {d.author for d in docs} == {"Tomas Berg"}
    assert len({content_hash(d.text) for d in docs}) == 1 and "#" not in docs[1].text and "**" not in docs[1].text
    assert article_from_text("#1 priority is cost.\n\nNATO has 32 members.").text.startswith("#1")  # no heading
