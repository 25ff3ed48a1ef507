"""scanner.sources.markup and the readers built on it: real parsers, bounded on hostile nesting."""

from __future__ import annotations

import time

from scanner.sources import markup
from scanner.sources.html_text import extract_main_text
from scanner.sources.normalise import plain_text
from scanner.specs.html_spec import html_blocks
from scanner.specs.load import markdown_blocks


def test_walk_opens_and_closes_every_element_in_order() -> None:
    [root] = markup.parse("<p>a<b>b</b>c</p><!-- gone --><div><i></i></div>tail")
    events = [(e, n.tag if e != markup.TEXT else n.text_content) for e, n in markup.walk(root)]
    body = events[events.index(("open", "body")):]
    assert body == [("open", "body"), ("open", "p"), ("text", "a"), ("open", "b"), ("text", "b"),
                    ("close", "b"), ("text", "c"), ("close", "p"), ("open", "div"), ("open", "i"),
                    ("close", "i"), ("close", "div"), ("text", "tail"), ("close", "body"),
                    ("close", "html")]


def test_deep_nesting_is_read_whole_in_linear_time() -> None:
    depth = 100_000  # lexbor alone would take minutes on this (its work grows with depth squared)
    html = "<p>start</p>" + "<section>" * depth + "deep words" + "</section>" * depth + "<p>end</p>"
    started = time.perf_counter()
    text = plain_text(html, 10_000_000)
    page = extract_main_text(html, "https://example.com/")
    blocks = html_blocks(html)
    assert time.perf_counter() - started < 20
    assert text == "start deep words end"
    assert "deep words" in "\n".join(b.text for b in page.blocks)
    assert [b.text for b in blocks] == ["start", "deep words", "end"]


def test_cdata_wrapped_summaries_keep_their_text() -> None:
    # a feed that double-wraps its HTML: the old tokenizer returned nothing at all
    assert plain_text("<![CDATA[<div><p>Agents can now <b>pay</b>.</p></div>]]>").startswith("Agents can now pay.")


def test_markdown_blocks_follow_commonmark() -> None:
    text = """# Rules {#rules authority=platform}

Use `tool_choice` and **bold** words [with links](https://x.example)[^1] here.

!!! meta "Commentary"

    Why we chose this *default*.

- top item
  1. nested item
     ```
     ~~~
     still code
     ```

| a | b |
|---|---|
| 1 | 2 |

Setext title
------------

~~~xml
<user>hi</user><assistant>hello</assistant>
```
~~~
"""
    got = [(b.path, b.anchor, b.kind, b.text) for b in markdown_blocks(text)]
    assert got == [
        (["Rules"], "rules", "text", "Use tool_choice and bold words with links here."),
        (["Rules"], "rules", "note", "Why we chose this default."),
        (["Rules"], "rules", "item", "top item"),
        (["Rules"], "rules", "item", "nested item"),
        (["Rules"], "rules", "example", "~~~ still code"),
        (["Rules"], "rules", "text", "a ; b 1 ; 2"),
        (["Rules", "Setext title"], "setext-title", "example", "hi hello ```"),
    ]
