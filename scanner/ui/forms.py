"""The Candidate page's forms: triage, draft clause, label and merge (criteria, checklist and
review: `scanner.ui.meeting_forms`).

Each save is a widget callback that makes one library call in its own write session
(:func:`scanner.ui.widgets.write_action`), so the next rerun already reads the new state.
A form's widgets are seeded from the database when the stored value they edit changes (or the
candidate does), and are left alone otherwise, so an unsaved edit survives other reruns.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from scanner.embed import default_embedder
from scanner.errors import BadInput, DatabaseBusy
from scanner.scanning import grouping
from scanner.scanning.verdicts import set_coverage_verdict
from scanner.team import triage
from scanner.ui import access, resources
from scanner.ui.widgets import (
    EVIDENCE_HELP,
    clause_lines,
    flash,
    md_text,
    reporting_errors,
    seed,
    write_action,
)


def _author() -> str | None:
    return access.writer()


def triage_form(cid: str, state: dict[str, Any]) -> None:
    if not access.can_write():
        return
    seed("triage", (cid, state["status"], state["owner"]), {
        "triage_status": state["status"],
        "triage_owner": state["owner"] or "",
        "triage_note": "",
    })

    def save() -> None:
        s = st.session_state
        note = (s.get("triage_note") or "").strip()
        with reporting_errors():
            with resources.writing() as con:
                triage.set_triage(
                    con, cid, status=s["triage_status"], owner=s["triage_owner"],
                    note=note or None, author=_author(),
                )
            s["triage_note"] = ""
            flash("Triage saved" + (" with your note." if note else "."))

    with st.form("triage_form", border=True):
        st.markdown("**Triage**")
        st.selectbox("Status", triage.STATUSES, key="triage_status")
        st.text_input("Owner", key="triage_owner", placeholder="who follows this up")
        st.text_area("Note", key="triage_note", placeholder="what the meeting decided, and why", height=100)
        st.form_submit_button("Save triage", key="triage_save", type="primary", on_click=save)


def notes_history(state: dict[str, Any], history: list[dict[str, Any]]) -> None:
    st.markdown(f"**Notes** ({len(state['notes'])})")
    if not state["notes"]:
        st.caption("No note yet.")
    with st.container(key="notes_list"):
        for n in reversed(state["notes"]):
            st.caption(f"{n['at']} · {md_text(n['author'] or 'anonymous')}")
            st.text(n["text"])
    if history:
        with st.expander(f"Status and owner changes ({len(history)})"):
            st.dataframe(history, hide_index=True, key="triage_history")


def draft_form(cid: str, drafts: list[dict[str, Any]], db: tuple[str, tuple[Any, ...]] | None = None) -> None:
    """The draft clause: save a new version, read the saved ones, and check the latest against
    the specs in scope (on request; the check stays on for this affordance once asked for)."""
    latest = drafts[-1] if drafts else None
    seed("draft", (cid, latest["version"] if latest else 0), {"draft_text": latest["text"] if latest else ""})

    if not access.can_write():
        return _saved_drafts(drafts)
    save = write_action(
        lambda con: triage.save_draft(con, cid, st.session_state.get("draft_text") or "", author=_author()),
        lambda version: f"Draft saved as version {version}.",
    )
    with st.form("draft_form"):
        st.text_area(
            "Draft clause", key="draft_text", height=160,
            placeholder="What the spec could say about this affordance",
        )
        st.form_submit_button("Save a new version", key="draft_save", on_click=save)
    _saved_drafts(drafts)
    if latest is None:
        return
    st.button(
        "Check the latest draft against the specs", key="draft_check",
        on_click=lambda: st.session_state.update(_draft_check=cid),
        help="Nearest clauses, possible duplicates, and the coverage this affordance would have "
             "if a spec adopted the draft",
    )
    if st.session_state.get("_draft_check") != cid:
        return

    try:
        with st.spinner("Reading the draft against the specs…"):
            check = resources.draft_check(*(db or resources.current()), cid, latest["text"])
    except (BadInput, DatabaseBusy) as exc:
        st.error(str(exc))
        return
    with st.container(key="draft_check_result"):
        _draft_check_view(latest["version"], check)


def _saved_drafts(drafts: list[dict[str, Any]]) -> None:
    for d in reversed(drafts):
        with st.expander(f"Version {d['version']} · {d['at']} · {md_text(d['author'] or 'anonymous')}"):
            st.text(d["text"])


def _draft_check_view(version: int, check: dict[str, Any]) -> None:
    """What `scanner.team.drafts.check_draft` found, for the latest saved version."""
    st.markdown(f"**Check of version {version}** against {md_text(', '.join(check['scope']) or 'no spec')}")
    if check["note"]:
        st.info(check["note"])
    cov = check["coverage"]
    if cov:
        m = st.columns(3)
        m[0].metric("Coverage now", f"{cov['now']:.2f} · {cov['level_now']}")
        m[1].metric("Coverage if adopted", f"{cov['if_adopted']:.2f} · {cov['level_if_adopted']}",
                    f"{cov['change']:+.2f}", delta_color="normal" if cov["change"] else "off")
        m[2].metric("Gap if adopted", f"{cov['gap_if_adopted']:.2f}", f"{cov['gap_change']:+.2f}",
                    delta_color="inverse" if cov["gap_change"] else "off",
                    help=f"1 − coverage; now {cov['gap_now']:.2f}")
        where = f"if {cov['adopted_by']} adopted it" if cov["adopted_by"] else "whichever spec adopted it"
        rank = cov.get("score")
        st.caption(
            f"Coverage now {cov['now']:.2f} ({cov['level_now']}) → {cov['if_adopted']:.2f} "
            f"({cov['level_if_adopted']}) {md_text(where)}"
            + (f"; score {rank['now']:.2f} → {rank['if_adopted']:.2f}, rank #{rank['rank_now']} → "
               f"#{rank['rank_if_adopted']} in the {cov['edition']} edition" if rank else "")
            + ". Worked out by the scan's own coverage code, with the draft added as one more "
              "clause under a neutral heading, one spec at a time."
        )
        st.caption(
            "Coverage rests on clauses that name the capability and say what the model should do: "
            "a draft that does both (“The assistant should …” about this capability) raises it; "
            "one clause alone seldom reaches “governs”, which the scan gives for about three."
        )
        seen = check["draft"]
        st.caption(
            ("The draft names the capability's terms: " + md_text(", ".join(seen["capability_terms"]))
             if seen["capability_terms"] else "The draft names none of the terms a spec uses for this capability")
            + ("; it is directive." if seen["directive"] else "; it has no directive wording (should, must, never…).")
        )
        st.dataframe(
            [
                {"spec": spec, "now": v["now"], "level now": v["level_now"], "if adopted": v["if_adopted"],
                 "level if adopted": v["level_if_adopted"], "change": v["change"],
                 "draft governs": "yes" if v["draft_governs"] else "no"}
                for spec, v in cov["per_spec"].items()
            ],
            hide_index=True, key="draft_check_specs",
            column_config={
                "now": st.column_config.NumberColumn(format="%.2f"),
                "if adopted": st.column_config.NumberColumn(format="%.2f"),
                "change": st.column_config.NumberColumn(format="%+.2f"),
                "draft governs": st.column_config.TextColumn(
                    help="Whether the draft would count among the clauses that govern the capability in that spec"),
            },
        )
    if check["duplicates"]:
        st.warning(
            f"The draft may repeat {len(check['duplicates'])} existing clause(s) "
            f"(similarity {check['duplicate_threshold']:.2f} or more):"
        )
        for dup in check["duplicates"]:
            clause_lines([dup])
            if dup.get("draft_sentence"):
                st.caption(f"repeated by the draft's sentence “{md_text(dup['draft_sentence'])}”")
    st.markdown("**Nearest existing clauses to the draft**")
    if not check["nearest"]:
        st.caption("No clause to compare with.")
    for spec, clauses in check["nearest"].items():
        with st.expander(md_text(spec), expanded=False):
            clause_lines(clauses)


def grouping_forms(cid: str, label: str, others: dict[str, str], items: list[dict[str, Any]] | None = None) -> None:
    if not access.can_write():
        st.caption(access.refusal() or "")
        return
    seed("label", (cid, label), {"label_text": label})
    left, right = st.columns(2)
    with left, st.form("label_form"):
        st.text_input("Label", key="label_text", help="Your label stays; scans no longer rename it")
        st.form_submit_button(
            "Save label", key="label_save",
            on_click=write_action(
                lambda con: grouping.set_label(con, cid, st.session_state.get("label_text") or ""),
                "Label saved.",
            ),
        )
    with right, st.form("merge_form"):
        st.selectbox(
            "Merge another affordance into this one", list(others), key="merge_other",
            format_func=lambda o: others.get(o, o), index=None, placeholder="choose one",
        )
        st.checkbox("Yes, merge: its items, notes and drafts move here", key="merge_confirm")

        def merge() -> None:
            s = st.session_state
            other = s.get("merge_other")
            if not other or not s.get("merge_confirm"):
                flash("Choose an affordance and tick the box to merge.", "warning")
                return
            with reporting_errors():
                with resources.writing() as con:
                    grouping.merge(con, cid, other, default_embedder().name, author=_author())
                s["merge_confirm"] = False
                s["merge_other"] = None
                flash(f"Merged {other} into {cid}; the ranking shows it from the next scan.")

        st.form_submit_button("Merge", key="merge_go", on_click=merge)

    if not items or len(items) < 2:
        return
    titles = {i["id"]: f"{(i['published'] or '')[:10]} · {i['org'] or '?'} · {i['title']}" for i in items}
    with st.form("split_form"):
        st.multiselect(
            "Split these items off into a new affordance", list(titles), key="split_items",
            format_func=lambda i: titles.get(i, i), placeholder="choose some, not all",
            help="For items that are about something else: they get an affordance of their own, "
                 "pinned there, and the split is logged",
        )

        def split() -> None:
            s = st.session_state
            picked = [i for i in s.get("split_items") or [] if i in titles]
            if not picked or len(picked) >= len(titles):
                flash("Choose some of the items, not all of them, to split off.", "warning")
                return
            with reporting_errors():
                with resources.writing() as con:
                    new_id = grouping.split(con, cid, picked, default_embedder().name, author=_author())
                s["split_items"] = []
                flash(f"Split {len(picked)} item(s) off into {new_id}; the ranking shows it from the next scan.")

        st.form_submit_button("Split off", key="split_go", on_click=split)



def items_table(cid: str, items: list[dict[str, Any]]) -> None:
    """Every item of the affordance, with its source's evidence kind and the verdict."""
    if not items:
        st.caption("No item is assigned to this affordance.")
        return
    st.dataframe(
        [
            {
                "published": (i["published"] or "")[:10],
                "org": i["org"] or "",
                "title": i["title"],
                "url": i["url"],
                "evidence": i["evidence"] or "",
                "affordance": "yes" if i["is_affordance"] else "no",
                "source": i["source"] or "",
            }
            for i in items
        ],
        hide_index=True, key="candidate_items", height=min(560, 35 * len(items) + 38),
        column_config={
            "org": st.column_config.TextColumn(width=110),
            "title": st.column_config.TextColumn(width="large"),
            "evidence": st.column_config.TextColumn(help=EVIDENCE_HELP),
            "affordance": st.column_config.TextColumn(
                help="Whether the item counts as a new affordance (the classifier's verdict, or the team's override)"),
            "url": st.column_config.LinkColumn("link", display_text="open ↗"),
        },
    )
    not_counted = sum(1 for i in items if not i["is_affordance"])
    if not_counted:
        st.caption(f"{not_counted} of these do not count as an affordance and stay out of the score.")


