"""Sources: the feeds the scanner reads, their health, and the means to add, switch and fetch them."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from scanner.errors import BadInput, DatabaseBusy
from scanner.progress import Step
from scanner.sources import registry
from scanner.sources.ingest import EVIDENCE, KINDS
from scanner.ui import access, resources
from scanner.ui.progress import StatusProgress
from scanner.ui.widgets import (
    EVIDENCE_HELP,
    flash,
    md_text,
    reporting_errors,
    require_data,
    seed,
    show_flashes,
    write_action,
)

WEEKS = 8
RESULT_ICONS = {"new": "🟢", "updated": "🟢", "unchanged": "⚪", "error": "🔴"}

st.title("Sources")
st.caption(
    "The feeds the scanner reads, and how each one is doing. New items are checked and ranked at "
    "the next scan (`wetcement scan`; `wetcement update` fetches and scans, for cron)."
)
show_flashes()
db = require_data(edition=False)


def fetch_now() -> None:
    """Fetch every enabled source, showing each one's result as it comes."""
    with st.status("Fetching the enabled sources…", expanded=True) as box:

        def one_source(step: Step) -> None:
            if not step.data:
                return
            result = step.data
            what = result["error"] if result["status"] == "error" else f"{result['new']} new, {result['updated']} updated"
            st.markdown(f"{RESULT_ICONS.get(result['status'], '')} **{md_text(result['source'])}** · "
                        f"{result['status']} · {md_text(what)}")

        progress = StatusProgress(box, one_source)
        try:
            results = registry.fetch_sources(resources.db_path(), progress=progress)
        except (BadInput, DatabaseBusy) as exc:
            box.update(label=f"The fetch did not run: {exc}", state="error")
            return
        finally:
            resources.clear()
        if not results:
            progress.clear()
            box.update(label="Nothing to fetch: no enabled source has a URL", state="complete")
            return
        failed = [r for r in results if r.status == "error"]
        new = sum(r.new for r in results)
        box.update(
            label=f"Fetched {len(results)} source(s): {new} new item(s), {len(failed)} failed",
            state="error" if len(failed) == len(results) else "complete",
            expanded=bool(failed),
        )


top = st.columns([1, 4], vertical_alignment="center")
with top[0]:
    go = access.can_write() and st.button("Fetch now", key="sources_fetch", type="primary", icon=":material/sync:",
                   help="Read every enabled source with a URL now, as `wetcement fetch` does")
with top[1]:
    st.caption("Fetching takes a few seconds per source. One source's failure never stops the others; "
               "it is recorded on the source below.")
if go:
    fetch_now()
    db = require_data(edition=False)  # the fetch changed the data: read it afresh

editions = resources.editions(*db)
up_to = editions[-1]["edition"] if editions else None  # the weeks the latest edition looked at
rows = resources.sources(*db, up_to)
if rows:
    broken = [r["name"] for r in rows if r["broken"]]
    failing = [r["name"] for r in rows if r["consecutive_failures"] and not r["broken"]]
    c = st.columns(5)
    c[0].metric("Sources", len(rows))
    c[1].metric("Enabled", sum(1 for r in rows if r["enabled"]))
    c[2].metric("Primary evidence", sum(1 for r in rows if r["evidence"] == "primary"), help=EVIDENCE_HELP)
    c[3].metric("Failing", len(failing))
    c[4].metric("Broken", len(broken))
    if broken:
        st.warning("Marked broken after repeated failures, or a feed that suddenly yields nothing: "
                   + ", ".join(md_text(b) for b in broken))


def health(r: dict[str, Any]) -> str:
    if not r["enabled"]:
        return "off"
    if r["broken"]:
        return "broken"
    if r["consecutive_failures"]:
        return f"failing ×{r['consecutive_failures']}"
    if not r["last_fetch"]:
        return "never fetched" if r["url"] else "bundled file"
    return "ok"


