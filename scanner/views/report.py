"""Read models: candidates and items as the JSON shapes of CLI.md, for the CLI, the dashboard
and the exports alike."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from scanner.errors import BadInput
from scanner.judge.coverage import level
from scanner.scanning.editions import parse_day, previous_edition, ranks, resolve_edition, trend
from scanner.scanning.stated_defaults import defaults_json
from scanner.sources.safety import safe_link
from scanner.team.record import meeting_record
from scanner.team.triage import drafts, history, triage_state
from scanner.views.browse import latest_scope
from scanner.views.history import with_history
from scanner.views.item_record import ITEM_FROM, ITEM_SELECT, ItemRow, iso, item_dict


class CandidateRow(NamedTuple):
    """One affordance of an edition: the columns of :data:`_CANDIDATE_SQL`, in its order."""

    candidate_id: str
    rank: int
    score: float
    components: str  # JSON
    detail: str  # JSON
    label: str
    capability: str | None


_CANDIDATE_SQL = (
    "SELECT e.candidate_id, e.rank, e.score, e.components, e.detail, c.label, c.capability "
    "FROM edition_candidates e JOIN candidates c ON c.id = e.candidate_id "
    "WHERE e.edition = ? ORDER BY e.rank"
)


class MemberRow(NamedTuple):
    """One item of an edition's affordance: the columns of :data:`_MEMBER_SQL`, in its order."""

    candidate_id: str
    id: str
    url: str | None
    title: str
    org: str | None
    published: datetime


_MEMBER_SQL = (  # every member of every candidate of the edition, in one query
    "SELECT a.candidate_id, i.id, i.url, i.title, i.org, i.published "
    "FROM edition_candidates e JOIN assignments a ON a.candidate_id = e.candidate_id "
    "JOIN items i ON i.id = a.item_id JOIN item_verdicts v ON v.item_id = i.id "
    "WHERE e.edition = ? AND i.published <= ? AND coalesce(v.override, v.is_affordance) "
)


class _Edition(NamedTuple):
    """What every candidate of one edition is shown against."""

    day: date
    weights: dict[str, float]
    before: dict[str, int] | None  # the previous edition's ranks, when there is one


def candidates(
    con: Any,
    edition: str | None = None,
    limit: int | None = None,
    *,
    with_items: bool = True,
) -> list[dict[str, Any]]:
    """The affordances of ``edition`` (default: the latest), best first, as CLI.md shows them;
    without ``with_items``, counted instead of listed."""
    ed = _edition(con, edition)
    rows = [
        CandidateRow._make(r)
        for r in con.execute(_CANDIDATE_SQL + (" LIMIT ?" if limit else ""), [ed.day, limit] if limit else [ed.day]).fetchall()
    ]
    cutoff = datetime(ed.day.year, ed.day.month, ed.day.day, 23, 59, 59)
    if with_items:
        by_candidate = _members(con, ed.day, cutoff, limit)
        counted = {cid: _count(members) for cid, members in by_candidate.items()}
    else:
        by_candidate, counted = {}, _member_counts(con, ed.day, cutoff)
    return with_history(con, ed.day, [
        _candidate_json(con, row, ed, by_candidate.get(row.candidate_id, []), counted.get(row.candidate_id, (0, [], None)))
        for row in rows
    ])


def _edition(con: Any, edition: str | None) -> _Edition:
    day = resolve_edition(con, edition)
    (weights,) = con.execute("SELECT weights FROM editions WHERE edition = ?", [day]).fetchone()
    before_day = previous_edition(con, day)
    return _Edition(day, json.loads(weights), ranks(con, before_day) if before_day else None)


def _members(con: Any, day: date, cutoff: datetime, limit: int | None) -> dict[str, list[MemberRow]]:
    """Every member of every candidate of the edition (of its first ``limit``), newest first,
    in one query."""
    by_candidate: dict[str, list[MemberRow]] = {}
    for r in con.execute(
        _MEMBER_SQL + ("AND e.rank <= ? " if limit else "") + "ORDER BY i.published DESC, i.id",
        [day, cutoff, limit] if limit else [day, cutoff],
    ).fetchall():
        m = MemberRow._make(r)
        by_candidate.setdefault(m.candidate_id, []).append(m)
    return by_candidate


def _count(members: list[MemberRow]) -> tuple[int, list[str], Any]:
    """Members (newest first), their organisations and the newest publication."""
    return len(members), sorted({m.org for m in members if m.org}), members[0].published if members else None


