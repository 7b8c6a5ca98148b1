"""Only the article (issue #15, step 3): parts that are not the article's text are set aside,
listed, and can be brought back; a PDF's headline is its title and never runs into its first sentence."""

import json

from click.testing import CliRunner

from claims.cli import cli
from claims.setaside import pieces, set_aside
from sources.parse import parse_document
from tests.conftest import pdf_lines as _pdf_lines

PASTED = """Harbour strike ends after nine days

By Lena Marsh, Transport Correspondent

Photo: Dock workers leave the picket line on Friday. (Photo: Harbour Gazette)

The strike at the city's container port ended on Friday after nine days, when dock workers accepted a pay rise of 6.5% over two years.

Share this article

The port handles about 1.2 million containers a year, making it the third busiest in the country.

Bakery chain to close forty shops after sales slump

Read more: Ferry operator cuts winter sailings

The union said 2,300 members had voted, and 71% backed the deal. The vote was held on Thursday.

Back to work tomorrow. Proud of every one of you.

— Dockers Union (@dockersunion) March 14, 2025

Sign up for our free newsletter and get the day's top stories in your inbox.

Shipping lines had diverted 40 vessels to other ports during the strike at the port.

The harbour authority said the backlog of containers would be cleared within a week.
"""


PAGE = """<!doctype html><html><head><title>Port strike ends after nine days | The Harbour Gazette</title>
<meta name="author" content="Lena Marsh"><meta property="article:published_time" content="2025-03-14T08:00:00Z"></head>
<body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav>
<a href="#main">Skip to content</a></header>
<main id="main"><article>
<h1>Port strike ends after nine days</h1>
<p class="byline">By Lena Marsh</p>
<figure><img src="a.jpg"><figcaption>Dock workers leave the picket line on Friday. Photo: Harbour Gazette / J. Doe</figcaption></figure>
<p>The strike at the city's container port ended on Friday after nine days, when dock workers accepted a pay rise of 6.5% over two years.</p>
<p>The port handles about 1.2 million containers a year, making it the third busiest in the country.</p>
<p><strong>Read more:</strong> <a href="/x">Ferry operator cuts winter sailings</a></p>
<p>The union said 2,300 members had voted, and 71% backed the deal.</p>
<blockquote class="twitter-tweet"><p lang="en">Back to work tomorrow. Proud of every one of you. <a href="https://t.co/x">pic.twitter.com/abc</a></p>&mdash; Dockers Union (@dockersunion) <a href="https://twitter.com/x">March 14, 2025</a></blockquote>
<div class="newsletter"><h3>Get the morning briefing</h3><p>Sign up for our free newsletter and get the day's top stories in your inbox.</p><form><input type="email" placeholder="Enter your email"><button>Sign up</button></form></div>
<p>Shipping lines had diverted 40 vessels to other ports during the dispute.</p>
<aside class="related"><h3>Related stories</h3><ul><li><a href="/a">Mayor opens new cycle bridge</a></li><li><a href="/b">Council tax to rise by 4.9%</a></li></ul></aside>
</article></main>
<footer><p>© 2025 The Harbour Gazette. All rights reserved.</p><a href="/privacy">Privacy</a> | <a href="/terms">Terms</a></footer>
</body></html>
"""


def test_a_fetched_page_keeps_only_the_article():
    """Trafilatura drops the menu, caption, newsletter form, related list and footer; the rules set
    aside the headline, the "Read more" link and the embedded post's name and date it keeps."""
    doc = parse_document(PAGE.encode(), origin="page.html", filename="page.html")
    for gone in ("Skip to content", "Weather", "Photo: Harbour Gazette", "Enter your email", "cycle bridge", "©"):
        assert gone not in doc.text
    found = _kinds(set_aside(doc.text, doc.title))
    assert found == {"Port strike ends after nine days": "headline",
                     "Read more: Ferry operator cuts winter sailings": "related",
                     "— Dockers Union (@dockersunion) March 14, 2025": "embedded post"}


def _kinds(asides):
    return {a.text: a.kind for a in asides}


def test_pasted_page_chrome_is_set_aside_and_the_article_is_not(embedder):
    found = _kinds(set_aside(PASTED, "Harbour strike ends after nine days", embed=embedder.encode))
    assert found == {
        "Harbour strike ends after nine days": "headline",
        "By Lena Marsh, Transport Correspondent": "byline",
        "Photo: Dock workers leave the picket line on Friday. (Photo: Harbour Gazette)": "caption",
        "Share this article": "navigation",
        "Read more: Ferry operator cuts winter sailings": "related",
        "Bakery chain to close forty shops after sales slump": "off topic",
        "— Dockers Union (@dockersunion) March 14, 2025": "embedded post",
        "Sign up for our free newsletter and get the day's top stories in your inbox.": "newsletter",
    }


def test_without_the_embedder_only_the_shape_rules_run():
    found = _kinds(set_aside(PASTED, None))
    assert "Bakery chain to close forty shops after sales slump" not in found
    assert found["Share this article"] == "navigation"


