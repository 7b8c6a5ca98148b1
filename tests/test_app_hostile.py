"""Hostile content on every page (issue #13): nothing that a source, an article, a claim, an archived
fact-check or a reviewer supplies is interpreted as Markdown or HTML, and a URL box takes only
http(s) URLs (never a file on the server).

The AppTest half renders each page on a database full of hostile text and parses every Markdown
string the page sends with markdown-it (CommonMark, as Streamlit's renderer is), plus the Streamlit
extensions CommonMark does not know (KaTeX, directives, icons, shortcodes). The browser half runs
`streamlit run` on such a database in Debian's chromium and watches for dialogs, injected elements
and requests to a tracking server on 127.0.0.1.
"""

from __future__ import annotations

import html
import http.server
import os
import re
import threading
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import element_tree as et

from claims.article import article_from_text
from claims.pipeline import check_article
from claims.store import add_archive, add_review, claim_matches, list_archive, list_articles, open_db
from sources.library import add_document, add_text
from sources.parse import parse_document
from sources.store import list_sources
from tests.test_e2e_browser import CHROMIUM, FLAGS, _require_browser, streamlit_app

ROOT = Path(__file__).resolve().parent.parent
EVIL_URL = 'http://evil.test/"><iframe srcdoc="<script>parent.alert(1)</script>">'
WORD_JOINER = "\u2060"


def hostile(base: str) -> str:
    """Markup of every kind Streamlit's Markdown knows; `base` is the tracking server."""
    return (f"**bold** $x^2$ <img src={base}/track.png> ![t]({base}/track2.png) <script>alert(1)</script> "
            f"<iframe srcdoc='<script>parent.alert(2)</script>'></iframe> :red[red] :material/home: :streamlit: "
            f"~~struck~~ [link](javascript:alert(3)) `code` &lt;b&gt; <{base}/auto> www.evil.test mail@evil.test "
            f"a -> b :smile:")


# the literal pieces that must be seen as text wherever their words are seen
LITERALS = ["**bold**", "$x^2$", "![t](", "<script>alert(1)</script>", ":red[red]", ":material/home:",
            ":streamlit:", "~~struck~~", "[link](javascript:alert(3))", "`code`", "&lt;b&gt;", "a -> b"]
WORDS = {"**bold**": "bold", "$x^2$": "x^2", "![t](": "track2", "<script>alert(1)</script>": ">alert(1)<",
         ":red[red]": "red[", ":material/home:": "material", ":streamlit:": "streamlit:",
         "~~struck~~": "struck", "[link](javascript:alert(3))": "alert(3)", "`code`": "code`",
         "&lt;b&gt;": "lt;b", "a -> b": "> b"}


CLAIM = "The Golden Gate Bridge opened in 1941, one guidebook says **bold** $x^2$ and <script>alert(1)</script>."


def article_text(base: str) -> str:
    """Two claims (the first one matches the archived fact-check), then a paragraph of pure markup
    after a blank line (a blank line ends an HTML block, after which Markdown is live again)."""
    return CLAIM + " Its main span is 1,280 metres long.\n\n" + hostile(base) + "\n"


def build_hostile_db(path: Path, base: str, embedder, nlp) -> dict:
    """A database where every stored text is hostile: archive, source, article, claims, review."""
    h = hostile(base)
    db = open_db(path)
    add_archive(db, [{"claim": f"{CLAIM} <img src={base}/track.png> ![t]({base}/track2.png)", "verdict": "REFUTED",
                      "rating": "False " + h, "url": EVIL_URL, "date": "2026-01-01",
                      "publisher": "Checks " + h}], origin="archive " + h)
    add_text(db, "The Golden Gate Bridge opened in 1937. Its main span is 1,280 metres long.\n\n" + h
             + "\n\nThe bridge is painted International Orange. " + h, embedder, title="Bridge facts " + h)
    # a source whose URL tries to break out of a link
    add_document(db, parse_document(("The Golden Gate Bridge is painted International Orange every year. " + h)
                                    .encode(), origin=EVIL_URL, title="Paint " + h), embedder, url=EVIL_URL)
    result = check_article(db, article_from_text(article_text(base), title="Article " + h), embedder, nlp=nlp)
    matched = next(cid for cid in result.claim_ids if claim_matches(db, cid))
    other = next(cid for cid in result.claim_ids if cid != matched)
    add_review(db, other, "SUPPORTED", "Reviewer " + h, note="Note " + h)
    db.close()
    return {"article_id": result.article_id, "matched": matched, "reviewed": other, "reviewer": "Reviewer " + h}


