"""The stored side of grouping: load running groups, place new items, keep labels, and the
team's own choices (merge, split, move, relabel), which later scans never undo."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import numpy as np

from scanner.errors import BadInput
from scanner.judge.cluster import Group, NewItem, assign, candidate_id, central_index, map_regroup
from scanner.store.vectors import load_vectors

LABEL_WORDS = 9


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


# A title that is only a name and a version ("Windsurf 1.3.3", "v0.4.2", "Release 2025-06-01")
# says nothing a meeting can use; release feeds are full of them.
BARE_TITLE = re.compile(
    r"^\s*(?:[\w.@/+-]+\s+){0,3}(?:v(?:ersion)?\s?|release\s+|build\s+)?"
    r"(?:\d+(?:\.\d+)+[\w.+-]*|\d{4}-\d{2}-\d{2})\s*$",
    re.IGNORECASE,
)


def short_label(title: str, summary: str = "") -> str:
    """The first words of ``title``; a bare name-and-version title gets the start of the
    summary after it ("Windsurf 1.3.3: Model Context Protocol, Custom App Icons…")."""
    words = title.split()
    if BARE_TITLE.match(title) and summary.split():
        words = [*words[:-1], words[-1] + ":", *summary.split()] if words else summary.split()
        limit = max(LABEL_WORDS, len(title.split()) + 6)
    else:
        limit = LABEL_WORDS
    return " ".join(words[:limit]) + ("…" if len(words) > limit else "")


def load_groups(con: Any) -> list[Group]:
    groups = []
    for cid, centroid, n, capability in con.execute(
        "SELECT id, centroid, n_items, capability FROM candidates "
        "WHERE merged_into IS NULL AND centroid IS NOT NULL ORDER BY created_at, id"
    ).fetchall():
        g = Group(cid, np.asarray(centroid, dtype=np.float32), int(n or 0), capability)
        if capability:
            g.capability_votes[capability] = int(n or 1)
        groups.append(g)
    return groups


def group_new_items(con: Any, model: str, cutoff: datetime) -> int:
    rows = con.execute(
        "SELECT i.id, i.content_hash, v.capability FROM items i "
        "JOIN item_verdicts v ON v.item_id = i.id LEFT JOIN assignments a ON a.item_id = i.id "
        "WHERE a.item_id IS NULL AND coalesce(v.override, v.is_affordance) AND i.published <= ? "
        "ORDER BY i.published, i.id",
        [cutoff],
    ).fetchall()
    if not rows:
        return 0
    vectors = load_vectors(con, [r[1] for r in rows], model)
    groups = load_groups(con)
    before = {g.id: g.n for g in groups}
    placed = assign(groups, [NewItem(r[0], v, r[2]) for r, v in zip(rows, vectors, strict=True)])
    now = _now()
    con.executemany(
        "INSERT INTO assignments VALUES (?, ?, FALSE, ?)", [[i, c, now] for i, c in placed.items()]
    )
    touched = {c for c in placed.values()}
    for g in groups:
        if g.id not in touched:
            continue
        if g.id in before:
            con.execute(
                "UPDATE candidates SET centroid = ?, n_items = ?, capability = ? WHERE id = ?",
                [g.centroid.tolist(), g.n, g.capability, g.id],
            )
        else:
            con.execute(
                "INSERT INTO candidates (id, label, label_locked, capability, created_at, centroid, n_items) "
                "VALUES (?, '', FALSE, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "  # an emptied one revives
                "capability = excluded.capability, centroid = excluded.centroid, n_items = excluded.n_items, "
                "merged_into = NULL",
                [g.id, g.capability, now, g.centroid.tolist(), g.n],
            )
    relabel(con, sorted(touched), model)
    return len(placed)


def relabel(con: Any, ids: list[str], model: str) -> None:
    """The most central member's title, unless the team has set a label."""
    for cid in ids:
        locked = con.execute("SELECT label_locked FROM candidates WHERE id = ?", [cid]).fetchone()
        if not locked or locked[0]:
            continue
        rows = con.execute(
            "SELECT i.title, i.content_hash, i.summary FROM assignments a JOIN items i ON i.id = a.item_id "
            "WHERE a.candidate_id = ? ORDER BY i.published, i.id",
            [cid],
        ).fetchall()
        if not rows:
            continue
        vectors = load_vectors(con, [r[1] for r in rows], model)
        title, _, summary = rows[central_index(vectors)]
        con.execute("UPDATE candidates SET label = ? WHERE id = ?", [short_label(title, summary or ""), cid])


def _log(con: Any, kind: str, cid: str, other: str | None, detail: dict[str, Any]) -> None:
    con.execute(
        "INSERT INTO affordance_events VALUES (?, ?, ?, ?, ?)",
        [_now(), kind, cid, other, json.dumps(detail)],
    )


