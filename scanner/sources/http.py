"""A careful HTTP fetcher for vendor feeds and pages.

`fetch` does one polite, bounded GET and returns a `FetchResponse`, or raises `FetchError`
(never another exception for network or HTTP problems):

* http(s) only; unless ``WETCEMENT_ALLOW_PRIVATE_NETWORKS=1`` is set (read at call time), a
  host resolving to any private, loopback, link-local, multicast, reserved or unspecified
  address is refused, on the first URL and after every redirect;
* redirects followed by hand (at most ``max_redirects``, loops detected);
* conditional GET from ``etag``/``last_modified``; 304 -> ``not_modified``;
* the raw body is streamed and gzip/deflate decoded incrementally, refusing more than
  ``max_bytes`` raw or decoded, so a decompression bomb costs bounded memory;
* ``total_timeout`` bounds each attempt (every hop and the body) by wall clock;
* timeouts, connection errors, 5xx and 429 are retried (exponential backoff, or
  ``Retry-After`` up to ``max_retry_after``); other 4xx fail at once;
* requests to one host never overlap within the process.

Known limit: the guard resolves the host before httpx connects, so DNS rebinding between
the two lookups is not caught.
"""

from __future__ import annotations

import email.utils
import functools
import ipaddress
import os
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

__all__ = ["ALLOW_PRIVATE_ENV", "FetchError", "FetchLimits", "FetchResponse", "UnsafeURL",
           "check_url", "fetch", "resolve"]

ALLOW_PRIVATE_ENV = "WETCEMENT_ALLOW_PRIVATE_NETWORKS"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json,"
          " application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8,"
          " */*;q=0.5")
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchLimits:
    """Bounds for one `fetch`, in seconds and bytes. ``total_timeout`` is per attempt;
    waits between attempts are bounded by ``backoff`` and ``max_retry_after``."""

    connect_timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 1.0
    max_retry_after: float = 120.0
    user_agent: str = "WetCementScanner/0.1 (+https://github.com/wet-cement/scanner; feed reader)"


@dataclass(frozen=True)
class FetchResponse:
    """A successful fetch: a 2xx status (normally 200) or 304. ``url`` is the final URL,
    ``content`` the decoded body (b"" on 304), ``headers`` as received (lower-case names)."""

    url: str
    status: int
    content: bytes
    headers: dict[str, str]
    etag: str | None
    last_modified: str | None
    not_modified: bool
    elapsed: float
    attempts: int


class FetchError(Exception):
    """A fetch failed. ``reason`` is one clear line; ``url`` is where it failed.

    ``retryable`` marks transient failures (timeouts, connection errors, 5xx, 429);
    ``retry_after`` is the wait in seconds the server asked for, when it gave one.
    """

    def __init__(self, reason: str, *, url: str, status: int | None = None,
                 retryable: bool = False, retry_after: float | None = None) -> None:
        self.reason = " ".join(reason.split())
        super().__init__(self.reason)
        self.url = url if len(url) <= 300 else url[:300] + "..."
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


class UnsafeURL(FetchError):
    """The URL is not http(s), has no valid host, or points into a private network."""


def check_url(url: str) -> str:
    """Statically check that `url` is an absolute http(s) URL with a host; return it unchanged.

    No DNS here (`fetch` checks addresses). Whitespace and control characters anywhere are
    refused, so an accepted URL is safe to print or to render as a link.
    """
    if not isinstance(url, str):
        raise UnsafeURL(f"URL must be a string, got {type(url).__name__}", url=repr(url))
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise UnsafeURL("URL contains whitespace or control characters", url=repr(url))
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port
    except ValueError as exc:
        raise UnsafeURL(f"malformed URL: {exc}", url=url) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not url.lower().startswith(scheme + "://"):
        got = f"'{scheme}'" if scheme else "a URL without a scheme"
        raise UnsafeURL(f"only http and https sources are allowed, got {got}", url=url)
    if not host:
        raise UnsafeURL("URL has no host", url=url)
    if ":" not in host and not all(ch.isalnum() or ch in "-._" for ch in host):
        raise UnsafeURL(f"URL host {host!r} is not a valid host name", url=url)
    return url