@pytest.fixture
def hostile_db(tmp_path, monkeypatch, embedder, nlp):
    path = tmp_path / "hostile.db"
    ids = build_hostile_db(path, "http://127.0.0.1:9", embedder, nlp)
    monkeypatch.setenv("FACTCHECK_DB", str(path))
    return path, ids


def run_page(path, **state):
    at = AppTest.from_file(str(ROOT / path), default_timeout=180)
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def markdown_sources(node, out=None) -> list[tuple[str, str, bool]]:
    """(what, Markdown source, HTML allowed) for every string the page renders as Markdown:
    st.markdown/caption/write, headings, alerts, toasts, expander and tab labels, widget labels,
    radio options, metric labels and progress texts. st.text, st.code and dataframes are plain."""
    out = [] if out is None else out
    if isinstance(node, et.Block):
        if isinstance(node, (et.Expander, et.Tab, et.Status)):
            out.append((node.type + " label", node.label, False))
        for child in node.children.values():
            markdown_sources(child, out)
        return out
    if isinstance(node, et.Markdown):
        out.append((node.type, node.value, bool(node.proto.allow_html)))
    elif isinstance(node, (et.HeadingBase, et.AlertBase, et.Toast)):
        out.append((node.type, node.value, False))
    elif isinstance(node, et.Progress):
        out.append(("progress", node.text, False))
    elif isinstance(node, (et.Widget, et.Metric)):
        out.append((node.type + " label", node.proto.label, False))
        if isinstance(node, et.Radio):
            out.extend((node.type + " option", o, False) for o in node.options)
    return out


_MD = {allow: MarkdownIt("commonmark", {"html": allow}).enable(["table", "strikethrough"]) for allow in (False, True)}
# elements that run script or load something by themselves; emphasis, strikethrough and code
# show up as their markup missing from the visible text (LITERALS)
FORBIDDEN_TAGS = re.compile(r"<(script|iframe|frame|img|image|object|embed|svg|math|video|audio|source|link|style|"
                            r"form|input|meta|base)\b", re.I)


def rendered_text(src: str, allow_html: bool) -> tuple[str, str]:
    """The HTML a CommonMark renderer makes of `src`, and its visible text."""
    out = _MD[allow_html].render(src)
    return out, html.unescape(re.sub(r"<[^>]+>", "", out))


def problems(what: str, src: str, allow_html: bool) -> list[str]:
    """What in one Markdown source would be interpreted instead of shown."""
    found = []
    out, text = rendered_text(src, allow_html)
    found += [f"renders <{tag}>" for tag in sorted({m.group(1).lower() for m in FORBIDDEN_TAGS.finditer(out)})]
    for href in re.findall(r'<a href="([^"]*)"', out):
        if not href.startswith(("http://", "https://")) or any(c in html.unescape(href) for c in '"<> '):
            found.append(f"links to {href!r}")
    # Streamlit's own extensions, which CommonMark does not know: KaTeX on an unescaped $,
    # directives (:red[...]), icons (:material/...:), shortcodes (:streamlit:, emoji)
    if re.search(r"(?<!\\)\$", src):
        found.append("an unescaped $ (KaTeX)")
    if re.search(r"(?<!\\):[a-z][a-z0-9-]*\[", src):
        found.append("a directive")
    if ":material/" in src:
        found.append("a material icon")
    # ...and what Streamlit rewrites in the parsed text: shortcodes, autolinks, arrows
    unlinked = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<a [^>]*>.*?</a>", "", out)))
    if re.search(r":[A-Za-z+-][\w+-]*:", unlinked):
        found.append("a shortcode")
    if re.search(r"(?i)(?<!\u2060)(https?://|www\.)|\w@\w", unlinked):
        found.append("an autolink")
    if re.search(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)", unlinked):
        found.append("an arrow")
    shown = text.replace(WORD_JOINER, "")
    for literal in LITERALS:
        if WORDS[literal] in shown and literal not in shown:
            found.append(f"{literal!r} is not shown literally")
    return [f"{what}: {p} in {src[:160]!r}" for p in found]


def assert_shown_as_text(at):
    assert not at.exception, [e.value for e in at.exception]
    sources = markdown_sources(at._tree)
    assert sources
    bad = [p for what, src, allow in sources for p in problems(what, src, allow)]
    assert not bad, "\n".join(bad)
    return sources


def test_the_checker_catches_raw_markup():
    """The checker itself: the old rendering of an archive URL and of a claim fails it."""
    h = hostile("http://127.0.0.1:9")
    assert problems("link", f"[{EVIL_URL}]({EVIL_URL})", True)
    assert problems("claim", f"### {h}", False)
    assert problems("passage", "<div>" + html.escape("a\n\n" + h) + "</div>", True)
    assert not problems("plain", "Claims 2 · reviewed 1", False)


