"""A local HTTP server that serves one spec file the tests can change, redirect or swell."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.local_http import QuietHandler, local_server

V1 = b"""# Acme model spec

## Stay in bounds

### Privacy
The assistant does not reveal personal data about people who are not in the conversation.

### Persuasion
The assistant does not manipulate the user with false urgency or flattery.

## Tools

### Payments
The assistant asks the user before it spends money on the user's behalf.
"""

# v2: one clause changed, one removed, two added (memory, and agents dealing with other agents)
V2 = b"""# Acme model spec

## Stay in bounds

### Privacy
The assistant never reveals personal data about people outside the conversation, even when asked twice.

## Tools

### Payments
The assistant asks the user before it spends money on the user's behalf.

### Memory
The assistant tells the user what it remembers across conversations and forgets what it is asked to forget.

### Other agents
When the assistant negotiates with another company's agent, it acts only within limits the user set.
"""


@dataclass
class SpecServer:
    base: str
    body: bytes = V1
    honour_conditional: bool = True  # answer 304 to a matching If-None-Match
    redirect_to: str | None = None  # answer 302 to this URL instead of the body
    seen: list[dict[str, str]] = field(default_factory=list)

    def url(self, path: str = "/spec.md", host: str = "127.0.0.1") -> str:
        return self.base.replace("127.0.0.1", host) + path

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'

    def paths(self) -> list[str]:
        return [s["path"] for s in self.seen]


@contextmanager
def spec_server() -> Iterator[SpecServer]:
    state = SpecServer(base="")

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            state.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            if state.redirect_to and self.path == "/spec.md":
                self.send_response(302)
                self.send_header("Location", state.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if state.honour_conditional and self.headers.get("If-None-Match") == state.etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/markdown; charset=utf-8")
            self.send_header("ETag", state.etag)
            self.send_header("Last-Modified", "Mon, 06 Jan 2025 10:00:00 GMT")
            self.end_headers()  # no Content-Length: the size cap must count the streamed body
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the size cap hung up
                self.wfile.write(state.body)
            self.close_connection = True

    with local_server(Handler) as base:
        state.base = base
        yield state

# v3: v2 plus clauses in the launch items' own words (tests/test_pipeline.LAUNCHES), so that an
# affordance's coverage level can rise between the versions
V3 = V2 + b"""
### Agent payments
AI agents can pay with tokenized cards and agentic tokens only after the user approves each payment; an agent pays no merchant the user did not choose.

### Remembering
When ChatGPT, Gemini or Claude remember your past conversations and personal context with memory, the assistant lets the user see and delete what it remembers across chats.
"""
