"""Full text for thin items: article pages fetched once, politely and safely, kept beside the
summary, and read by the judge. Network tests run against a local server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pytest

from scanner import scan, store
from scanner.judge.text import BODY_SQL, FULL_TEXT_CHARS, body, item_text
from scanner.sources import fulltext, http, registry
from scanner.views.browse import Query, search
from tests.local_http import QuietHandler, local_server

ARTICLE = (
    "Starting today, the assistant can pay for things on your behalf. You set a monthly limit, "
    "pick the shops it may use, and approve anything above a threshold from your phone. "
)


def article_page(n: int) -> bytes:
    paras = "".join(f"<p>{ARTICLE} Paragraph {k} of article {n} explains the wallet.</p>" for k in range(6))
    return (f"<html><head><title>Article {n}</title><meta name='author' content='Ann Writer'></head><body>"
            f"<nav>Home · Blog · Careers</nav><article><h1>Article {n}</h1>{paras}</article>"
            "<footer>Copyright and cookie settings</footer></body></html>").encode()


def rss(base: str, paths: list[str], teaser: str = "") -> bytes:
    items = "".join(
        f"<item><title>Launch number {k}: {p.strip('/')}</title><link>{base}{p}</link>"
        f"<description>{teaser}</description><pubDate>Mon, 0{k + 1} Dec 2025 10:00:00 GMT</pubDate></item>"
        for k, p in enumerate(paths)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()


class Site(QuietHandler):
    seen: Counter[str] = Counter()
    base = ""
    big = 6_000_000  # over the pages' 5 MB cap

    def _send(self, status: int, body: bytes = b"", kind: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        Site.seen[self.path] += 1
        if self.path == "/thin.xml":
            self._send(200, rss(Site.base, ["/a/1", "/a/2", "/big", "/pdf"]), "application/rss+xml")
        elif self.path == "/off.xml":
            self._send(200, rss(Site.base, ["/a/3"]), "application/rss+xml")
        elif self.path == "/rich.xml":
            self._send(200, rss(Site.base, ["/a/4"], teaser="x" * (fulltext.THIN_CHARS + 50)), "application/rss+xml")
        elif self.path == "/redirect.xml":
            self._send(200, rss(Site.base, ["/away", "/a/5"]), "application/rss+xml")
        elif self.path.startswith("/a/"):
            self._send(200, article_page(int(self.path.rsplit("/", 1)[1])))
        elif self.path == "/big":
            self._send(200, b"<html><body><p>" + b"x" * Site.big + b"</p></body></html>")
        elif self.path == "/pdf":
            self._send(200, b"%PDF-1.4 not a page", "application/pdf")
        elif self.path == "/away":
            self._send(302, Location="http://10.0.0.1/secret")
        else:
            self._send(404)


@pytest.fixture
def site() -> Iterator[str]:
    Site.seen = Counter()
    with local_server(Site) as base:
        Site.base = base
        yield base


def cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WETCEMENT_ALLOW_PRIVATE_NETWORKS": "1"}
    return subprocess.run([sys.executable, "-m", "scanner.cli", "--db", str(db), *args],
                          capture_output=True, text=True, env=env, timeout=300)


def items_by_path(db: Path) -> dict[str, dict]:
    out = cli("items", "--format", "json", db=db)
    assert out.returncode == 0, out.stderr
    return {i["url"].split(":", 2)[2].split("/", 1)[1]: i for i in json.loads(out.stdout)}


def test_titles_only_feed_gains_full_text_once_and_an_off_source_gets_none(site: str, fresh_db: Path) -> None:
    assert cli("sources", "add", f"{site}/thin.xml", "--name", "thin", db=fresh_db).returncode == 0
    off = cli("sources", "add", f"{site}/off.xml", "--name", "off", "--no-full-text", db=fresh_db)
    assert off.returncode == 0, off.stderr
    assert cli("sources", "add", f"{site}/rich.xml", "--name", "rich", db=fresh_db).returncode == 0
    listed = {s["name"]: s for s in json.loads(cli("sources", "list", "--format", "json", db=fresh_db).stdout)}
    assert listed["off"]["full_text"] is False and listed["thin"]["full_text"] is True

    first = cli("update", "--format", "json", db=fresh_db)
    assert first.returncode == 0, first.stderr
    assert "full text:" in first.stderr
    items = items_by_path(fresh_db)
    for path in ("a/1", "a/2"):  # titles only in the feed; the article's text beside the empty summary
        it = items[path]
        assert it["summary"] == "" and it["title"].startswith("Launch number")
        assert it["full_text_status"] == "ok" and "pay for things on your behalf" in it["full_text"]
        assert "Copyright" not in it["full_text"] and "Careers" not in it["full_text"]  # boilerplate left out
        assert it["judge_version"]  # judged, at the first scan, on the article's text
    for path, status in (("big", "refused"), ("pdf", "refused")):  # the item stays, with its title
        assert items[path]["full_text"] is None and items[path]["full_text_status"] == status
        assert items[path]["title"].startswith("Launch number")
    assert items["a/3"]["full_text"] is None and items["a/3"]["full_text_status"] is None  # --no-full-text
    assert items["a/4"]["full_text_status"] is None  # not thin: its feed says enough
    assert Site.seen["/a/3"] == 0 and Site.seen["/a/4"] == 0

    second = cli("update", "--format", "json", db=fresh_db)
    assert second.returncode == 0, second.stderr
    assert {r["source"]: r["status"] for r in json.loads(second.stdout)["fetch"]} == {
        "off": "unchanged", "rich": "unchanged", "thin": "unchanged"}  # full text is no change upstream
    assert {p: n for p, n in Site.seen.items() if not p.endswith(".xml")} == {"/a/1": 1, "/a/2": 1, "/big": 1, "/pdf": 1}
    assert items_by_path(fresh_db)["a/1"]["full_text"] == items["a/1"]["full_text"]
    with store.session(fresh_db) as con:  # Explore's word search reads the article too
        found, _ = search(con, Query(text="behalf"))
    assert {r["id"] for r in found} == {items["a/1"]["id"], items["a/2"]["id"]}


def test_a_redirect_into_a_private_network_is_refused_and_the_item_kept(
    site: str, fresh_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(http.ALLOW_PRIVATE_ENV, raising=False)
    real = http.resolve  # the guard's seam: this test's server counts as public, nothing else does
    monkeypatch.setattr(http, "resolve", lambda host, port: ["93.184.215.14"] if host == "127.0.0.1" else real(host, port))
    with store.session(fresh_db) as con:
        registry.add_source(con, f"{site}/redirect.xml", name="redir", kind="rss")
    results = registry.fetch_sources(fresh_db)
    assert [r.status for r in results] == ["new"]
    with store.session(fresh_db) as con:
        rows = {r[0]: r[1:] for r in con.execute("SELECT url, title, full_text, full_text_status, full_text_error FROM items").fetchall()}
    title, text, status, error = rows[f"{site}/away"]
    assert title.startswith("Launch number") and text is None and status == "refused" and "10.0.0.1" in error
    assert rows[f"{site}/a/5"][2] == "ok"  # the guard let the public page through


def test_polite_per_host_interval_and_hosts_in_turn(fresh_db: Path) -> None:
    now = datetime(2025, 12, 1, 10)
    with store.session(fresh_db) as con:
        registry.add_source(con, "https://blog.example/feed", name="blog", kind="rss")
        for k, host in enumerate(["a.example", "a.example", "b.example", "a.example"]):
            con.execute("INSERT INTO items (id, url, title, summary, source, published, first_seen, updated_at, "
                        "content_hash, sources) VALUES (?, ?, 't', '', 'blog', ?, current_timestamp, current_timestamp, ?, ['blog'])",
                        [f"i{k}", f"https://{host}/{k}", now, f"h{k}"])
    clock = [0.0]
    calls: list[tuple[float, str]] = []

    def fake(url: str) -> None:
        calls.append((clock[0], url))
        raise http.FetchError("server answered 503", url=url)

    def sleep(s: float) -> None:
        clock[0] += s

    run = fulltext.fill_full_texts(fresh_db, fetch=fake, sleep=sleep, clock=lambda: clock[0])
    assert run.tried == 4 and run.outcomes == {"failed": 4}
    hosts = [u.split("/")[2] for _, u in calls]
    assert hosts[:2] == ["a.example", "b.example"]  # hosts in turn
    a_times = [t for t, u in calls if "a.example" in u]
    assert all(b - a >= fulltext.HOST_INTERVAL for a, b in zip(a_times, a_times[1:], strict=False))
    assert fulltext.fill_full_texts(fresh_db, fetch=fake).tried == 0  # a failure is remembered


def test_the_judge_reads_the_full_text_in_place_of_the_summary() -> None:
    long = "Ünïcode wallet text. " * 200
    assert body("a teaser", None) == "a teaser" and body("a teaser", "") == "a teaser"
    assert body("a teaser", long) == long[:FULL_TEXT_CHARS]
    assert item_text("Title", "", None) == "Title"
    assert item_text("Title", "a teaser", long) == f"Title. {long[:FULL_TEXT_CHARS]}"
    con = duckdb.connect()  # the scan's SQL applies the same rule as `body`
    con.execute("CREATE TABLE items (summary TEXT, full_text TEXT)")
    con.execute("INSERT INTO items VALUES ('a teaser', ?), ('a teaser', NULL)", [long])
    assert [r[0] for r in con.execute(f"SELECT {BODY_SQL} FROM items i").fetchall()] == [body("a teaser", long), "a teaser"]


def test_an_item_whose_text_grows_is_embedded_and_judged_again(fresh_db: Path, tmp_path: Path, fake_embedder) -> None:
    feed = tmp_path / "teasers.jsonl"
    feed.write_text(json.dumps({"url": "https://lab.example/launch", "title": "Something new",
                                "published": "2025-12-01T10:00:00", "summary": "Read more."}) + "\n")
    from scanner.sources.ingest import ingest_paths

    with store.session(fresh_db) as con:
        ingest_paths(con, [feed])
    seen: list[str] = []

    class Recording(type(fake_embedder)):  # type: ignore[misc]
        def encode(self, texts: list[str]) -> np.ndarray:
            seen.extend(texts)
            return super().encode(texts)

    embedder = Recording()
    scan(fresh_db, as_of=date(2025, 12, 2), embedder=embedder)
    with store.session(fresh_db) as con:
        (iid, before), = con.execute("SELECT id, content_hash FROM items").fetchall()
        fulltext.set_full_text(con, iid, "ok", ARTICLE * 3, meta={"author": "Ann"})
        after, version = con.execute("SELECT i.content_hash, v.judge_version FROM items i "
                                     "JOIN item_verdicts v ON v.item_id = i.id").fetchone()
    assert after != before and version is None  # marked for the next scan
    seen.clear()
    scan(fresh_db, as_of=date(2025, 12, 2), embedder=embedder)
    assert any("pay for things on your behalf" in t and "Read more" not in t for t in seen)
    with store.session(fresh_db) as con:
        assert con.execute("SELECT judge_version FROM item_verdicts").fetchone()[0]  # judged again
        # the same feed text again: unchanged, and the full text and its hash stay
        ingest_paths(con, [feed])
        assert con.execute("SELECT content_hash, full_text IS NOT NULL FROM items").fetchone() == (after, True)
        assert con.execute("SELECT count(*) FROM item_history").fetchone()[0] == 0