@pytest.mark.parametrize("url,href", [
    (EVIL_URL, "http://evil.test/%22%3E%3Ciframe%20srcdoc=%22%3Cscript%3Eparent.alert%281%29%3C/script%3E%22%3E"),
    ("https://example.org/a_(b)?q=1&amp;r=**2**", "https://example.org/a_%28b%29?q=1&amp;r=%2A%2A2%2A%2A"),
    ("javascript:alert(1)", None), ("data:text/html,<script>alert(1)</script>", None),
    ("file:///etc/passwd", None), ("/etc/passwd", None), ("http:///no-host", None), ("http://[", None),
])
def test_md_link_links_only_http_and_escapes_both_sides(url, href):
    from app_pages.common import md_link

    src = md_link(url)
    out, text = rendered_text(src, allow_html=True)
    assert re.findall(r'<a href="([^"]*)"', out) == ([html.escape(href)] if href else [])
    assert text.replace(WORD_JOINER, "").strip() == url
    assert not problems("link", src, True)


def test_check_page_shows_hostile_text_as_text(hostile_db):
    path, ids = hostile_db
    at = run_page("app_pages/check_page.py", article_id=ids["article_id"])
    sources = assert_shown_as_text(at)
    assert any("bold" in s for _, s, _ in sources)  # the hostile text is there, as text
    assert any("<mark" in s for _, s, allow in sources if allow)


def test_review_page_shows_hostile_text_as_text(hostile_db):
    path, ids = hostile_db
    at = run_page("app_pages/review_page.py", article_id=ids["article_id"], focus_claim=ids["matched"],
                  reviewer="ana")
    sources = assert_shown_as_text(at)
    joined = "\n".join(s for _, s, _ in sources)
    assert "evil" in joined and "Checked before?" in joined
    # someone with a hostile name reviews the claim while it is open: the warning shows the name as text
    add_review(open_db(path), ids["matched"], "REFUTED", ids["reviewer"], note="Note " + hostile("x"))
    at.run()
    assert at.warning
    assert_shown_as_text(at)
    # the reviewed claim: its history holds the hostile name and note (a dataframe: plain text)
    at = run_page("app_pages/review_page.py", article_id=ids["article_id"], focus_claim=ids["reviewed"],
                  reviewer="ana")
    assert_shown_as_text(at)


def test_review_search_results_show_hostile_text_as_text(hostile_db):
    path, ids = hostile_db
    at = run_page("app_pages/review_page.py", article_id=ids["article_id"], focus_claim=ids["matched"],
                  reviewer="ana")
    at.text_input(key=f"search_q_{ids['matched']}").input("bold bridge span").run()
    at.button(key="search_go").click().run()
    assert_shown_as_text(at)
    next(b for b in at.button if (b.key or "").startswith("add_ev_")).click().run()  # the first hit
    assert_shown_as_text(at)


def test_sources_page_shows_hostile_text_as_text(hostile_db):
    path, ids = hostile_db
    at = run_page("app_pages/sources_page.py")
    sources = assert_shown_as_text(at)
    assert any("Bridge facts" in s for _, s, _ in sources)
    at.button(key="rm_1").click().run()  # the confirmation names the source
    assert at.warning
    assert_shown_as_text(at)
    # adding the same hostile text again: the message names the source that is already there
    at.radio(key="src_how").set_value("Paste text").run()
    at.text_area(key="src_text").input("The Golden Gate Bridge opened in 1937. Its main span is 1,280 metres long."
                                       "\n\n" + hostile("http://127.0.0.1:9")).run()
    at.text_input(key="src_title").input("Again " + hostile("http://127.0.0.1:9")).run()
    at.button(key="src_add").click().run()
    assert at.success or at.info
    assert_shown_as_text(at)


def test_export_page_shows_hostile_text_as_text(hostile_db):
    at = run_page("app_pages/export_page.py")
    assert_shown_as_text(at)
    at.text_input(key="setting_match_same").input("**bold** $x^2$").run()  # an error quotes the value
    assert at.error
    assert_shown_as_text(at)


def test_error_messages_show_user_text_as_text(hostile_db):
    at = run_page("app_pages/check_page.py")
    at.radio(key="check_how").set_value("URL").run()
    at.text_input(key="check_url").input("http://127.0.0.1:9/" + hostile("http://127.0.0.1:9")).run()
    at.button(key="check_go").click().run()
    assert at.error
    assert_shown_as_text(at)


# ---- defect 1: a URL box takes http(s) URLs only; local files come in through upload ----

