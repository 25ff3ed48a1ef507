"""Who may write from this dashboard, and under which name.

Every write widget asks :func:`can_write` before it shows itself and signs with
:func:`writer`. Today (one person on 127.0.0.1) anyone may write and the name comes from the
"Your name" field; ``serve --read-only`` and ``serve --auth header`` change both answers.
"""

from __future__ import annotations

import streamlit as st

from scanner.ui.widgets import remember, remembered


def can_write() -> bool:
    """True when this session may change the store."""
    return True


def writer() -> str | None:
    """The name that signs this session's writes (None when nobody has given one)."""
    return (st.session_state.get("author_name") or "").strip() or None


def name_field() -> None:
    """The free-text "Your name" field, where this server asks people for their name."""
    remembered("author_name", "_author_name")
    st.text_input("Your name", key="author_name", help="Signs your notes, changes and drafts",
                  on_change=remember, args=("author_name", "_author_name"))
