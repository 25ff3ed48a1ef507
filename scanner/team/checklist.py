"""The transition checklist: what a team can prepare now so that a default written today can be
changed later without a long delay (after the second seed essay, shared/seeds/002, on inertia
and transition infrastructure).

Per affordance, each item is ticked or unticked by someone at some time; every tick and untick
is a row (``checklist_events``), never changed, and the latest row per item is its state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scanner.errors import BadInput
from scanner.team.triage import _exists, clean_text


@dataclass(frozen=True)
class Step:
    id: str
    name: str
    explanation: str


ITEMS: tuple[Step, ...] = (
    Step("alternate_text", "Alternate spec text",
         "A written version of the spec with the other default, ready to swap in."),
    Step("stakeholder_input", "Stakeholder input",
         "People inside and outside the company have already commented on the alternative."),
    Step("finetuning_data", "Fine-tuning data",
         "A dataset that teaches the alternative behaviour exists."),
    Step("rl_environments", "RL environments",
         "Environments that reward the alternative behaviour are built."),
    Step("evaluations", "Evaluations",
         "Tests can tell whether a model follows the alternative."),
    Step("internal_deployment", "Internal deployment",
         "A model trained on the alternative, even a small one, has been used in-house."),
    Step("limited_public_deployment", "Limited public deployment",
         "The alternative has run in a limited public setting, or been announced, so the public is used to it."),
    Step("signpost", "A signpost in today's spec",
         "The current spec already says that this default may change."),
)
BY_ID = {s.id: s for s in ITEMS}


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat(sep=" ", timespec="seconds") if value else None


def check_item(item: str) -> str:
    key = item.strip().lower().replace("-", "_")
    if key not in BY_ID:
        raise BadInput(f"checklist item {item!r} is not one of: {', '.join(BY_ID)}")
    return key


def tick(con: Any, cid: str, item: str, done: bool, *, by: str | None) -> dict[str, Any]:
    """Tick (``done``) or untick one item for an affordance, signed; returns the item's new state.
    A tick that changes nothing (already in that state) is not recorded again."""
    key = check_item(item)
    cid = _exists(con, cid)
    who = clean_text(by or "", 120) or None
    state = {s["item"]: s for s in checklist(con, cid)}[key]
    if state["done"] == done:
        return state
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("INSERT INTO checklist_events VALUES (?, ?, ?, ?, ?)", [cid, key, done, who, now])
    return {"item": key, "name": BY_ID[key].name, "done": done, "by": who, "at": _stamp(now)}


def events(con: Any, cid: str) -> list[dict[str, Any]]:
    """Every tick and untick of an affordance, oldest first."""
    return [
        {"item": r[0], "done": bool(r[1]), "by": r[2], "at": _stamp(r[3])}
        for r in con.execute(
            "SELECT item, done, author, ticked_at FROM checklist_events WHERE candidate_id = ? ORDER BY ticked_at, item",
            [cid],
        ).fetchall()
    ]


def state(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every item in `ITEMS` order with its latest event: ``{item, name, done, by, at}``
    (``by`` and ``at`` None for an item nobody has touched)."""
    latest = {r["item"]: r for r in rows}
    return [
        {"item": s.id, "name": s.name, "done": bool(latest.get(s.id, {}).get("done", False)),
         "by": latest.get(s.id, {}).get("by"), "at": latest.get(s.id, {}).get("at")}
        for s in ITEMS
    ]


def checklist(con: Any, cid: str) -> list[dict[str, Any]]:
    return state(events(con, cid))
