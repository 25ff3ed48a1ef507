"""scanner.sources.html_text: main-text extraction from pages without a feed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scanner.sources.html_text import (
    PageText,
    TextBlock,
    decode_html,
    extract_main_text,
    new_blocks,
    normalise,
)

BASE = "https://www.example.com/news/"

NEWS = """<!DOCTYPE html><html><head><title>  Example
  News </title><style>h2 { color: red }</style>
<script>var tracking = "SCRIPT-TEXT";</script></head>
<body>
<header><a href="/">Example Inc.</a> SITE-HEADER</header>
<nav><ul><li><a href="/products">Products</a></li><li>NAV-TEXT</li></ul></nav>
<p>Cookie banner outside main</p>
<main>
  <h1>Newsroom</h1>
  <p>The latest   from\n our   teams.</p>
  <h2><a href="/news/agent-payments">Agents can now   pay</a></h2>
  <p>Today we launch <b>agentic</b> <i>checkout</i>.</p>
  <script>document.write("INLINE-SCRIPT")</script>
  <noscript>NOSCRIPT-TEXT</noscript>
  <form><label>SUBSCRIBE-FORM</label><input name="email"></form>
  <h2>Memory, <em>everywhere</em></h2>
  <p>Read <a href="javascript:alert(1)">this</a> or <a href="https://blog.example.org/mem">that</a>.</p>
  <aside>RELATED-ASIDE</aside>
</main>
<footer>SITE-FOOTER</footer>
</body></html>"""


def texts(page: PageText) -> str:
    return "\n".join(block.text for block in page.blocks)


def test_main_is_preferred_and_furniture_dropped() -> None:
    page = extract_main_text(NEWS, BASE)
    assert page.title == "Example News"
    assert page.blocks == [
        TextBlock("Newsroom\nThe latest from our teams.", "Newsroom", None),
        TextBlock("Agents can now pay\nToday we launch agentic checkout.", "Agents can now pay",
                  "https://www.example.com/news/agent-payments"),
        TextBlock("Memory, everywhere\nRead this or that.", "Memory, everywhere",
                  "https://blog.example.org/mem"),
    ]
    for noise in ("SCRIPT", "NAV-TEXT", "SITE-HEADER", "SITE-FOOTER", "Cookie banner",
                  "NOSCRIPT", "SUBSCRIBE", "RELATED-ASIDE", "color: red"):
        assert noise not in texts(page)


def test_articles_preferred_when_there_is_no_main() -> None:
    html = """<html><body><div class="top">Top stories menu</div>
    <article><header><h3>First launch</h3><time>May 1</time></header><p>Body one.</p></article>
    <article><a href="https://x.example/2"><h3>Second launch</h3><p>Body two.</p></a></article>
    <div>Unrelated sidebar</div></body></html>"""
    page = extract_main_text(html, BASE)
    assert [(b.heading, b.text, b.link) for b in page.blocks] == [
        ("First launch", "First launch\nMay 1\nBody one.", None),
        ("Second launch", "Second launch\nBody two.", "https://x.example/2"),
    ]
    assert page.title == "First launch"  # no <title>: the first heading


def test_whole_body_when_no_main_or_article_and_base_href() -> None:
    html = """<html><head><base href="https://cdn.example.net/en/"></head><body>
    <p hidden>HIDDEN</p><div aria-hidden="true">ARIA-HIDDEN</div>
    Intro text <a href="post-1">first post</a><br>second line
    <h2>Later</h2><svg><title>SVG-TITLE</title><text>SVG-TEXT</text></svg>tail</body></html>"""
    page = extract_main_text(html, BASE)
    assert page.title == "Later"
    assert page.blocks == [
        TextBlock("Intro text first post\nsecond line", None, "https://cdn.example.net/en/post-1"),
        TextBlock("Later\ntail", "Later", None),
    ]


def test_charset_handling() -> None:
    latin = '<html><head><meta charset="iso-8859-1"><title>Caf\xe9</title></head>' \
            '<body><p>Na\xefve \x93quotes\x94</p></body></html>'
    page = extract_main_text(latin.encode("latin-1"), BASE)
    assert page.title == "Caf\xe9" and page.blocks[0].text == "Na\xefve \u201cquotes\u201d"

    http_equiv = b'<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">' \
                 + "<p>\u65e5\u672c</p>".encode("shift_jis")
    assert extract_main_text(http_equiv, BASE).blocks[0].text == "\u65e5\u672c"

    utf8 = "<p>\u00fcber \u2014 ok</p>".encode() + b"<p>bad \xff byte</p>"
    assert texts(extract_main_text(utf8, BASE)) == "\u00fcber \u2014 ok\nbad \ufffd byte"
    assert decode_html(b"\xef\xbb\xbf<p>\xc3\xa9</p>") == "<p>\u00e9</p>"
    assert decode_html("<p>\u00e9</p>".encode("cp1252"), "windows-1252") == "<p>\u00e9</p>"
    assert decode_html(b'<meta charset="no-such-codec"><p>\xc3\xa9</p>') == \
        '<meta charset="no-such-codec"><p>\u00e9</p>'
    # a meta tag readable as ASCII cannot be telling the truth about UTF-16
    assert decode_html(b'<meta charset="UTF-16"><p>\xc3\xa9</p>') == \
        '<meta charset="UTF-16"><p>\u00e9</p>'


def test_new_blocks_finds_only_changed_blocks() -> None:
    before = extract_main_text(NEWS, BASE)
    after_html = NEWS.replace(
        "<h1>Newsroom</h1>",
        "<h1>NEWSROOM</h1>")  # case only: not a change
    after_html = after_html.replace(
        "<h2>Memory, <em>everywhere</em></h2>",
        "<h2>Voice mode for all</h2><p>Talk to it.</p>\n<h2>Memory, <em>everywhere</em></h2>")
    after_html = after_html.replace("agentic</b>", "agentic</b> and instant")
    after = extract_main_text(after_html, BASE)
    fresh = new_blocks(before.texts(), after)
    assert [b.heading for b in fresh] == ["Agents can now pay", "Voice mode for all"]
    assert new_blocks(after.texts(), after) == []
    assert new_blocks([], after) == after.blocks
    assert normalise("  A\n  b ") == "a b"


@given(st.text(max_size=200), st.lists(st.sampled_from(
    ["<a href='javascript:x'>", "<a href='//e.com'>", "<main>", "</main>", "<h2>", "</h2>",
     "<script>", "</p>", "<p>", "<article>", "<nav>", "</div>", "<a href='/ok'>", "</a>",
     "&amp;", "<!--", "<title>", "\x00"]), max_size=20))
def test_never_raises_and_links_are_safe(text: str, tags: list[str]) -> None:
    page = extract_main_text("".join(tags) + text + "".join(reversed(tags)), BASE)
    for block in page.blocks:
        assert block.text.strip() and "\n\n" not in block.text
        assert block.link is None or block.link.startswith(("https://", "http://"))
