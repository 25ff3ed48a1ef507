"""The spec library: import a document as a new version, list, show, diff and remove."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner import store
from scanner.errors import BadInput
from scanner.progress import Progress, reporter
from scanner.records import Clause, SpecDocument
from scanner.sources.http import FetchError, check_url, fetch
from scanner.specs.html_spec import html_blocks
from scanner.specs.load import (
    decode,
    detect_format,
    digest_blocks,
    markdown_blocks,
    pdf_text,
    text_blocks,
)
from scanner.specs.split import assign_keys, blocks_to_clauses

MAX_SPEC_BYTES = 30_000_000
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise BadInput(
            f"spec name {name!r}: use lower-case letters, digits, '.', '_' or '-' (at most 80)"
        )
    return name


def read_source(path_or_url: str) -> tuple[bytes, str | None]:
    """The document's bytes, and its link when it came from the web."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", path_or_url):

        try:
            check_url(path_or_url)
            response = fetch(path_or_url)
        except FetchError as exc:
            raise BadInput(f"{path_or_url}: {exc.reason}") from exc
        return response.content, response.url
    path = Path(path_or_url)
    if not path.exists():
        raise BadInput(f"{path}: no such file")
    if path.is_dir():
        raise BadInput(f"{path}: is a directory, not a spec file")
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise BadInput(f"{path}: larger than {MAX_SPEC_BYTES // 1_000_000} MB")
        data = path.read_bytes()
    except PermissionError as exc:
        raise BadInput(f"{path}: cannot read the file (permission denied)") from exc
    if not data.strip():
        raise BadInput(f"{path}: the file is empty")
    return data, None


def parse_spec(
    data: bytes,
    *,
    where: str,
    name: str | None,
    version: str | None = None,
    link: str | None = None,
    title: str | None = None,
) -> SpecDocument:
    """Bytes of any supported format to a spec version with provisional clause keys."""
    fmt = detect_format(where, data)
    links = None
    is_digest = False
    if fmt == "pdf":
        blocks = text_blocks(pdf_text(data, where))
    else:
        text = decode(data, where)
        if fmt == "digest":
            meta, blocks, links = digest_blocks(text, where)
            is_digest = True
            name = name or meta.name
            version = version or meta.version
            link = link or meta.link
            title = title or meta.title
        elif fmt == "html":
            blocks = html_blocks(text)
        elif fmt == "markdown":
            blocks = markdown_blocks(text)
        else:
            blocks = text_blocks(text)
    if not name:
        raise BadInput(f"{where}: give the spec a name with --name")
    check_name(name)
    version = version or datetime.now(UTC).strftime("%Y-%m-%d")
    clauses = blocks_to_clauses(blocks, spec=name, version=version, base_link=link, links=links)
    if not clauses:
        raise BadInput(f"{where}: found no clauses (is it empty, or not a {fmt} document?)")
    return SpecDocument(
        name=name,
        version=version,
        title=title or name,
        link=link,
        origin=where,
        is_digest=is_digest,
        clauses=clauses,
    )


def import_spec(db: str | os.PathLike[str] | None, path_or_url: str, *, name: str | None,
                version: str | None = None, link: str | None = None,
                progress: Progress | None = None) -> SpecDocument:
    """Read, parse and store a spec file or page as a new version (what `specs add` does).

    Progress starts once the document has parsed: bad input leaves one line, the error's."""
    report = reporter(progress, "specs add")
    raw, fetched_link = read_source(path_or_url)
    doc = parse_spec(raw, where=path_or_url, name=name, version=version, link=link or fetched_link)
    report("storing", 0, len(doc.clauses), "clauses", f"parsed {len(raw):,} bytes into {len(doc.clauses)} clauses")
    with store.session(db) as con:
        doc = store_spec(con, doc)
    report("storing", len(doc.clauses), len(doc.clauses), "clauses",
           f"{doc.name} {doc.version}: {len(doc.clauses)} clauses", {"name": doc.name})
    return doc


def _clauses(con: Any, name: str, version: str) -> list[Clause]:
    rows = con.execute(
        "SELECT spec, version, clause_key, ordinal, section, text, link, content_hash "
        "FROM clauses WHERE spec = ? AND version = ? ORDER BY ordinal",
        [name, version],
    ).fetchall()
    return [Clause(*row) for row in rows]


def latest_version(con: Any, name: str) -> str | None:
    row = con.execute(
        "SELECT version FROM specs WHERE name = ? ORDER BY imported_at DESC, version DESC LIMIT 1",
        [name],
    ).fetchone()
    return row[0] if row else None


