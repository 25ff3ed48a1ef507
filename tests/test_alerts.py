"""scanner.team.alerts against a real HTTP server on 127.0.0.1 (port 0) run by the test."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from scanner import store
from scanner.errors import BadInput
from scanner.scanning import grouping
from scanner.team import alerts
from scanner.views import report

HOSTILE = "<script>alert(1)</script> <!channel>"
SECRET = "/services/T000/B000/SECRET"


class Hook(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True

    def __init__(self, status: int) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.status = status
        self.requests: list[tuple[str, dict[str, str], bytes]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{SECRET}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server: Hook

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        self.server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        reply = b"ok" if self.server.status < 300 else b"invalid_payload"
        self.send_response(self.server.status)
        self.send_header("content-length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _serve(status: int) -> Iterator[Hook]:
    server = Hook(status)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def hook() -> Iterator[Hook]:
    yield from _serve(200)


@pytest.fixture
def broken_hook() -> Iterator[Hook]:
    yield from _serve(500)


@pytest.fixture
def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}{SECRET}"


def _expected(db: Path, top_n: int, min_move: int, edition: str | None = None) -> tuple[list[str], list[str]]:
    """What should be announced, worked out from report.candidates' previous ranks."""
    with store.session(db, read_only=True) as con:
        rows = report.candidates(con, edition, with_items=False)
    entered = [c["id"] for c in rows if c["rank"] <= top_n and (c["previous_rank"] is None or c["previous_rank"] > top_n)]
    moved = [c["id"] for c in rows if c["id"] not in entered and c["previous_rank"] is not None
             and abs(c["previous_rank"] - c["rank"]) >= min_move]
    return entered, moved


def _alert(db: Path, url: str, **kw: Any) -> alerts.AlertResult:
    with store.session(db, read_only=True) as con:
        return alerts.alert(con, url, **kw)


def _texts(payload: dict[str, Any]) -> str:
    out = [payload["text"]]
    for block in payload["blocks"]:
        if "text" in block:
            out.append(block["text"]["text"])
        out.extend(e["text"] for e in block.get("elements", []))
    return "\n".join(out)


def test_posts_entered_and_moved_to_the_webhook(demo_db: Path, hook: Hook) -> None:
    entered, moved = _expected(demo_db, 10, 5)
    assert entered and moved, "the demo's latest edition should have both kinds of change"
    with store.session(demo_db) as con:
        grouping.set_label(con, entered[0], HOSTILE)
        labels = {c["id"]: c["label"] for c in report.candidates(con, with_items=False)}

    result = _alert(demo_db, hook.url, top_n=10, min_move=5)

    assert result.ok and result.sent and result.status_code == 200 and result.error is None
    assert [r["id"] for r in result.entered] == entered
    assert sorted(r["id"] for r in result.moved) == sorted(moved)
    assert len(hook.requests) == 1
    path, headers, body = hook.requests[0]
    assert path == SECRET and headers["content-type"] == "application/json"
    payload = json.loads(body)
    assert payload == result.payload
    assert isinstance(payload["text"], str) and payload["text"]
    assert payload["blocks"][0]["type"] == "header" and len(payload["blocks"]) <= 50
    assert all(b["type"] in ("header", "context", "section") for b in payload["blocks"])
    text = _texts(payload)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;!channel&gt;" in text
    assert "<!channel>" not in text and "<script>" not in text
    for cid in moved:
        assert labels[cid].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in text
    assert SECRET not in json.dumps(result.as_json())


def test_server_error_is_a_result_not_an_exception(demo_db: Path, broken_hook: Hook) -> None:
    result = _alert(demo_db, broken_hook.url)
    assert not result.ok and not result.sent
    assert result.status_code == 500 and "HTTP 500" in str(result.error) and "invalid_payload" in str(result.error)
    assert len(broken_hook.requests) == 1


def test_closed_port_is_a_result_not_an_exception(demo_db: Path, closed_port: str) -> None:
    result = _alert(demo_db, closed_port)
    assert not result.ok and not result.sent and result.status_code is None
    assert "could not reach the webhook" in str(result.error)
    assert SECRET not in str(result.error)


