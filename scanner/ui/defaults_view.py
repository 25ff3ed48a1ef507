"""The Candidate page's section on stated defaults: a vendor × dimension table, the cement state
with its reason, and every quote with its link below."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from scanner.judge.defaults import load_dimensions
from scanner.ui.widgets import INERTIA_ESSAY, essay_link, md_link, md_text

CEMENT_WORDS = {
    "wet": "wet: no two vendors share a stated default yet",
    "setting": "setting: vendors are converging on the same defaults",
    "set": "set: most vendors ship the same default, or a spec governs it",
}


def vendor_table(defaults: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """One row per organisation, one column per dimension that anyone states (in the defaults
    file's order), each cell the values that organisation states, joined."""
    order = [d.id for d in load_dimensions().dimensions]
    stated = {d["dimension"] for d in defaults}
    columns = [c for c in order if c in stated] + sorted(stated - set(order))
    cells: dict[str, dict[str, list[str]]] = {}
    for d in defaults:
        values = cells.setdefault(d.get("org") or "(unknown)", {}).setdefault(d["dimension"], [])
        if d["value"] not in values:
            values.append(d["value"])
    return [
        {"org": org, **{c: ", ".join(sorted(by_dim.get(c, []))) for c in columns}}
        for org, by_dim in sorted(cells.items())
    ]


def defaults_section(row: Mapping[str, Any]) -> None:
    """The section, for a candidate of the edition (``candidates`` JSON)."""
    cement = row.get("cement") or {"state": "wet", "why": ""}
    defaults = row.get("defaults") or []
    st.markdown(f"**Defaults the vendors state** · cement **{CEMENT_WORDS.get(cement['state'], cement['state'])}**")
    st.caption(
        f"{md_text(cement['why'])} Why it matters: defaults that several vendors share tend to harden "
        f"into what everyone expects (norm-setting inertia, {essay_link(INERTIA_ESSAY)})."
    )
    if not defaults:
        st.caption("No announcement in this affordance states a default that the scanner recognises.")
        return
    with st.container(key="candidate_defaults_table"):
        st.dataframe(vendor_table(defaults), hide_index=True, key="candidate_defaults")
    with st.expander(f"Quotes and links ({len(defaults)})"):
        for d in defaults:
            when = (d.get("published") or "")[:10]
            where = md_link(when or "link", d.get("url"))
            st.markdown(
                f"- **{md_text(d.get('org') or '(unknown)')}** · {d['dimension']} = {d['value']} · {where}: "
                f"“{md_text(d['quote'])}”"
            )