LOCAL = ["/etc/passwd", "file:///etc/passwd", "ftp://127.0.0.1/passwd", "etc/passwd", "~/.bashrc", "//etc/passwd"]


FACTCHECK = ('{"@context": "https://schema.org", "@type": "ClaimReview", "url": "https://checks.example/1",'
             ' "claimReviewed": "The vault holds 56 bars of gold.", "reviewRating": {"alternateName": "False"}}')


@pytest.fixture
def local_file(tmp_path):
    p = tmp_path / "server-secret.md"
    p.write_text("# Server secret\n\nThe launch code is 1234. The vault holds 56 bars of gold.\n")
    return p


@pytest.mark.parametrize("spec", LOCAL + ["LOCAL_FILE", "file://LOCAL_FILE"])
def test_sources_url_box_never_reads_a_server_file(db_path, monkeypatch, embedder, local_file, spec):
    monkeypatch.setenv("FACTCHECK_DB", str(db_path))
    spec = spec.replace("LOCAL_FILE", str(local_file))
    at = run_page("app_pages/sources_page.py")
    at.radio(key="src_how").set_value("URL").run()
    at.text_input(key="src_url").input(spec).run()
    at.button(key="src_add").click().run()
    assert not at.exception
    assert any("http(s)" in e.value for e in at.error), [e.value for e in at.error]
    assert list_sources(open_db(db_path)) == []


@pytest.mark.parametrize("spec", ["LOCAL_FILE", "file://LOCAL_FILE", "/etc/passwd"])
def test_fact_check_import_url_box_never_reads_a_server_file(db_path, monkeypatch, tmp_path, spec):
    checks = tmp_path / "checks.json"
    checks.write_text(FACTCHECK)
    monkeypatch.setenv("FACTCHECK_DB", str(db_path))
    at = run_page("app_pages/sources_page.py")
    at.text_input(key="fc_url").input(spec.replace("LOCAL_FILE", str(checks))).run()
    at.button(key="fc_go").click().run()
    assert not at.exception
    assert any("http(s)" in e.value for e in at.error), [e.value for e in at.error]
    assert list_archive(open_db(db_path)) == []


@pytest.mark.parametrize("spec", LOCAL)
def test_check_url_box_never_reads_a_server_file(db_path, monkeypatch, spec):
    monkeypatch.setenv("FACTCHECK_DB", str(db_path))
    at = run_page("app_pages/check_page.py")
    at.radio(key="check_how").set_value("URL").run()
    at.text_input(key="check_url").input(spec).run()
    at.button(key="check_go").click().run()
    assert not at.exception
    assert any("http(s)" in e.value for e in at.error), [e.value for e in at.error]
    assert list_articles(open_db(db_path)) == []


@pytest.mark.parametrize("spec", LOCAL)
def test_read_url_refuses_anything_but_http(spec):
    from sources.errors import SourceError
    from sources.library import read_url

    with pytest.raises(SourceError, match=r"http\(s\)") as exc:
        read_url(spec)
    assert "\n" not in str(exc.value)


def test_read_url_reads_http(http_server):
    from sources.library import read_url

    doc, url = read_url(http_server + "/article.html")
    assert url == http_server + "/article.html" and "1937" in doc.text


def test_import_factchecks_url_refuses_files_and_reads_http(db, tmp_path, http_server):
    from claims.claimreview import import_factchecks_url
    from claims.errors import ClaimsError

    checks = tmp_path / "checks.json"
    checks.write_text(FACTCHECK)
    for spec in (str(checks), "file://" + str(checks)):
        with pytest.raises(ClaimsError, match=r"http\(s\)"):
            import_factchecks_url(db, spec)
    assert list_archive(db) == []
    assert import_factchecks_url(db, http_server + "/factcheck.json")["added"] == 1


# ---- the same in a real browser: no script runs, nothing remote loads, the text is visible ----

