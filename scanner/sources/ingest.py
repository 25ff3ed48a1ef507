"""Offline import: feed files (RSS, Atom, JSON Feed) and JSON Lines, into the store."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from scanner.errors import BadInput
from scanner.sources.parse import parse_feed, parse_jsonl
from scanner.store.items import StoreResult, store_items

KINDS = ("rss", "atom", "jsonfeed", "github-releases", "html", "file")
EVIDENCE = ("primary", "secondary")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
MAX_INGEST_BYTES = 100_000_000


def check_source_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise BadInput(f"source name {name!r}: use lower-case letters, digits, '.', '_' or '-'")
    return name


def register_source(
    con: Any,
    *,
    name: str,
    url: str | None,
    kind: str,
    org: str | None = None,
    evidence: str = "primary",
    reason: str | None = None,
    enabled: bool = True,
) -> bool:
    """Add a source if it is not there yet; returns whether it was added."""
    check_source_name(name)
    if kind not in KINDS:
        raise BadInput(f"kind {kind!r} is not one of: {', '.join(KINDS)}")
    if evidence not in EVIDENCE:
        raise BadInput(f"evidence {evidence!r} is not one of: {', '.join(EVIDENCE)}")
    if con.execute("SELECT 1 FROM sources WHERE name = ?", [name]).fetchone():
        return False
    con.execute(
        "INSERT INTO sources (name, url, kind, org, evidence, reason, enabled) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [name, url, kind, org, evidence, reason, enabled],
    )
    return True


def ingest_bytes(
    con: Any, data: bytes, *, source: str, where: str, org: str | None = None
) -> StoreResult:
    parsed = parse_feed(data, source=source, org=org)
    return store_items(con, parsed.items)


def read_path(path: Path) -> bytes:
    if not path.exists():
        raise BadInput(f"{path}: no such file")
    if path.is_dir():
        raise BadInput(f"{path}: is a directory")
    if path.stat().st_size > MAX_INGEST_BYTES:
        raise BadInput(f"{path}: larger than {MAX_INGEST_BYTES // 1_000_000} MB")
    try:
        data = path.read_bytes()
    except PermissionError as exc:
        raise BadInput(f"{path}: cannot read the file (permission denied)") from exc
    if not data.strip():
        raise BadInput(f"{path}: the file is empty")
    return data


def parse_path(path: Path, source: str | None) -> tuple[str, list[Any]]:
    """Parse one file completely (nothing is written until every file parsed)."""
    data = read_path(path)
    name = check_source_name(source or re.sub(r"[^a-z0-9._-]+", "-", path.stem.lower()).strip("-") or "file")
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        text = data.decode("utf-8", errors="strict") if _utf8(data, path) else ""
        # only "\n" ends a JSON Lines record: a JSON string may hold U+2028 and friends raw
        lines = [line.removesuffix("\r") for line in text.split("\n")]
        return name, parse_jsonl(lines, source=name, where=str(path))
    if b"\x00" in data[:4096]:
        raise BadInput(f"{path}: a binary file, not a feed")
    try:
        return name, parse_feed(data, source=name).items
    except BadInput as exc:
        raise BadInput(f"{path}: {str(exc).split(': ', 1)[-1]}") from exc


def _utf8(data: bytes, path: Path) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    return True


def ingest_paths(con: Any, paths: list[Path], source: str | None = None) -> StoreResult:
    parsed = [parse_path(p, source) for p in paths]
    total = StoreResult()
    for (name, items), path in zip(parsed, paths, strict=True):
        register_source(con, name=name, url=None, kind="file", reason=f"imported from {path.name}")
        total += store_items(con, items)
    return total
