"""Full text for thin items: when a feed gives a title only, or a teaser, fetch the linked
article once and keep its main text beside the summary (``items.full_text``), never in its place.

A step of ``fetch`` and ``update``, after the feeds are stored:

* which items: those of the last `FRESH` days whose summary is shorter than `THIN_CHARS`,
  whose source allows it (``sources.full_text``; ``sources add --no-full-text`` turns it off)
  and whose link was never tried. Nothing thin, nothing fetched: one query and no network.
* how: the feeds' careful fetcher (`scanner.sources.http.fetch`: http(s) only, timeouts,
  private networks refused on the first URL and after every redirect) with a tighter size cap
  (`PAGE_LIMITS`), no retry, HTML only, and at least `HOST_INTERVAL` seconds between two
  requests to one host (hosts are taken in turn, so only one busy host waits).
* never twice: every outcome is stored on the item (``full_text_status``: ok, empty, failed or
  refused, with the reason), and an item with a status is never fetched again. A failed or
  refused page leaves the item with its title and summary.
* the judge reads it: `scanner.judge.text.body` reads the article's opening in place of the
  summary, and the item's content hash takes in the full text (`text_hash`), so the item is
  embedded again and, if it was judged already, judged and covered again at the next scan.

Why `THIN_CHARS` is 200: on the 5,237 items of the 75 archived real feeds
(``../shared/realdata``), 27% have no summary, 47% have fewer than 100 characters and 71% fewer
than 200; the non-empty summaries bunch at 50–250 characters (a line or two written for the
feed, which names the post again rather than saying what shipped) and the rest are cut articles
(a spike near 500) or full text. Under 200 characters, one or two sentences, the page has more.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from scanner import store
from scanner.sources.http import FetchError, FetchLimits, UnsafeURL
from scanner.sources.http import fetch as http_fetch
from scanner.sources.normalise import text_hash

__all__ = ["FRESH", "HOST_INTERVAL", "PAGE_LIMITS", "THIN_CHARS", "FullTextRun", "extract", "fill_full_texts",
           "full_texts", "is_thin", "set_full_text"]

THIN_CHARS = 200  # see the module docstring for how it was chosen
PAGE_LIMITS = FetchLimits(total_timeout=20.0, max_bytes=5_000_000, retries=0)
HOST_INTERVAL = 1.0  # seconds between two requests to one host
MAX_PAGES = 60  # per run; the rest wait for the next run (while they are fresh)
MAX_SECONDS = 180.0  # per run, likewise
FRESH = timedelta(days=7)  # only items first seen this recently (a new source's archive counts)
MAX_CHARS = 60_000  # what is kept of an article; the judge reads its opening only
HTML_TYPES = ("text/html", "application/xhtml+xml", "")  # "" : a server that names no type

Fetch = Callable[[str], Any]


@dataclass
class FullTextRun:
    """What one run did: pages tried, and how many of each outcome."""

    tried: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    left: int = 0  # thin items left for the next run (page or time budget spent)

    def as_json(self) -> dict[str, Any]:
        return {"tried": self.tried, **self.outcomes, "left": self.left, "seconds": round(self.seconds, 3)}

    def line(self) -> str:
        parts = ", ".join(f"{n} {k}" for k, n in sorted(self.outcomes.items()))
        more = f"; {self.left} left for the next run" if self.left else ""
        return f"full text: {self.tried} article page(s) fetched ({parts or 'none'}){more}"


def is_thin(summary: str | None) -> bool:
    return len(summary or "") < THIN_CHARS


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def pending(con: Any, sources: list[str] | None = None, now: datetime | None = None) -> list[tuple[str, str]]:
    """(item id, url) of the thin items to fetch, newest first, at most one per link."""
    sql = (
        "SELECT i.id, i.url FROM items i JOIN sources s ON s.name = i.source "
        "WHERE i.full_text_status IS NULL AND i.url IS NOT NULL AND length(i.summary) < ? "
        "AND i.duplicate_of IS NULL AND i.first_seen >= ? AND coalesce(s.full_text, TRUE) "
        "AND s.url IS NOT NULL AND s.kind <> 'file'"
    )
    args: list[Any] = [THIN_CHARS, (now or _now()) - FRESH]
    if sources is not None:
        sql += " AND list_contains(?, i.source)"
        args.append(sources)
    rows = con.execute(sql + " ORDER BY i.published DESC, i.id", args).fetchall()
    return [(r[0], r[1]) for r in rows]


def _in_turn(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Interleave the hosts, each in its own order, so that one busy host does not hold up the rest."""
    by_host: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        by_host.setdefault((urlsplit(row[1]).hostname or "").lower(), []).append(row)
    queues = list(by_host.values())
    out: list[tuple[str, str]] = []
    for k in range(max((len(q) for q in queues), default=0)):
        out += [q[k] for q in queues if k < len(q)]
    return out


