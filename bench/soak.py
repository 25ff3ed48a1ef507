"""Soak bench: many consecutive `wetcement update` cycles against feeds that change every cycle.

    python bench/soak.py [--cycles 50] [--embedder real|hashing] [--json OUT] [--keep DIR]

A local HTTP server (127.0.0.1, port 0) serves four sources: an RSS feed, an Atom feed and a
JSON Feed that each publish new items and edit some earlier ones every cycle, and a quiet RSS
feed that changes every fifth cycle and answers 304 otherwise. Each cycle runs `wetcement
update` as its own process (as cron would), with ``WETCEMENT_ALLOW_PRIVATE_NETWORKS=1``, and
then checks, with the scanner's own store:

* the command exited 0 and every source was fetched (no source error);
* the fetch counts match what the server served this cycle (new and edited items per source);
* the database holds exactly the items served so far, one row per link, each with the text
  last served, and one history row per edit;
* the database is consistent: every edition has all its ranked rows, every reference points at
  a row that exists, every item the edition covered has a verdict (`consistency_problems`);
* the child's peak RSS (``ru_maxrss`` from ``wait4``) stays flat from the first cycle to the
  last.

It prints one line per cycle on stderr and a JSON report on stdout (or to ``--json``); it exits
1 when any check fails. It never touches the user's database. ``tests/test_reliability.py``
runs a 10-cycle variant (``pytest -m soak``) and reuses the server and the checks here.
"""

from __future__ import annotations

import argparse
import email.utils
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SPEC = REPO / "data" / "demo" / "specs" / "openai-model-spec.digest.txt"

# --- a local feed server -----------------------------------------------------------------------

Route = Callable[["FeedHandler"], None]


class FeedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers after a test
    server: FeedServer

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        path = urlsplit(self.path).path
        with self.server.lock:
            self.server.requests.append(path)
        if self.server.delay:
            time.sleep(self.server.delay)
        route = self.server.routes.get(path)
        try:
            if route is None:
                reply(self, 404, b"not found")
            elif isinstance(route, bytes):
                reply(self, 200, route, {"Content-Type": "application/xml"})
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (or was killed)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class FeedServer(ThreadingHTTPServer):
    """A threaded HTTP server on 127.0.0.1 with a mutable routing table.

    ``routes[path]`` is either bytes (served as a 200) or a callable given the handler.
    Use it as a context manager: leaving it shuts it down and joins every thread.
    """

    daemon_threads = False
    block_on_close = True

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(("127.0.0.1", 0), FeedHandler)
        self.routes: dict[str, bytes | Route] = {}
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.delay = delay
        self._thread = threading.Thread(target=self.serve_forever, name="feed-server", daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.server_address[1]}{path}"

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join()


def reply(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"",
          headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if body:
        handler.wfile.write(body)


# --- running a command and measuring it --------------------------------------------------------


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float


def run_measured(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 600.0,
                 cwd: str | os.PathLike[str] | None = None) -> Measured:
    """Run ``cmd`` to the end; its exit code, output, wall time and its own peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return Measured(proc.returncode, out.read().decode("utf-8", "replace"),
                        err.read().decode("utf-8", "replace"), seconds, usage.ru_maxrss / 1024)


# --- database checks ---------------------------------------------------------------------------


def table_names(con: Any) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]


def table_dump(con: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a canonical order (for before/after comparisons)."""
    return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in table_names(con)}


