"""The source registry and the fetch run: one result per source, errors as values.

A fetch run never lets one source's failure escape: each source gets a ``SourceResult`` (new,
updated, unchanged or error), the last error and the count of consecutive failures are stored
on the source, and a source that suddenly yields nothing is flagged as broken, so that a dead
feed is never read as a vendor going quiet.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scanner import store
from scanner.errors import BadInput
from scanner.progress import Progress, reporter
from scanner.sources.fulltext import fill_full_texts
from scanner.sources.html_text import decode_html, extract_main_text, new_blocks
from scanner.sources.http import FetchError, check_url
from scanner.sources.http import fetch as http_fetch
from scanner.sources.ingest import check_source_name, register_source
from scanner.sources.page_dates import read_dates
from scanner.sources.parse import make_item, parse_feed
from scanner.store.items import store_items

DEFAULTS = Path(__file__).resolve().parents[2] / "data" / "sources.toml"
BROKEN_AFTER = 3  # consecutive failures, or fetches that yield nothing where items used to be


@dataclass
class SourceResult:
    source: str
    status: str  # "new" | "updated" | "unchanged" | "error"
    http_status: int | None = None
    new: int = 0
    updated: int = 0
    seconds: float = 0.0
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def add_source(con: Any, url: str, *, name: str | None, kind: str | None, org: str | None = None,
               evidence: str = "primary", reason: str | None = None, full_text: bool = True) -> str:

    try:
        check_url(url)
    except FetchError as exc:
        raise BadInput(f"{url}: {exc.reason}") from exc
    kind = kind or ("github-releases" if "github.com" in url and url.endswith(".atom") else "rss")
    if name is None:

        parts = urlsplit(url)
        name = (parts.hostname or "source").removeprefix("www.").replace(".", "-")
        tail = [p for p in parts.path.split("/") if p][:1]
        name = "-".join([name, *tail]).lower()[:60]
    check_source_name(name)
    if not register_source(con, name=name, url=url, kind=kind, org=org, evidence=evidence, reason=reason):
        raise BadInput(f"a source named {name!r} exists already")
    if not full_text:  # its thin items keep their titles (scanner.sources.fulltext)
        con.execute("UPDATE sources SET full_text = FALSE WHERE name = ?", [name])
    return name


def add_defaults(con: Any, path: Path = DEFAULTS) -> int:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BadInput(f"{path}: cannot read the default sources ({exc})") from exc
    added = 0
    for entry in data.get("source", []):
        added += register_source(
            con, name=entry["name"], url=entry["url"], kind=entry.get("kind", "rss"),
            org=entry.get("org"), evidence=entry.get("evidence", "primary"), reason=entry.get("reason"),
        )
    return added


def list_sources(con: Any) -> list[dict[str, Any]]:
    rows = con.execute(
        "SELECT s.name, s.url, s.kind, s.org, s.evidence, s.enabled, s.last_fetch, s.last_success, "
        "s.consecutive_failures, s.last_error, s.broken, s.reason, coalesce(s.full_text, TRUE), "
        "(SELECT count(*) FROM items i WHERE list_contains(i.sources, s.name)) "
        "FROM sources s ORDER BY s.name"
    ).fetchall()
    keys = ["name", "url", "kind", "org", "evidence", "enabled", "last_fetch", "last_success",
            "consecutive_failures", "last_error", "broken", "reason", "full_text", "items"]
    out = []
    for r in rows:
        d = dict(zip(keys, r, strict=True))
        for k in ("last_fetch", "last_success"):
            d[k] = d[k].isoformat(sep=" ", timespec="seconds") if d[k] else None
        out.append(d)
    return out


def set_enabled(con: Any, name: str, enabled: bool) -> None:
    if not con.execute("SELECT 1 FROM sources WHERE name = ?", [name]).fetchone():
        raise BadInput(f"no source named {name!r} (see `wetcement sources list`)")
    con.execute("UPDATE sources SET enabled = ? WHERE name = ?", [enabled, name])


def remove_source(con: Any, name: str) -> None:
    if not con.execute("SELECT 1 FROM sources WHERE name = ?", [name]).fetchone():
        raise BadInput(f"no source named {name!r} (see `wetcement sources list`)")
    con.execute("DELETE FROM sources WHERE name = ?", [name])


# --- one source ----------------------------------------------------------------------------


def _items_from_page(name: str, url: str, content: bytes, old_blocks: list[str], org: str | None) -> tuple[list[Any], list[str]]:
    """New blocks of a page without a feed become items, dated by the page where it says when."""
    html = decode_html(content)
    page = extract_main_text(html, url)
    if old_blocks:
        fresh = new_blocks(old_blocks, page)
    else:  # first visit: the page's cards (a heading with its own link) are its announcements
        fresh = [b for b in page.blocks if b.heading and b.link and b.link.rstrip("/") != url.rstrip("/")]
    dates = read_dates(html, url, [b.link for b in fresh]) if fresh else None
    seen = _now()
    items = []
    for block in fresh:
        title = block.heading or block.text[:120]
        anchor = hashlib.sha256(block.text.encode()).hexdigest()[:12]
        published = dates.for_link(block.link, url) if dates else None
        item = make_item(title=title, summary=block.text, url=block.link or f"{url}#block-{anchor}", guid=None,
                         published=published, org=org, source=name, seen_at=seen)
        if item:
            items.append(item)
    return items, [b.text for b in page.blocks]


def fetch_one(con_factory: Callable[[], Any], source: dict[str, Any], fetch: Callable[..., Any]) -> SourceResult:
    """Fetch, parse and store one source. Never raises: a failure is a result."""

    name = source["name"]
    started = time.perf_counter()
    result = SourceResult(name, "error")
    try:
        response = fetch(source["url"], etag=source.get("etag"), last_modified=source.get("last_modified"))
        result.http_status = response.status
        with con_factory() as con:
            if response.not_modified:
                result.status = "unchanged"
            else:
                con.execute(
                    "INSERT INTO raw_payloads VALUES (?, ?, ?, ?, ?)",
                    [name, _now(), response.url, response.headers.get("content-type"), gzip.compress(response.content)],
                )
                if source["kind"] == "html":
                    old = json.loads(source.get("page_blocks") or "[]")
                    items, blocks = _items_from_page(name, response.url, response.content, old, source.get("org"))
                    con.execute("UPDATE sources SET page_blocks = ? WHERE name = ?", [json.dumps(blocks), name])
                else:
                    items = parse_feed(response.content, source=name, org=source.get("org")).items
                stored = store_items(con, items)
                result.new, result.updated = stored.new, stored.updated
                result.status = "new" if stored.new else "updated" if stored.updated else "unchanged"
                empty = not items and source["kind"] != "html"
                con.execute(
                    "UPDATE sources SET broken = ? WHERE name = ?",
                    [empty and bool(source.get("had_items")), name],
                )
            con.execute(
                "UPDATE sources SET etag = ?, last_modified = ?, last_fetch = ?, last_success = ?, "
                "consecutive_failures = 0, last_error = NULL WHERE name = ?",
                [response.etag or source.get("etag"), response.last_modified or source.get("last_modified"), _now(), _now(), name],
            )
    except FetchError as exc:
        result.error = exc.reason
        result.http_status = exc.status
    except BadInput as exc:
        result.error = str(exc)
    except Exception as exc:  # one source's surprise never stops the run
        result.error = f"{type(exc).__name__}: {exc}"
    result.seconds = round(time.perf_counter() - started, 3)
    if result.status == "error":
        with con_factory() as con:
            con.execute(
                "UPDATE sources SET last_fetch = ?, last_error = ?, consecutive_failures = coalesce(consecutive_failures, 0) + 1, "
                "broken = coalesce(consecutive_failures, 0) + 1 >= ? WHERE name = ?",
                [_now(), result.error, BROKEN_AFTER, name],
            )
    with con_factory() as con:
        con.execute(
            "INSERT INTO fetch_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [name, _now(), result.status, result.http_status, result.new, result.updated, result.seconds, result.error],
        )
    return result


def fetch_sources(
    db: Any,
    names: list[str] | None = None,
    *,
    fetch: Callable[..., Any] | None = None,
    progress: Progress | None = None,
) -> list[SourceResult]:
    """Fetch the named sources (default: every enabled one), each isolated; ``progress`` gets a
    `Step` before the first and after each source, its result in ``data``."""

    fetch = fetch or http_fetch
    with store.session(db) as con:
        rows = con.execute(
            "SELECT name, url, kind, org, etag, last_modified, page_blocks, enabled, "
            "(SELECT count(*) > 0 FROM items i WHERE list_contains(i.sources, s.name)) FROM sources s ORDER BY name"
        ).fetchall()
    known = {r[0] for r in rows}
    unknown = [n for n in names or [] if n not in known]
    if unknown:
        raise BadInput(f"unknown source(s): {', '.join(unknown)} (see `wetcement sources list`)")
    chosen = [r for r in rows if (r[0] in names if names else r[7]) and r[1] and r[2] != "file"]
    results = []
    report = reporter(progress, "fetch")
    report("sources", 0, len(chosen), "sources", f"fetching {len(chosen)} sources")
    for n, r in enumerate(chosen, 1):
        source = dict(zip(["name", "url", "kind", "org", "etag", "last_modified", "page_blocks", "enabled", "had_items"], r, strict=True))
        result = fetch_one(lambda: store.session(db), source, fetch)
        results.append(result)
        what = result.error if result.status == "error" else f"{result.new} new, {result.updated} updated"
        report("sources", n, len(chosen), "sources", f"[{n}/{len(chosen)}] {result.source}: {result.status} ({what})",
               result.as_json())
    if chosen:  # then the articles of the new thin items (the feeds' fetcher, unless a test gave one)
        pages = fill_full_texts(db, [r[0] for r in chosen], fetch=None if fetch is http_fetch else fetch)
        if pages.tried:
            report("full text", pages.tried, pages.tried, "pages", pages.line())
    return results
