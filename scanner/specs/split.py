"""Blocks to clauses, and clause identities that last across versions.

A clause is a paragraph or a list item under its heading path. Fragments shorter than
``MIN_WORDS`` merge with their neighbours in the same section, passages longer than
``MAX_WORDS`` split at sentence ends, and worked examples and commentary stay attached to the
rule they illustrate (the clause before them in the same section).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Sequence
from dataclasses import replace

from scanner.records import Clause
from scanner.specs.load import Block

MIN_WORDS = 18
MAX_WORDS = 220
EXAMPLE_CHARS = 280
SECTION_SEP = " > "


def _words(text: str) -> int:
    return len(text.split())


def _split_long(text: str) -> list[str]:
    if _words(text) <= MAX_WORDS:
        return [text]
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])", text)
    pieces: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        current.append(sentence)
        if _words(" ".join(current)) >= MAX_WORDS * 0.7:
            pieces.append(" ".join(current))
            current = []
    if current:
        if pieces and _words(" ".join(current)) < MIN_WORDS:
            pieces[-1] += " " + " ".join(current)
        else:
            pieces.append(" ".join(current))
    # a single sentence that is still too long: cut by words
    out: list[str] = []
    for piece in pieces:
        words = piece.split()
        while len(words) > MAX_WORDS * 1.5:
            out.append(" ".join(words[:MAX_WORDS]))
            words = words[MAX_WORDS:]
        out.append(" ".join(words))
    return out


def section_path(path: Sequence[str]) -> str:
    return SECTION_SEP.join(p for p in path if p) or "(untitled)"


def blocks_to_clauses(
    blocks: Sequence[Block],
    *,
    spec: str,
    version: str,
    base_link: str | None,
    links: Sequence[str | None] | None = None,
) -> list[Clause]:
    """Group blocks into clauses (keys are provisional: see :func:`assign_keys`)."""
    drafts: list[dict[str, object]] = []  # section, anchor, text, link, examples

    for i, block in enumerate(blocks):
        section = section_path(block.path)
        link = links[i] if links else None
        if link is None and base_link:
            link = f"{base_link.split('#')[0]}#{block.anchor}" if block.anchor else base_link
        last = drafts[-1] if drafts else None
        same_section = last is not None and last["section"] == section
        if block.kind in ("example", "note"):
            if same_section and last is not None:
                examples = last["examples"]
                assert isinstance(examples, list)
                examples.append(block.text)
                continue
            if block.kind == "example":
                continue  # an example with no rule before it illustrates nothing we can cite
        if (
            same_section
            and last is not None
            and not last["examples"]
            and (_words(str(last["text"])) < MIN_WORDS or (block.kind == "item" and last["kind"] == "item" and _words(str(last["text"])) < 40))
        ):
            last["text"] = f"{last['text']} {block.text}"
            last["kind"] = block.kind
            continue
        drafts.append(
            {"section": section, "text": block.text, "link": link, "examples": [], "kind": block.kind}
        )

    clauses: list[Clause] = []
    ordinal = 0
    for draft in drafts:
        examples = draft["examples"]
        assert isinstance(examples, list)
        for piece_no, piece in enumerate(_split_long(str(draft["text"]))):
            text = piece
            if piece_no == 0 and examples:
                shown = " ".join(examples)[:EXAMPLE_CHARS].rsplit(" ", 1)[0]
                text = f"{piece} [Example: {shown}…]"
            ordinal += 1
            clauses.append(
                Clause(
                    spec=spec,
                    version=version,
                    clause_key="",
                    ordinal=ordinal,
                    section=str(draft["section"]),
                    text=text,
                    link=draft["link"] if isinstance(draft["link"], str) else None,
                    content_hash=hashlib.sha256(text.encode()).hexdigest()[:32],
                )
            )
    return clauses


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _fresh_key(clause: Clause, taken: set[str]) -> str:
    base = hashlib.sha256(f"{clause.section}\n{_norm(clause.text)[:200]}".encode()).hexdigest()[:12]
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def assign_keys(clauses: Sequence[Clause], previous: Sequence[Clause] = ()) -> list[Clause]:
    """Give each clause a key that it keeps across versions.

    A clause whose text is unchanged keeps its predecessor's key wherever it moved; a clause
    whose text changed keeps the key of the most similar clause of the previous version in the
    same section (similarity ≥ 0.5); anything else is new.
    """

    by_text: dict[str, str] = {}
    for old in previous:
        by_text.setdefault(_norm(old.text), old.clause_key)
    by_section: dict[str, list[Clause]] = {}
    for old in previous:
        by_section.setdefault(old.section, []).append(old)
    taken: set[str] = set()
    keyed: list[Clause | None] = [None] * len(clauses)
    # exact matches first, so that a changed clause cannot steal an unchanged one's key
    for i, clause in enumerate(clauses):
        key = by_text.get(_norm(clause.text))
        if key and key not in taken:
            taken.add(key)
            keyed[i] = replace(clause, clause_key=key)
    for i, clause in enumerate(clauses):
        if keyed[i] is not None:
            continue
        best, best_ratio = None, 0.5
        for old in by_section.get(clause.section, []):
            if old.clause_key in taken:
                continue
            ratio = difflib.SequenceMatcher(None, _norm(old.text), _norm(clause.text)).quick_ratio()
            if ratio > best_ratio:
                ratio = difflib.SequenceMatcher(None, _norm(old.text), _norm(clause.text)).ratio()
                if ratio > best_ratio:
                    best, best_ratio = old, ratio
        key = best.clause_key if best else _fresh_key(clause, taken)
        taken.add(key)
        keyed[i] = replace(clause, clause_key=key)
    return [c for c in keyed if c is not None]
