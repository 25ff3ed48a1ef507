"""The version of the judgement: a short hash of the shipped model files. Every stored verdict
and every edition carries it, and a scan re-judges what an older version decided."""

from __future__ import annotations

import hashlib
from functools import cache

from scanner.judge.affordance import MODEL_FILE as AFFORDANCE_FILE
from scanner.judge.affordance import load_affordance_model
from scanner.judge.files import model_path
from scanner.judge.governs import MODEL_FILE as GOVERNS_FILE
from scanner.judge.governs import load_governs_model


@cache
def judge_version() -> str:
    digest = hashlib.sha256()
    for name in (AFFORDANCE_FILE, GOVERNS_FILE):
        digest.update(model_path(name).read_bytes())
    return "j-" + digest.hexdigest()[:10]


def clear_caches() -> None:
    """Forget the loaded models (after ``$WETCEMENT_JUDGE_MODELS`` changed)."""
    load_affordance_model.cache_clear()
    load_governs_model.cache_clear()
    judge_version.cache_clear()
