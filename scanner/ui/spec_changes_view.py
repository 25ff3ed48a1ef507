"""The Meeting page's "Spec changes" section: the watched specs' new versions since an edition,
with their clause diff and the affordances that gained or lost coverage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

import scanner
from scanner.specs.changes import spec_changes
from scanner.ui.widgets import md_link, md_text


def read(path: Path, since: str | None) -> list[dict[str, Any]]:
    """The changes fetched after edition ``since`` was written (all, when None). A short, uncached
    read: the table holds a few rows per watched spec."""
    with scanner.open_store(path) as con:
        row = con.execute("SELECT created_at FROM editions WHERE edition = ?", [since]).fetchone() if since else None
        return spec_changes(con, since=row[0] if row else None)


def render(db: tuple[Any, ...], since: str | None) -> None:
    """Draw the section for the page's database ``db`` (path first) and its "since" edition."""
    changes = read(Path(db[0]), since)
    with st.container(key="meeting_spec_changes"):
        st.subheader("Spec changes" + (f" since {since}" if since else ""))
        if not changes:
            st.caption("No watched spec changed. Follow one with `wetcement specs watch URL --name NAME`; "
                       "`wetcement fetch` imports each change as a new version.")
            return
        for c in changes:
            st.markdown(
                f"**{md_link(c['spec'], c['url'])}** {md_text(c['previous_version'])} → {md_text(c['version'])} "
                f"(fetched {c['fetched_at']}): {c['added']} added, {c['removed']} removed, "
                f"{c['changed']} changed clauses"
            )
            cov = c["coverage"]
            moves = [{"coverage": "gained", **r} for r in cov["gained"]] + [{"coverage": "lost", **r} for r in cov["lost"]]
            if moves:
                st.dataframe(
                    pd.DataFrame(moves)[["coverage", "label", "before", "after", "id"]],
                    hide_index=True, key=f"spec_moves_{c['spec']}_{c['version']}",
                )
            else:
                st.caption(md_text(cov["note"] or "No affordance changed coverage level."))
            if c["clauses"]:
                with st.expander(f"Changed clauses of {c['spec']} {c['version']}"):
                    for cl in c["clauses"]:
                        st.markdown(f"{cl['change']} · *{md_text(cl['section'])}* — {md_text(cl['text'][:300])}")
