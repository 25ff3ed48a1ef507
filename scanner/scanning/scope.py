"""What a scan measures against: the specs in scope, and the team's own precedent domains."""

from __future__ import annotations

from typing import Any

from scanner import settings
from scanner.errors import BadInput
from scanner.taxonomy import Domain


def scope_versions(con: Any, names: list[str] | None) -> list[tuple[str, str]]:
    """(spec, latest version) for the chosen names, else the saved scope, else every spec."""
    names = names or settings.scope(con)
    rows = con.execute(
        "SELECT name, version FROM specs s WHERE imported_at = "
        "(SELECT max(imported_at) FROM specs t WHERE t.name = s.name) ORDER BY name"
    ).fetchall()
    latest = {name: version for name, version in rows}
    if names:
        unknown = [n for n in names if n not in latest]
        if unknown:
            raise BadInput(f"unknown spec(s): {', '.join(unknown)} (see `wetcement specs list`)")
        return [(n, latest[n]) for n in sorted(set(names))]
    return sorted(latest.items())


def scope_key(versions: list[tuple[str, str]]) -> str:
    return ",".join(f"{n}@{v}" for n, v in versions) or "(none)"


def team_domains(con: Any) -> list[Domain]:
    """The team's own precedent domains (setting ``precedent_domains``), as taxonomy Domains."""
    return [
        Domain(d["slug"], d.get("label") or d["slug"], d.get("description") or d.get("label") or d["slug"], ())
        for d in settings.get(con, "precedent_domains") or []
    ]
