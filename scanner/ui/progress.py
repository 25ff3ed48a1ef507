"""Long work in the dashboard: ``st.status`` with one ``st.progress`` bar per task, fed by the
same `scanner.progress` steps that the command line shows as bars or lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scanner.progress import Step


class StatusProgress:
    """A `scanner.progress.Progress` callback that draws into an open ``st.status`` box.

    Each task gets a bar (its count and unit as the bar's text); a step without a count shows
    as the box's label. ``on_step`` may add more for a step (a fetch result's line, say).
    """

    def __init__(self, box: Any, on_step: Callable[[Step], None] | None = None) -> None:
        self.box = box
        self.on_step = on_step
        self.bars: dict[str, Any] = {}

    def __call__(self, step: Step) -> None:
        if step.total is not None:
            if step.task not in self.bars:
                self.bars[step.task] = self.box.progress(0.0)
            share = step.done / step.total if step.total else 1.0
            self.bars[step.task].progress(min(1.0, share), text=f"{step.task}: {step.phase}, "
                                          f"{step.done} of {step.total} {step.unit}".rstrip())
        else:
            self.box.update(label=f"{step.task}: {step}…")
        if self.on_step is not None:
            self.on_step(step)

    def clear(self) -> None:
        """Remove the bars (when the box's final label says it all)."""
        for bar in self.bars.values():
            bar.empty()
