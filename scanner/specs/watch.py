"""Watched specs: a published spec page or a raw file that `fetch` and `update` follow.

`watch_spec` registers a URL under a spec's name. `fetch_watched` fetches every watched spec with
the same care as the feeds (`scanner.sources.http.fetch`: conditional GET from the stored ETag and
Last-Modified, a size cap, timeouts, and the private-network guard on the first URL and after
every redirect). When the body's hash differs from the last one and its clauses differ from the
latest version's, it is imported through the library's own path (`parse_spec`, `store_spec`) as
a new version named by the fetch date (``2026-05-04``, then ``2026-05-04.2`` ...). A 304, the
same body, or a page whose clauses did not change imports nothing.

Errors are values, as for the feeds: each spec gets a `SpecFetchResult`, the last error and the
count of consecutive failures are stored on the spec source, and one failing spec never stops
the run (its old versions stay as they were).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from scanner import store
from scanner.errors import BadInput
from scanner.progress import Progress, reporter
from scanner.sources.http import FetchError, FetchLimits, check_url
from scanner.sources.http import fetch as http_fetch
from scanner.specs.changes import coverage_snapshot
from scanner.specs.library import (
    check_name,
    diff_specs,
    latest_version,
    list_specs,
    parse_spec,
    store_spec,
)

LIMITS = FetchLimits()  # the feeds' bounds: 10 MB, 30 s an attempt, 5 redirects


@dataclass
class SpecFetchResult:
    """One watched spec's fetch: ``new`` (a version was imported), ``unchanged`` or ``error``."""

    spec: str
    url: str
    status: str = "error"
    http_status: int | None = None
    version: str | None = None
    previous_version: str | None = None
    clauses: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    seconds: float = 0.0
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The fetch run's row shape (``source``, ``status``, ``new``, ``updated``...), plus the
        spec's own fields."""
        return {
            "source": self.spec,
            "kind": "spec",
            "status": self.status,
            "http_status": self.http_status,
            "new": int(self.status == "new"),
            "updated": 0,
            "seconds": self.seconds,
            "error": self.error,
            "url": self.url,
            "version": self.version,
            "previous_version": self.previous_version,
            "clauses": self.clauses,
            "clauses_added": self.added,
            "clauses_removed": self.removed,
            "clauses_changed": self.changed,
        }

    def line(self) -> str:
        """One line for a person."""
        if self.status == "error":
            return f"spec {self.spec}: error ({self.error})"
        if self.status == "unchanged":
            return f"spec {self.spec}: unchanged"
        if self.previous_version is None:
            return f"spec {self.spec}: imported version {self.version} ({self.clauses} clauses)"
        return (f"spec {self.spec}: new version {self.version} after {self.previous_version} "
                f"({self.added} added, {self.removed} removed, {self.changed} changed)")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# --- the register ------------------------------------------------------------------------------


def watch_spec(con: Any, url: str, name: str) -> dict[str, Any]:
    """Register ``url`` as the source of spec ``name``; the next fetch imports it."""
    check_name(name)
    try:
        check_url(url)
    except FetchError as exc:
        raise BadInput(f"{url}: {exc.reason}") from exc
    row = con.execute("SELECT url FROM spec_sources WHERE name = ?", [name]).fetchone()
    if row:
        raise BadInput(f"spec {name!r} is watched already (from {row[0]}); `specs unwatch {name}` first")
    con.execute(
        "INSERT INTO spec_sources (name, url, added_at) VALUES (?, ?, ?)", [name, url, _now()]
    )
    versions = con.execute("SELECT count(*) FROM specs WHERE name = ?", [name]).fetchone()[0]
    return {"watching": name, "url": url, "versions": int(versions)}


def unwatch_spec(con: Any, name: str) -> dict[str, Any]:
    """Stop following ``name``'s source; its versions stay in the library."""
    if not con.execute("SELECT 1 FROM spec_sources WHERE name = ?", [name]).fetchone():
        raise BadInput(f"spec {name!r} is not watched (see `wetcement specs watched`)")
    con.execute("DELETE FROM spec_sources WHERE name = ?", [name])
    return {"unwatched": name}


_COLUMNS = ["name", "url", "etag", "last_modified", "content_hash", "added_at", "last_fetch",
            "last_changed", "last_error", "consecutive_failures"]


def list_watched(con: Any) -> list[dict[str, Any]]:
    rows = con.execute(f"SELECT {', '.join(_COLUMNS)} FROM spec_sources ORDER BY name").fetchall()
    out = []
    for r in rows:
        d = dict(zip(_COLUMNS, r, strict=True))
        for k in ("added_at", "last_fetch", "last_changed"):
            d[k] = d[k].isoformat(sep=" ", timespec="seconds") if d[k] else None
        out.append(d)
    return out