def _live(con: Any, cid: str) -> None:
    row = con.execute("SELECT merged_into FROM candidates WHERE id = ?", [cid]).fetchone()
    if not row:
        raise BadInput(f"no affordance {cid!r} (see `wetcement candidates`)")
    if row[0]:
        raise BadInput(f"affordance {cid} was merged into {row[0]}")


def _recompute(con: Any, cid: str, model: str) -> None:
    rows = con.execute(
        "SELECT i.content_hash, v.capability FROM assignments a JOIN items i ON i.id = a.item_id "
        "JOIN item_verdicts v ON v.item_id = i.id WHERE a.candidate_id = ?",
        [cid],
    ).fetchall()
    if not rows:
        con.execute("UPDATE candidates SET centroid = NULL, n_items = 0 WHERE id = ?", [cid])
        return
    vectors = load_vectors(con, [r[0] for r in rows], model)
    mean = vectors.mean(axis=0)
    mean = mean / (np.linalg.norm(mean) or 1.0)
    caps = [r[1] for r in rows if r[1]]
    cap = max(set(caps), key=lambda c: (caps.count(c), c)) if caps else None
    con.execute(
        "UPDATE candidates SET centroid = ?, n_items = ?, capability = ? WHERE id = ?",
        [mean.tolist(), len(rows), cap, cid],
    )
    con.execute("DELETE FROM candidate_signals WHERE candidate_id = ?", [cid])
    relabel(con, [cid], model)


def merge(con: Any, survivor: str, absorbed: str, model: str, *, author: str | None = None) -> None:
    """Fold ``absorbed`` into ``survivor``: items, notes, triage history, drafts, their ratings and
    checklist ticks move; the log names ``author`` when given."""
    if survivor == absorbed:
        raise BadInput("cannot merge an affordance into itself")
    _live(con, survivor)
    _live(con, absorbed)
    con.execute("UPDATE assignments SET candidate_id = ?, pinned = TRUE WHERE candidate_id = ?", [survivor, absorbed])
    for table in ("notes", "triage_log"):
        con.execute(f"UPDATE {table} SET candidate_id = ? WHERE candidate_id = ?", [survivor, absorbed])
    con.execute(
        "UPDATE drafts SET candidate_id = ?, version = version + 1000 WHERE candidate_id = ?",
        [survivor, absorbed],
    )
    con.execute("UPDATE ratings SET candidate_id = ?, draft = draft + 1000 WHERE candidate_id = ?", [survivor, absorbed])
    con.execute("UPDATE checklist_events SET candidate_id = ? WHERE candidate_id = ?", [survivor, absorbed])
    con.execute("UPDATE candidates SET merged_into = ?, centroid = NULL WHERE id = ?", [survivor, absorbed])
    _log(con, "merge", survivor, absorbed, {"by": author} if author else {})
    _recompute(con, survivor, model)


def split(con: Any, cid: str, item_ids: list[str], model: str, *, author: str | None = None) -> str:
    """Move ``item_ids`` out of ``cid`` into a new affordance; returns its id."""

    _live(con, cid)
    members = {r[0] for r in con.execute("SELECT item_id FROM assignments WHERE candidate_id = ?", [cid]).fetchall()}
    missing = [i for i in item_ids if i not in members]
    if missing:
        raise BadInput(f"item(s) {', '.join(missing)} are not in affordance {cid}")
    if not item_ids or len(item_ids) >= len(members):
        raise BadInput("a split needs some, but not all, of the affordance's items")
    new_id = candidate_id("split:" + cid + ":" + ",".join(sorted(item_ids)))
    con.execute(
        "INSERT INTO candidates (id, label, label_locked, created_at, n_items) VALUES (?, '', FALSE, ?, 0)",
        [new_id, _now()],
    )
    con.execute(
        "UPDATE assignments SET candidate_id = ?, pinned = TRUE WHERE item_id IN (SELECT unnest(?))",
        [new_id, item_ids],
    )
    con.execute("UPDATE assignments SET pinned = TRUE WHERE candidate_id = ?", [cid])
    _log(con, "split", cid, new_id, {"items": item_ids, **({"by": author} if author else {})})
    _recompute(con, cid, model)
    _recompute(con, new_id, model)
    return new_id


def move(con: Any, item_id: str, cid: str, model: str) -> None:
    _live(con, cid)
    row = con.execute("SELECT candidate_id FROM assignments WHERE item_id = ?", [item_id]).fetchone()
    if not row:
        raise BadInput(f"item {item_id} is not in any affordance")
    con.execute("UPDATE assignments SET candidate_id = ?, pinned = TRUE WHERE item_id = ?", [cid, item_id])
    _log(con, "move", cid, row[0], {"item": item_id})
    _recompute(con, row[0], model)
    _recompute(con, cid, model)


def set_label(con: Any, cid: str, label: str) -> None:
    _live(con, cid)
    label = " ".join(label.split())[:120]
    if not label:
        raise BadInput("the label is empty")
    con.execute("UPDATE candidates SET label = ?, label_locked = TRUE WHERE id = ?", [label, cid])
    _log(con, "label", cid, None, {"label": label})


