"""A fetch run against real local servers: one good feed, one malformed, one failing."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.local_http import QuietHandler, local_server

GOOD = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Good</title><link>https://good.example/</link>
<item><title>Agents can now pay with tokens</title><link>https://good.example/a</link><pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate></item>
<item><title>Memory arrives in the assistant</title><link>https://good.example/b</link><pubDate>Tue, 07 Jan 2025 10:00:00 GMT</pubDate></item>
<item><title>Memory arrives in the assistant</title><link>https://good.example/b</link><pubDate>Tue, 07 Jan 2025 10:00:00 GMT</pubDate></item>
</channel></rss>"""


class Handler(QuietHandler):
    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:
        Handler.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        if self.path == "/good.xml":
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(GOOD)))
            self.end_headers()
            self.wfile.write(GOOD)
        elif self.path == "/bad.xml":
            body = b"<rss><channel><item><title>broken"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()


@pytest.fixture
def server() -> Iterator[str]:
    Handler.seen = []
    with local_server(Handler) as base:
        yield base


def cli(*args: str, db: Path, allow: bool = True) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ}
    if allow:
        env["WETCEMENT_ALLOW_PRIVATE_NETWORKS"] = "1"
    else:
        env.pop("WETCEMENT_ALLOW_PRIVATE_NETWORKS", None)
    return subprocess.run([sys.executable, "-m", "scanner.cli", "--db", str(db), *args], capture_output=True, text=True, env=env, timeout=120)


def test_one_bad_feed_never_stops_the_run(server: str, fresh_db: Path) -> None:
    for name in ("good", "bad", "down"):
        assert cli("sources", "add", f"{server}/{name}.xml", "--name", name, db=fresh_db).returncode == 0
    out = cli("fetch", "--format", "json", db=fresh_db)
    assert out.returncode == 0, out.stderr
    results = {r["source"]: r for r in json.loads(out.stdout)}
    assert results["good"]["status"] == "new" and results["good"]["new"] == 2
    assert results["bad"]["status"] in ("error", "unchanged")
    assert results["down"]["status"] == "error" and results["down"]["http_status"] == 500
    assert "[3/3]" in out.stderr
    items = json.loads(cli("items", "--format", "json", db=fresh_db).stdout)
    assert sorted(i["url"] for i in items) == ["https://good.example/a", "https://good.example/b"]

    again = cli("fetch", "--source", "good", "--format", "json", db=fresh_db)
    assert json.loads(again.stdout)[0]["status"] == "unchanged"
    assert Handler.seen[-1].get("if-none-match") == '"v1"'
    assert len(json.loads(cli("items", "--format", "json", db=fresh_db).stdout)) == 2

    health = {s["name"]: s for s in json.loads(cli("sources", "list", "--format", "json", db=fresh_db).stdout)}
    assert health["down"]["consecutive_failures"] == 1 and "500" in (health["down"]["last_error"] or "")
    assert health["good"]["last_success"] is not None and health["good"]["items"] == 2


def test_every_source_failing_exits_3(server: str, fresh_db: Path) -> None:
    cli("sources", "add", f"{server}/down.xml", "--name", "down", db=fresh_db)
    out = cli("fetch", db=fresh_db)
    assert out.returncode == 3 and "every source failed" in out.stderr


def test_loopback_is_refused_without_the_opt_in(server: str, fresh_db: Path) -> None:
    cli("sources", "add", f"{server}/good.xml", "--name", "good", db=fresh_db)
    Handler.seen = []
    out = cli("fetch", "--format", "json", db=fresh_db, allow=False)
    assert out.returncode == 3
    assert Handler.seen == []
    assert "private" in json.loads(out.stdout)[0]["error"] or "loopback" in json.loads(out.stdout)[0]["error"]


def test_file_urls_are_refused(fresh_db: Path) -> None:
    out = cli("sources", "add", "file:///etc/passwd", db=fresh_db)
    assert out.returncode == 2 and "only http and https" in out.stderr


PAGE_V1 = b"""<html><body><nav>Menu</nav><main>
<article><h2><a href="/news/memory">Memory for everyone</a></h2><p>The assistant now remembers past chats.</p></article>
<article><h2><a href="/news/voice">Voice mode arrives</a></h2><p>Talk to the assistant in real time.</p></article>
</main><footer>Legal</footer></body></html>"""
PAGE_V2 = PAGE_V1.replace(b"<main>", b"""<main><article><h2><a href="/news/pay">Agents that pay</a></h2><p>Agents can now pay for you with tokens.</p></article>""")


def test_a_page_without_a_feed_turns_changes_into_items(fresh_db: Path) -> None:
    state = {"page": PAGE_V1}

    class Page(QuietHandler):
        def do_GET(self) -> None:
            body = state["page"]
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with local_server(Page) as base:
        url = f"{base}/news"
        assert cli("sources", "add", url, "--name", "lab-news", "--kind", "html", db=fresh_db).returncode == 0
        first = json.loads(cli("fetch", "--format", "json", db=fresh_db).stdout)[0]
        assert first["status"] == "new" and first["new"] == 2
        again = json.loads(cli("fetch", "--format", "json", db=fresh_db).stdout)[0]
        assert again["new"] == 0
        state["page"] = PAGE_V2
        changed = json.loads(cli("fetch", "--format", "json", db=fresh_db).stdout)[0]
        assert changed["new"] == 1
        items = json.loads(cli("items", "--format", "json", db=fresh_db).stdout)
        titles = sorted(i["title"] for i in items)
        assert titles == ["Agents that pay", "Memory for everyone", "Voice mode arrives"]
        assert all(i["date_missing"] for i in items)
        assert any(i["url"].endswith("/news/pay") for i in items)
