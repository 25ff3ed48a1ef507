"""Progress of long work, as plain events that each edge shows in its own way.

The library only reports: ``fetch_sources``, ``scan``, ``load_demo`` and the spec import call a
``Progress`` callback with a `Step` at each phase and count. The command line draws a bar on a
terminal and writes plain lines elsewhere (``scanner.cli._progress``); the dashboard feeds
``st.status`` and ``st.progress`` (``scanner.ui.progress``); a caller that passes nothing sees
nothing. Any callable that takes a `Step` will do, so a new long command (a backtest, say)
reports through the same displays by calling `reporter`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Progress", "Report", "Step", "reporter"]


@dataclass(frozen=True)
class Step:
    """One moment of a long task.

    ``task`` is the work ("fetch", "scan", "demo", "specs add"); ``phase`` what it does now
    ("sources", "embedding", "judging", ...). ``total`` is None for a phase without a count;
    ``done`` counts ``unit`` s of ``total``. ``message`` is the line a log shows, and ``data``
    what a display may want besides (a source's fetch result, for one).
    """

    task: str
    phase: str
    done: int = 0
    total: int | None = None
    unit: str = ""
    message: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.message:
            return self.message
        if self.total is not None:
            return f"{self.phase} {self.done}/{self.total} {self.unit}".rstrip()
        return self.phase


Progress = Callable[[Step], None]


class Report:
    """A task's way to report: ``report(phase, done, total, unit, message, data)``; a no-op
    when nobody listens."""

    def __init__(self, progress: Progress | None, task: str) -> None:
        self.progress = progress
        self.task = task

    def __call__(self, phase: str, done: int = 0, total: int | None = None, unit: str = "",
                 message: str = "", data: Mapping[str, Any] | None = None) -> None:
        if self.progress is not None:
            self.progress(Step(self.task, phase, done, total, unit, message, data or {}))


def reporter(progress: Progress | None, task: str) -> Report:
    """The `Report` of ``task`` that sends its steps to ``progress`` (None: to nobody)."""
    return Report(progress, task)
