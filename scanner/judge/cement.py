"""How far the cement has set for one affordance, from the defaults its vendors state.

- ``wet``: no two organisations state the same default yet (one vendor, or none says anything);
- ``setting``: at least two organisations state the same value on a dimension (within the
  momentum window: converging now; earlier: converged but not yet the majority);
- ``set``: a majority of the affordance's organisations (three or more) state the same value on
  some dimension, or a spec in scope already governs it.

The essay on inertia (norm-setting inertia) argues that what several vendors ship first tends to
become what everyone expects; the score therefore favours wet and setting affordances with
momentum, and lowers set ones (:func:`cement_component`). Pure: rows in, a verdict out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

STATES = ("wet", "setting", "set")
SET_MIN_ORGS = 3
SETTING_MIN_ORGS = 2
COMPONENT = {"wet": 1.0, "setting": 0.8, "set": 0.1}  # setting gains up to 0.2 with momentum


class Statement(Protocol):
    @property
    def org(self) -> str | None: ...
    @property
    def dimension(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def published(self) -> datetime: ...


def _names(orgs: Iterable[str]) -> str:
    names = sorted(orgs)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _who(stated: Sequence[Statement], since: datetime | None = None) -> dict[tuple[str, str], set[str]]:
    """(dimension, value) -> the organisations that state it (since ``since``, when given)."""
    out: dict[tuple[str, str], set[str]] = {}
    for s in stated:
        if s.org and (since is None or s.published > since):
            out.setdefault((s.dimension, s.value), set()).add(s.org)
    return out


def _strongest(who: dict[tuple[str, str], set[str]]) -> tuple[tuple[str, str], set[str]] | None:
    if not who:
        return None
    return max(who.items(), key=lambda kv: (len(kv[1]), kv[0][0], kv[0][1]))


def cement_state(
    stated: Sequence[Statement],
    orgs: Sequence[str],
    as_of: datetime,
    window_days: int,
    governed: bool = False,
) -> dict[str, Any]:
    """``{state, why, shared}`` for one affordance: ``stated`` are its items' defaults, ``orgs``
    its organisations, ``governed`` whether a spec in scope governs it."""
    n_orgs = len(set(orgs))
    all_time = _who(stated)
    recent = _who(stated, as_of - timedelta(days=window_days))
    shared = sorted(
        ({"dimension": d, "value": v, "orgs": sorted(o)} for (d, v), o in all_time.items() if len(o) >= SETTING_MIN_ORGS),
        key=lambda r: (-len(r["orgs"]), r["dimension"], r["value"]),
    )
    top = _strongest(all_time)
    if top and len(top[1]) >= SET_MIN_ORGS and len(top[1]) * 2 > n_orgs:
        (dim, val), who = top
        why = f"{len(who)} of {n_orgs} organisations ({_names(who)}) state {dim} = {val}."
        return {"state": "set", "why": why, "shared": shared}
    if governed:
        return {"state": "set", "why": "A spec in scope already governs it.", "shared": shared}
    now = _strongest({k: v for k, v in recent.items() if len(v) >= SETTING_MIN_ORGS})
    if now:
        (dim, val), who = now
        why = f"{_names(who)} state the same default, {dim} = {val}, within the last {window_days} days."
        return {"state": "setting", "why": why, "shared": shared}
    if top and len(top[1]) >= SETTING_MIN_ORGS:
        (dim, val), who = top
        why = f"{_names(who)} state the same default, {dim} = {val}, though not lately and not yet most of the {n_orgs} organisations."
        return {"state": "setting", "why": why, "shared": shared}
    stating = {s.org for s in stated if s.org}
    if stating:
        why = f"Only {_names(stating)} state{'s' if len(stating) == 1 else ''} defaults, and no two organisations share one yet."
    else:
        why = f"None of its {n_orgs} organisation{'s' if n_orgs != 1 else ''} states a default yet."
    return {"state": "wet", "why": why, "shared": shared}


def cement_component(state: str, momentum: float) -> float:
    """The score's ``cement`` part: 1 when wet, 0.8 to 1 when setting (more with momentum), low
    when set."""
    base = COMPONENT[state]
    if state == "setting":
        base += 0.2 * max(0.0, min(1.0, momentum))
    return round(base, 4)
