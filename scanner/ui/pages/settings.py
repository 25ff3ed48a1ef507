"""Settings: the score's weights and the specs in scope, stored in the database."""

from __future__ import annotations

import streamlit as st

from scanner.pipeline import set_setting
from scanner.rank import COMPONENTS, DEFAULT_WEIGHTS, check_weights
from scanner.ui import resources
from scanner.ui.widgets import require_data, show_flashes, write_action

HELP = {
    "gap": "1 − coverage: how little the specs in scope say about the capability",
    "momentum": "items and distinct organisations in the recent window, and their growth",
    "novelty": "how recently the affordance first appeared, and how far it is from older ones",
    "inertia": "evidence for the four channels: APIs and protocols, several vendors, enterprise rollouts, training on outputs",
    "precedent": "how strongly it touches an open precedent domain (non-principals, memory, commerce…)",
    "team_interest": "the team's own ratings of the affordance",
}

st.title("Settings")
show_flashes()
st.info("New weights and a new scope apply at the next scan: run `wetcement scan` (or `wetcement update`).")
db = require_data(edition=False)
current = resources.settings(*db)
weights = current["weights"]

marker = tuple(sorted(weights.items()))
if st.session_state.get("_seed_weights") != marker or any(f"weight_{k}" not in st.session_state for k in COMPONENTS):
    st.session_state["_seed_weights"] = marker
    for k in COMPONENTS:
        st.session_state[f"weight_{k}"] = float(weights.get(k, 0.0))


def chosen_weights() -> dict[str, float]:
    return check_weights({k: st.session_state[f"weight_{k}"] for k in COMPONENTS})


def reset_weights() -> None:
    for k in COMPONENTS:
        st.session_state[f"weight_{k}"] = DEFAULT_WEIGHTS[k]


left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Weights of the wet-cement score")
    st.caption("The score is the weighted mean of its parts; each part is between 0 and 1.")
    top = max(1.0, *weights.values())
    with st.form("weights_form"):
        for k in COMPONENTS:
            st.slider(k.replace("_", " ").capitalize(), 0.0, float(top), step=0.05, key=f"weight_{k}", help=HELP[k])
        a, b = st.columns(2)
        a.form_submit_button(
            "Save weights", key="weights_save", type="primary",
            on_click=write_action(lambda con: set_setting(con, "weights", chosen_weights()),
                                  "Weights saved; they apply at the next scan."),
        )
        b.form_submit_button("Back to the defaults", key="weights_reset", on_click=reset_weights)
with right:
    st.subheader("Share of each part")
    total = sum(weights.values()) or 1.0
    for k in COMPONENTS:
        st.progress(weights[k] / total, text=f"{k.replace('_', ' ')}: {weights[k] / total:.0%}")
    latest = resources.editions(*db)
    if latest:
        used = latest[-1]["weights"]
        if used != weights:
            st.caption(
                f"The latest edition ({latest[-1]['edition']}) was scored with "
                + ", ".join(f"{k} {v:g}" for k, v in used.items()) + "."
            )

st.subheader("Specs in scope")
specs = resources.specs(*db)
names = sorted({s["name"] for s in specs})
if not names:
    st.info("No spec in the library yet: import one with `wetcement specs add FILE --name NAME`.")
    st.stop()
saved = current["specs_in_scope"]
scope_marker = tuple(saved or ())
if st.session_state.get("_seed_scope") != scope_marker or "scope_specs" not in st.session_state:
    st.session_state["_seed_scope"] = scope_marker
    st.session_state["scope_specs"] = [n for n in (saved or names) if n in names]
st.caption("Coverage and the gap are measured against the latest version of each spec chosen here.")
with st.form("scope_form"):
    st.multiselect("Specs", names, key="scope_specs", placeholder="every spec in the library")
    st.form_submit_button(
        "Save specs in scope", key="scope_save", type="primary",
        on_click=write_action(
            lambda con: set_setting(con, "specs_in_scope", list(st.session_state["scope_specs"]) or None),
            "Specs in scope saved; they apply at the next scan.",
        ),
    )
if not saved:
    st.caption("Nothing saved yet: every spec in the library is in scope.")
