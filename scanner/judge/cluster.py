"""Grouping items into affordances, incrementally, with ids that last.

Each affordance keeps a running centroid. A new item joins the closest affordance when the
similarity (adjusted for agreeing or clashing capabilities) clears ``JOIN``; otherwise it founds
a new one, whose id derives from the founding item, so the same data always yields the same ids.
Work is proportional to the new items: existing items are never revisited, except by an
explicit ``regroup``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

JOIN = 0.60  # measured on bench/quality.py: demo ARI 0.47 -> 0.61, cross-vendor pair recall 0.40 -> 0.61
SAME_CAPABILITY_BONUS = 0.30
OTHER_CAPABILITY_PENALTY = 0.10


@dataclass
class Group:
    id: str
    centroid: np.ndarray  # unit vector
    n: int
    capability: str | None
    capability_votes: dict[str, int] = field(default_factory=dict)

    def add(self, vector: np.ndarray, capability: str | None) -> None:
        total = self.centroid * self.n + vector
        self.n += 1
        norm = float(np.linalg.norm(total))
        self.centroid = (total / norm).astype(np.float32) if norm else self.centroid
        if capability:
            self.capability_votes[capability] = self.capability_votes.get(capability, 0) + 1
            self.capability = max(self.capability_votes.items(), key=lambda kv: (kv[1], kv[0]))[0]


@dataclass(frozen=True)
class NewItem:
    id: str
    vector: np.ndarray
    capability: str | None


def candidate_id(founding_item: str) -> str:
    return "aff-" + hashlib.sha256(founding_item.encode()).hexdigest()[:10]


def adjusted_similarity(groups: Sequence[Group], matrix: np.ndarray, item: NewItem) -> np.ndarray:
    sims = matrix @ item.vector
    if item.capability:
        for k, g in enumerate(groups):
            if g.capability == item.capability:
                sims[k] += SAME_CAPABILITY_BONUS
            elif g.capability is not None:
                sims[k] -= OTHER_CAPABILITY_PENALTY
    return sims


def assign(groups: list[Group], items: Sequence[NewItem], join: float = JOIN) -> dict[str, str]:
    """Place new items (already in a stable order) into ``groups``, which grow in place.

    Returns item id → candidate id.
    """
    out: dict[str, str] = {}
    matrix = np.stack([g.centroid for g in groups]) if groups else np.zeros((0, 1), np.float32)
    for item in items:
        best = -1
        if groups:
            sims = adjusted_similarity(groups, matrix, item)
            k = int(np.argmax(sims))
            if sims[k] >= join:
                best = k
        if best >= 0:
            group = groups[best]
            group.add(item.vector, item.capability)
            matrix[best] = group.centroid
        else:
            group = Group(candidate_id(item.id), item.vector.astype(np.float32), 0, None)
            group.add(item.vector, item.capability)
            group.n = 1
            groups.append(group)
            matrix = (
                np.vstack([matrix, group.centroid[None, :]])
                if matrix.shape[0]
                else group.centroid[None, :].copy()
            )
        out[item.id] = group.id
    return out


def map_regroup(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """After a full regrouping, map each new group to the old id it overlaps most, so that
    notes and decisions follow. Each old id is used once; the rest keep their new ids."""
    overlap: dict[tuple[str, str], int] = {}
    for item, new_id in new.items():
        old_id = old.get(item)
        if old_id:
            overlap[(new_id, old_id)] = overlap.get((new_id, old_id), 0) + 1
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for (new_id, old_id), _ in sorted(overlap.items(), key=lambda kv: (-kv[1], kv[0])):
        if new_id in mapping or old_id in used:
            continue
        mapping[new_id] = old_id
        used.add(old_id)
    return mapping


def central_index(vectors: np.ndarray) -> int:
    """The member closest to the group's mean: its title makes a readable label."""
    if len(vectors) == 0:
        return 0
    mean = vectors.mean(axis=0)
    return int(np.argmax(vectors @ mean))
