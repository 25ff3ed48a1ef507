"""Opening a dashboard page with Streamlit's AppTest, for the tests/test_ui_*.py files (the `db`
fixture that names the database for the app is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def open_page(name: str, *, state: dict[str, Any] | None = None, timeout: float = 60, **query: str) -> AppTest:
    """Run app.py with these query parameters (and session state), switch to page `name`
    (the Radar is the app's first page) and fail on any exception the page raised."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for k, v in query.items():
        at.query_params[k] = v
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    if name != "radar":
        at.switch_page(f"scanner/ui/pages/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at
