"""Where the judgement models are read from: the shipped JSON files, or a team's own refit."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def model_path(name: str) -> Path:
    """A model file: from ``$WETCEMENT_JUDGE_MODELS`` when set (a team's own refit, made with
    ``bench/train.py``), else the one shipped in the package."""
    own = os.environ.get("WETCEMENT_JUDGE_MODELS")
    if own:
        return Path(own) / name
    return Path(str(resources.files("scanner.judge") / "models" / name))