def _evidence_json(detail: dict[str, Any]) -> dict[str, Any]:
    """The evidence the scan saved with the score, links made safe."""
    coverage = float(detail.get("coverage", 0.0))
    return {
        "explanation": detail.get("explanation", ""),
        "domains": detail.get("domains", []),
        "precedent_domains": detail.get("precedent_domains", {}),
        "inertia_channels": detail.get("inertia_channels", {}),
        "coverage": round(coverage, 4),
        "coverage_level": level(coverage),
        "coverage_per_spec": detail.get("coverage_per_spec", {}),
        "coverage_by_spec": {
            spec: {**v, "clauses": [{**c, "link": safe_link(c.get("link"))} for c in v.get("clauses", [])]}
            for spec, v in detail.get("coverage_by_spec", {}).items()
        },
        "nearest_clauses": [{**c, "link": safe_link(c.get("link"))} for c in detail.get("nearest_clauses", [])],
        "momentum": detail.get("momentum", {}),
        "team_interest": detail.get("team_interest", {}),
        "affordance_evidence": detail.get("affordance", {}),
        "novelty": detail.get("novelty", {}),
    }


def _candidate_json(
    con: Any, row: CandidateRow, ed: _Edition, members: list[MemberRow], counted: tuple[int, list[str], Any]
) -> dict[str, Any]:
    """One candidate of the edition: its score and evidence, its items, its triage."""
    cid, detail = row.candidate_id, json.loads(row.detail)
    n_members, orgs, newest = counted
    triage = triage_state(con, cid)
    series, movers = time_series(members)
    return {
        "id": cid,
        "label": row.label,
        "capability": row.capability,
        "rank": row.rank,
        "score": round(row.score, 4),
        "components": json.loads(row.components),
        "weights": ed.weights,
        **_evidence_json(detail),
        **defaults_json(detail),
        "items": [
            {"id": m.id, "url": safe_link(m.url), "title": m.title, "org": m.org, "published": iso(m.published)}
            for m in members
        ],
        "orgs": orgs,
        "weekly": series,
        "first_movers": movers,
        **meeting_record(con, cid),
        "n_items": n_members,
        "n_orgs": len(orgs),
        "first_seen": detail.get("novelty", {}).get("first_seen"),
        "last_seen": iso(newest),
        "trend": trend(row.rank, ed.before, cid),
        "previous_rank": ed.before.get(cid) if ed.before else None,
        "status": triage["status"],
        "owner": triage["owner"],
        "notes": triage["notes"],
        "edition": ed.day.isoformat(),
    }


def _member_counts(con: Any, day: date, cutoff: datetime) -> dict[str, tuple[int, list[str], Any]]:
    """Items and organisations of every candidate of edition ``day``, in one query (for the
    read model without the item lists)."""
    rows = con.execute(
        "SELECT a.candidate_id, count(*), list(DISTINCT i.org) FILTER (WHERE i.org IS NOT NULL), max(i.published) "
        "FROM edition_candidates e JOIN assignments a ON a.candidate_id = e.candidate_id "
        "JOIN items i ON i.id = a.item_id JOIN item_verdicts v ON v.item_id = i.id "
        "WHERE e.edition = ? AND i.published <= ? AND coalesce(v.override, v.is_affordance) "
        "GROUP BY a.candidate_id",
        [day, cutoff],
    ).fetchall()
    return {cid: (int(n), sorted(orgs or []), newest) for cid, n, orgs, newest in rows}