def extract(html: bytes, url: str) -> tuple[str | None, dict[str, Any]]:
    """The main text of an article page (boilerplate, menus and comments left out) and its
    metadata (title, author, date, site name, description); (None, {}) when there is none."""
    import trafilatura  # ~0.3 s to import (lxml, htmldate); only a run with thin items needs it

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      include_tables=False, include_images=False)
    if doc is None:
        return None, {}
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    meta = {k: data.get(k) for k in ("title", "author", "date", "sitename", "description") if data.get(k)}
    text = (data.get("text") or "").strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if lines and meta.get("title") and lines[0].casefold() == str(meta["title"]).strip().casefold():
        lines = lines[1:]  # the page's own heading repeats the title
    text = "\n".join(lines)
    return (text[:MAX_CHARS] if text else None), meta


def _page(fetch: Fetch, url: str, summary: str) -> tuple[str, str | None, str | None, dict[str, Any]]:
    """(status, full text, error, metadata) for one link. Never raises."""
    try:
        response = fetch(url)
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in HTML_TYPES:
            return "refused", None, f"not an HTML page ({kind})", {}
        text, meta = extract(response.content, response.url)
    except UnsafeURL as exc:
        return "refused", None, exc.reason, {}
    except FetchError as exc:
        limit = "larger than" in exc.reason
        return ("refused" if limit else "failed"), None, exc.reason, {}
    except Exception as exc:  # one page's surprise never stops the run
        return "failed", None, f"{type(exc).__name__}: {exc}"[:300], {}
    if not text or len(text) < THIN_CHARS or len(text) <= len(summary):
        return "empty", None, "the page holds no main text longer than the feed's", meta
    return "ok", text, None, meta


def set_full_text(con: Any, item_id: str, status: str, text: str | None, error: str | None = None,
                  meta: dict[str, Any] | None = None) -> None:
    """Store what fetching an item's article gave. With a text, the item's content hash takes it
    in, and a verdict or coverage it had already is marked for the next scan to redo."""
    row = con.execute("SELECT title, summary FROM items WHERE id = ?", [item_id]).fetchone()
    if row is None:
        return
    con.execute(
        "UPDATE items SET full_text = ?, full_text_status = ?, full_text_error = ?, full_text_at = ?, "
        "full_text_meta = ?, content_hash = ? WHERE id = ?",
        [text, status, error, _now(), json.dumps(meta or {}), text_hash(row[0], row[1], text), item_id],
    )
    if text:
        con.execute("UPDATE item_verdicts SET judge_version = NULL WHERE item_id = ?", [item_id])
        con.execute("DELETE FROM item_coverage WHERE item_id = ?", [item_id])


def fill_full_texts(
    db: Any,
    sources: list[str] | None = None,
    *,
    fetch: Fetch | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    max_pages: int = MAX_PAGES,
    max_seconds: float = MAX_SECONDS,
) -> FullTextRun:
    """Fetch the articles of the thin items (of ``sources``, else of every source) and store
    what each gave. Each page is stored in its own short session, so a run can be stopped."""
    started = clock()
    run = FullTextRun()
    with store.session(db) as con:
        rows = _in_turn(pending(con, sources))
        summaries = dict(con.execute(
            "SELECT id, summary FROM items WHERE list_contains(?, id)", [[r[0] for r in rows]]
        ).fetchall()) if rows else {}
    if not rows:
        return run
    fetch = fetch or functools.partial(http_fetch, limits=PAGE_LIMITS)
    last: dict[str, float] = {}
    for n, (item_id, url) in enumerate(rows):
        if n >= max_pages or clock() - started > max_seconds:
            run.left = len(rows) - n
            break
        host = (urlsplit(url).hostname or "").lower()
        wait = last.get(host, -HOST_INTERVAL) + HOST_INTERVAL - clock()
        if host in last and wait > 0:
            sleep(wait)
        last[host] = clock()
        status, text, error, meta = _page(fetch, url, summaries.get(item_id) or "")
        with store.session(db) as con:
            set_full_text(con, item_id, status, text, error, meta)
        run.tried += 1
        run.outcomes[status] = run.outcomes.get(status, 0) + 1
    run.seconds = clock() - started
    return run


def full_texts(con: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Each of ``ids`` with its feed summary, its full text (or None), what fetching its article
    did (``status``: None when never tried, and ``error``) and the article's metadata."""
    if not ids:
        return {}
    rows = con.execute(
        "SELECT id, summary, full_text, full_text_status, full_text_error, full_text_meta FROM items "
        "WHERE list_contains(?, id)",
        [list(ids)],
    ).fetchall()
    keys = ("summary", "full_text", "status", "error")
    return {r[0]: {**dict(zip(keys, r[1:5], strict=True)), "meta": json.loads(r[5] or "{}")} for r in rows}
