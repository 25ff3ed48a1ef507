"""Progress on stderr for the long commands: a bar on a terminal, plain lines elsewhere.

On a terminal (stderr is a tty and TERM is not "dumb") each phase of each task is a rich bar
with its count, rate and time left, and messages print above the bars. Piped or redirected,
every step is one plain line, ``"scan: embedded 512/1200 texts"``, which a log keeps and a
test can wait for. ``--quiet`` shows nothing. Stdout is never touched: the data a command
prints stays clean for ``--format json``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.text import Text

from scanner.progress import Progress, Step


class _Rate(ProgressColumn):
    """Units per second, in the task's own unit."""

    def render(self, task: Any) -> Text:
        speed = task.finished_speed or task.speed
        if task.total is None or not speed:
            return Text("")
        return Text(f"{speed:,.1f} {task.fields.get('unit', '')}/s", style="progress.data.speed")


def _lines(stream: IO[str]) -> Progress:
    def show(step: Step) -> None:
        stream.write(f"{step.task}: {step}\n")
        stream.flush()

    return show


class _Bars:
    """One rich bar per (task, phase); a phase without a count is a spinner until the next."""

    def __init__(self, stream: IO[str]) -> None:
        console = Console(file=stream, force_terminal=True, highlight=False)
        self.rich = RichProgress(
            SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
            MofNCompleteColumn(), TaskProgressColumn(), _Rate(), TimeRemainingColumn(),
            console=console, transient=False, redirect_stdout=False,  # stdout is the data's alone
        )
        self.ids: dict[tuple[str, str], Any] = {}
        self.current: dict[str, tuple[str, str]] = {}

    def __call__(self, step: Step) -> None:
        key = (step.task, step.phase)
        before = self.current.get(step.task)
        if before is not None and before != key:
            self._finish(before)
        if key not in self.ids:
            self.ids[key] = self.rich.add_task(f"{step.task}: {step.phase}", total=step.total, unit=step.unit)
        self.current[step.task] = key
        if step.total is not None:
            self.rich.update(self.ids[key], completed=step.done, total=step.total)
        if step.message and (step.total is None or step.data):
            self.rich.console.print(f"[dim]{step.task}:[/dim] {step.message}", markup=True, highlight=False)

    def _finish(self, key: tuple[str, str]) -> None:
        task = self.rich.tasks[[t.id for t in self.rich.tasks].index(self.ids[key])]
        total = task.total if task.total is not None else 1
        self.rich.update(self.ids[key], total=total, completed=total)

    def close(self) -> None:
        for key in list(self.current.values()):
            self._finish(key)
        self.rich.stop()


def mode(quiet: bool, stream: IO[str] | None = None) -> str:
    """"quiet", "bar" (a terminal) or "lines"."""
    stream = stream or sys.stderr
    if quiet:
        return "quiet"
    tty = hasattr(stream, "isatty") and stream.isatty()
    return "bar" if tty and os.environ.get("TERM", "") != "dumb" else "lines"


@contextmanager
def shown(args: argparse.Namespace, stream: IO[str] | None = None) -> Iterator[Progress]:
    """The progress callback for a command, shown as ``--quiet`` and the terminal say."""
    stream = stream or sys.stderr
    how = mode(bool(getattr(args, "quiet", False)), stream)
    if how == "quiet":
        yield lambda _step: None
        return
    if how == "lines":
        yield _lines(stream)
        return
    bars = _Bars(stream)
    bars.rich.start()
    try:
        yield bars
    finally:
        bars.close()


def note(args: argparse.Namespace, message: str) -> None:
    """A one-off remark of a long command (silenced by ``--quiet``), on stderr."""
    if not getattr(args, "quiet", False):
        print(f"· {message}", file=sys.stderr, flush=True)