def fetch_dates(con: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """(spec, version) → when a watch fetched that version and from where."""
    return {
        (spec, version): {"fetched_at": at.isoformat(sep=" ", timespec="seconds"), "source_url": url}
        for spec, version, at, url in con.execute(
            "SELECT spec, version, fetched_at, url FROM spec_fetches"
        ).fetchall()
    }


def watched_urls(con: Any) -> dict[str, str]:
    return dict(con.execute("SELECT name, url FROM spec_sources").fetchall())


def version_for(con: Any, name: str, day: date) -> str:
    """The fetch date, with ``.2``, ``.3``... when that version exists already."""
    taken = {v for (v,) in con.execute("SELECT version FROM specs WHERE name = ?", [name]).fetchall()}
    version, n = day.isoformat(), 1
    while version in taken:
        n += 1
        version = f"{day.isoformat()}.{n}"
    return version


# --- the fetch ---------------------------------------------------------------------------------


def fetch_watched(
    db: Any,
    names: list[str] | None = None,
    *,
    fetch: Callable[..., Any] | None = None,
    limits: FetchLimits = LIMITS,
    progress: Progress | None = None,
) -> list[SpecFetchResult]:
    """Fetch the watched specs (all, or ``names``); one result each, never raising for one."""
    fetch = fetch or http_fetch
    with store.session(db) as con:
        rows = [dict(zip(_COLUMNS, r, strict=True)) for r in con.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM spec_sources ORDER BY name").fetchall()]
    unknown = [n for n in names or [] if n not in {r["name"] for r in rows}]
    if unknown:
        raise BadInput(f"not watched: {', '.join(unknown)} (see `wetcement specs watched`)")
    chosen = [r for r in rows if not names or r["name"] in names]
    results = []
    report = reporter(progress, "fetch")
    for done, row in enumerate(chosen, 1):
        result = fetch_spec(db, row, fetch=fetch, limits=limits)
        results.append(result)
        report("specs", done, len(chosen), "specs", result.line())
    return results


def fetch_spec(
    db: Any, row: dict[str, Any], *, fetch: Callable[..., Any] = http_fetch, limits: FetchLimits = LIMITS
) -> SpecFetchResult:
    """Fetch one watched spec and import a changed body as a new version. Never raises."""
    name, started = row["name"], time.perf_counter()
    result = SpecFetchResult(name, row["url"])
    try:
        with store.session(db) as con:  # no version left (all removed): ask unconditionally
            kept = latest_version(con, name) is not None
        response = fetch(row["url"], etag=row.get("etag") if kept else None,
                         last_modified=row.get("last_modified") if kept else None, limits=limits)
        result.http_status = response.status
        digest = row.get("content_hash")
        with store.session(db) as con:
            if response.not_modified:
                result.status = "unchanged"
            else:
                digest = hashlib.sha256(response.content).hexdigest()
                if digest == row.get("content_hash") and latest_version(con, name):
                    result.status = "unchanged"
                else:
                    _import(con, name, response, digest, result)
            now = _now()
            con.execute(
                "UPDATE spec_sources SET etag = ?, last_modified = ?, content_hash = ?, last_fetch = ?, "
                "last_changed = CASE WHEN ? THEN ? ELSE last_changed END, last_error = NULL, "
                "consecutive_failures = 0 WHERE name = ?",
                [response.etag, response.last_modified, digest, now, result.status == "new", now, name],
            )
    except FetchError as exc:
        result.status, result.error, result.http_status = "error", exc.reason, exc.status
    except BadInput as exc:
        result.status, result.error = "error", str(exc)
    except Exception as exc:  # one spec's surprise never stops the run
        result.status, result.error = "error", f"{type(exc).__name__}: {exc}"
    result.seconds = round(time.perf_counter() - started, 3)
    if result.status == "error":
        with store.session(db) as con:
            con.execute(
                "UPDATE spec_sources SET last_fetch = ?, last_error = ?, "
                "consecutive_failures = consecutive_failures + 1 WHERE name = ?",
                [_now(), result.error, name],
            )
    return result


def _import(con: Any, name: str, response: Any, digest: str, result: SpecFetchResult) -> None:
    """Parse the body; store it as a new version unless its clauses equal the latest's."""
    previous = latest_version(con, name)
    version = version_for(con, name, datetime.now(UTC).date())
    title = None
    if previous:
        title = con.execute("SELECT title FROM specs WHERE name = ? AND version = ?", [name, previous]).fetchone()[0]
    doc = parse_spec(response.content, where=response.url, name=name, version=version, link=response.url, title=title)
    if previous and _same_clauses(con, name, previous, doc.clauses):
        result.status = "unchanged"  # a page that moved its furniture, not its words
        return
    before = coverage_snapshot(con, name, previous) if previous else None
    store_spec(con, doc)
    con.execute(
        "INSERT OR REPLACE INTO spec_fetches VALUES (?, ?, ?, ?, ?, ?, ?)",  # a removed version may return
        [name, version, _now(), response.url, digest, previous, _json(before)],
    )
    result.status, result.version, result.previous_version = "new", version, previous
    result.clauses = len(doc.clauses)
    if previous:
        d = diff_specs(con, name, previous, version)
        result.added, result.removed, result.changed = len(d.added), len(d.removed), len(d.changed)


def _same_clauses(con: Any, name: str, version: str, clauses: list[Any]) -> bool:
    old = con.execute(
        "SELECT section, text FROM clauses WHERE spec = ? AND version = ? ORDER BY ordinal", [name, version]
    ).fetchall()
    return [tuple(r) for r in old] == [(c.section, c.text) for c in clauses]


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def list_versions(con: Any) -> list[dict[str, Any]]:
    """`library.list_specs`, each version with when a watch fetched it (``fetched_at``, else
    None) and, for a watched spec, its source URL (``source_url``)."""
    from_watch, urls = fetch_dates(con), watched_urls(con)
    rows = list_specs(con)
    for r in rows:
        fetched = from_watch.get((r["name"], r["version"]), {})
        r["fetched_at"] = fetched.get("fetched_at")
        r["source_url"] = urls.get(r["name"]) or fetched.get("source_url")
    return rows