def consistency_problems(con: Any) -> list[str]:
    """What is wrong with the stored data, as sentences; empty when it is consistent."""
    problems: list[str] = []

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return con.execute(sql).fetchall()

    for day, expected, got, lo, hi, distinct in rows(
        "SELECT e.edition, e.n_candidates, count(c.candidate_id), min(c.rank), max(c.rank), "
        "count(DISTINCT c.rank) FROM editions e LEFT JOIN edition_candidates c "
        "ON c.edition = e.edition GROUP BY ALL ORDER BY 1"
    ):
        if got != expected:
            problems.append(f"edition {day}: {got} ranked rows, n_candidates says {expected}")
        elif got and (lo != 1 or hi != got or distinct != got):
            problems.append(f"edition {day}: ranks are not 1..{got}")
    checks = {
        "edition rows without an edition": "SELECT count(*) FROM edition_candidates c "
        "WHERE c.edition NOT IN (SELECT edition FROM editions)",
        "edition rows naming a missing affordance": "SELECT count(*) FROM edition_candidates c "
        "WHERE c.candidate_id NOT IN (SELECT id FROM candidates)",
        "assignments to a missing affordance": "SELECT count(*) FROM assignments "
        "WHERE candidate_id NOT IN (SELECT id FROM candidates)",
        "assignments of a missing item": "SELECT count(*) FROM assignments "
        "WHERE item_id NOT IN (SELECT id FROM items)",
        "verdicts of a missing item": "SELECT count(*) FROM item_verdicts "
        "WHERE item_id NOT IN (SELECT id FROM items)",
        "coverage of a missing item": "SELECT count(*) FROM item_coverage "
        "WHERE item_id NOT IN (SELECT id FROM items)",
        "assigned items without a verdict": "SELECT count(*) FROM assignments "
        "WHERE item_id NOT IN (SELECT item_id FROM item_verdicts)",
        "notes on a missing affordance": "SELECT count(*) FROM notes "
        "WHERE candidate_id NOT IN (SELECT id FROM candidates)",
        "triage of a missing affordance": "SELECT count(*) FROM triage "
        "WHERE candidate_id NOT IN (SELECT id FROM candidates)",
        "clauses of a missing spec version": "SELECT count(*) FROM clauses c WHERE NOT EXISTS "
        "(SELECT 1 FROM specs s WHERE s.name = c.spec AND s.version = c.version)",
        "spec versions without clauses": "SELECT count(*) FROM specs s WHERE NOT EXISTS "
        "(SELECT 1 FROM clauses c WHERE s.name = c.spec AND s.version = c.version)",
        "history of a missing item": "SELECT count(*) FROM item_history "
        "WHERE item_id NOT IN (SELECT id FROM items)",
        "items from no source": "SELECT count(*) FROM items WHERE len(sources) = 0",
    }
    for what, sql in checks.items():
        n = rows(sql)[0][0]
        if n:
            problems.append(f"{n} {what}")
    columns = {r[0] for r in rows("SELECT column_name FROM information_schema.columns WHERE table_name = 'items'")}
    live = "i.duplicate_of IS NULL" if "duplicate_of" in columns else "TRUE"
    if "duplicate_of" in columns:
        n = rows("SELECT count(*) FROM items WHERE duplicate_of IS NOT NULL "
                 "AND duplicate_of NOT IN (SELECT id FROM items WHERE duplicate_of IS NULL)")[0][0]
        if n:
            problems.append(f"{n} reposts pointing at a missing (or folded) item")
    # the newest edition covered every item that was in the store, dated up to its day, when it
    # was written: each of them (reposts folded into another aside) has a verdict, written in the
    # same transaction as the edition
    latest = rows("SELECT edition, created_at FROM editions ORDER BY edition DESC LIMIT 1")
    if latest:
        day, created = latest[0]
        cutoff = datetime(day.year, day.month, day.day) + timedelta(days=1, seconds=-1)
        n = rows(
            "SELECT count(*) FROM items i LEFT JOIN item_verdicts v ON v.item_id = i.id "
            f"WHERE v.item_id IS NULL AND {live} AND i.published <= '{cutoff}' "
            f"AND i.first_seen < '{created - timedelta(seconds=1)}'"
        )[0][0]
        if n:
            problems.append(f"{n} items the edition of {day} covered have no verdict")
    return problems


# --- feeds that change every cycle -------------------------------------------------------------

ORGS = ["OpenAI", "Anthropic", "Google", "Stripe", "Visa", "Shopify", "Mistral", "Cursor"]
PRODUCTS = ["Canvas", "Studio", "Pilot", "Desk", "Lens", "Relay", "Harbor", "Atlas", "Beacon",
            "Compass", "Forge", "Meadow", "Orbit", "Quill", "Summit", "Tandem"]
FLAVOUR = ["garden", "lantern", "violin", "harbour", "meadow", "copper", "glacier", "orchard", "saffron", "tundra", "velvet", "cobalt", "falcon", "juniper", "marble", "nectar", "pepper", "quartz", "raven", "sierra", "thistle", "umber", "willow", "zephyr", "amber", "basalt", "cedar", "dune", "ember", "fjord"]
DOINGS = [
    "now remembers your past conversations", "can operate your computer with clicks and typing",
    "browses websites and fills in forms for you", "talks with you in real-time voice",
    "sees through your phone camera", "can see your shared screen",
    "lets agents pay merchants with tokenized cards", "books travel on your behalf",
    "runs code it writes in a sandbox", "schedules meetings on your calendar",
    "checks out in online stores for you", "reads and answers your email",
]


