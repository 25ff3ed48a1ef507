"""One scan at a time per database file."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scanner.errors import DatabaseBusy


@contextmanager
def scan_lock(db: Path, wait: float) -> Iterator[None]:
    """One scan at a time per database file; a second waits up to ``wait`` seconds."""
    db.parent.mkdir(parents=True, exist_ok=True)
    path = db.with_name(db.name + ".scan.lock")
    with open(path, "a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DatabaseBusy(
                        f"{db}: another scan is running and did not finish within {wait:.0f} s"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
