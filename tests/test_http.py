"""scanner.sources.http against a real HTTP server on 127.0.0.1 (port 0) run by the test."""

from __future__ import annotations

import email.utils
import gzip
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.sources import http
from scanner.sources.http import FetchError, FetchLimits, UnsafeURL, check_url, fetch

DATA = Path(__file__).parent / "data" / "http"
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
FAST = FetchLimits(connect_timeout=2.0, total_timeout=5.0, retries=2, backoff=1.0)
Route = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: no lingering keep-alive threads
    server: Server

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        path = urlsplit(self.path).path
        with self.server.lock:
            self.server.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
        route = self.server.routes.get(path)
        try:
            if route is None:
                reply(self, 404, b"not found")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as the timeout and size tests make it do

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler thread
    block_on_close = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.server_address[1]}{path}"

    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _ in self.requests]


def reply(h: BaseHTTPRequestHandler, status: int = 200, body: bytes = b"",
          headers: dict[str, str] | None = None, length: bool = True) -> None:
    h.send_response(status)
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    if length:
        h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        yield srv
    finally:
        srv.stop.set()
        srv.shutdown()
        srv.server_close()
        thread.join()


@pytest.fixture(autouse=True)
def allow_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(http.ALLOW_PRIVATE_ENV, "1")


@dataclass
class Sleeps:
    calls: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def sequence(*routes: Route) -> Route:
    """A route that answers with the given routes in turn (the last one repeats)."""
    count = iter(range(10**6))

    def route(h: Handler) -> None:
        routes[min(next(count), len(routes) - 1)](h)

    return route


# -- normal feed, conditional GET ---------------------------------------------------------

