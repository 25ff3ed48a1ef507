"""Alerts: post what moved in the latest edition to a Slack-compatible incoming webhook.

``alert(con, url)`` compares an edition (default: the latest) with the one before it
(`scanner.scanning.editions.diff`), picks the affordances that entered the top N or moved at least
``min_move`` places, and POSTs ``{"text": ..., "blocks": [...]}`` (Slack's Block Kit; Mattermost
and other Slack-compatible hooks accept it). A network failure or a non-2xx answer never raises:
it comes back as an `AlertResult` with ``ok=False`` and the reason, so a cron job's scan is never
lost to a chat outage. The webhook URL is a secret: results and errors show only its host.
The URL comes from the caller, or from ``$WETCEMENT_WEBHOOK_URL`` via `webhook_from_env`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from scanner.errors import BadInput
from scanner.scanning.editions import diff, previous_edition, resolve_edition
from scanner.sources.safety import safe_link
from scanner.specs.changes import changes_for_edition
from scanner.team.reviews import due_reviews
from scanner.views import report

WEBHOOK_ENV = "WETCEMENT_WEBHOOK_URL"
TIMEOUT = 10.0
SECTION_LIMIT = 2900  # Slack refuses a section's text over 3,000 characters
MAX_LINES = 40  # per list; the rest is summarised in one line

Post = Callable[..., Any]


@dataclass
class AlertResult:
    ok: bool
    sent: bool
    edition: str
    previous_edition: str | None
    entered: list[dict[str, Any]] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)
    status_code: int | None = None
    error: str | None = None
    webhook: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    spec_changes: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "sent": self.sent,
            "edition": self.edition,
            "previous_edition": self.previous_edition,
            "entered": self.entered,
            "moved": self.moved,
            "status_code": self.status_code,
            "error": self.error,
            "webhook": self.webhook,
            "spec_changes": self.spec_changes,
            "reviews": [{"id": r["id"], "label": r["label"], "reasons": r["reasons"]} for r in self.reviews],
        }


def webhook_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """``$WETCEMENT_WEBHOOK_URL``, or None when it is unset or blank."""
    value = (os.environ if environ is None else environ).get(WEBHOOK_ENV, "").strip()
    return value or None


def check_webhook_url(url: str | None) -> str:
    """The webhook URL if it is an absolute http(s) URL; else `BadInput` (nothing is sent)."""
    good = safe_link(url)
    if not good:
        raise BadInput(f"webhook URL {redact(url)!r} is not an http(s) URL (set {WEBHOOK_ENV} or pass one)")
    return good


def redact(url: str | None) -> str:
    """Scheme and host only: a webhook's path is its secret."""
    try:
        parts = urlsplit(str(url or ""))
        return f"{parts.scheme}://{parts.netloc}/…" if parts.scheme and parts.netloc else "(not a URL)"
    except ValueError:
        return "(not a URL)"


def changes(
    con: Any, *, top_n: int = 10, min_move: int = 5, edition: str | None = None
) -> tuple[str, str | None, list[dict[str, Any]], list[dict[str, Any]]]:
    """(edition, previous edition, entered the top N, moved ``min_move``+ places).

    With no previous edition, the whole top N counts as entered. A candidate that entered the
    top N is listed there only, even if it also moved far.
    """
    if top_n < 1:
        raise BadInput("top N must be 1 or more")
    if min_move < 1:
        raise BadInput("the minimum move must be 1 place or more")
    day = resolve_edition(con, edition)
    before_day = previous_edition(con, day)
    now = {c["id"]: c for c in report.candidates(con, day.isoformat())}
    if before_day is None:
        before: dict[str, int | None] = {}
        moves: list[dict[str, Any]] = []
    else:
        d = diff(con, before_day.isoformat(), day.isoformat())
        moves = d["rose"] + d["fell"]
        before = {r["id"]: r["before"] for r in moves}
        before.update({r["id"]: None for r in d["entered"]})
    entered = []
    for cid, c in now.items():
        was = before.get(cid, c["rank"]) if before_day else None  # unchanged rank: not in the diff
        if c["rank"] <= top_n and (was is None or was > top_n):
            entered.append(_line(c, was))
    seen = {e["id"] for e in entered}
    moved = [
        _line(now[m["id"]], m["before"])
        for m in sorted(moves, key=lambda m: (-abs(m["moved"]), m["after"]))
        if abs(m["moved"]) >= min_move and m["id"] in now and m["id"] not in seen
    ]
    return day.isoformat(), before_day.isoformat() if before_day else None, entered, moved


def _line(c: dict[str, Any], before: int | None) -> dict[str, Any]:
    link = next((u for u in (safe_link(i.get("url")) for i in c.get("items") or []) if u), None)
    return {
        "id": c["id"],
        "label": c["label"],
        "rank": c["rank"],
        "previous_rank": before,
        "moved": None if before is None else before - c["rank"],
        "score": c["score"],
        "status": c["status"],
        "owner": c["owner"],
        "link": link,
    }