if rows:
    frame = pd.DataFrame(
        [
            {
                "name": r["name"],
                "health": health(r),
                "evidence": r["evidence"],
                "items": r["items"],
                "weeks": r["items_per_week"],
                "last result": r["last_status"] or "",
                "last fetch": r["last_fetch"] or "",
                "last error": r["last_error"] or "",
                "org": r["org"] or "",
                "kind": r["kind"],
                "feed": r["url"],
                "why": r["reason"] or "",
            }
            for r in rows
        ]
    )
    st.dataframe(
        frame,
        hide_index=True,
        key="sources_table",
        height=min(560, 35 * len(frame) + 38),
        column_config={
            "name": st.column_config.TextColumn(width=160),
            "health": st.column_config.TextColumn(help="off, broken, failing ×N, never fetched, or ok"),
            "evidence": st.column_config.TextColumn(help=EVIDENCE_HELP),
            "items": st.column_config.NumberColumn(help="Items stored from this source, in all"),
            "weeks": st.column_config.BarChartColumn(
                f"{WEEKS} weeks to {up_to}" if up_to else f"last {WEEKS} weeks", y_min=0, width=150,
                y_max=max(1, *(max(r["items_per_week"]) for r in rows)),  # one scale for every source
                help=f"Items published per week over the {WEEKS} weeks up to "
                     + (f"the latest edition ({up_to})" if up_to else "now") + ", oldest first"),
            "last error": st.column_config.TextColumn(width="medium"),
            "feed": st.column_config.LinkColumn("feed", display_text="open ↗"),
            "why": st.column_config.TextColumn(width="medium"),
        },
    )
else:
    st.info("No source yet. Add one below, or run `wetcement sources defaults` for the curated list "
            "(`wetcement demo` loads the bundled demo).")


def switch(name: str, key: str) -> Any:
    """The toggle's callback: store the toggle's new value on the source."""
    return write_action(
        lambda con: registry.set_enabled(con, name, bool(st.session_state[key])),
        lambda _: f"{name} is now {'on' if st.session_state[key] else 'off'}.",
    )


if rows and access.can_write():
    with st.expander("Turn sources on and off", icon=":material/toggle_on:"):
        st.caption("A source that is off is not fetched; its items stay.")
        cols = st.columns(3)
        for n, r in enumerate(rows):
            key = f"source_on_{r['name']}"
            seed(key, r["enabled"], {key: r["enabled"]})
            with cols[n % 3]:
                st.toggle(r["name"], key=key, on_change=switch(r["name"], key))


def add() -> None:
    s = st.session_state
    with reporting_errors(), resources.writing() as con:
        name = registry.add_source(
            con, (s.get("source_url") or "").strip(),
            name=(s.get("source_name") or "").strip() or None,
            kind=None if s.get("source_kind") == "auto" else s.get("source_kind"),
            org=(s.get("source_org") or "").strip() or None,
            evidence=s.get("source_evidence") or "primary",
        )
        for k in ("source_url", "source_name", "source_org"):
            s[k] = ""
        flash(f"Added {name}. Fetch now to read it.")


if not access.can_write():
    st.stop()  # the rest of the page adds a source
st.subheader("Add a source")
with st.form("source_add_form"):
    st.text_input("Feed or page URL", key="source_url", placeholder="https://example.com/feed.xml")
    c1, c2, c3, c4 = st.columns(4)
    c1.text_input("Name", key="source_name", placeholder="from the address",
                  help="Lower-case letters, digits, '.', '_' or '-'")
    c2.selectbox("Kind", ["auto", *[k for k in KINDS if k != "file"]], key="source_kind",
                 help="auto: a GitHub releases feed if the address is one, else RSS/Atom; "
                      "html: a page whose new blocks become items")
    c3.text_input("Organisation", key="source_org", placeholder="who publishes it")
    c4.selectbox("Evidence", list(EVIDENCE), key="source_evidence", help=EVIDENCE_HELP)
    st.form_submit_button("Add source", key="source_add", type="primary", on_click=add)