@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium; the test skips without it, except in CI (FACTCHECK_REQUIRE_BROWSER=1)."""
    _require_browser()
    return CHROMIUM


class _Tracker(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).hits.append(self.path)
        body = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                             "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)




def _settle(page):
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")


def _interpreted(page, where: str) -> list:
    """What of the hostile text the page interpreted: elements it asks for that exist, and its
    markup missing from the visible text."""
    # Markdown that needs KaTeX or emoji shows a skeleton until the plugin has loaded
    page.wait_for_function("() => !document.querySelector('[data-testid=stSkeleton]')")
    page.wait_for_timeout(500)
    found = page.evaluate("""() => ({
        iframes: [...document.querySelectorAll('iframe')].filter(f => (f.srcdoc || '').includes('alert')).length,
        imgs: [...document.querySelectorAll('img')].map(i => i.src).filter(s => /track|streamlit-logo|logo/.test(s)),
        katex: document.querySelectorAll('.katex').length,
        markup: [...document.querySelectorAll('strong, b, em, del, s, code, h1, h2, table, blockquote, li')]
                 .filter(e => /^(bold|struck|code|red|t)$/.test(e.textContent.trim())).map(e => e.outerHTML),
        // the app's own sidebar links to its pages (st.page_link: relative "check", "review") are no text it interpreted
        links: [...document.querySelectorAll('a[href]:not([data-testid=stPageLink-NavLink])')]
                 .filter(a => !/^(https?:|\\/|#|\\?)/.test(a.getAttribute('href')) ||
                              /javascript|track|auto|www\\.evil|evil\\.test\\/"|[<>"]/.test(a.getAttribute('href')))
                 .map(a => a.outerHTML + ' in ' + a.parentElement.outerHTML.slice(0, 300)),
        icons: [...document.querySelectorAll('[data-testid=stIconMaterial]')].filter(e => e.textContent === 'home').length,
    })""")
    out = [(where, k, v) for k, v in found.items() if v]
    body = page.locator("body").inner_text().replace(WORD_JOINER, "")
    return out + [(where, "not shown literally", lit) for lit in ("**bold**", "$x^2$", "<script>alert(1)</script>",
                                                                    ":red[red]", "~~struck~~") if lit not in body]


@pytest.mark.browser
@pytest.mark.slow
def test_hostile_content_in_a_real_browser(chromium, tmp_path, embedder, nlp):
    from playwright.sync_api import sync_playwright

    _Tracker.hits = []
    tracker = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Tracker)
    threading.Thread(target=tracker.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{tracker.server_address[1]}"
    db_file = tmp_path / "hostile.db"
    build_hostile_db(db_file, base, embedder, nlp)

    dialogs, remote, interpreted = [], [], []
    try:
        with streamlit_app(db_file, tmp_path) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(90_000)

            def route(r):
                if r.request.url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")):
                    r.continue_()
                else:
                    remote.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            try:
                interpreted = _browse(page, url, base, tmp_path)
            except Exception:
                page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
                print("failure screenshot:", tmp_path / "failure.png")
                raise
            finally:
                browser.close()
    finally:
        tracker.shutdown()
        tracker.server_close()
    failures = {"dialogs": dialogs, "requests off 127.0.0.1": remote, "tracking requests": _Tracker.hits,
                "interpreted": interpreted}
    assert not any(failures.values()), "\n".join(f"{k}: {v}" for k, v in failures.items())


def _browse(page, url, base, tmp_path) -> list:
    found = []
    shots = Path(os.environ.get("FACTCHECK_HOSTILE_SHOTS", tmp_path))
    page.goto(url + "/sources")
    page.get_by_role("heading", name="Earlier fact-checks").wait_for()
    _settle(page)
    found += _interpreted(page, "sources")

    # check the hostile article (the real pipeline in the server), then open the matched claim
    page.get_by_role("link", name="Check an article").click()
    page.get_by_label("Article text").wait_for()
    page.get_by_label("Article text").fill(article_text(base))
    page.get_by_label("Article text").press("Control+Enter")
    _settle(page)
    page.get_by_role("button", name="Check", exact=True).click()
    # the library already holds this very article: the page names it (its hostile title as text)
    page.get_by_text("This text was checked before").wait_for()
    _settle(page)
    found += _interpreted(page, "checked before")
    page.get_by_role("button", name="Check it again as a new copy").click()
    page.get_by_text("Done in").wait_for()
    _settle(page)
    found += _interpreted(page, "check")
    page.screenshot(path=str(shots / "hostile-check.png"), full_page=True)
    page.get_by_role("button", name="Open").first.click()
    page.get_by_text("Checked before?").wait_for()
    _settle(page)
    found += _interpreted(page, "review")
    if EVIL_URL not in page.locator("body").inner_text():
        found.append(("review", "not shown literally", EVIL_URL))
    page.screenshot(path=str(shots / "hostile-review.png"), full_page=True)
    page.get_by_text("Checked before?").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "hostile-review-match.png"))

    page.get_by_role("link", name="Export").click()
    page.get_by_role("heading", name="Export").wait_for()
    _settle(page)
    if page.evaluate("() => document.querySelectorAll('iframe[srcdoc], img[src*=track], .katex').length"):
        found.append(("export", "elements", "iframe, img or KaTeX"))
    page.wait_for_timeout(1000)  # time for anything that would load late
    return found