def _mrkdwn(text: Any) -> str:
    """Slack's three control characters, escaped (so a label cannot @-mention a channel)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _bullet(r: dict[str, Any]) -> str:
    label = _mrkdwn(r["label"]).replace("|", "¦")
    link = str(r.get("link") or "").replace("|", "%7C").replace("<", "%3C").replace(">", "%3E")
    name = f"<{link}|{label}>" if link else label
    if r["previous_rank"] is None:
        where = f"#{r['rank']} (new)"
    else:
        arrow = "↑" if r["moved"] > 0 else "↓"
        where = f"#{r['rank']} {arrow}{abs(r['moved'])} (was #{r['previous_rank']})"
    owner = f" · {_mrkdwn(r['owner'])}" if r.get("owner") else ""
    return f"• *{where}* {name} — score {r['score']:.2f} · {r['status']}{owner}"


def _sections(title: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    lines = [_bullet(r) for r in rows[:MAX_LINES]]
    if len(rows) > MAX_LINES:
        lines.append(f"…and {len(rows) - MAX_LINES} more")
    blocks, chunk = [], f"*{title}*"
    for line in lines:
        if len(chunk) + 1 + len(line) > SECTION_LIMIT:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
    return blocks


def build_payload(
    edition: str,
    previous: str | None,
    entered: list[dict[str, Any]],
    moved: list[dict[str, Any]],
    *,
    top_n: int,
    min_move: int,
) -> dict[str, Any]:
    """The Slack message: a plain ``text`` summary (notifications) and Block Kit ``blocks``."""
    summary = (
        f"Wet cement {edition}: {len(entered)} entered the top {top_n}, "
        f"{len(moved)} moved {min_move}+ places"
        + (f" since {previous}" if previous else " (first edition)")
    )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"Wet cement — edition {edition}"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _mrkdwn(summary)}]},
    ]
    if entered:
        blocks += _sections(f"Entered the top {top_n}", entered)
    if moved:
        blocks += _sections(f"Moved {min_move}+ places", moved)
    if not entered and not moved:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "Nothing entered or moved far."}})
    return {"text": _mrkdwn(summary), "blocks": blocks[:50]}


def review_blocks(due: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The section of decisions whose review is due (`scanner.team.reviews.due_reviews`): the
    review date came, or a reopening condition fired, and nobody snoozed it."""
    if not due:
        return []
    lines = [f"*Reviews due ({len(due)})*"]
    for d in due[:MAX_LINES]:
        reasons = "; ".join(d["reasons"])
        lines.append(f"• {_mrkdwn(d['label'])} ({d['id']}) — {_mrkdwn(reasons)}")
    if len(due) > MAX_LINES:
        lines.append(f"…and {len(due) - MAX_LINES} more")
    text = "\n".join(lines)
    if len(text) > SECTION_LIMIT:
        text = text[: SECTION_LIMIT - 1] + "…"
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]


def alert(
    con: Any,
    webhook_url: str,
    *,
    top_n: int = 10,
    min_move: int = 5,
    edition: str | None = None,
    post: Post | None = None,
    post_empty: bool = False,
) -> AlertResult:
    """Post the edition's changes; returns the outcome and never raises on network failure.

    Nothing is posted when nothing entered or moved, unless ``post_empty``. ``post`` is a seam
    (default ``httpx.post``), called as ``post(url, json=payload, timeout=10.0)``.
    """
    url = check_webhook_url(webhook_url)
    day, before, entered, moved = changes(con, top_n=top_n, min_move=min_move, edition=edition)
    payload = build_payload(day, before, entered, moved, top_n=top_n, min_move=min_move)
    specs = changes_for_edition(con, day, before)
    payload = with_spec_changes(payload, specs)
    due = due_reviews(con)
    payload["blocks"] = (payload["blocks"] + review_blocks(due))[:50]
    result = AlertResult(ok=True, sent=False, edition=day, previous_edition=before, entered=entered,
                         moved=moved, webhook=redact(url), payload=payload, spec_changes=specs, reviews=due)
    if not entered and not moved and not specs and not due and not post_empty:
        return result
    sender = post or httpx.post
    try:
        response = sender(url, json=payload, timeout=TIMEOUT)
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        result.ok, result.error = False, _reason(exc, url)
        return result
    result.status_code = int(response.status_code)
    if 200 <= result.status_code < 300:
        result.sent = True
    else:
        body = " ".join(str(getattr(response, "text", "") or "").split())[:200]
        result.ok = False
        result.error = f"the webhook answered HTTP {result.status_code}" + (f": {body}" if body else "")
    return result


def _spec_bullet(c: dict[str, Any]) -> str:
    name = _mrkdwn(c["spec"]).replace("|", "¦")
    link = str(c.get("url") or "").replace("|", "%7C").replace("<", "%3C").replace(">", "%3E")
    head = f"<{link}|{name}>" if link else name
    line = (f"• *{head}* {_mrkdwn(c['previous_version'])} → {_mrkdwn(c['version'])}: "
            f"{c['added']} added, {c['removed']} removed, {c['changed']} changed clauses")
    cov = c["coverage"]
    if cov["pending"]:
        return f"{line} · {cov['note']}"
    for word, rows in (("coverage up", cov["gained"]), ("coverage down", cov["lost"])):
        if rows:
            shown = ", ".join(f"{_mrkdwn(r['label'])} ({r['before']}→{r['after']})" for r in rows[:5])
            line += f" · {word}: {shown}" + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
    if not cov["gained"] and not cov["lost"]:
        line += " · no affordance changed coverage level"
    return line


def with_spec_changes(payload: dict[str, Any], changes: list[dict[str, Any]]) -> dict[str, Any]:
    """The message with a "Spec changes" section: each watched spec's new version, its clause
    diff and the affordances whose coverage level rose or fell (`scanner.specs.changes`)."""
    if not changes:
        return payload
    lines = [_spec_bullet(c) for c in changes[:MAX_LINES]]
    blocks, chunk = [], "*Spec changes*"
    for line in lines:
        line = line[: SECTION_LIMIT - 20]
        if len(chunk) + 1 + len(line) > SECTION_LIMIT:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
    text = f"{payload['text']}; {len(changes)} spec change{'s' if len(changes) != 1 else ''}"
    return {**payload, "text": text, "blocks": (payload["blocks"] + blocks)[:50]}


def _reason(exc: Exception, url: str) -> str:
    text = str(exc).replace(url, redact(url)) or type(exc).__name__
    return f"could not reach the webhook at {redact(url)}: {text}"