def time_series(members: list[MemberRow]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Items and distinct organisations per ISO week, and who shipped first, who followed, when."""

    weeks: dict[date, dict[str, Any]] = {}
    first: dict[str, Any] = {}
    for m in members:
        url, org, published = m.url, m.org, m.published
        monday = (published - timedelta(days=published.weekday())).date()
        week = weeks.setdefault(monday, {"items": 0, "orgs": set()})
        week["items"] += 1
        if org:
            week["orgs"].add(org)
            if org not in first or published < first[org][0]:
                first[org] = (published, url)
    series = [
        {"week": d.isoformat(), "items": w["items"], "orgs": len(w["orgs"])} for d, w in sorted(weeks.items())
    ]
    movers = [
        {"org": org, "first": iso(when), "url": safe_link(url), "order": n}
        for n, (org, (when, url)) in enumerate(sorted(first.items(), key=lambda kv: kv[1][0]), 1)
    ]
    return series, movers


def items(
    con: Any, since: str | None = None, limit: int | None = None, scope: str | None = None
) -> list[dict[str, Any]]:
    """Every live item, newest first, as `scanner.views.item_record.item_dict` shows it."""
    if scope is None:
        scope = latest_scope(con)
    where, args = "WHERE i.duplicate_of IS NULL", []
    if since:
        where += " AND i.published >= ?"
        args.append(parse_day(since, "--since"))
    if limit is not None and limit < 0:
        raise BadInput("--limit must be 0 or more")
    sql = f"{ITEM_SELECT}{ITEM_FROM}{where} ORDER BY i.published DESC, i.id" + (" LIMIT ?" if limit is not None else "")
    params = [scope, *args] + ([limit] if limit is not None else [])
    return [item_dict(ItemRow.from_row(r), detail=True) for r in con.execute(sql, params).fetchall()]


# --- read models for the dashboard (and anyone who imports scanner) ---------------------------

# One query that changes whenever anything a read model shows changes. Small tables are hashed
# whole (so a toggle or an override flip shows); large ones are counted and time-stamped.
_VERSION_SQL = """
SELECT
    (SELECT max(created_at) FROM editions),
    (SELECT count(*) FROM editions),
    (SELECT count(*) FROM notes),
    (SELECT max(updated_at) FROM triage),
    (SELECT count(*) FROM triage_log),
    (SELECT count(*) FROM affordance_events),
    (SELECT count(*) FROM ratings),
    (SELECT max(rated_at) FROM ratings),
    (SELECT count(*) FROM checklist_events) + (SELECT count(*) FROM reviews),
    (SELECT count(*) FROM drafts),
    (SELECT md5(coalesce(string_agg(key || '=' || value::VARCHAR, ';' ORDER BY key), '')) FROM settings),
    (SELECT count(*) FROM items),
    (SELECT max(updated_at) FROM items),
    (SELECT sum(hash(item_id, override)) FROM item_verdicts WHERE override IS NOT NULL),
    (SELECT count(*) FROM specs),
    (SELECT sum(hash(name, enabled, evidence, kind, url, broken)) FROM sources),
    (SELECT count(*) FROM sources),
    (SELECT max(last_fetch) FROM sources),
    (SELECT count(*) FROM fetch_log)
"""


def data_version(con: Any) -> tuple[str, ...]:
    """A cheap fingerprint of the data: equal fingerprints mean every read model here reads the
    same. One query; cheap enough to run before every dashboard rerun."""
    row = con.execute(_VERSION_SQL).fetchone()
    return tuple(str(v) for v in row)


def _week_counts(con: Any, weeks: int, as_of: datetime) -> dict[str, list[int]]:
    """Items per source and per week, the ``weeks`` weeks up to ``as_of`` (oldest week first).
    An item counts for every source that carried it (``items.sources``)."""

    start = as_of - timedelta(days=7 * weeks)
    out: dict[str, list[int]] = {}
    for name, back, n in con.execute(
        "SELECT s, CAST(floor(date_diff('second', published, ?) / 604800) AS INTEGER) AS back, count(*) "
        "FROM (SELECT unnest(sources) AS s, published FROM items WHERE published > ? AND published <= ?) "
        "GROUP BY ALL",
        [as_of, start, as_of],
    ).fetchall():
        if 0 <= back < weeks:
            out.setdefault(name, [0] * weeks)[weeks - 1 - back] += n
    return out


def sources(con: Any, *, weeks: int = 8, as_of: datetime | None = None) -> list[dict[str, Any]]:
    """Every source with its health: the last fetch and its result, consecutive failures, the
    last error, the broken flag, its evidence kind (primary: the vendor's own announcement;
    secondary: reporting about it), its items in all, and its items per week over the last
    ``weeks`` weeks before ``as_of`` (default: now), oldest week first, by publication date."""
    if weeks < 1:
        raise BadInput("weeks must be 1 or more")

    as_of = as_of or datetime.now(UTC).replace(tzinfo=None)
    per_week = _week_counts(con, weeks, as_of)
    cur = con.execute(
        "SELECT s.name, s.url, s.kind, s.org, s.evidence, s.enabled, s.reason, s.last_fetch, s.last_success, "
        "coalesce(s.consecutive_failures, 0), s.last_error, coalesce(s.broken, FALSE), "
        "f.status, f.http_status, f.items_new, "
        "(SELECT count(*) FROM items i WHERE list_contains(i.sources, s.name)) "
        "FROM sources s LEFT JOIN (SELECT * FROM fetch_log "
        "QUALIFY row_number() OVER (PARTITION BY source ORDER BY fetched_at DESC) = 1) f ON f.source = s.name "
        "ORDER BY s.name"
    )
    keys = ["name", "url", "kind", "org", "evidence", "enabled", "reason", "last_fetch", "last_success",
            "consecutive_failures", "last_error", "broken", "last_status", "last_http_status", "last_new", "items"]
    out = []
    for r in cur.fetchall():
        d = dict(zip(keys, r, strict=True))
        d["url"] = safe_link(d["url"])
        d["last_fetch"], d["last_success"] = iso(d["last_fetch"]), iso(d["last_success"])
        d["enabled"], d["broken"] = bool(d["enabled"]), bool(d["broken"])
        d["items_per_week"] = per_week.get(d["name"], [0] * weeks)
        out.append(d)
    return out


class CandidateHead(NamedTuple):
    """An affordance's own row (`candidate`)."""

    id: str
    label: str
    label_locked: bool
    capability: str | None
    created_at: datetime
    merged_into: str | None


class CandidateItemRow(NamedTuple):
    """One item of an affordance with its verdict: the columns of :data:`_CANDIDATE_ITEM_SELECT`."""

    id: str
    url: str | None
    title: str
    org: str | None
    published: datetime
    source: str
    evidence: str | None  # the source's evidence kind
    verdict: bool | None  # the model's
    override: bool | None  # the team's
    is_affordance: bool | None
    affordance_reasons: str | None

    def as_dict(self) -> dict[str, Any]:
        return {**self._asdict(), "url": safe_link(self.url), "published": iso(self.published)}


_CANDIDATE_ITEM_SELECT = (
    "SELECT i.id, i.url, i.title, i.org, i.published, i.source, s.evidence, v.is_affordance, v.override, "
    "coalesce(v.override, v.is_affordance), v.reasons "
)


def candidate(con: Any, cid: str) -> dict[str, Any] | None:
    """One affordance as it stands now, in the latest edition or not (a new or a merged one):
    label, ``merged_into`` (the survivor's id, else None), triage, history, ratings, drafts, and
    every item assigned to it, whatever its verdict, with the verdict, the team's override and
    the evidence kind of its source; and ``ruled_out``: the items the team took out of it as not
    an affordance (`scanner.scanning.grouping.override_item`) and has not put back. None when there is no
    such affordance."""

    row = con.execute(
        "SELECT id, label, label_locked, capability, created_at, merged_into FROM candidates WHERE id = ?", [cid]
    ).fetchone()
    if row is None:
        return None
    head = CandidateHead._make(row)
    members = con.execute(
        f"{_CANDIDATE_ITEM_SELECT}FROM assignments a JOIN items i ON i.id = a.item_id "
        "LEFT JOIN item_verdicts v ON v.item_id = i.id LEFT JOIN sources s ON s.name = i.source "
        "WHERE a.candidate_id = ? ORDER BY i.published DESC, i.id",
        [cid],
    ).fetchall()
    ruled_out = con.execute(
        f"{_CANDIDATE_ITEM_SELECT}"
        "FROM (SELECT DISTINCT json_extract_string(detail, '$.item') AS item_id FROM affordance_events "
        "      WHERE kind = 'override' AND candidate_id = ?) e "
        "JOIN items i ON i.id = e.item_id JOIN item_verdicts v ON v.item_id = i.id "
        "LEFT JOIN sources s ON s.name = i.source "
        "WHERE v.override = FALSE AND i.id NOT IN (SELECT item_id FROM assignments) "
        "ORDER BY i.published DESC, i.id",
        [cid],
    ).fetchall()
    return {
        "id": head.id,
        "label": head.label,
        "label_locked": bool(head.label_locked),
        "capability": head.capability,
        "created_at": iso(head.created_at),
        "merged_into": head.merged_into,
        **triage_state(con, cid),
        "history": history(con, cid),
        **meeting_record(con, cid, full=True),
        "drafts": drafts(con, cid),
        "items": [CandidateItemRow._make(m).as_dict() for m in members],
        "ruled_out": [CandidateItemRow._make(m).as_dict() for m in ruled_out],
    }