def _override(item_id: str, title: str, value: bool | None) -> None:
    """Set the team's verdict on one item (`scanner.scanning.grouping.override_item`)."""

    with reporting_errors():
        with resources.writing() as con:
            grouping.override_item(con, item_id, value, default_embedder().name)
        if value is False:
            flash(f"“{title}” no longer counts as an affordance: it left this one, and the score "
                  "follows at the next scan.")
        else:
            flash(f"“{title}” is back to the classifier's verdict; the next scan groups it again.")


def override_form(cid: str, items: list[dict[str, Any]], ruled_out: list[dict[str, Any]]) -> None:
    """Take an item out as "not an affordance" (a launch that is not one, a duplicate, news
    about money), and put back the ones taken out of this affordance."""
    if not access.can_write():
        return
    titles = {i["id"]: f"{(i['published'] or '')[:10]} · {i['title']}" for i in items}
    with st.form("override_form"):
        left, right = st.columns([4, 1], vertical_alignment="bottom")
        left.selectbox("Item that is not an affordance", list(titles), format_func=titles.get, index=None,
                       key="override_pick", placeholder="choose an item",
                       help="The team's verdict wins over the classifier's: the item leaves this affordance "
                            "and no scan puts it back in one")

        def out() -> None:
            pick = st.session_state.get("override_pick")
            if not pick:
                flash("Choose an item first.", "warning")
                return
            _override(pick, titles[pick], False)
            st.session_state["override_pick"] = None

        right.form_submit_button("Not an affordance", key="override_out", on_click=out, width="stretch")
    if ruled_out:
        st.markdown(f"**Taken out by the team** ({len(ruled_out)})")
        for i in ruled_out:
            a, b = st.columns([5, 1], vertical_alignment="center")
            a.markdown(f"{md_text((i['published'] or '')[:10])} · {md_text(i['org'] or '?')} · {md_text(i['title'])}")
            b.button("Put back", key=f"override_undo_{i['id']}", on_click=_override,
                     args=(i["id"], i["title"], None), help="Back to the classifier's verdict")