def regroup(con: Any, model: str, cutoff: datetime) -> dict[str, int]:
    """Regroup every affordance item from scratch (only on request: ``scan --regroup``).

    The team's choices stay: items it placed (pinned) do not move, and their affordances seed the
    new grouping. Each new group takes the old id it overlaps most, so notes and decisions follow;
    an old affordance that vanished into another is recorded as merged into it (its notes move),
    and one whose items now sit in several groups is recorded as split.
    """
    rows = con.execute(
        "SELECT i.id, i.content_hash, v.capability, a.candidate_id, coalesce(a.pinned, FALSE) FROM items i "
        "JOIN item_verdicts v ON v.item_id = i.id LEFT JOIN assignments a ON a.item_id = i.id "
        "WHERE coalesce(v.override, v.is_affordance) AND i.published <= ? ORDER BY i.published, i.id",
        [cutoff],
    ).fetchall()
    vectors = load_vectors(con, [r[1] for r in rows], model)
    old = {r[0]: r[3] for r in rows if r[3]}
    groups: list[Group] = []
    seeded: dict[str, Group] = {}
    for r, v in zip(rows, vectors, strict=True):
        if r[4]:  # pinned: its affordance is fixed and seeds the grouping
            g = seeded.get(r[3])
            if g is None:
                g = seeded[r[3]] = Group(r[3], v.astype(np.float32), 0, None)
                groups.append(g)
                g.n = 0
            g.add(v, r[2])
    free = [NewItem(r[0], v, r[2]) for r, v in zip(rows, vectors, strict=True) if not r[4]]
    placed = assign(groups, free)
    fresh = {i: g for i, g in placed.items() if g not in seeded}
    mapping = map_regroup(old, fresh)
    final = {i: (g if g in seeded else mapping.get(g, g)) for i, g in placed.items()}
    now = _now()
    # what happened to each old affordance
    spread: dict[str, set[str]] = {}
    for item, old_id in old.items():
        if item in final:
            spread.setdefault(old_id, set()).add(final[item])
    survivors = set(final.values())
    events = {"merged": 0, "split": 0}
    for old_id, targets in sorted(spread.items()):
        if old_id not in survivors:
            into = max(sorted(targets), key=lambda t: sum(1 for i, o in old.items() if o == old_id and final.get(i) == t))
            for table in ("notes", "triage_log"):
                con.execute(f"UPDATE {table} SET candidate_id = ? WHERE candidate_id = ?", [into, old_id])
            con.execute("UPDATE candidates SET merged_into = ?, centroid = NULL WHERE id = ?", [into, old_id])
            _log(con, "merge", into, old_id, {"by": "regroup"})
            events["merged"] += 1
        elif len(targets) > 1:
            _log(con, "split", old_id, None, {"by": "regroup", "into": sorted(targets - {old_id})})
            events["split"] += 1
    con.execute("DELETE FROM assignments WHERE NOT pinned")
    con.executemany(
        "INSERT INTO assignments VALUES (?, ?, FALSE, ?)", [[i, c, now] for i, c in final.items()]
    )
    for cid in sorted(survivors):
        exists = con.execute("SELECT 1 FROM candidates WHERE id = ?", [cid]).fetchone()
        if not exists:
            con.execute(
                "INSERT INTO candidates (id, label, label_locked, created_at, n_items) VALUES (?, '', FALSE, ?, 0)",
                [cid, now],
            )
        else:
            con.execute("UPDATE candidates SET merged_into = NULL WHERE id = ?", [cid])
        _recompute(con, cid, model)
    con.execute("DELETE FROM candidate_signals")
    events["affordances"] = len(survivors)
    return events


def override_item(con: Any, item_id: str, is_affordance: bool | None, model: str) -> None:
    """The team's verdict on one item wins over the classifier's (None: back to the classifier).

    An item ruled out leaves its affordance at once; an item ruled in is grouped by the next scan.
    """
    row = con.execute("SELECT is_affordance FROM item_verdicts WHERE item_id = ?", [item_id]).fetchone()
    if not row:
        raise BadInput(f"item {item_id!r} has not been scanned yet (or does not exist): run `wetcement scan` first")
    con.execute("UPDATE item_verdicts SET override = ? WHERE item_id = ?", [is_affordance, item_id])
    effective = row[0] if is_affordance is None else is_affordance
    assigned = con.execute("SELECT candidate_id FROM assignments WHERE item_id = ?", [item_id]).fetchone()
    if not effective and assigned:
        con.execute("DELETE FROM assignments WHERE item_id = ?", [item_id])
        _recompute(con, assigned[0], model)
    _log(con, "override", assigned[0] if assigned else "", None, {"item": item_id, "is_affordance": is_affordance})


__all__ = ["group_new_items", "merge", "split", "move", "set_label", "map_regroup", "override_item"]
