"""What the UI tests share: CSS selectors for keyed widgets, and the demo database.

Streamlit gives every element created with ``key="k"`` the class ``st-key-k``; the browser
tests find widgets only through these helpers, so a renamed key breaks in one place.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WETCEMENT = str(Path(sys.executable).with_name("wetcement"))


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
    return f"{key(name)} [data-baseweb='select']"


def option(label: str) -> str:
    """An option of the open select box's list."""
    return f"[data-baseweb='popover'] li[role='option']:has-text('{label}')"


def open_candidate(cid: str) -> str:
    """The Radar's link to a candidate's page."""
    return f"{key('open_' + cid)} a"


EXCEPTION = "[data-testid='stException']"
APP_READY = "[data-testid='stAppViewContainer']"
RUNNING = "[data-testid='stStatusWidget']"


def demo_database(tmp_path_factory: object) -> Path:
    """The bundled demo, built once per test session (about 30 s) and reused by every module.

    Tests copy it (:func:`fresh_copy`) before writing.
    """
    base = Path(tmp_path_factory.getbasetemp()) / "ui-demo"  # type: ignore[attr-defined]
    db = base / "demo.duckdb"
    if not db.exists():
        base.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        env.pop("WETCEMENT_DB", None)
        subprocess.run(
            [WETCEMENT, "--db", str(base / "building.duckdb"), "demo"],
            check=True, env=env, cwd=ROOT, capture_output=True, timeout=600,
        )
        (base / "building.duckdb").rename(db)
    return db


def fresh_copy(db: Path, where: Path) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    out = where / "wetcement.duckdb"
    shutil.copyfile(db, out)
    return out
