"""The Candidate page's deeper meeting forms: the essay's criteria rated per draft and per
person, the transition checklist with who ticked what and when, and the decision's review date
and conditions.

Every write widget shows only when `scanner.ui.access.can_write` allows it, and every write is
signed with `scanner.ui.access.writer`. Each save is one widget callback writing through the
library in its own short session (`scanner.ui.resources.writing`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import streamlit as st

from scanner.team import checklist, criteria, reviews
from scanner.ui import access, resources
from scanner.ui.criteria_view import criteria_views, draft_name
from scanner.ui.widgets import (
    CRITERIA_ESSAY,
    INERTIA_ESSAY,
    essay_link,
    flash,
    md_text,
    reporting_errors,
    seed,
)


def ratings_section(cid: str, rows: list[dict[str, Any]], drafts: list[dict[str, Any]]) -> None:
    """Pick a draft; rate it on every criterion (signed); see the raters' spread and tensions."""
    versions = [d["version"] for d in reversed(drafts)]
    latest = versions[0] if versions else None
    options: list[int | None] = [*versions, None]
    if st.session_state.get("ratings_draft") not in options or st.session_state.get("_ratings_draft_cid") != cid:
        st.session_state["ratings_draft"] = latest
        st.session_state["_ratings_draft_cid"] = cid
    st.caption(
        f"The criteria of {essay_link(CRITERIA_ESSAY)}, in our words, rated per draft clause and per "
        "person: 1 = the draft does poorly on it, 5 = very well, 0 = no score (withdraws yours). "
        "Every score is kept; the latest per person is the current one."
    )
    draft = st.selectbox("Draft rated", options, key="ratings_draft", format_func=lambda d: draft_name(d, latest),
                         help="Ratings belong to one version of the draft clause; a new version starts afresh")
    left, right = st.columns([2, 3], gap="large")
    with left:
        if access.can_write():
            _rating_form(cid, rows, draft)
        with st.expander("What each criterion asks"):
            for c in criteria.CRITERIA:
                st.markdown(f"**{md_text(c.name)}** ({c.family}) · {md_text(c.explanation)}")
    with right:
        criteria_views(rows, draft, latest)


def _rating_form(cid: str, rows: list[dict[str, Any]], draft: int | None) -> None:
    me = access.writer()
    mine = {r["criterion"]: r["score"] for r in rows if r["by"] == me and r["draft"] == draft} if me else {}
    seed("ratings", (cid, draft, me, tuple(sorted(mine.items()))),
         {f"rate_{c.id}": int(mine.get(c.id, 0)) for c in criteria.CRITERIA})

    def save() -> None:
        s, who = st.session_state, access.writer()
        changed = [(c.id, int(s[f"rate_{c.id}"])) for c in criteria.CRITERIA
                   if int(s[f"rate_{c.id}"]) != int(mine.get(c.id, 0))]
        with reporting_errors():
            if not who:
                flash("Give your name (top right) first: ratings are per person.", "warning")
                return
            with resources.writing() as con:
                for key, score in changed:
                    criteria.rate(con, cid, key, score, by=who, draft=draft, latest=False)
            flash(f"Saved {len(changed)} score(s) by {who}." if changed else "No score changed.")

    with st.form("rating_form"):
        st.markdown(f"**Your scores** ({md_text(me or 'give your name first')})")
        for c in criteria.CRITERIA:
            st.slider(c.name, 0, 5, key=f"rate_{c.id}", help=c.explanation)
        st.form_submit_button("Save my scores", key="rating_save", on_click=save)


def checklist_form(cid: str, items: list[dict[str, Any]], history: list[dict[str, Any]]) -> None:
    """The transition checklist: a box per step (when writing is allowed), who and when beside it."""
    st.caption(f"What would let the team change this default later without a long delay, after "
               f"{essay_link(INERTIA_ESSAY)}. Each tick and untick is kept with its author and time.")
    done = sum(1 for i in items if i["done"])
    st.progress(done / len(items), text=f"{done} of {len(items)} ready")
    writable = access.can_write()
    if writable:
        seed("checklist", (cid, tuple((i["item"], i["done"]) for i in items)),
             {f"check_{i['item']}": i["done"] for i in items})
    with st.container(key="checklist_items"):
        cols = st.columns(2, gap="medium")
        for n, i in enumerate(items):
            step = checklist.BY_ID[i["item"]]
            who = (f"{'ticked' if i['done'] else 'unticked'} by {i['by'] or 'anonymous'}, {i['at']}"
                   if i["at"] else "not ticked yet")
            with cols[n % 2]:
                if writable:
                    st.checkbox(f"**{step.name}** · {step.explanation}", key=f"check_{i['item']}",
                                on_change=_tick, args=(cid, i["item"]))
                else:
                    st.markdown(f"{'☑' if i['done'] else '☐'} **{step.name}** · {step.explanation}")
                st.caption(md_text(who))
    if history:
        with st.expander(f"Checklist history ({len(history)})"):
            st.dataframe([{**h, "done": "ticked" if h["done"] else "unticked"} for h in history],
                         hide_index=True, key="checklist_history")


def _tick(cid: str, item: str) -> None:
    value = bool(st.session_state.get(f"check_{item}"))
    with reporting_errors():
        with resources.writing() as con:
            checklist.tick(con, cid, item, value, by=access.writer())
        flash(f"{checklist.BY_ID[item].name}: {'ticked' if value else 'unticked'}.")


def review_form(cid: str, review: dict[str, Any]) -> None:
    """The decision's review: by a date, and/or when a condition fires; shows what fired."""
    due = date.fromisoformat(review["due"]) if review["due"] else None
    if review["is_due"]:
        st.warning("Review due: " + "; ".join(
            ([f"the date {review['due']} has come"] if due and due <= reviews.today() else [])
            + [md_text(f"{reviews.CONDITIONS[t['condition']]} ({t['why']})") for t in review["triggered"]]))
    elif review["snoozed_until"]:
        st.caption(f"Review snoozed until {review['snoozed_until']}.")
    if not access.can_write():
        if review["due"] or review["conditions"]:
            st.caption(f"Review by {review['due'] or '—'}; reopen when {', '.join(review['conditions']) or '—'}.")
        return
    seed("review", (cid, review["due"], tuple(review["conditions"])), {
        "review_has_date": due is not None,
        "review_by": due or reviews.today() + timedelta(days=28),
        "review_when": list(review["conditions"]),
    })

    def save() -> None:
        s = st.session_state
        with reporting_errors():
            with resources.writing() as con:
                reviews.set_review(con, cid, due=s["review_by"] if s["review_has_date"] else None,
                                   conditions=list(s.get("review_when") or []), by=access.writer())
            flash("Review saved; what the affordance looks like now is its baseline.")

    with st.form("review_form"):
        st.markdown("**Review this decision**")
        st.checkbox("Review by a date", key="review_has_date")
        st.date_input("Review by", key="review_by")
        st.multiselect("Reopen when", list(reviews.CONDITIONS), key="review_when",
                       format_func=lambda c: reviews.CONDITIONS[c],
                       help="Checked against the affordance as it stood when you save")
        st.form_submit_button("Save the review", key="review_save", on_click=save)
    if review["set_at"]:
        st.caption(f"Set {review['set_at']} by {md_text(review['set_by'] or 'anonymous')}.")
