"""Lead time: what a replay of the scanner's editions says about how early it flags things.

Pure functions over the rows a replay (``scanner.scanning.backtest``) collects:

* for every affordance that reached three or more organisations by the end of the replay, the
  first edition that ranked it in the top 10, the day its third organisation shipped, and the
  lead between the two in weeks (positive: the scanner flagged it before the third shipped);
* for each pair of consecutive versions of a spec, the affordances the later version newly
  covers, and whether the scanner had them in its top 20 before that version appeared.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

TOP_FLAG = 10  # "flagged": in the top 10 of an edition
TOP_BEFORE = 20  # "on the radar before a spec version": in the top 20 of an edition before it
THIRD = 3  # the organisation whose launch counts as "the norm is forming"
LEVEL_ORDER = {"open": 0, "partly": 1, "governs": 2}


class Member(NamedTuple):
    """One affordance item at the end of the replay."""

    candidate_id: str
    org: str | None
    published: datetime


class SpecVersion(NamedTuple):
    name: str
    version: str
    day: date  # the version's date (from its version string, else when it was imported)


def version_day(version: str, imported_at: datetime | date | None) -> date | None:
    """The date a spec version appeared: its version string when that is a date
    (2025-04-11, 20250411, 2025-04), else the day it was imported."""
    text = version.strip()
    for candidate in (text[:10], text[:8]):
        try:
            return date.fromisoformat(candidate)
        except ValueError:
            pass
    try:
        return date.fromisoformat(text[:7] + "-01")
    except ValueError:
        pass
    if isinstance(imported_at, datetime):
        return imported_at.date()
    return imported_at


def survivor(cid: str, merged: Mapping[str, str | None]) -> str:
    """The affordance ``cid`` lives on as (following merges to the end)."""
    seen = {cid}
    while merged.get(cid):
        cid = str(merged[cid])
        if cid in seen:
            break
        seen.add(cid)
    return cid


def first_in_top(
    ranks: Mapping[date, Mapping[str, int]], merged: Mapping[str, str | None], top: int, *, contested: bool = False
) -> dict[str, date]:
    """The first edition in which each surviving affordance (or one merged into it) ranked
    ``top`` or better; with ``contested``, only editions that ranked more than ``top``
    affordances count (in a smaller one, a place in the top is automatic)."""
    first: dict[str, date] = {}
    for day in sorted(ranks):
        if contested and len(ranks[day]) <= top:
            continue
        for cid, rank in ranks[day].items():
            if rank <= top:
                first.setdefault(survivor(cid, merged), day)
    return first


def _weeks(later: date, earlier: date | None) -> float | None:
    return round((later - earlier).days / 7, 1) if earlier else None


def org_firsts(members: Iterable[Member]) -> dict[str, list[tuple[str, datetime]]]:
    """Per affordance, each organisation with the day it first shipped, earliest first."""
    firsts: dict[str, dict[str, datetime]] = {}
    for m in members:
        if not m.org:
            continue
        mine = firsts.setdefault(m.candidate_id, {})
        if m.org not in mine or m.published < mine[m.org]:
            mine[m.org] = m.published
    return {cid: sorted(orgs.items(), key=lambda kv: (kv[1], kv[0])) for cid, orgs in firsts.items()}


def lead_times(
    ranks: Mapping[date, Mapping[str, int]],
    merged: Mapping[str, str | None],
    labels: Mapping[str, str],
    members: Iterable[Member],
) -> list[dict[str, Any]]:
    """One row per affordance that reached three organisations, in the order the third shipped.

    ``before_window`` marks a third organisation that shipped before the first replayed
    edition: the scanner had no chance to flag it first, so its lead says nothing.
    """
    first_day = min(ranks) if ranks else None
    flagged = first_in_top(ranks, merged, TOP_FLAG)
    contested = first_in_top(ranks, merged, TOP_FLAG, contested=True)
    seen = first_in_top(ranks, merged, 10**9)
    rows = []
    for cid, orgs in org_firsts(members).items():
        if len(orgs) < THIRD:
            continue
        third = orgs[THIRD - 1][1].date()
        top10 = flagged.get(cid)
        best = min((r.get(cid, 10**9) for r in ranks.values()), default=10**9)
        rows.append(
            {
                "id": cid,
                "label": labels.get(cid, cid),
                "first_top10": top10.isoformat() if top10 else None,
                "third_org": third.isoformat(),
                "lead_weeks": _weeks(third, top10),
                "orgs": [org for org, _ in orgs],
                "best_rank": best if best < 10**9 else None,
                "top10_of": len(ranks[top10]) if top10 else None,
                "lead_weeks_contested": _weeks(third, contested.get(cid)),
                "first_seen": seen[cid].isoformat() if cid in seen else None,
                "possible_weeks": _weeks(third, seen.get(cid)),
                "before_window": bool(first_day and third < first_day),
                "at_window_start": bool(first_day and top10 == first_day),
            }
        )
    return sorted(rows, key=lambda r: (r["third_org"], r["id"]))


def _median(values: Iterable[float | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return round(statistics.median(present), 1) if present else None


def summary(rows: Sequence[Mapping[str, Any]], flagged: Iterable[str] = ()) -> dict[str, Any]:
    """The headline: the median lead over the affordances the replay could have flagged first,
    next to the lead a place in a contested top 10 gives, and the most any ranking could give
    (flagging each affordance in the first edition it appeared in). ``flagged``: every
    affordance that was ever in a top 10, for the share of them that went on to three
    organisations. ``at_window_start`` counts leads that are lower bounds: the affordance was
    already in the top 10 of the first replayed edition."""
    usable = [r for r in rows if not r["before_window"]]
    ever = set(flagged)
    leads = [float(r["lead_weeks"]) for r in usable if r["lead_weeks"] is not None]
    return {
        "median_lead_weeks": _median(leads),
        "n": len(leads),
        "affordances": len(rows),
        "flagged_first": sum(1 for v in leads if v > 0),
        "never_top10": sum(1 for r in usable if r["lead_weeks"] is None),
        "before_window": len(rows) - len(usable),
        "median_lead_weeks_contested": _median(r["lead_weeks_contested"] for r in usable),
        "n_contested": sum(1 for r in usable if r["lead_weeks_contested"] is not None),
        "median_possible_weeks": _median(r["possible_weeks"] for r in usable),
        "at_window_start": sum(1 for r in usable if r.get("at_window_start")),
        "top10_ever": len(ever),
        "top10_reached_three": len(ever & {str(r["id"]) for r in rows}),
    }


def version_pairs(versions: Iterable[SpecVersion]) -> list[tuple[SpecVersion, SpecVersion]]:
    """Consecutive versions of each spec, by their dates (then by version string)."""
    by_name: dict[str, list[SpecVersion]] = {}
    for v in versions:
        by_name.setdefault(v.name, []).append(v)
    pairs = []
    for name in sorted(by_name):
        ordered = sorted(by_name[name], key=lambda v: (v.day, v.version))
        pairs += list(zip(ordered, ordered[1:], strict=False))
    return pairs


def newly_covered(
    pairs: Sequence[tuple[SpecVersion, SpecVersion]],
    levels: Mapping[str, Mapping[str, str]],
    ranks: Mapping[date, Mapping[str, int]],
    merged: Mapping[str, str | None],
    labels: Mapping[str, str],
) -> list[dict[str, Any]]:
    """For each pair of versions, the affordances whose coverage level rises to ``partly`` or
    ``governs`` from the older version to the newer (judged at the end of the replay), and
    whether each was in the top 20 of an edition dated before the newer version appeared
    (None when no replayed edition is that early)."""
    out = []
    for old, new in pairs:
        before_days = [d for d in ranks if d < new.day]
        found = []
        for cid in sorted(levels):
            was = levels[cid].get(f"{old.name}@{old.version}", "open")
            now = levels[cid].get(f"{new.name}@{new.version}", "open")
            if now == "open" or LEVEL_ORDER.get(now, 0) <= LEVEL_ORDER.get(was, 0):
                continue
            best = min(
                (rank for d in before_days for c, rank in ranks[d].items() if survivor(c, merged) == cid),
                default=None,
            )
            found.append(
                {
                    "id": cid,
                    "label": labels.get(cid, cid),
                    "from_level": was,
                    "to_level": now,
                    "in_top20_before": (best is not None and best <= TOP_BEFORE) if before_days else None,
                    "best_rank_before": best,
                }
            )
        out.append(
            {
                "spec": old.name,
                "from_version": old.version,
                "to_version": new.version,
                "version_date": new.day.isoformat(),
                "newly_covered": found,
            }
        )
    return out


def lead_table(result: Mapping[str, Any]) -> str:
    """The replay as readable text: the lead-time table, the spec-version rows, the headline."""
    lines = [
        f"{'third org':<11} {'first top 10':<12} {'of':>4} {'lead (wk)':>9} {'at most':>8}  {'orgs':>4}  affordance"
    ]
    for r in result["affordances"]:
        lead = "—" if r["lead_weeks"] is None else f"{r['lead_weeks']:+.1f}"
        most = "—" if r["possible_weeks"] is None else f"{r['possible_weeks']:+.1f}"
        note = " (before the replay window)" if r["before_window"] else ""
        lines.append(
            f"{r['third_org']:<11} {r['first_top10'] or 'never':<12} {r['top10_of'] or '':>4} {lead:>9} {most:>8}  "
            f"{len(r['orgs']):>4}  {r['label'][:60]}{note}"
        )
    if not result["affordances"]:
        lines.append("(no affordance reached three organisations in the window)")
    lines.append("")
    for pair in result["spec_versions"]:
        lines.append(
            f"{pair['spec']} {pair['from_version']} → {pair['to_version']} ({pair['version_date']}): "
            f"{len(pair['newly_covered'])} affordance(s) newly covered"
        )
        for r in pair["newly_covered"]:
            seen = {True: "in the top 20 before", False: "not in the top 20 before", None: "no earlier edition"}
            lines.append(f"  {r['from_level']} → {r['to_level']}  {r['label'][:60]}  ({seen[r['in_top20_before']]})")
    if not result["spec_versions"]:
        lines.append("(every spec in the library has one version: no version pair to compare)")
    s = result["summary"]

    def signed(v: float | None) -> str:
        return "—" if v is None else f"{v:+.1f}"

    lines.append("")
    lines.append(
        f"median lead {signed(s['median_lead_weeks'])} weeks over {s['n']} affordance(s) "
        f"({signed(s['median_lead_weeks_contested'])} counting only top-10 places in editions of more than 10; "
        f"at most {signed(s['median_possible_weeks'])}) · {s['flagged_first']} flagged before the third "
        f"organisation · {s['never_top10']} never in the top 10 · {result['editions']} editions replayed "
        f"in {result['seconds']:.1f} s"
    )
    if s.get("top10_ever"):
        lines.append(
            f"{s['top10_reached_three']} of the {s['top10_ever']} affordances ever in a top 10 reached three "
            f"organisations; {s['at_window_start']} lead(s) start at the first edition (lower bounds)"
        )
    return "\n".join(lines)


__all__ = [
    "Member",
    "SpecVersion",
    "first_in_top",
    "lead_table",
    "lead_times",
    "newly_covered",
    "summary",
    "version_day",
    "version_pairs",
]
