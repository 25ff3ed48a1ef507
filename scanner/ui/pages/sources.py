"""Sources: the feeds the scanner reads, their health and their last fetch."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scanner.sources.safety import safe_link
from scanner.ui import resources
from scanner.ui.widgets import require_data

st.title("Sources")
st.caption(
    "The feeds the scanner reads. Add or remove them with `wetcement sources …`; "
    "`wetcement fetch` reads them and records each attempt."
)
db = require_data(edition=False)
rows = resources.sources(*db)
if not rows:
    st.info("No source yet. Run `wetcement demo`, or add one with `wetcement sources add`.")
    st.stop()

broken = [r["name"] for r in rows if r.get("broken")]
failing = [r["name"] for r in rows if (r.get("consecutive_failures") or 0) > 0 and not r.get("broken")]
c = st.columns(4)
c[0].metric("Sources", len(rows))
c[1].metric("Enabled", sum(1 for r in rows if r.get("enabled")))
c[2].metric("Failing", len(failing))
c[3].metric("Broken", len(broken))
if broken:
    st.warning("Marked broken after repeated failures: " + ", ".join(broken))

frame = pd.DataFrame(
    [
        {
            "name": r["name"],
            "org": r.get("org") or "",
            "kind": r.get("kind"),
            "evidence": r.get("evidence"),
            "enabled": bool(r.get("enabled")),
            "items": r.get("n_items", 0),
            "last fetch": r.get("last_fetch") or r.get("fetched_at"),
            "last result": r.get("fetch_status") or ("never fetched" if not r.get("last_fetch") else ""),
            "last success": r.get("last_success"),
            "failures": r.get("consecutive_failures") or 0,
            "last error": r.get("last_error") or "",
            "url": safe_link(r.get("url")),
            "why": r.get("reason") or "",
        }
        for r in rows
    ]
)
st.dataframe(
    frame,
    hide_index=True,
    key="sources_table",
    height=min(700, 36 * len(frame) + 40),
    column_config={
        "url": st.column_config.LinkColumn("feed", display_text="open ↗"),
        "last fetch": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        "last success": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        "last error": st.column_config.TextColumn(width="medium"),
    },
)
