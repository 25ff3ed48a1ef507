"""The meeting's decisions: status, owner, dated notes, drafts — all logged (ratings, the
transition checklist and review triggers: `scanner.team.criteria`, `checklist`, `reviews`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scanner.errors import BadInput
from scanner.sources.normalise import plain_text

STATUSES = ("new", "watching", "drafting", "covered", "dismissed")
MAX_NOTE = 20_000

def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _exists(con: Any, cid: str) -> str:
    row = con.execute("SELECT merged_into FROM candidates WHERE id = ?", [cid]).fetchone()
    if not row:
        raise BadInput(f"no affordance {cid!r} (see `wetcement candidates`)")
    return row[0] or cid


def clean_text(text: str, limit: int) -> str:

    if "<" in text:
        # notes are plain text: keep angle brackets as typed
        text = text.replace("<", "‹").replace(">", "›")
    return plain_text(text, limit)


def set_triage(
    con: Any,
    cid: str,
    *,
    status: str | None = None,
    owner: str | None = None,
    note: str | None = None,
    author: str | None = None,
) -> str:
    """Apply a triage change; returns the id it landed on (a merged id resolves to its survivor)."""
    if status is not None and status not in STATUSES:
        raise BadInput(f"status {status!r} is not one of: {', '.join(STATUSES)}")
    cid = _exists(con, cid)
    now = _now()
    row = con.execute("SELECT status, owner FROM triage WHERE candidate_id = ?", [cid]).fetchone()
    old_status, old_owner = (row[0], row[1]) if row else ("new", None)
    if row is None:
        con.execute("INSERT INTO triage VALUES (?, 'new', NULL, ?) ON CONFLICT DO NOTHING", [cid, now])
    if status is not None and status != old_status:
        con.execute("UPDATE triage SET status = ?, updated_at = ? WHERE candidate_id = ?", [status, now, cid])
        con.execute("INSERT INTO triage_log VALUES (?, ?, 'status', ?, ?, ?)", [cid, now, old_status, status, author])
    if owner is not None:
        owner = clean_text(owner, 120) or None
        if owner != old_owner:
            con.execute("UPDATE triage SET owner = ?, updated_at = ? WHERE candidate_id = ?", [owner, now, cid])
            con.execute("INSERT INTO triage_log VALUES (?, ?, 'owner', ?, ?, ?)", [cid, now, old_owner, owner, author])
    if note is not None:
        text = note.strip()
        if not text:
            raise BadInput("the note is empty")
        if len(text) > MAX_NOTE:
            raise BadInput(f"the note is longer than {MAX_NOTE} characters")
        con.execute("INSERT INTO notes VALUES (?, ?, ?, ?)", [cid, now, author, text])
    return cid


def save_draft(con: Any, cid: str, text: str, author: str | None = None) -> int:
    cid = _exists(con, cid)
    text = text.strip()
    if not text:
        raise BadInput("the draft is empty")
    row = con.execute("SELECT max(version) FROM drafts WHERE candidate_id = ?", [cid]).fetchone()
    version = (row[0] or 0) + 1
    con.execute("INSERT INTO drafts VALUES (?, ?, ?, ?, ?)", [cid, version, _now(), author, text])
    return int(version)


def triage_state(con: Any, cid: str) -> dict[str, Any]:
    row = con.execute("SELECT status, owner, updated_at FROM triage WHERE candidate_id = ?", [cid]).fetchone()
    notes = con.execute(
        "SELECT noted_at, author, text FROM notes WHERE candidate_id = ? ORDER BY noted_at", [cid]
    ).fetchall()
    return {
        "status": row[0] if row else "new",
        "owner": row[1] if row else None,
        "notes": [{"at": n[0].isoformat(sep=" ", timespec="seconds"), "author": n[1], "text": n[2]} for n in notes],
    }


def history(con: Any, cid: str) -> list[dict[str, Any]]:
    return [
        {"at": r[0].isoformat(sep=" ", timespec="seconds"), "field": r[1], "old": r[2], "new": r[3], "author": r[4]}
        for r in con.execute(
            "SELECT changed_at, field, old, new, author FROM triage_log WHERE candidate_id = ? ORDER BY changed_at", [cid]
        ).fetchall()
    ]


def drafts(con: Any, cid: str) -> list[dict[str, Any]]:
    return [
        {"version": r[0], "at": r[1].isoformat(sep=" ", timespec="seconds"), "author": r[2], "text": r[3]}
        for r in con.execute(
            "SELECT version, saved_at, author, text FROM drafts WHERE candidate_id = ? ORDER BY version", [cid]
        ).fetchall()
    ]


def recent_decisions(con: Any, limit: int = 40) -> list[dict[str, Any]]:
    """The meeting's latest decisions across every affordance, newest first: status and owner
    changes and notes (``field`` is "status", "owner" or "note"), each with the affordance's
    current label. One query."""
    if limit < 1:
        raise BadInput("limit must be 1 or more")
    rows = con.execute(
        "SELECT d.candidate_id, c.label, d.at, d.field, d.old, d.new, d.author FROM ("
        "  SELECT candidate_id, changed_at AS at, field, old, new, author FROM triage_log"
        "  UNION ALL"
        "  SELECT candidate_id, noted_at, 'note', NULL, text, author FROM notes"
        ") d LEFT JOIN candidates c ON c.id = d.candidate_id "
        "ORDER BY d.at DESC, d.candidate_id, d.field LIMIT ?",
        [limit],
    ).fetchall()
    return [
        {"id": r[0], "label": r[1], "at": r[2].isoformat(sep=" ", timespec="seconds"), "field": r[3],
         "old": r[4], "new": r[5], "author": r[6]}
        for r in rows
    ]
