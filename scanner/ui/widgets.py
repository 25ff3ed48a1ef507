"""Small pieces every page uses: empty states, safe text, links, trend arrows, messages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import streamlit as st

from scanner.errors import BadInput, DatabaseBusy
from scanner.sources.safety import safe_link
from scanner.ui import resources

# A page file, relative to app.py (st.navigation registers it; links use it).
CANDIDATE_PAGE = "scanner/ui/pages/candidate.py"

ESSAYS_URL = "https://www.forethought.org/research"
CRITERIA_ESSAY = "Criteria for what goes into a model spec"
INERTIA_ESSAY = "Inertia and wet-cement moments in model specs"

EVIDENCE_HELP = "primary: the vendor's own announcement; secondary: reporting about it (the kind of its source)"

TREND_ARROWS = {"up": "▲", "down": "▼", "same": "●", "new": "new"}

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&])")


def md_text(text: Any) -> str:
    """Feed text made inert for st.markdown: every markdown character escaped, one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text or "").split()))


def md_link(text: Any, url: str | None) -> str:
    """A markdown link for feed text: only an http(s) URL becomes a link, else plain text."""
    link = safe_link(url)
    if not link:
        return md_text(text)
    return f"[{md_text(text)}]({quote(link, safe=':/?#&=%+~,;@!$*')})"


def essay_link(title: str) -> str:
    return f"[{title}]({ESSAYS_URL}) (Forethought, James Tillman)"


def trend_arrow(row: dict[str, Any]) -> str:
    arrow = TREND_ARROWS.get(row.get("trend", "new"), "")
    prev = row.get("previous_rank")
    if row.get("trend") in ("up", "down") and prev:
        return f"{arrow} {prev - row['rank']:+d}"
    return arrow


def keep_valid(key: str, options: list[Any]) -> None:
    """Drop a remembered choice that is no longer among a widget's options (another edition,
    a merged affordance), before the widget is drawn."""
    state = st.session_state
    if key not in state:
        return
    value = state[key]
    if isinstance(value, list):
        state[key] = [v for v in value if v in options]
    elif value is not None and value not in options:
        del state[key]


def remembered(key: str, store_key: str) -> None:
    """Let a widget's value outlive a visit to another page (Streamlit forgets widgets that
    a run does not draw): restore it from ``store_key``; pair with ``on_change=remember``."""
    if key not in st.session_state and store_key in st.session_state:
        st.session_state[key] = st.session_state[store_key]


def remember(key: str, store_key: str) -> None:
    st.session_state[store_key] = st.session_state.get(key)


def seed(name: str, marker: Any, values: dict[str, Any]) -> None:
    """Put ``values`` into the widgets' state when ``marker`` (what they edit, as stored)
    differs from the last seed, or a widget has no state yet; leave an unsaved edit alone
    otherwise."""
    state = st.session_state
    if state.get(f"_seed_{name}") != marker or any(k not in state for k in values):
        state[f"_seed_{name}"] = marker
        state.update(values)


def flash(message: str, kind: str = "success") -> None:
    """A message to show on the next rerun (after a callback or a switch)."""
    st.session_state.setdefault("_flash", []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop("_flash", []):
        getattr(st, kind)(message)


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Show the library's user-facing errors as messages instead of a traceback."""
    try:
        yield
    except BadInput as exc:
        flash(str(exc), "error")
    except DatabaseBusy as exc:
        flash(f"{exc}", "warning")


def write_action(action: Callable[[Any], Any], done: str | Callable[[Any], str]) -> Callable[[], None]:
    """A widget callback: run ``action(con)`` in its own write session, then say so."""

    def callback() -> None:
        with reporting_errors():
            with resources.writing() as con:
                result = action(con)
            flash(done(result) if callable(done) else done)

    return callback


def require_data(*, edition: bool = True) -> tuple[str, tuple[Any, ...]]:
    """(path, version) for the cached reads, or stop the page with what to run."""
    path = resources.db_path()
    if not resources.db_exists():
        st.info(
            f"No database at `{path}` yet. Run `wetcement demo` to load the bundled demo "
            "(or `wetcement scan` on your own sources), then reload this page."
        )
        st.stop()
    try:
        db = resources.current()
    except DatabaseBusy as exc:
        st.warning(f"{exc}")
        st.stop()
    except BadInput as exc:
        st.error(str(exc))
        st.stop()
    if edition and not resources.editions(*db):
        st.info(
            "There is no edition yet. Run `wetcement scan` (or `wetcement demo` for the bundled "
            "demo) to rank the affordances, then reload this page."
        )
        st.stop()
    return db


def edition_picker(db: tuple[str, tuple[Any, ...]], key: str) -> str:
    """A select box of editions, newest first; returns the chosen date."""
    days = [e["edition"] for e in reversed(resources.editions(*db))]
    keep_valid(key, days)
    return st.selectbox("Edition", days, key=key, help="The ranked list as it stood on that date")


def candidate_link(cid: str, label: str = "Open the candidate page") -> None:
    """A link to the Candidate page with ``?id=`` set, so a reload or a shared link keeps it."""
    st.page_link(CANDIDATE_PAGE, label=label, icon=":material/arrow_forward:", query_params={"id": cid})


def clause_lines(clauses: list[dict[str, Any]]) -> None:
    """Nearest clauses as evidence: spec@version, section path (linked), similarity, text."""
    if not clauses:
        st.caption("No clause in the specs in scope comes near.")
        return
    for c in clauses:
        where = md_link(c.get("section") or "(no section)", c.get("link"))
        sim = c.get("similarity")
        terms = ", ".join(c.get("matched_terms") or [])
        st.markdown(
            f"**{md_text(c.get('spec'))}@{md_text(c.get('version'))}** · {where}"
            + (f" · similarity {sim:.2f}" if sim is not None else "")
            + (f" · terms: {md_text(terms)}" if terms else "")
        )
        st.caption(md_text(c.get("text")))


def item_lines(items: list[dict[str, Any]], limit: int | None = None) -> None:
    shown = items[:limit] if limit else items
    for i in shown:
        day = (i.get("published") or "")[:10]
        st.markdown(f"- {md_text(day)} · **{md_text(i.get('org') or '?')}** · {md_link(i.get('title'), i.get('url'))}")
    if limit and len(items) > limit:
        st.caption(f"… and {len(items) - limit} more on the candidate page")