def store_spec(con: Any, doc: SpecDocument) -> SpecDocument:
    """Store a version, keyed against the spec's latest earlier version. Replaces the same
    version if it is imported again."""
    # a re-imported version keys against itself (its keys stay); a new one against the latest
    previous = _clauses(con, doc.name, doc.version)
    if not previous:
        previous_version = latest_version(con, doc.name)
        previous = _clauses(con, doc.name, previous_version) if previous_version else []
    keyed = assign_keys(doc.clauses, previous)
    con.execute("DELETE FROM clauses WHERE spec = ? AND version = ?", [doc.name, doc.version])
    con.execute("DELETE FROM specs WHERE name = ? AND version = ?", [doc.name, doc.version])
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute(
        "INSERT INTO specs VALUES (?, ?, ?, ?, ?, ?, ?)",
        [doc.name, doc.version, doc.title, doc.link, doc.origin, doc.is_digest, now],
    )
    con.executemany(
        "INSERT INTO clauses VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [c.spec, c.version, c.clause_key, c.ordinal, c.section, c.text, c.link, c.content_hash]
            for c in keyed
        ],
    )
    doc.clauses = keyed
    return doc


def list_specs(con: Any) -> list[dict[str, Any]]:
    rows = con.execute(
        """
        SELECT s.name, s.version, s.title, s.link, s.is_digest, s.imported_at,
               (SELECT count(*) FROM clauses c WHERE c.spec = s.name AND c.version = s.version)
        FROM specs s ORDER BY s.name, s.imported_at, s.version
        """
    ).fetchall()
    return [
        {
            "name": r[0],
            "version": r[1],
            "title": r[2],
            "link": r[3],
            "is_digest": r[4],
            "imported_at": r[5].isoformat(sep=" ", timespec="seconds"),
            "clauses": r[6],
        }
        for r in rows
    ]


def show_spec(con: Any, name: str, version: str | None = None) -> dict[str, Any]:
    version = version or latest_version(con, name)
    if not version:
        raise BadInput(f"no spec named {name!r} (see `wetcement specs list`)")
    head = con.execute(
        "SELECT title, link, is_digest FROM specs WHERE name = ? AND version = ?", [name, version]
    ).fetchone()
    if not head:
        raise BadInput(f"spec {name!r} has no version {version!r}")
    return {
        "name": name,
        "version": version,
        "title": head[0],
        "link": head[1],
        "is_digest": head[2],
        "clauses": [
            {"key": c.clause_key, "section": c.section, "text": c.text, "link": c.link}
            for c in _clauses(con, name, version)
        ],
    }


def remove_spec(con: Any, name: str, version: str | None = None) -> int:
    if not latest_version(con, name):
        raise BadInput(f"no spec named {name!r} (see `wetcement specs list`)")
    where, args = ("name = ?", [name]) if version is None else ("name = ? AND version = ?", [name, version])
    n = con.execute(f"SELECT count(*) FROM specs WHERE {where}", args).fetchone()[0]
    if not n:
        raise BadInput(f"spec {name!r} has no version {version!r}")
    con.execute(f"DELETE FROM clauses WHERE {where.replace('name', 'spec')}", args)
    con.execute(f"DELETE FROM specs WHERE {where}", args)
    return int(n)


@dataclass
class SpecDiff:
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[dict[str, Any]]
    unchanged: int


def diff_specs(con: Any, name: str, old: str, new: str) -> SpecDiff:
    for v in (old, new):
        if not con.execute(
            "SELECT 1 FROM specs WHERE name = ? AND version = ?", [name, v]
        ).fetchone():
            raise BadInput(f"spec {name!r} has no version {v!r} (see `wetcement specs list`)")
    before = {c.clause_key: c for c in _clauses(con, name, old)}
    after = {c.clause_key: c for c in _clauses(con, name, new)}
    added = [_c(after[k]) for k in after if k not in before]
    removed = [_c(before[k]) for k in before if k not in after]
    changed = [
        {**_c(after[k]), "old_text": before[k].text}
        for k in after
        if k in before and before[k].text != after[k].text
    ]
    unchanged = sum(1 for k in after if k in before and before[k].text == after[k].text)
    return SpecDiff(added, removed, changed, unchanged)


def _c(c: Clause) -> dict[str, Any]:
    return {"key": c.clause_key, "section": c.section, "text": c.text, "link": c.link}
