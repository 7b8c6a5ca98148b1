import pytest

from sources.errors import EmptyDocument, UnsupportedDocument
from sources.parse import normalize_text, parse_document, read_path


def _pdf(text: str) -> bytes:
    """A minimal one-page PDF with `text` in Helvetica, built by hand."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


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
