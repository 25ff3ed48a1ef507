"""Settings: generated from the declared list in `scanner.settings`, one form per section."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from scanner import settings as declared
from scanner.taxonomy import DOMAINS
from scanner.team.alerts import redact
from scanner.ui import access, resources
from scanner.ui.widgets import (
    flash,
    md_text,
    reporting_errors,
    require_data,
    seed,
    show_flashes,
    write_action,
)

st.title("Settings")
show_flashes()
st.info("New settings apply at the next scan: run `wetcement scan` (or `wetcement update`).")
db = require_data(edition=False)
current = resources.settings(*db)
SAVE = {"weights": "Save weights", "scope": "Save specs in scope", "signals": "Save signals",
        "alerts": "Save alert thresholds"}
spec_names = sorted({s["name"] for s in resources.specs(*db)})


def widget_key(s: declared.Setting) -> str:
    return "setting_" + s.key.replace(".", "_")


def shown_value(s: declared.Setting, value: Any) -> Any:
    """The stored value as its widget holds it."""
    if s.type == "float":
        return float(value)
    if s.type == "int":
        return int(value)
    if s.type == "specs":
        return [n for n in (value or spec_names) if n in spec_names]
    return value


def draw(s: declared.Setting, upper: float) -> None:
    """The setting's widget: sliders for weights (their help in a tooltip, the shares beside),
    and for the others the help written under the widget."""
    key = widget_key(s)
    if s.type == "float":
        st.slider(s.title, float(s.minimum or 0.0), upper, step=0.05, key=key, help=s.help)
        return
    if s.type == "int":
        st.number_input(s.title, int(s.minimum or 0), int(s.maximum or 10_000), step=1, key=key)
    elif s.type == "specs":
        st.multiselect(s.title, spec_names, key=key, placeholder="every spec in the library")
    st.caption(s.help)


def env_line(s: declared.Setting) -> None:
    value = current.get(s.key)
    st.markdown(f"**{s.title}** · `${s.env}`: " + (f"set ({md_text(redact(value))})" if value else "not set"))
    st.caption(s.help + " Set it where `wetcement update` runs (its cron line, say): the dashboard only reads it.")


def section_form(section: str, group: list[declared.Setting]) -> None:
    """One form for the section's stored settings; environment settings are shown, not edited."""
    stored = [s for s in group if not s.env and s.type in ("float", "int", "specs")]
    if stored and not access.can_write():  # the values, without a form to change them
        st.dataframe([{"setting": s.title, "value": str(current[s.key])} for s in stored],
                     hide_index=True, key=f"settings_{section}_values")
        stored = []
    if stored:
        marker = json.dumps([current[s.key] for s in stored], sort_keys=True)
        seed(f"settings_{section}", marker, {widget_key(s): shown_value(s, current[s.key]) for s in stored})
        floats = [float(current[s.key]) for s in stored if s.type == "float"]
        upper = max(1.0, *floats) if floats else 1.0

        def save() -> dict[str, Any]:
            state = st.session_state
            return {s.key: (list(state[widget_key(s)]) or None) if s.type == "specs" else state[widget_key(s)]
                    for s in stored}

        def defaults() -> None:
            for s in stored:
                st.session_state[widget_key(s)] = shown_value(s, s.default)

        with st.form(f"settings_{section}_form"):
            numbers = [s for s in stored if s.type == "int"]
            cols = st.columns(3) if numbers else []
            for s in stored:
                if s in numbers:
                    with cols[numbers.index(s) % 3]:
                        draw(s, upper)
                else:
                    draw(s, upper)
            buttons = st.container(horizontal=True)
            buttons.form_submit_button(
                SAVE.get(section, "Save"), key=f"settings_save_{section}", type="primary",
                on_click=write_action(lambda con: declared.set_values(con, save()),
                                      f"{declared.SECTIONS[section]} saved; they apply at the next scan."),
            )
            buttons.form_submit_button("Back to the defaults", key=f"settings_reset_{section}", on_click=defaults,
                                 help="Puts the defaults in the form; Save stores them")
    for s in group:
        if s.env:
            env_line(s)


def weights_share() -> None:
    weights = {s.key.partition(".")[2]: float(current[s.key]) for s in declared.SETTINGS if s.section == "weights"}
    st.markdown("**Share of each part**")
    total = sum(weights.values()) or 1.0
    for k, v in weights.items():
        st.progress(v / total, text=f"{k.replace('_', ' ')}: {v / total:.0%}")
    editions = resources.editions(*db)
    if editions and editions[-1]["weights"] != weights:
        used = editions[-1]["weights"]
        st.caption(f"The latest edition ({editions[-1]['edition']}) was scored with "
                   + ", ".join(f"{k} {v:g}" for k, v in used.items()) + ".")


def domains_editor(s: declared.Setting) -> None:
    domains = current.get(s.key) or []
    st.caption(s.help + " The essay's own: " + ", ".join(d.label for d in DOMAINS) + ".")

    def remove(slug: str) -> Any:
        kept = [d for d in domains if d["slug"] != slug]
        return write_action(lambda con: declared.set_values(con, {s.key: kept}), f"Domain {slug} removed.")

    for d in domains:
        left, right = st.columns([6, 1], vertical_alignment="center")
        left.markdown(f"**{md_text(d['label'])}** · `{md_text(d['slug'])}`  \n{md_text(d['description'])}")
        if access.can_write():
            right.button("Remove", key=f"domain_remove_{d['slug']}", on_click=remove(d["slug"]))
    if not domains:
        st.caption("None yet.")

    if not access.can_write():
        return

    def add() -> None:
        state = st.session_state
        new = {"slug": (state.get("domain_slug") or "").strip(), "label": state.get("domain_label") or "",
               "description": state.get("domain_description") or ""}
        with reporting_errors():
            with resources.writing() as con:
                declared.set_values(con, {s.key: [*domains, new]})
            for k in ("domain_slug", "domain_label", "domain_description"):
                state[k] = ""
            flash(f"Domain {new['slug']} added; it counts from the next scan.")

    with st.form("settings_domain_form"):
        a, b = st.columns([1, 2])
        a.text_input("Slug", key="domain_slug", placeholder="e.g. health-advice", help="Lower-case letters, digits and '-'")
        b.text_input("Label", key="domain_label", placeholder="e.g. Health advice to strangers")
        st.text_area("Description", key="domain_description", height=80,
                     placeholder="One or two sentences: what the AI does in this domain that no spec settles yet")
        st.form_submit_button("Add domain", key="domain_add", type="primary", on_click=add)


for section, title in declared.SECTIONS.items():
    group = [s for s in declared.SETTINGS if s.section == section]
    if not group:
        continue
    st.subheader(title)
    if section == "weights":
        left, right = st.columns([3, 2], gap="large")
        with left:
            st.caption("The score is the weighted mean of its parts; each part is between 0 and 1.")
            section_form(section, group)
        with right:
            weights_share()
    elif section == "scope" and not spec_names:
        st.info("No spec in the library yet: import one with `wetcement specs add FILE --name NAME`.")
    else:
        for s in group:
            if s.type == "domains":
                domains_editor(s)
        section_form(section, [s for s in group if s.type != "domains"])
