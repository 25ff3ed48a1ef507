"""An item's article text, folded: shown where the dashboard shows the items of thin feeds
(Explore's item detail, the Candidate page). The text is the publisher's; it is shown escaped,
paragraph by paragraph, and never replaces the feed's own title and summary."""

from __future__ import annotations

from typing import Any

import streamlit as st

from scanner.ui import resources
from scanner.ui.widgets import md_text

STATUS_NOTE = {
    "empty": "the article page held no main text longer than the feed's",
    "failed": "fetching the article failed",
    "refused": "the article page was refused",
}


def paragraphs(text: str) -> str:
    """Feed text as inert markdown, one paragraph per line of the extracted text."""
    return "\n\n".join(md_text(line) for line in text.splitlines() if line.strip())


def full_text_expander(entry: dict[str, Any] | None, *, title: str = "Full text of the article", key: str) -> None:
    """One item's full text in a folded expander, or a caption saying why there is none."""
    if not entry:
        return
    if entry.get("full_text"):
        meta = entry.get("meta") or {}
        by = " · ".join(str(meta[k]) for k in ("sitename", "author", "date") if meta.get(k))
        with st.expander(f"{title} ({len(entry['full_text']):,} characters)", expanded=False, key=key):
            if by:
                st.caption(md_text(by))
            st.markdown(paragraphs(entry["full_text"]))
    elif entry.get("status") in STATUS_NOTE:
        why = f": {entry['error']}" if entry.get("error") else ""
        st.caption(md_text(f"No full text ({STATUS_NOTE[entry['status']]}{why})."))


def items_full_texts(db: tuple[str, tuple[Any, ...]], items: list[dict[str, Any]], *, key: str) -> None:
    """The full texts fetched for any of ``items``, each folded under its title."""
    texts = resources.full_texts(*db, tuple(i["id"] for i in items))
    shown = [i for i in items if (texts.get(i["id"]) or {}).get("full_text")]
    if not shown:
        return
    st.caption(f"{len(shown)} of these items came with a title or a short teaser only; the scanner "
               "read their article pages, and judged them on that text.")
    for i in shown:
        full_text_expander(texts[i["id"]], title=f"{md_text(i.get('title'))} — full text", key=f"{key}_{i['id']}")


def item_detail(db: tuple[str, tuple[Any, ...]], rows: list[dict[str, Any]], picked: list[int]) -> None:
    """Explore's item detail: the picked row's title, summary and (folded) full text."""
    if not picked or picked[0] >= len(rows):
        if rows:
            st.caption("Pick a row to read the item (and its article's full text, when the feed gave only a teaser).")
        return
    row = rows[picked[0]]
    entry = resources.full_texts(*db, (row["id"],)).get(row["id"]) or {}
    st.markdown(f"**{md_text(row.get('title'))}**")
    if entry.get("summary"):
        st.markdown(paragraphs(entry["summary"]))
    full_text_expander(entry, key="explore_full_text")
