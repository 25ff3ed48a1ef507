"""`draft check`: a draft clause checked against the specs in scope."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scanner import store
from scanner.cli._common import _db, _out, _Parser
from scanner.embed import default_embedder
from scanner.errors import BadInput
from scanner.team.drafts import check_draft, check_latest_draft


def cmd_draft(args: argparse.Namespace) -> None:
    """`draft check CID [--text T | --file F]`: the draft-clause check (`scanner.team.drafts`); without
    a text, the latest saved version of the affordance's draft."""

    if args.text is not None and args.file is not None:
        raise BadInput("give --text or --file, not both")
    text = args.text
    if args.file is not None:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(f"{args.file}: cannot read the draft ({exc})") from None
    with store.session(_db(args)) as con:
        data = check_draft(con, args.id, text, default_embedder()) if text is not None else check_latest_draft(con, args.id, default_embedder())
    if data is None:
        raise BadInput(f"{args.id}: no saved draft; give --text or --file")
    _out(args, data, _draft_lines)


def _draft_lines(d: dict[str, Any]) -> str:
    lines = [f"{d['id']} {d['label']} · checked against {', '.join(d['scope']) or 'no spec'}"]
    cov = d["coverage"]
    if cov:
        lines.append(f"coverage now {cov['now']:.2f} ({cov['level_now']}) → if adopted {cov['if_adopted']:.2f} "
                     f"({cov['level_if_adopted']}); gap {cov['gap_now']:.2f} → {cov['gap_if_adopted']:.2f}")
        for spec, v in cov["per_spec"].items():
            lines.append(f"  {spec}: {v['now']:.2f} → {v['if_adopted']:.2f} ({v['level_if_adopted']})")
    if d["note"]:
        lines.append(d["note"])
    for c in d["duplicates"]:
        lines.append(f"possible duplicate ({c['similarity']:.2f}): {c['spec']}@{c['version']} · {c['section']}")
    for spec, clauses in d["nearest"].items():
        lines.append(f"nearest in {spec}:")
        lines += [f"  {c['similarity']:.2f} {c['section']}" for c in clauses]
    return "\n".join(lines)


def register(sub: Any, add: Any, common: argparse.ArgumentParser) -> None:
    p = add("draft", cmd_draft, "check a draft clause against the specs in scope")
    dsub = p.add_subparsers(dest="draft_command", required=True, parser_class=_Parser)
    c = dsub.add_parser("check", parents=[common])
    c.add_argument("id")
    c.add_argument("--text")
    c.add_argument("--file")
