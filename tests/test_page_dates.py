"""Pages without a feed: each item takes its publication date from the page (JSON-LD, <time>,
meta tags, htmldate), so that it counts towards momentum; only a page with no date at all
leaves items dated when first seen. Fetched for real from a server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner import store
from scanner.judge.signals import Member, momentum
from scanner.sources.page_dates import read_dates
from scanner.sources.registry import add_source, fetch_sources
from tests.local_http import QuietHandler, local_server

LISTING = """<!doctype html><html><head><title>Newsroom</title>
<meta property="article:modified_time" content="2025-06-02T08:00:00Z">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "ItemList",
 "itemListElement": [{"@type": "ListItem", "position": 1, "item": {"@type": "BlogPosting",
 "url": "/news/ledger", "datePublished": "2025-05-20T12:00:00+02:00"}}]}</script>
</head><body><nav><a href="/">Home</a> <a href="/about">About</a></nav><main>
<h1>Newsroom</h1>
<article><time datetime="2025-05-28T09:30:00Z">Yesterday</time>
  <h2><a href="/news/pay">Agents can now pay</a></h2><p>Checkout for agents.</p></article>
<article><h2><a href="/news/ledger">A shared ledger for agents</a></h2><p>Ledger.</p></article>
<div class="card"><h2><a href="/news/voice">Voice everywhere</a></h2>
  <p>Published March 3, 2025 by <a href="/authors/ana">Ana</a></p><p>Talk to it.</p></div>
<div class="card"><h2><a href="/news/plain">A post that says no date</a></h2><p>Words.</p></div>
{extra}
</main><footer><a href="/legal">Legal</a></footer></body></html>"""


class Handler(QuietHandler):
    extra = ""

    def do_GET(self) -> None:
        body = LISTING.replace("{extra}", Handler.extra).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("WETCEMENT_ALLOW_PRIVATE_NETWORKS", "1")
    Handler.extra = ""
    with local_server(Handler) as base:
        yield base


def _items(db: Path) -> dict[str, tuple[datetime, bool]]:
    with store.session(db) as con:
        rows = con.execute("SELECT title, published, date_missing FROM items").fetchall()
    return {title: (published, missing) for title, published, missing in rows}


def test_a_page_without_a_feed_gives_dated_items(server: str, fresh_db: Path) -> None:
    with store.session(fresh_db) as con:
        add_source(con, f"{server}/news/", name="newsroom", kind="html")
    [result] = fetch_sources(fresh_db)
    assert result.status == "new" and result.new == 4, result
    got = _items(fresh_db)
    assert got["Agents can now pay"] == (datetime(2025, 5, 28, 9, 30), False)  # <time datetime>
    assert got["A shared ledger for agents"] == (datetime(2025, 5, 20, 10, 0), False)  # JSON-LD, in UTC
    assert got["Voice everywhere"] == (datetime(2025, 3, 3), False)  # htmldate, from the card's text
    published, missing = got["A post that says no date"]
    assert missing and (datetime.now() - published).days < 2  # first seen, and marked so

    # the page changes: a new part without a link of its own takes the page's own date
    Handler.extra = "<h2>Memory for teams</h2><p>Teams can now share memory.</p>"
    fetch_sources(fresh_db)
    assert _items(fresh_db)["Memory for teams"] == (datetime(2025, 6, 2, 8, 0), False)


def test_dated_page_items_count_towards_momentum(server: str, fresh_db: Path) -> None:
    with store.session(fresh_db) as con:
        add_source(con, f"{server}/news/", name="newsroom", kind="html")
    fetch_sources(fresh_db)
    members = [Member(id=t, url=None, title=t, text=t, org="Example", published=p, date_missing=m)
               for t, (p, m) in _items(fresh_db).items()]
    value, evidence = momentum(members, datetime(2025, 6, 5), window_days=120)
    assert evidence["recent_items"] == 3 and value > 0  # the undated one does not count
    assert momentum([m for m in members if m.date_missing], datetime(2025, 6, 5), 120)[0] == 0


def test_dates_without_a_server_and_nothing_invented() -> None:
    html = LISTING.replace("{extra}", "")
    dates = read_dates(html, "https://example.com/news/")
    assert dates.for_link("https://example.com/news/pay", "https://example.com/news/") == datetime(2025, 5, 28, 9, 30)
    assert dates.for_link("https://example.com/news/plain", "https://example.com/news/") is None
    assert dates.for_link(None, "https://example.com/news/") == datetime(2025, 6, 2, 8, 0)
    bare = "<html><body><h2><a href='/a'>A</a></h2><p>No dates anywhere.</p></body></html>"
    nothing = read_dates(bare, "https://example.com/")
    assert nothing.cards == {} and nothing.page is None
    future = '<article><time datetime="2999-01-01">later</time><a href="/f">F</a></article>'
    assert read_dates(future, "https://example.com/").cards == {}
    broken = '<script type="application/ld+json">{"datePublished": [[[' + "[" * 5000 + "</script>"
    assert read_dates(broken, "https://example.com/").page is None
    assert json.dumps(read_dates(bare, "https://example.com/").cards) == "{}"


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=120), st.lists(st.sampled_from(
    ["<article>", "</article>", "<h2>", "</h2>", "<a href='/x'>", "<a href='javascript:1'>", "</a>",
     "<time datetime='2025-02-30'>", "<time datetime='2024-05-01'>", "</time>", "<p>", "March 3, 2025",
     "<script type='application/ld+json'>", "</script>", '{"datePublished": "2025-01-01", "url": "/x"}',
     "<meta property='article:published_time' content='nope'>", "<base href='//evil'>", "\x00"]),
    max_size=25))
def test_any_markup_gives_dates_or_none_never_an_error(text: str, tags: list[str]) -> None:
    dates = read_dates("".join(tags) + text, "https://example.com/news/")
    now = datetime.now()
    for when in [*dates.cards.values(), dates.page]:
        assert when is None or datetime(1990, 1, 1) <= when <= now.replace(year=now.year + 1)
