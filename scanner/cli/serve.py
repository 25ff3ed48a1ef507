"""`serve`: the dashboard."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from scanner import store
from scanner.cli._common import _db, _say


def cmd_serve(args: argparse.Namespace) -> None:
    app = Path(__file__).resolve().parents[2] / "app.py"
    db = _db(args).resolve()
    with store.session(db):
        pass  # create or migrate before the dashboard opens it
    env = {**os.environ, "WETCEMENT_DB": str(db), "HF_HUB_OFFLINE": "1"}
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(args.port), "--server.address", args.address,
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]
    _say(f"dashboard on http://{args.address}:{args.port} (database {db})")
    raise SystemExit(subprocess.call(cmd, env=env, cwd=str(app.parent)))


def register(sub: Any, add: Any, common: argparse.ArgumentParser) -> None:
    p = add("serve", cmd_serve, "start the dashboard")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1")
