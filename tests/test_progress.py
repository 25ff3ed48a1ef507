"""Progress of the long commands: plain lines when stderr is piped, a bar on a terminal (a pty),
nothing with --quiet; stdout keeps only the data. The library's callback carries `Step`s."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.cli._progress import mode
from scanner.progress import Step, reporter
from tests.local_http import QuietHandler, local_server

FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>Agents can now pay with tokens</title><link>https://good.example/a</link>"
        b"<pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate></item>"
        b"<item><title>Memory arrives in the assistant</title><link>https://good.example/b</link>"
        b"<pubDate>Tue, 07 Jan 2025 10:00:00 GMT</pubDate></item></channel></rss>")
SPEC = "# Rules\n\n## Agents\n\nThe assistant must ask before it spends the user's money on anything at all.\n"


class Handler(QuietHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)


@pytest.fixture
def server() -> Iterator[str]:
    with local_server(Handler) as base:
        yield base


ENV = {**os.environ, "WETCEMENT_ALLOW_PRIVATE_NETWORKS": "1", "HF_HUB_OFFLINE": "1",
       "TRANSFORMERS_OFFLINE": "1"}


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scanner.cli", "--db", str(db), *args],
                          capture_output=True, text=True, env=ENV, timeout=300)


def with_sources(db: Path, server: str, n: int = 3) -> None:
    for k in range(n):
        assert cli(db, "sources", "add", f"{server}/f{k}.xml", "--name", f"feed-{k}").returncode == 0


def test_steps_read_as_lines_and_nobody_listening_is_fine() -> None:
    seen: list[Step] = []
    report = reporter(seen.append, "scan")
    report("embedding", 400, 1200, "items")
    report("judging", message="judged 3 new items")
    reporter(None, "scan")("embedding", 1, 2, "items")  # no callback: nothing happens
    assert [str(s) for s in seen] == ["embedding 400/1200 items", "judged 3 new items"]
    assert seen[0].task == "scan" and seen[0].total == 1200 and seen[1].total is None

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert mode(False, io.StringIO()) == "lines"
    assert mode(True, Tty()) == "quiet"
    assert mode(False, Tty()) == ("lines" if os.environ.get("TERM") == "dumb" else "bar")


def test_piped_progress_is_plain_lines_and_stdout_stays_json(server: str, fresh_db: Path) -> None:
    with_sources(fresh_db, server)
    out = cli(fresh_db, "fetch", "--format", "json")
    assert out.returncode == 0, out.stderr
    assert [r["status"] for r in json.loads(out.stdout)] == ["new", "unchanged", "unchanged"]
    lines = out.stderr.splitlines()
    assert lines[0] == "fetch: fetching 3 sources"
    assert lines[1].startswith("fetch: [1/3] feed-0: new (2 new")
    assert lines[3].startswith("fetch: [3/3] feed-2: unchanged")
    assert "\x1b" not in out.stderr  # no terminal codes in a log


def test_quiet_prints_nothing_on_stderr(server: str, fresh_db: Path, tmp_path: Path) -> None:
    with_sources(fresh_db, server, 2)
    spec = tmp_path / "rules.md"
    spec.write_text(SPEC)
    for args in (["--quiet", "fetch"], ["specs", "add", str(spec), "--name", "rules", "-q"],
                 ["update", "--quiet", "--format", "json"]):
        out = cli(fresh_db, *args)
        assert out.returncode == 0 and out.stderr == "", (args, out.stderr)
        assert out.stdout.strip()
    assert json.loads(out.stdout)["scan"]["new_items"] == 2


def test_a_scan_reports_its_phases_in_order(fresh_db: Path, tmp_path: Path) -> None:
    feed = tmp_path / "items.jsonl"
    feed.write_text("\n".join(json.dumps({"url": f"https://lab.example/{k}", "title": f"Agents can pay, part {k}",
                                          "published": f"2025-01-0{k + 1}T10:00:00"}) for k in range(3)) + "\n")
    assert cli(fresh_db, "ingest", str(feed)).returncode == 0
    out = cli(fresh_db, "scan", "--as-of", "2025-02-01")
    assert out.returncode == 0, out.stderr
    phases = [line.split(":", 1)[0] for line in out.stderr.splitlines()]
    assert set(phases) == {"scan"}
    text = out.stderr
    order = ["scan: reading", "scan: embedding", "scan: embedded", "scan: judg", "scan: measuring coverage",
             "scan: grouping", "scan: scoring", "scan: writing the edition"]
    at = [text.index(needle) for needle in order]
    assert at == sorted(at), text


def test_a_terminal_gets_a_bar(server: str, fresh_db: Path) -> None:
    with_sources(fresh_db, server)
    fd, terminal = pty.openpty()  # stderr is a terminal; stdout goes on to a program, as JSON
    proc = subprocess.Popen([sys.executable, "-m", "scanner.cli", "--db", str(fresh_db), "fetch", "--format", "json"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal,
                            env={**ENV, "TERM": "xterm-256color", "COLUMNS": "120"})
    os.close(terminal)
    data, started = b"", time.monotonic()
    while time.monotonic() - started < 120:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the command ended and closed the terminal
            break
        if not chunk:
            break
        data += chunk
    stdout, _ = proc.communicate(timeout=60)
    code = proc.returncode
    os.close(fd)
    assert [r["source"] for r in json.loads(stdout)] == ["feed-0", "feed-1", "feed-2"]  # data only
    shown = data.decode("utf-8", errors="replace")
    assert code == 0, shown
    assert "fetch: sources" in shown and "3/3" in shown and "100%" in shown
    assert "━" in shown and "\x1b[" in shown  # a drawn bar, with terminal codes
    assert "feed-0: new" in shown  # each source's result still shows, above the bar


def test_the_dashboard_display_takes_the_same_steps() -> None:
    from scanner.ui.progress import StatusProgress

    class Bar:
        def __init__(self) -> None:
            self.shown: list[tuple[float, str]] = []

        def progress(self, value: float, text: str = "") -> None:
            self.shown.append((value, text))

        def empty(self) -> None:
            self.shown.append((-1.0, ""))

    class Box:
        def __init__(self) -> None:
            self.bars: list[Bar] = []
            self.labels: list[str] = []

        def progress(self, value: float) -> Bar:
            self.bars.append(Bar())
            return self.bars[-1]

        def update(self, label: str) -> None:
            self.labels.append(label)

    box, extra = Box(), []
    show = StatusProgress(box, extra.append)
    report = reporter(show, "fetch")
    report("sources", 0, 2, "sources")
    report("sources", 1, 2, "sources", "[1/2] a: new", {"source": "a"})
    reporter(show, "scan")("judging", message="judged 3 new items")
    assert len(box.bars) == 1 and box.bars[0].shown[-1] == (0.5, "fetch: sources, 1 of 2 sources")
    assert box.labels == ["scan: judged 3 new items…"] and len(extra) == 3
    show.clear()
    assert box.bars[0].shown[-1] == (-1.0, "")