@dataclass
class Entry:
    n: int
    source: str
    url: str
    title: str
    summary: str
    published: datetime
    edits: int = 0


@dataclass
class Feed:
    name: str
    kind: str  # rss | atom | jsonfeed
    window: int = 30
    every: int = 1  # changes every `every` cycles
    entries: list[Entry] = field(default_factory=list)
    version: int = 0
    body: bytes = b""

    @property
    def etag(self) -> str:
        return f'"{self.name}-v{self.version}"'


class SoakFeeds:
    """The feeds' state: new items and edits each cycle, rendered as real feed documents."""

    def __init__(self, new_per_cycle: int = 5, edits_per_cycle: int = 2) -> None:
        self.new_per_cycle = new_per_cycle
        self.edits_per_cycle = edits_per_cycle
        self.feeds = [Feed("alpha", "rss"), Feed("beta", "atom"), Feed("gamma", "jsonfeed"),
                      Feed("quiet", "rss", window=10, every=5)]
        self.base = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(days=60)
        self.count = 0
        self.served: dict[str, Entry] = {}  # url -> latest served text
        self.edits_total = 0
        self.reposts = 0  # items the scan folded into another as the same news (by meaning)
        self.lock = threading.Lock()

    def _entry(self, feed: Feed, cycle: int) -> Entry:
        self.count += 1
        n = self.count
        org = ORGS[n % len(ORGS)]
        doing = DOINGS[(n * 7 + cycle) % len(DOINGS)]
        product = PRODUCTS[(n * 5) % len(PRODUCTS)]
        words = " ".join(FLAVOUR[(n * k * 7 + k) % len(FLAVOUR)] for k in (1, 2, 3))
        return Entry(
            n, feed.name, f"https://{org.lower()}.example/{feed.name}/post-{n}",
            f"{org} {product} {doing}, with {words} (release {feed.name}-{n})",
            f"Starting today, in cycle {cycle}, people can try it: {product} {doing}.",
            self.base + timedelta(minutes=10 * n),
        )

    def advance(self, cycle: int) -> dict[str, dict[str, int]]:
        """Make cycle ``cycle``'s changes; returns, per source, the new and edited counts."""
        expected: dict[str, dict[str, int]] = {}
        with self.lock:
            for feed in self.feeds:
                if (cycle - 1) % feed.every:
                    expected[feed.name] = {"new": 0, "updated": 0}
                    continue
                fresh = [self._entry(feed, cycle) for _ in range(self.new_per_cycle)]
                feed.entries = (feed.entries + fresh)[-feed.window:]
                # edit earlier items that are still in the window, so that the edit is served
                older = feed.entries[: len(feed.entries) - len(fresh)]
                edited = 0
                for entry in older[-self.edits_per_cycle * 3:][::3][: self.edits_per_cycle]:
                    entry.edits += 1
                    entry.summary = f"Updated in cycle {cycle} (edit {entry.edits}): {entry.summary}"
                    if entry.edits % 2 == 0:
                        entry.title = f"{entry.title} [updated]"
                    edited += 1
                feed.version += 1
                feed.body = render(feed)
                for entry in feed.entries:
                    self.served[entry.url] = entry
                self.edits_total += edited
                expected[feed.name] = {"new": len(fresh), "updated": edited}
        return expected

    def route(self, feed: Feed) -> Route:
        def serve(handler: FeedHandler) -> None:
            with self.lock:
                etag, body = feed.etag, feed.body
            if handler.headers.get("If-None-Match") == etag:
                reply(handler, 304, b"", {"ETag": etag})
                return
            kind = {"rss": "application/rss+xml", "atom": "application/atom+xml",
                    "jsonfeed": "application/feed+json"}[feed.kind]
            reply(handler, 200, body, {"Content-Type": kind, "ETag": etag})
        return serve


