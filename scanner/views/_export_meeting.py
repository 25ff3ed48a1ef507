"""The meeting's deeper record in every export: criteria ratings, the transition checklist and the
review, as spreadsheet columns, as plain lines for the agenda, report and feed, and as rows for
the workbook's own sheets. Pure functions over the candidate JSON (`scanner.team.record`)."""

from __future__ import annotations

from typing import Any

from scanner.team.criteria import name_of, spread


def _drafts(ratings: list[dict[str, Any]]) -> list[int | None]:
    seen = {r["draft"] for r in ratings}
    return sorted((d for d in seen if d is not None), reverse=True) + ([None] if None in seen else [])


def _draft(d: int | None) -> str:
    return "no draft" if d is None else f"draft {d}"


def meeting_columns(c: dict[str, Any]) -> dict[str, Any]:
    """Flat columns for CSV and the workbook's candidates sheet."""
    ratings = c.get("ratings") or []
    steps = c.get("checklist") or []
    review = c.get("review") or {}
    return {
        "ratings": "; ".join(f"{_draft(r['draft'])}: {r['criterion']}={r['score']} by {r['by'] or '?'}"
                             for r in ratings),
        "raters": ";".join(sorted({str(r["by"]) for r in ratings if r.get("by")})),
        "checklist_done": ";".join(s["item"] for s in steps if s.get("done")),
        "checklist_progress": f"{sum(1 for s in steps if s.get('done'))}/{len(steps)}" if steps else None,
        "review_due": review.get("due"),
        "review_conditions": ";".join(review.get("conditions") or []),
        "review_triggered": ";".join(t["condition"] for t in review.get("triggered") or []),
        "review_is_due": review.get("is_due"),
    }


def meeting_lines(c: dict[str, Any]) -> list[str]:
    """Plain sentences (escape them for the target format): only what has been recorded."""
    lines = []
    ratings = c.get("ratings") or []
    if ratings:
        d = _drafts(ratings)[0]
        per = [p for p in spread(ratings, d) if p["n"]]
        raters = sorted({p for x in per for p in x["scores"]})
        wide = max(per, key=lambda p: (p["spread"], p["n"]))
        lines.append(f"Criteria ({_draft(d)}): {len(raters)} rater(s), {len(per)} criteria scored; "
                     f"widest spread {wide['name']} ({wide['min']}–{wide['max']}); "
                     + ", ".join(f"{p['name']} {p['mean']:g}" for p in per))
    steps = c.get("checklist") or []
    done = [s for s in steps if s.get("done")]
    if done:
        lines.append(f"Transition checklist: {len(done)} of {len(steps)} ready: "
                     + "; ".join(f"{s['name']} ({s['by'] or 'anonymous'}, {str(s['at'])[:10]})" for s in done))
    review = c.get("review") or {}
    if review.get("due") or review.get("conditions"):
        text = f"Review by {review.get('due') or '—'}; reopen when {', '.join(review.get('conditions') or []) or '—'}"
        fired = review.get("triggered") or []
        if review.get("is_due"):
            text += ". DUE" + (": " + "; ".join(f"{t['condition']} ({t['why']})" for t in fired) if fired else "")
        lines.append(text)
    return lines


RATING_COLUMNS = ("candidate_id", "label", "draft", "criterion", "criterion_name", "score", "by", "at")
CHECKLIST_COLUMNS = ("candidate_id", "label", "item", "name", "done", "by", "at")


def rating_rows(candidates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"candidate_id": c["id"], "label": c.get("label"), **r, "criterion_name": name_of(r["criterion"])}
        for c in candidates for r in c.get("ratings") or []
    ]


def checklist_rows(candidates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"candidate_id": c["id"], "label": c.get("label"), **s}
        for c in candidates for s in c.get("checklist") or [] if s.get("at")
    ]