def test_timeout_through_the_post_seam(demo_db: Path) -> None:
    calls: list[dict[str, Any]] = []

    def slow(url: str, **kw: Any) -> Any:
        calls.append(kw)
        raise httpx.ReadTimeout("timed out")

    result = _alert(demo_db, "https://hooks.example/x", post=slow)
    assert not result.ok and "timed out" in str(result.error)
    assert calls and calls[0]["timeout"] == alerts.TIMEOUT == 10.0


def test_nothing_to_say_posts_nothing_unless_asked(demo_db: Path, hook: Hook) -> None:
    with store.session(demo_db, read_only=True) as con:
        n = len(report.candidates(con, with_items=False))
    # a top N whose membership did not change (the whole list, at worst)
    top_n = next(k for k in range(1, n + 1) if not _expected(demo_db, k, 10_000)[0])
    quiet = _alert(demo_db, hook.url, top_n=top_n, min_move=10_000)
    assert quiet.ok and not quiet.sent and not quiet.entered and not quiet.moved
    assert hook.requests == []
    loud = _alert(demo_db, hook.url, top_n=top_n, min_move=10_000, post_empty=True)
    assert loud.sent and "Nothing entered or moved far." in _texts(json.loads(hook.requests[0][2]))


def test_first_edition_announces_the_whole_top_n(demo_db: Path, hook: Hook) -> None:
    with store.session(demo_db, read_only=True) as con:
        first = min(r[0] for r in con.execute("SELECT edition FROM editions").fetchall()).isoformat()
        top = [c["id"] for c in report.candidates(con, first, limit=3, with_items=False)]
    result = _alert(demo_db, hook.url, top_n=3, edition=first)
    assert result.sent and result.previous_edition is None
    assert [r["id"] for r in result.entered] == top and result.moved == []


def test_an_earlier_edition_against_its_own_predecessor(demo_db: Path, hook: Hook) -> None:
    with store.session(demo_db, read_only=True) as con:
        days = sorted(r[0].isoformat() for r in con.execute("SELECT edition FROM editions").fetchall())
    entered, moved = _expected(demo_db, 10, 5, days[1])
    result = _alert(demo_db, hook.url, edition=days[1])
    assert (result.edition, result.previous_edition) == (days[1], days[0])
    assert [r["id"] for r in result.entered] == entered
    assert sorted(r["id"] for r in result.moved) == sorted(moved)


@pytest.mark.parametrize("url", ["", "javascript:alert(1)", "file:///etc/passwd", "hooks.slack.com/x"])
def test_bad_webhook_url_is_bad_input(demo_db: Path, hook: Hook, url: str) -> None:
    with pytest.raises(BadInput, match="WETCEMENT_WEBHOOK_URL"):
        _alert(demo_db, url)
    assert hook.requests == []


@pytest.mark.parametrize(("kw", "match"), [({"top_n": 0}, "top N"), ({"min_move": 0}, "minimum move")])
def test_bad_thresholds_are_bad_input(demo_db: Path, kw: dict[str, int], match: str) -> None:
    with pytest.raises(BadInput, match=match):
        _alert(demo_db, "https://hooks.example/x", **kw)


def test_webhook_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WETCEMENT_WEBHOOK_URL", "  https://hooks.example/abc  ")
    assert alerts.webhook_from_env() == "https://hooks.example/abc"
    monkeypatch.setenv("WETCEMENT_WEBHOOK_URL", "   ")
    assert alerts.webhook_from_env() is None
    monkeypatch.delenv("WETCEMENT_WEBHOOK_URL")
    assert alerts.webhook_from_env() is None
    assert alerts.webhook_from_env({"WETCEMENT_WEBHOOK_URL": "https://x.example/"}) == "https://x.example/"


def test_payload_respects_slack_limits() -> None:
    rows = [{"id": f"aff-{n}", "label": "L" * 120 + " | <b>", "rank": n, "previous_rank": None, "moved": None,
             "score": 0.5, "status": "new", "owner": None, "link": "https://x.example/a|b>c"} for n in range(1, 200)]
    payload = alerts.build_payload("2025-01-01", None, rows, rows, top_n=200, min_move=5)
    assert len(payload["blocks"]) <= 50
    sections = [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section"]
    assert all(len(t) <= 3000 for t in sections) and len(sections) > 2
    assert "and 159 more" in "\n".join(sections)
    assert "<https://x.example/a%7Cb%3Ec|" in sections[0] and "¦ &lt;b&gt;>" in sections[0]
