"""The two learned judgements, as pure functions over rows and vectors (no DuckDB, no model).

- ``affordance``: is this item a new capability? A calibrated probability per item.
- ``governs``: does a spec govern what the item introduces? A calibrated value per (item, spec),
  with the clauses that produced it as evidence.
- ``team``: the team's own verdicts, as a per-database adjustment on top of the shipped models.

The shipped models are small JSON files in ``models/``, written by ``bench/train.py``
(``make train``) from the labelled sets in ``bench/data/``. ``JUDGE_VERSION`` names them; a
scan re-judges stored items whose verdicts carry another version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scanner.judge.affordance import AffordanceModel, load_affordance_model
from scanner.judge.governs import GovernsModel, load_governs_model
from scanner.judge.version import judge_version


@dataclass(frozen=True)
class Judges:
    """The models a scan judges with. ``affordance`` picks the model for an item's source (the
    shipped one for every source, unless a bench cross-fits); ``version`` is stored with every
    verdict they produce."""

    affordance: Callable[[str | None], AffordanceModel]
    governs: GovernsModel
    version: str


def shipped_judges(embedder: str | None = None) -> Judges:
    """The shipped models, for vectors of the embedding model ``embedder`` (see
    ``AffordanceModel.for_embedder``); the version says which variant judged."""
    model = load_affordance_model()
    chosen = model.for_embedder(embedder) if embedder else model
    version = judge_version() + ("-text" if chosen is not model else "")
    return Judges(lambda _source: chosen, load_governs_model(), version)

__all__ = [
    "AffordanceModel",
    "Judges",
    "shipped_judges",
    "GovernsModel",
    "judge_version",
    "load_affordance_model",
    "load_governs_model",
]