def test_a_line_that_goes_on_from_the_article_is_never_off_topic(embedder):
    text = PASTED.replace("Back to work tomorrow. Proud of every one of you.",
                          "Its cranes stood still for the first time since 1998.")
    assert "Its cranes stood still for the first time since 1998." not in _kinds(
        set_aside(text, None, embed=embedder.encode))


def test_a_one_line_article_and_a_wrapped_first_line_are_no_headline():
    assert set_aside("Paris landmark turns heads again. The Eiffel Tower stands 330 metres tall.") == []
    wrapped = "The strike at the port ended on Friday after nine days, when dock\nworkers accepted a pay rise."
    assert set_aside(wrapped, "The strike at the port ended on Friday after nine days, when dock") == []


def test_pieces_cut_the_parts_out_and_keep_offsets():
    text = "Port strike ends\nThe strike ended on Friday. It lasted nine days.\n\nShare this article\n\nThe end."
    asides = set_aside(text)
    assert [a.kind for a in asides] == ["headline", "navigation"]
    kept = pieces(text, asides)
    assert [t for _, t in kept] == ["The strike ended on Friday. It lasted nine days.", "The end."]
    assert all(text[o:o + len(t)] == t for o, t in kept)
    # kept in: read on its own, so the headline never runs into the first sentence
    assert [t for _, t in pieces(text, asides, skip=False)][:2] == ["Port strike ends",
                                                                    "The strike ended on Friday. It lasted nine days."]


BODY = [(11, "The strike at the port ended on Friday after nine days, when dock"),
        (11, "workers accepted a pay rise of 6.5% over two years. The port handles"),
        (11, "about 1.2 million containers a year.")]


def test_pdf_title_is_its_headline_never_about_blank_and_the_headline_stands_apart():
    doc = parse_document(_pdf_lines([(22, "Harbour strike ends after nine days")] + BODY, title="about:blank"),
                         origin="strike.pdf", filename="strike.pdf")
    assert doc.title == "Harbour strike ends after nine days"
    assert doc.text.startswith("Harbour strike ends after nine days\n\nThe strike at the port")
    assert [a.kind for a in set_aside(doc.text, doc.title)] == ["headline"]


def test_pdf_metadata_title_kept_unless_it_names_no_document():
    for junk in ("about:blank", "Untitled", "Microsoft Word - strike.docx", "strike_final.pdf", "https://x.org/a"):
        doc = parse_document(_pdf_lines(BODY, title=junk), origin="s.pdf", filename="s.pdf")
        assert doc.title != junk and "about:" not in doc.title
        assert not doc.title.endswith("when dock")  # a wrapped line is no heading
    doc = parse_document(_pdf_lines(BODY, title="Port strike: the deal"), origin="s.pdf", filename="s.pdf")
    assert doc.title == "Port strike: the deal"


def test_check_leaves_parts_out_lists_them_and_brings_one_back(db_path, embedder, tmp_path):
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    (tmp_path / "port.md").write_text("# Port facts\n\nThe city's container port handles about 1.2 million "
                                      "containers a year. In 2025 its dock workers struck for nine days.\n")
    run("sources", "add", str(tmp_path / "port.md"))
    article = tmp_path / "strike.txt"
    article.write_text(PASTED.replace("Harbour strike ends after nine days",
                                      "Port handles 1.5 million containers a year", 1))
    out = json.loads(run("check", str(article), "--json"))
    parts = {p["text"]: p for p in out["set_aside"]}
    headline = parts["Port handles 1.5 million containers a year"]
    assert headline["kind"] == "headline" and not headline["restored"]
    texts = [c["text"] for c in out["claims"]]
    assert not any("1.5 million" in t or "Bakery" in t or "newsletter" in t for t in texts)
    assert any("1.2 million containers" in t for t in texts)

    listing = run("claims", "list", "--article", str(out["article"]["id"]))
    human = run("bring-back", str(out["article"]["id"]), str(headline["part"]))
    assert "1 new claim" in human and "1.5 million" in human and "REFUTED" in human
    after = run("claims", "list", "--article", str(out["article"]["id"]))
    assert len(after.splitlines()) == len(listing.splitlines()) + 1
    again = run("bring-back", str(out["article"]["id"]), str(headline["part"]))
    assert "brought back before" in again and "0 new claims" in again
    stored = json.loads(run("check", str(article), "--json"))  # the same text: the stored article
    assert {p["text"]: p["restored"] for p in stored["set_aside"]}[headline["text"]] is True

    bad = runner.invoke(cli, ["--db", str(db_path), "bring-back", str(out["article"]["id"]), "99"])
    assert bad.exit_code != 0 and "no part 99" in bad.output and "Traceback" not in bad.output


def test_keep_all_reads_every_part(db_path, embedder, tmp_path):
    article = tmp_path / "strike.txt"
    article.write_text(PASTED.replace("Harbour strike ends after nine days",
                                      "Port handles 1.5 million containers a year", 1))
    result = CliRunner().invoke(cli, ["--db", str(db_path), "check", str(article), "--keep-all", "--json"],
                                catch_exceptions=False)
    out = json.loads(result.stdout)
    assert any("1.5 million" in c["text"] for c in out["claims"])
    assert out["set_aside"] and all(p["restored"] for p in out["set_aside"])
