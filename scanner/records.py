"""Plain rows that flow through the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Item:
    """One announcement, normalised."""

    id: str
    url: str | None
    guid: str | None
    title: str
    summary: str
    org: str | None
    source: str
    published: datetime
    date_missing: bool
    content_hash: str

    @property
    def text(self) -> str:
        """What is embedded and matched: the title, then the summary when there is one."""
        return f"{self.title}. {self.summary}" if self.summary else self.title


@dataclass(frozen=True)
class Clause:
    """One clause of a spec version, with where it sits in the document."""

    spec: str
    version: str
    clause_key: str
    ordinal: int
    section: str
    text: str
    link: str | None
    content_hash: str = ""


@dataclass
class SpecDocument:
    """A spec version before it is stored."""

    name: str
    version: str
    title: str
    link: str | None
    origin: str
    is_digest: bool
    clauses: list[Clause] = field(default_factory=list)