def render(feed: Feed) -> bytes:
    entries = list(reversed(feed.entries))  # newest first, as feeds are
    if feed.kind == "jsonfeed":
        return json.dumps({
            "version": "https://jsonfeed.org/version/1.1", "title": feed.name,
            "home_page_url": f"https://{feed.name}.example/",
            "items": [{"id": e.url, "url": e.url, "title": e.title, "summary": e.summary,
                       "date_published": e.published.isoformat() + "Z"} for e in entries],
        }).encode()
    if feed.kind == "atom":
        body = "".join(
            f"<entry><id>{escape(e.url)}</id><title>{escape(e.title)}</title>"
            f'<link href="{escape(e.url)}"/><updated>{e.published.isoformat()}Z</updated>'
            f"<summary>{escape(e.summary)}</summary></entry>" for e in entries)
        return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>{feed.name}</title><id>urn:{feed.name}</id>"
                f"<updated>{datetime.now(UTC).isoformat()}</updated>{body}</feed>").encode()
    body = "".join(
        f"<item><title>{escape(e.title)}</title><link>{escape(e.url)}</link>"
        f"<guid>{escape(e.url)}</guid><description>{escape(e.summary)}</description>"
        f"<pubDate>{email.utils.format_datetime(e.published.replace(tzinfo=UTC))}</pubDate></item>"
        for e in entries)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{feed.name}</title><link>https://{feed.name}.example/</link>{body}"
            "</channel></rss>").encode()


# --- the soak ----------------------------------------------------------------------------------


