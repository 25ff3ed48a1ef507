"""The prototype texts a scan embeds beside the items (affordance, routine, capability and domain
prototypes of the taxonomy), and their vectors from the cache."""

from __future__ import annotations

from typing import Any

import numpy as np

from scanner.judge.classify import Prototypes
from scanner.sources.normalise import content_hash
from scanner.store.vectors import load_vectors
from scanner.taxonomy import AFFORDANCE_PROTOTYPES, CAPABILITIES, DOMAINS, NON_AFFORDANCE_PROTOTYPES


def prototype_texts() -> dict[str, list[str]]:
    return {
        "affordance": list(AFFORDANCE_PROTOTYPES),
        "routine": list(NON_AFFORDANCE_PROTOTYPES),
        "capabilities": [c.prototype for c in CAPABILITIES],
        "domains": [d.prototype for d in DOMAINS],
    }


def text_hash(text: str) -> str:
    """The cache key of a text that is not an item (a prototype, a domain, a draft)."""
    return content_hash(text, "")


def load_prototypes(con: Any, model: str) -> tuple[Prototypes, np.ndarray]:
    """The classifier's prototypes, and the domain prototypes' vectors."""
    t = prototype_texts()

    def load(texts: list[str]) -> np.ndarray:
        return load_vectors(con, [text_hash(x) for x in texts], model)

    return (
        Prototypes(load(t["affordance"]), load(t["routine"]), load(t["capabilities"])),
        load(t["domains"]),
    )