def test_feed_then_conditional_304(server: Server) -> None:
    stamp = "Wed, 01 Jan 2025 00:00:00 GMT"

    def feed(h: Handler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            reply(h, 304, headers={"ETag": '"v1"'})
        else:
            reply(h, 200, FEED, {"ETag": '"v1"', "Last-Modified": stamp,
                                 "Content-Type": "application/rss+xml"})

    server.routes["/feed"] = feed
    first = fetch(server.url("/feed"), limits=FAST)
    assert (first.status, first.content, first.not_modified) == (200, FEED, False)
    assert (first.etag, first.last_modified, first.attempts) == ('"v1"', stamp, 1)
    assert first.url == server.url("/feed")
    assert first.headers["content-type"] == "application/rss+xml"

    second = fetch(server.url("/feed"), etag=first.etag, last_modified=first.last_modified,
                   limits=FAST)
    assert (second.status, second.content, second.not_modified) == (304, b"", True)
    assert (second.etag, second.last_modified) == ('"v1"', stamp)  # kept for the next run
    sent = server.requests[-1][1]
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == stamp
    assert sent["user-agent"].startswith("WetCementScanner/")
    assert sent["accept-encoding"] == "gzip, deflate"
    assert "if-none-match" not in server.requests[0][1]


# -- timeouts and size ----------------------------------------------------------------------

def _trickle(h: Handler) -> None:
    reply(h, 200, headers={"Content-Type": "text/plain"}, length=False)
    for _ in range(60):  # a byte every 50 ms for 3 s: each read is quick, the whole is slow
        if h.server.stop.wait(0.05):
            return
        h.wfile.write(b"x")
        h.wfile.flush()


def _stall(h: Handler) -> None:
    h.server.stop.wait(5)


@pytest.mark.parametrize("route", [_trickle, _stall], ids=["trickling-body", "no-headers"])
def test_total_timeout_trips_quickly(server: Server, route: Route) -> None:
    server.routes["/slow"] = route
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/slow"), limits=FetchLimits(total_timeout=0.4, retries=0))
    assert time.monotonic() - started < 2.0
    assert "timed out" in caught.value.reason and caught.value.retryable


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_size_cap(server: Server, declared: bool) -> None:
    server.routes["/huge"] = lambda h: reply(h, 200, b"a" * 3_000_000, length=declared)
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/huge"), limits=FetchLimits(max_bytes=1_000_000))
    assert "larger than the 1,000,000-byte limit" in caught.value.reason
    assert not caught.value.retryable and server.paths() == ["/huge"]


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(("encoding", "pack"), [
    ("gzip", gzip.compress), ("deflate", zlib.compress), ("deflate", _raw_deflate),
    ("gzip", lambda d: gzip.compress(d) + b"\0\0trailing garbage is ignored"),
], ids=["gzip", "deflate-zlib", "deflate-raw", "gzip-trailing-bytes"])
def test_compressed_bodies_are_decoded(server: Server, encoding: str,
                                       pack: Callable[[bytes], bytes]) -> None:
    body = FEED * 200
    server.routes["/z"] = lambda h: reply(h, 200, pack(body), {"Content-Encoding": encoding})
    assert fetch(server.url("/z"), limits=FAST).content == body


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """200 MB of zeros as one gzip member of about 200 KB (made with zlib level 9)."""
    data = (DATA / "bomb-200mb-zeros.gz").read_bytes()
    assert int.from_bytes(data[-4:], "little") == 200 * 2**20  # gzip trailer: original size
    return data


def test_gzip_bomb_refused_in_bounded_memory(server: Server, bomb: bytes) -> None:
    assert len(bomb) < 1_000_000
    server.routes["/bomb"] = lambda h: reply(h, 200, bomb, {"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            fetch(server.url("/bomb"))  # default limits: 10 MB
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "after decompression" in caught.value.reason
    assert peak < 40_000_000, f"peak {peak:,} bytes"


@pytest.mark.parametrize(("body", "why"), [
    (gzip.compress(FEED)[:-12], "truncated gzip body"),
    (b"\x1f\x8b\x08\x00garbage-not-deflate", "corrupt gzip body"),
], ids=["truncated", "corrupt"])
def test_broken_gzip(server: Server, body: bytes, why: str) -> None:
    server.routes["/z"] = lambda h: reply(h, 200, body, {"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match=why):
        fetch(server.url("/z"), limits=FAST)


def test_unrequested_encoding_refused(server: Server) -> None:
    server.routes["/br"] = lambda h: reply(h, 200, b"??", {"Content-Encoding": "br"})
    with pytest.raises(FetchError, match="unsupported Content-Encoding 'br'"):
        fetch(server.url("/br"), limits=FAST)


# -- retries -------------------------------------------------------------------------------

def test_500_then_200_is_retried(server: Server) -> None:
    fail = lambda h: reply(h, 500, b"oops")  # noqa: E731
    server.routes["/flaky"] = sequence(fail, fail, lambda h: reply(h, 200, FEED))
    sleeps = Sleeps()
    response = fetch(server.url("/flaky"), limits=FAST, sleep=sleeps)
    assert response.content == FEED and response.attempts == 3
    assert sleeps.calls == [1.0, 2.0]  # exponential backoff
    assert server.paths() == ["/flaky"] * 3


def test_persistent_500_gives_up(server: Server) -> None:
    server.routes["/down"] = lambda h: reply(h, 503, b"")
    sleeps = Sleeps()
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/down"), limits=FetchLimits(retries=1, backoff=0.5), sleep=sleeps)
    assert caught.value.status == 503 and "gave up after 2 attempts" in caught.value.reason
    assert sleeps.calls == [0.5] and len(server.paths()) == 2


@pytest.mark.parametrize(("header", "expected"), [
    ("7", 7.0), ("100000", 120.0),  # capped at max_retry_after
    (None, 30.0),  # an HTTP date 30 s ahead, filled in below
])
def test_429_honours_retry_after(server: Server, header: str | None, expected: float) -> None:
    value = header or email.utils.formatdate(time.time() + 30, usegmt=True)
    busy = lambda h: reply(h, 429, b"slow down", {"Retry-After": value})  # noqa: E731
    server.routes["/busy"] = sequence(busy, lambda h: reply(h, 200, FEED))
    sleeps = Sleeps()
    response = fetch(server.url("/busy"), limits=FAST, sleep=sleeps)
    assert response.attempts == 2 and len(sleeps.calls) == 1
    assert sleeps.calls[0] == pytest.approx(expected, abs=2.0)


def test_404_fails_at_once(server: Server) -> None:
    sleeps = Sleeps()
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/missing"), limits=FAST, sleep=sleeps)
    error = caught.value
    assert (error.status, error.retryable, sleeps.calls) == (404, False, [])
    assert error.reason == "server answered 404 Not Found"
    assert server.paths() == ["/missing"]


def test_connection_refused_is_retried_then_reported() -> None:
    with Server() as probe:  # bind a free port, then free it again
        url = probe.url("/feed")
    sleeps = Sleeps()
    with pytest.raises(FetchError) as caught:
        fetch(url, limits=FetchLimits(retries=1, connect_timeout=1.0), sleep=sleeps)
    assert "connection failed" in caught.value.reason and caught.value.retryable
    assert sleeps.calls == [1.0]


# -- redirects -------------------------------------------------------------------------------

def _redirect(to: str, status: int = 302) -> Route:
    return lambda h: reply(h, status, b"", {"Location": to})


def test_redirects_are_followed(server: Server) -> None:
    server.routes["/old"] = _redirect("/older", 301)
    server.routes["/older"] = _redirect(server.url("/feed#frag"), 308)
    server.routes["/feed"] = lambda h: reply(h, 200, FEED)
    response = fetch(server.url("/old"), limits=FAST)
    assert response.url == server.url("/feed") and response.content == FEED
    assert server.paths() == ["/old", "/older", "/feed"]


def test_redirect_loop(server: Server) -> None:
    server.routes["/a"] = _redirect("/b")
    server.routes["/b"] = _redirect("/a")
    with pytest.raises(FetchError, match="redirect loop") as caught:
        fetch(server.url("/a"), limits=FAST)
    assert not caught.value.retryable and server.paths() == ["/a", "/b"]


def test_too_many_redirects(server: Server) -> None:
    for n in range(10):
        server.routes[f"/r{n}"] = _redirect(f"/r{n + 1}")
    with pytest.raises(FetchError, match=r"too many redirects \(more than 3\)"):
        fetch(server.url("/r0"), limits=FetchLimits(max_redirects=3))
    assert server.paths() == ["/r0", "/r1", "/r2", "/r3"]


def test_redirect_to_other_scheme_refused(server: Server) -> None:
    server.routes["/x"] = _redirect("file:///etc/passwd")
    with pytest.raises(UnsafeURL, match="got 'file'"):
        fetch(server.url("/x"), limits=FAST)


# -- private-network guard -------------------------------------------------------------------

def test_loopback_refused_when_guard_is_on(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(http.ALLOW_PRIVATE_ENV)
    with pytest.raises(UnsafeURL, match="loopback address 127.0.0.1"):
        fetch(server.url("/feed"), limits=FAST)
    assert server.paths() == []  # refused before connecting


def test_redirect_into_private_network_refused(server: Server,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(http.ALLOW_PRIVATE_ENV)
    real = http.resolve
    # Pretend "localhost" is a public host; 127.0.0.1 still resolves to itself.
    monkeypatch.setattr(http, "resolve",
                        lambda host, port: ["93.184.216.34"] if host == "localhost"
                        else real(host, port))
    server.routes["/go"] = _redirect(server.url("/feed"))  # -> http://127.0.0.1:PORT/feed
    server.routes["/feed"] = lambda h: reply(h, 200, FEED)
    with pytest.raises(UnsafeURL, match="loopback") as caught:
        fetch(server.url("/go", host="localhost"), limits=FAST)
    assert caught.value.url == server.url("/feed")
    assert server.paths() == ["/go"]  # the first hop was allowed, the second never sent


@pytest.mark.parametrize(("address", "label"), [
    ("10.0.0.7", "private"), ("169.254.169.254", "link-local"), ("::1", "loopback"),
    ("fe80::1%eth0", "link-local"), ("224.0.0.1", "multicast"), ("0.0.0.0", "unspecified"),
    ("::ffff:192.168.0.1", "private"), ("240.0.0.1", "reserved"), ("100.64.0.1", "non-global"),
])
def test_any_private_address_refuses(monkeypatch: pytest.MonkeyPatch, address: str,
                                     label: str) -> None:
    monkeypatch.delenv(http.ALLOW_PRIVATE_ENV)
    monkeypatch.setattr(http, "resolve", lambda host, port: ["93.184.216.34", address])
    with pytest.raises(UnsafeURL) as caught:
        fetch("https://feeds.example/rss", limits=FAST)
    assert caught.value.reason.startswith(
        f"refusing 'feeds.example': it resolves to {label} address {address} ")


# -- scheme check, errors as FetchError only -------------------------------------------------

@pytest.mark.parametrize(("url", "reason"), [
    ("file:///etc/passwd", "only http and https sources are allowed, got 'file'"),
    ("ftp://example.com/x", "only http and https sources are allowed, got 'ftp'"),
    ("javascript:alert(1)", "only http and https sources are allowed, got 'javascript'"),
    ("example.com/feed", "only http and https sources are allowed, got a URL without a scheme"),
    ("http:///path", "URL has no host"),
    ("http://exa mple.com/", "URL contains whitespace or control characters"),
    ("http://[::1/", "malformed URL: Invalid IPv6 URL"),
])
def test_bad_urls_refused(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURL) as caught:
        fetch(url)
    assert caught.value.reason == reason and caught.value.status is None


def test_transport_errors_become_fetch_errors() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("peer closed connection", request=request)

    transport = httpx.MockTransport(broken)
    sleeps = Sleeps()
    with pytest.raises(FetchError, match="RemoteProtocolError") as caught:
        fetch("https://feeds.example/rss", transport=transport, limits=FAST, sleep=sleeps)
    assert type(caught.value) is FetchError and len(sleeps.calls) == 2


def test_one_request_at_a_time_per_host(server: Server) -> None:
    active = peak = 0
    guard = threading.Lock()

    def slow(h: Handler) -> None:
        nonlocal active, peak
        with guard:
            active += 1
            peak = max(peak, active)
        time.sleep(0.1)
        with guard:
            active -= 1
        reply(h, 200, FEED)

    server.routes["/feed"] = slow
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            fetch(server.url("/feed"), limits=FAST)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=worker) for _ in range(4)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert errors == [] and len(server.paths()) == 4 and peak == 1


# -- properties of check_url -----------------------------------------------------------------

PREFIXES = ["http://", "https://", "HTTP://", "javascript:", "data:text/html,", "file://",
            " http://", "\thttps://", "http:", "http:/", "ftp://", "//", "http://[", ""]


@given(st.builds(str.__add__, st.sampled_from(PREFIXES), st.text(max_size=40)))
def test_check_url_accepts_only_http_urls_with_a_host(url: str) -> None:
    try:
        checked = check_url(url)
    except UnsafeURL as exc:
        assert exc.reason and "\n" not in exc.reason
        return
    assert checked == url
    assert url.lower().startswith(("http://", "https://"))
    assert urlsplit(url).hostname
    assert not any(ch.isspace() or ord(ch) < 32 for ch in url)


@given(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z]{2,6}){1,3}", fullmatch=True),
       st.sampled_from(["http", "https"]), st.from_regex(r"(/[A-Za-z0-9._~%-]{0,8}){0,3}",
                                                         fullmatch=True))
def test_check_url_accepts_ordinary_urls(host: str, scheme: str, path: str) -> None:
    url = f"{scheme}://{host}{path}"
    assert check_url(url) == url
