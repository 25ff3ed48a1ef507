"""Download buttons for every export format (`scanner.views.export`), made when clicked.

The files are the ones `wetcement export` writes: `scanner.views.export.gather` then `render`. Each
button hands Streamlit a callable, so nothing is rendered until someone clicks; a Streamlit
without deferred downloads gets the bytes made ahead (cached per data version).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager

from scanner.ui import resources
from scanner.views.export import MEDIA_TYPES

LABELS = {
    "md": "Agenda (Markdown)",
    "html": "Report (HTML)",
    "xlsx": "Workbook (Excel)",
    "csv": "Candidates (CSV)",
    "items.csv": "Items (CSV)",
    "json": "Everything (JSON)",
    "atom": "Feed (Atom)",
    "radar": "Tech radar (CSV)",
}
ENDINGS = {"atom": "atom.xml", "radar": "radar.csv"}
HELP = {
    "md": "The meeting agenda: what entered, what moved, the watchlist, with evidence",
    "html": "One self-contained page to mail or print",
    "xlsx": "Candidates, items, evidence and triage history on separate sheets",
    "csv": "One row per candidate, with its score and parts",
    "items.csv": "One row per item of those candidates (goes with the candidates CSV)",
    "json": "Candidates, items, evidence and notes, as the command line's JSON",
    "atom": "The watchlist and new entries, for a feed reader",
    "radar": "For Thoughtworks' build-your-own-radar: rings from status, quadrants from domains",
}
# every format of scanner.views.export, plus the items CSV that `export --format csv` writes beside it
ORDER = ["md", "html", "xlsx", "csv", "items.csv", "json", "atom", "radar"]


def _deferred() -> bool:
    return hasattr(MediaFileManager, "add_deferred")


def file_name(fmt: str, edition: str, what: str = "") -> str:
    stem = f"wetcement-{edition}" + (f"-{what}" if what else "")
    return f"{stem}.{ENDINGS.get(fmt, fmt)}"


def export_buttons(
    db: tuple[str, tuple[Any, ...]],
    prefix: str,
    edition: str,
    *,
    statuses: list[str] | tuple[str, ...] = (),
    domains: list[str] | tuple[str, ...] = (),
    what: str = "",
) -> None:
    """One download button per format (keys ``<prefix>_download_<format>``)."""
    path, version = db
    args = (path, tuple(statuses), tuple(domains))
    lazy = _deferred()
    cols = st.columns(4)
    for n, fmt in enumerate(ORDER):
        data: Any
        if lazy:
            data = partial(resources.export_bytes, args[0], fmt, edition, args[1], args[2])
        else:  # pragma: no cover - older Streamlit
            data = resources.export_bytes_cached(path, version, fmt, edition, args[1], args[2])
        with cols[n % 4]:
            st.download_button(
                LABELS[fmt], data, file_name=file_name(fmt, edition, what),
                mime=MEDIA_TYPES.get(fmt, "text/csv"), key=f"{prefix}_download_{fmt.replace('.', '_')}",
                help=HELP[fmt], on_click="ignore", icon=":material/download:", width="stretch",
            )