def resolve(host: str, port: int) -> list[str]:
    """The IP addresses `host` resolves to. A seam: tests monkeypatch it."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _address_problem(address: str) -> str | None:
    """Why `address` is not a public unicast address, or None when it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for label, flag in (("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
                        ("multicast", ip.is_multicast), ("unspecified", ip.is_unspecified),
                        ("reserved", ip.is_reserved), ("private", ip.is_private)):
        if flag:
            return label
    return None if ip.is_global else "non-global"


def _guard_network(url: str) -> None:
    """Refuse `url` if its host resolves to any non-public address (unless allowed)."""
    if os.environ.get(ALLOW_PRIVATE_ENV) == "1":
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = resolve(host, parts.port or (443 if parts.scheme.lower() == "https" else 80))
    except (OSError, UnicodeError) as exc:
        temporary = isinstance(exc, socket.gaierror) and exc.errno == socket.EAI_AGAIN
        raise FetchError(f"could not resolve host {host!r}: {exc}", url=url,
                         retryable=temporary) from None
    if not addresses:
        raise FetchError(f"host {host!r} resolved to no addresses", url=url)
    for address in addresses:
        problem = _address_problem(address)
        if problem:
            raise UnsafeURL(f"refusing {host!r}: it resolves to {problem} address {address}"
                            f" (set {ALLOW_PRIVATE_ENV}=1 to allow)", url=url)


_host_locks: dict[str, threading.Lock] = {}
_registry_lock = threading.Lock()


def _host_lock(host: str) -> threading.Lock:
    """The process-wide lock that serialises requests to `host`."""
    with _registry_lock:
        return _host_locks.setdefault(host.lower(), threading.Lock())


def _retry_after(value: str | None) -> float | None:
    """Parse Retry-After (delta seconds or an HTTP date) into seconds from now."""
    value = (value or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return None if when.tzinfo is None else max(0.0, when.timestamp() - time.time())


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for all fetches (building one costs tens of milliseconds)."""
    return httpx.create_ssl_context()


class _BorrowedTransport(httpx.BaseTransport):
    """Delegates to a caller's transport and leaves it open when our client closes."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(request)


def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None,
          limits: FetchLimits = FetchLimits(), transport: httpx.BaseTransport | None = None,
          sleep: Callable[[float], None] = time.sleep) -> FetchResponse:
    """GET `url` carefully (see the module docstring); raise `FetchError` on failure.

    Pass the ``etag``/``last_modified`` stored from the previous `FetchResponse` for a
    conditional GET; on 304 the returned validators fall back to the ones sent. A given
    ``transport`` (e.g. ``httpx.MockTransport``) is used as is, without env proxies.
    """
    url = check_url(url)
    headers = {"User-Agent": limits.user_agent, "Accept": ACCEPT,
               "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    inner = (_BorrowedTransport(transport) if transport is not None
             else httpx.HTTPTransport(verify=_ssl_context()))
    started, attempts = time.monotonic(), 0
    with httpx.Client(transport=inner, follow_redirects=False, trust_env=transport is None,
                      headers=headers) as client:
        while True:
            attempts += 1
            try:
                final_url, status, content, got = _attempt(
                    client, url, limits, time.monotonic() + limits.total_timeout)
            except FetchError as exc:
                if not exc.retryable:
                    raise
                if attempts > limits.retries:
                    if attempts == 1:
                        raise
                    raise FetchError(f"{exc.reason} (gave up after {attempts} attempts)",
                                     url=exc.url, status=exc.status, retryable=True) from exc
                delay = limits.backoff * 2 ** (attempts - 1)
                if exc.retry_after is not None:
                    delay = min(exc.retry_after, limits.max_retry_after)
                sleep(max(0.0, delay))
                continue
            fresh = status == 304
            return FetchResponse(
                url=final_url, status=status, content=content, headers=got,
                etag=got.get("etag") or (etag if fresh else None),
                last_modified=got.get("last-modified") or (last_modified if fresh else None),
                not_modified=fresh, elapsed=time.monotonic() - started, attempts=attempts)


def _attempt(client: httpx.Client, url: str, limits: FetchLimits,
             deadline: float) -> tuple[str, int, bytes, dict[str, str]]:
    """One attempt: follow redirects by hand, re-checking each hop, then read the body."""
    seen, current = {url}, url
    for _hop in range(limits.max_redirects + 1):
        _guard_network(current)
        host = urlsplit(current).hostname or ""
        lock = _host_lock(host)
        if not lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise FetchError(f"timed out waiting for another request to {host}", url=current,
                             retryable=True)
        try:
            status, location, body, got = _request(client, current, limits, deadline)
        finally:
            lock.release()
        if location is None:
            return current, status, body, got
        try:
            target = str(httpx.URL(current).join(location).copy_with(fragment=None))
        except (httpx.InvalidURL, ValueError):
            raise FetchError(f"redirect to an invalid URL {location[:200]!r}", url=current,
                             status=status) from None
        if check_url(target) in seen:
            raise FetchError(f"redirect loop: {target} was already visited", url=current,
                             status=status)
        seen.add(target)
        current = target
    raise FetchError(f"too many redirects (more than {limits.max_redirects})", url=current)


def _request(client: httpx.Client, url: str, limits: FetchLimits,
             deadline: float) -> tuple[int, str | None, bytes, dict[str, str]]:
    """Send one GET; return (status, redirect location or None, body, headers)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(f"timed out after {limits.total_timeout:g}s", url=url, retryable=True)
    timeout = httpx.Timeout(remaining, connect=min(limits.connect_timeout, remaining))
    try:
        with client.stream("GET", url, timeout=timeout) as response:
            status = response.status_code
            got = dict(response.headers.items())
            if status in REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(f"redirect {status} without a Location header", url=url,
                                     status=status)
                return status, location, b"", got
            if status == 304:
                return status, None, b"", got
            message = f"server answered {status} {response.reason_phrase}".strip()
            if status == 429 or status >= 500:
                raise FetchError(message, url=url, status=status, retryable=True,
                                 retry_after=_retry_after(response.headers.get("retry-after")))
            if not 200 <= status < 300:
                raise FetchError(message, url=url, status=status)
            return status, None, _read_body(response, url, limits, deadline), got
    except httpx.TimeoutException as exc:
        what = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for the server"
        raise FetchError(f"timed out {what} (limits {limits.connect_timeout:g}s to connect,"
                         f" {limits.total_timeout:g}s in all)", url=url, retryable=True) from None
    except httpx.TransportError as exc:
        raise FetchError(f"connection failed: {type(exc).__name__}: {exc}", url=url,
                         retryable=not isinstance(exc, httpx.UnsupportedProtocol)) from None
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, ValueError) as exc:
        raise FetchError(f"request failed: {type(exc).__name__}: {exc}", url=url) from None


def _raw_chunks(response: httpx.Response, url: str, limits: FetchLimits,
                deadline: float) -> Iterator[bytes]:
    """The raw body as the network delivers it, under the raw-size and time limits."""
    size = 0
    for chunk in response.iter_raw():  # no chunk_size: a trickle must not hide from the clock
        if time.monotonic() > deadline:
            raise FetchError(f"timed out after {limits.total_timeout:g}s reading the body",
                             url=url, status=response.status_code, retryable=True)
        size += len(chunk)
        if size > limits.max_bytes:
            raise FetchError(f"response is larger than the {limits.max_bytes:,}-byte limit",
                             url=url, status=response.status_code)
        yield chunk


def _decoded(raw: Iterator[bytes], encoding: str, url: str) -> Iterator[bytes]:
    """Decode gzip/deflate incrementally, at most `_CHUNK` bytes per step, so that the
    caller can stop a decompression bomb early. Raises `zlib.error` on corrupt data;
    bytes after the end of the compressed stream are ignored (as httpx does)."""
    if encoding in ("", "identity"):
        yield from raw
        return
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(f"unsupported Content-Encoding {encoding!r}", url=url)
    z: zlib._Decompress | None = None
    for data in raw:
        if z is None:
            z = _decompressor(encoding, data)
        while data and not z.eof:
            piece = z.decompress(data, _CHUNK)
            yield piece
            data = z.unconsumed_tail
            while len(piece) == _CHUNK and not data and not z.eof:  # output still pending
                piece = z.decompress(b"", _CHUNK)
                yield piece
    if z is not None and not z.eof:
        raise FetchError(f"truncated {encoding} body", url=url)


def _decompressor(encoding: str, head: bytes) -> zlib._Decompress:
    if encoding == "deflate":  # zlib-wrapped as specified, or raw as some servers send
        wrapped = len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
        return zlib.decompressobj(47 if wrapped else -zlib.MAX_WBITS)
    return zlib.decompressobj(47)  # 32 + 15: gzip or zlib header, detected automatically


def _read_body(response: httpx.Response, url: str, limits: FetchLimits, deadline: float) -> bytes:
    """Stream the body, decoding gzip/deflate, under the size and time limits."""
    status, cap = response.status_code, limits.max_bytes
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise FetchError(f"response is larger than the {cap:,}-byte limit (Content-Length"
                         f" {int(declared):,})", url=url, status=status)
    encoding = response.headers.get("content-encoding", "").strip().lower()
    out: list[bytes] = []
    size = 0
    try:
        for piece in _decoded(_raw_chunks(response, url, limits, deadline), encoding, url):
            size += len(piece)
            if size > cap:
                raise FetchError(f"response is larger than the {cap:,}-byte limit after"
                                 " decompression", url=url, status=status)
            out.append(piece)
    except zlib.error as exc:
        raise FetchError(f"corrupt {encoding} body: {exc}", url=url, status=status) from None
    except FetchError as exc:
        exc.status = exc.status or status
        raise
    return b"".join(out)
