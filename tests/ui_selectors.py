"""CSS selectors for the browser tests: keyed widgets and Streamlit's own elements.

Streamlit gives every element created with ``key="k"`` the class ``st-key-k``; the browser
tests find widgets only through these helpers, so a renamed key breaks in one place.
"""

from __future__ import annotations


def key(name: str) -> str:
    """The element (or container) created with ``key=name``."""
    return f".st-key-{name}"


def text_input(name: str) -> str:
    return f"{key(name)} input"


def text_area(name: str) -> str:
    return f"{key(name)} textarea"


def button(name: str) -> str:
    return f"{key(name)} button"


def selectbox(name: str) -> str:
    """The select box's combobox input (its value is the chosen option's label)."""
    return f"{key(name)} input[role='combobox']"


def option(label: str) -> str:
    """An option of the open select box's list."""
    return f"[role='listbox'] [role='option']:has-text('{label}')"


def open_candidate(cid: str) -> str:
    """The Radar's link to a candidate's page."""
    return f"{key('open_' + cid)} a"


EXCEPTION = "[data-testid='stException']"
MAIN = "[data-testid='stMain']"
RUNNING = "[data-testid='stStatusWidget']"
# The app root says whether the script is running; `notRunning` once a run has finished.
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
STALE = "[data-stale='true']"  # an element left from the previous run, about to be replaced
CHART = "[data-testid='stPlotlyChart']"
TABLE = "[data-testid='stDataFrame']"


def expanders_in(name: str) -> str:
    """The clickable headers of the expanders inside the container keyed ``name``."""
    return f"{key(name)} [data-testid='stExpander'] summary"


def download_button(name: str) -> str:
    """A download button; Streamlit also draws a hidden copy of a button with help text."""
    return f"{key(name)} button >> visible=true"
