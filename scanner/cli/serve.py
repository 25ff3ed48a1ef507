"""`serve`: the dashboard.

The default is one person on 127.0.0.1, who may write and signs with the name they type.
For a team server, ``--read-only`` shows everything and takes no changes, and ``--auth header``
trusts the identity header an authenticating reverse proxy sets (`scanner.ui.access` decides;
the mode reaches the dashboard process through the environment).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from scanner import store
from scanner.cli._common import _db, _say
from scanner.errors import BadInput

DEFAULT_AUTH_HEADER = "X-Forwarded-Email"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


def access_env(args: argparse.Namespace) -> dict[str, str]:
    """The environment that tells the dashboard who may write (`scanner.ui.access`)."""
    if args.auth_header is not None and args.auth != "header":
        raise BadInput("--auth-header needs --auth header")
    header = args.auth_header or DEFAULT_AUTH_HEADER
    if not _HEADER_NAME.match(header):
        raise BadInput(f"--auth-header {header!r} is not a header name (letters, digits and '-')")
    return {
        "WETCEMENT_READ_ONLY": "1" if args.read_only else "",
        "WETCEMENT_AUTH": args.auth or "",
        "WETCEMENT_AUTH_HEADER": header if args.auth == "header" else "",
    }


def cmd_serve(args: argparse.Namespace) -> None:
    app = Path(__file__).resolve().parents[2] / "app.py"
    mode = access_env(args)
    db = _db(args).resolve()
    with store.session(db):
        pass  # create or migrate before the dashboard opens it
    env = {**os.environ, "WETCEMENT_DB": str(db), "HF_HUB_OFFLINE": "1", **mode}
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(args.port), "--server.address", args.address,
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]
    if args.auth == "header" and args.address not in LOOPBACK:
        print(
            f"wetcement: warning: --auth header trusts the {mode['WETCEMENT_AUTH_HEADER']} header from anyone "
            f"who reaches {args.address}:{args.port}; make the sign-in proxy the only way in "
            "(or bind to 127.0.0.1 behind it)",
            file=sys.stderr, flush=True,
        )
    how = "read-only" if args.read_only else (
        f"writes signed by the {mode['WETCEMENT_AUTH_HEADER']} header" if args.auth == "header" else "")
    _say(f"dashboard on http://{args.address}:{args.port} (database {db}" + (f"; {how})" if how else ")"))
    raise SystemExit(subprocess.call(cmd, env=env, cwd=str(app.parent)))


def register(sub: Any, add: Any, common: argparse.ArgumentParser) -> None:
    p = add("serve", cmd_serve, "start the dashboard")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--read-only", action="store_true",
                   help="show everything, take no changes: no page shows a write widget")
    p.add_argument("--auth", choices=["header"], default=None,
                   help="header: trust the identity header set by an authenticating reverse proxy; "
                        "without it, nobody may write")
    p.add_argument("--auth-header", default=None, metavar="NAME",
                   help=f"the header that names the signed-in person (default {DEFAULT_AUTH_HEADER})")
