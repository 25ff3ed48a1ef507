"""Who may write from this dashboard, and under which name.

Every write widget asks :func:`can_write` before it shows itself and signs with
:func:`writer`; `scanner.ui.resources.writing` asks again before it opens a write session.
`wetcement serve` sets the mode in the environment of the dashboard process:

- default (one person on 127.0.0.1): anyone may write, signing with the "Your name" field;
- ``--read-only`` (``WETCEMENT_READ_ONLY=1``): everything shows, nothing can be changed;
- ``--auth header`` (``WETCEMENT_AUTH=header``, ``WETCEMENT_AUTH_HEADER`` naming the header,
  ``X-Forwarded-Email`` by default): the identity that an authenticating reverse proxy
  (oauth2-proxy, say) puts in that header is who writes; without it nobody may write.

The header is trusted as it comes: a proxy that sets it must be the only way to the dashboard.
"""

from __future__ import annotations

import os

import streamlit as st

DEFAULT_HEADER = "X-Forwarded-Email"
READ_ONLY_TEXT = "This dashboard is read-only: it shows everything and takes no changes."
SIGN_IN_TEXT = "Sign in to make changes: this server takes changes only from people its sign-in proxy names."


def read_only() -> bool:
    """True when the server was started with ``--read-only``."""
    return os.environ.get("WETCEMENT_READ_ONLY", "").strip().lower() in ("1", "true", "yes")


def auth_header() -> str | None:
    """The identity header this server trusts (``--auth header``), else None."""
    if os.environ.get("WETCEMENT_AUTH", "").strip().lower() != "header":
        return None
    return os.environ.get("WETCEMENT_AUTH_HEADER", "").strip() or DEFAULT_HEADER


def _header_value(name: str) -> str | None:
    """The header as the browser's connection to Streamlit carried it (None outside a session)."""
    value = st.context.headers.get(name)
    return (value.strip() or None) if value else None


def signed_in() -> str | None:
    """The identity the proxy vouched for, under ``--auth header``; else None."""
    name = auth_header()
    return _header_value(name) if name else None


def can_write() -> bool:
    """True when this session may change the store."""
    if read_only():
        return False
    if auth_header():
        return signed_in() is not None
    return True


def refusal() -> str | None:
    """Why this session may not write (a sentence for the page), or None when it may."""
    if read_only():
        return READ_ONLY_TEXT
    if auth_header() and signed_in() is None:
        return SIGN_IN_TEXT
    return None


def writer() -> str | None:
    """The name that signs this session's writes (None when nobody has given one)."""
    if auth_header():
        return signed_in()
    return (st.session_state.get("author_name") or "").strip() or None


def name_field() -> None:
    """Where the page asks who you are: the free-text "Your name" field on a server for one
    person; "Signed in as …" behind a sign-in proxy; why nothing can be changed otherwise."""
    why = refusal()
    if why:
        st.info(why, icon=":material/lock:")
        return
    if auth_header():
        st.caption(f"Signed in as {_inert(signed_in())}")
        return
    if "author_name" not in st.session_state and "_author_name" in st.session_state:
        st.session_state["author_name"] = st.session_state["_author_name"]  # outlive other pages
    st.text_input("Your name", key="author_name", help="Signs your notes, changes and drafts",
                  on_change=_remember_name)


def _remember_name() -> None:
    st.session_state["_author_name"] = st.session_state.get("author_name")


def sidebar() -> None:
    """One line in the sidebar of every page: who is writing, or why nobody can."""
    why = refusal()
    with st.sidebar:
        if why:
            st.caption(f":material/lock: {why}")
        elif auth_header():
            st.caption(f"Signed in as {_inert(signed_in())}")


def _inert(text: str | None) -> str:
    """A header's value as inline code: no markdown in it takes effect."""
    return "`" + (text or "").replace("`", "'") + "`"