def cli_env(embedder: str) -> dict[str, str]:
    env = {**os.environ, "WETCEMENT_ALLOW_PRIVATE_NETWORKS": "1", "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    env.pop("WETCEMENT_EMBEDDER", None)
    if embedder == "hashing":
        env["WETCEMENT_EMBEDDER"] = "hashing"
    return env


def check_store(db: Path, feeds: SoakFeeds) -> list[str]:
    from scanner import store

    problems: list[str] = []
    with store.session(db, wait=60) as con:
        problems += consistency_problems(con)
        stored = {r[0]: r[1:] for r in con.execute(
            "SELECT url, title, summary, id FROM items").fetchall()}
        n_rows = con.execute("SELECT count(*) FROM items").fetchone()[0]
        history = con.execute("SELECT count(*) FROM item_history").fetchone()[0]
        columns = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'items'").fetchall()}
        feeds.reposts = (con.execute("SELECT count(*) FROM items WHERE duplicate_of IS NOT NULL")
                         .fetchone()[0] if "duplicate_of" in columns else 0)
    if n_rows != len(feeds.served):
        problems.append(f"{n_rows} items stored, {len(feeds.served)} served")
    missing = [u for u in feeds.served if u not in stored]
    extra = [u for u in stored if u not in feeds.served]
    if missing or extra:
        problems.append(f"{len(missing)} served items missing, {len(extra)} unexpected items")
    stale = [u for u, e in feeds.served.items() if u in stored
             and (stored[u][0], stored[u][1]) != (e.title, e.summary)]
    if stale:
        problems.append(f"{len(stale)} items do not hold the text last served, e.g. {stale[0]}")
    if history != feeds.edits_total:
        problems.append(f"{history} history rows, {feeds.edits_total} edits served")
    return problems


def run(cycles: int = 50, *, embedder: str = "real", workdir: Path | None = None,
        new_per_cycle: int = 5, edits_per_cycle: int = 2,
        say: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the soak; returns the report (``report["ok"]`` is the verdict)."""
    say = say or (lambda _m: None)
    with _workdir(workdir) as work:
        db = work / "soak.duckdb"
        env = cli_env(embedder)
        feeds = SoakFeeds(new_per_cycle, edits_per_cycle)
        rows: list[dict[str, Any]] = []
        failures: list[str] = []
        with FeedServer() as server:
            for feed in feeds.feeds:
                server.routes[f"/{feed.name}.xml"] = feeds.route(feed)
            base = [sys.executable, "-m", "scanner.cli", "--db", str(db)]
            setup = [["sources", "add", server.url(f"/{f.name}.xml"), "--name", f.name,
                      "--kind", "atom" if f.kind == "atom" else "rss"] for f in feeds.feeds]
            setup.append(["specs", "add", str(SPEC), "--name", "openai-model-spec"])
            for args in setup:
                done = run_measured(base + args, env=env, timeout=300)
                if done.returncode:
                    raise RuntimeError(f"setup {args[:2]} failed: {done.stderr.strip()}")
            for cycle in range(1, cycles + 1):
                expected = feeds.advance(cycle)
                done = run_measured(base + ["update", "--format", "json"], env=env, timeout=900)
                problems: list[str] = []
                fetched: dict[str, Any] = {}
                scanned: dict[str, Any] = {}
                if done.returncode:
                    problems.append(f"update exited {done.returncode}: {done.stderr.strip()[-300:]}")
                else:
                    out = json.loads(done.stdout)
                    fetched = {r["source"]: r for r in out["fetch"]}
                    scanned = out["scan"]
                    for name, want in expected.items():
                        got = fetched.get(name)
                        if got is None or got["status"] == "error":
                            problems.append(f"{name}: {got and got['error']}")
                        elif (got["new"], got["updated"]) != (want["new"], want["updated"]):
                            problems.append(f"{name}: fetched {got['new']} new/{got['updated']} "
                                            f"updated, served {want['new']}/{want['updated']}")
                problems += check_store(db, feeds)
                row = {
                    "cycle": cycle, "seconds": round(done.seconds, 2),
                    "max_rss_mb": round(done.max_rss_mb, 1), "items": len(feeds.served),
                    "folded_reposts": feeds.reposts,
                    "new": sum(e["new"] for e in expected.values()),
                    "edited": sum(e["updated"] for e in expected.values()),
                    "candidates": scanned.get("candidates"),
                    "db_mb": round(db.stat().st_size / 2**20, 1), "problems": problems,
                }
                rows.append(row)
                failures += [f"cycle {cycle}: {p}" for p in problems]
                say(f"cycle {cycle:>3}: {row['seconds']:>6.2f} s  peak RSS {row['max_rss_mb']:>7.1f} MB"
                    f"  items {row['items']:>5}  candidates {row['candidates']}  db {row['db_mb']} MB"
                    + (f"  reposts {row['folded_reposts']}" if row["folded_reposts"] else "")
                    + (f"  PROBLEMS: {'; '.join(problems)}" if problems else ""))
        first, last = rows[0]["max_rss_mb"], rows[-1]["max_rss_mb"]
        later = [r["max_rss_mb"] for r in rows[1:]] or [first]
        growth = last - first
        allowed = max(25.0, 0.10 * first)
        rss_flat = growth <= allowed
        if not rss_flat:
            failures.append(f"peak RSS grew {growth:.1f} MB from the first cycle to the last "
                            f"(allowed {allowed:.1f} MB)")
        return {
            "ok": not failures,
            "cycles": cycles,
            "embedder": embedder,
            "items_served": len(feeds.served),
            "edits_served": feeds.edits_total,
            "rss_first_mb": first,
            "rss_last_mb": last,
            "rss_max_mb": max(later + [first]),
            "rss_growth_mb": round(growth, 1),
            "rss_flat": rss_flat,
            "seconds_first": rows[0]["seconds"],
            "seconds_last": rows[-1]["seconds"],
            "db_mb_last": rows[-1]["db_mb"],
            "failures": failures,
            "per_cycle": rows,
        }


@contextmanager
def _workdir(path: Path | None) -> Iterator[Path]:
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="wetcement-soak-") as tmp:
        yield Path(tmp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=50)
    parser.add_argument("--embedder", choices=["real", "hashing"], default="real")
    parser.add_argument("--new", type=int, default=5, help="new items per feed per cycle")
    parser.add_argument("--edits", type=int, default=2, help="edited items per feed per cycle")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep the database")
    parser.add_argument("--json", type=Path, help="write the report here instead of stdout")
    args = parser.parse_args(argv)
    report = run(args.cycles, embedder=args.embedder, workdir=args.keep, new_per_cycle=args.new,
                 edits_per_cycle=args.edits, say=lambda m: print(m, file=sys.stderr, flush=True))
    text = json.dumps(report, indent=2, default=str)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    print(f"{'OK' if report['ok'] else 'FAILED'}: {report['cycles']} cycles, "
          f"{report['items_served']} items served, peak RSS {report['rss_first_mb']:.1f} MB "
          f"(first) -> {report['rss_last_mb']:.1f} MB (last)", file=sys.stderr)
    for failure in report["failures"][:20]:
        print(f"  {failure}", file=sys.stderr)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