def coverage_verdict_form(items: list[dict[str, Any]], specs: list[str], clauses: list[dict[str, Any]]) -> None:
    """The team's verdict on how far a spec governs one item (`wetcement judge`): kept as a
    label, it sets that item's coverage and nudges close items at the next scan."""

    if not items or not specs or not access.can_write():
        return
    titles = {i["id"]: f"{(i['published'] or '')[:10]} · {i['title']}" for i in items}
    names = sorted({s.rsplit("@", 1)[0] for s in specs})
    keys = {c["clause_key"]: f"{c['spec']} · {c['section']}" for c in clauses if c.get("clause_key")}
    with st.form("coverage_verdict_form"):
        a, b, c = st.columns([3, 2, 2])
        a.selectbox("Item", list(titles), format_func=titles.get, key="verdict_item")
        b.selectbox("Spec", names, key="verdict_spec", help="The verdict is on the spec's latest version")
        c.selectbox("Coverage", ["covered", "partial", "uncovered"], key="verdict_level")
        st.selectbox("The clause that decides it (optional)", [None, *keys], key="verdict_clause",
                     format_func=lambda k: "—" if k is None else keys[k])

        def save() -> None:
            s = st.session_state
            with reporting_errors():
                with resources.writing() as con:
                    set_coverage_verdict(con, s["verdict_item"], s["verdict_spec"], s["verdict_level"],
                                         s.get("verdict_clause"), _author())
                flash(f"Saved: {s['verdict_spec']} {s['verdict_level']} for “{titles[s['verdict_item']]}”. "
                      "The next scan uses it.")

        st.form_submit_button("Save the coverage verdict", key="verdict_save", on_click=save)
