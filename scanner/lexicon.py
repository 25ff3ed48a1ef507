"""Transparent word matching: compiled lexicons that say which words they matched."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=512)
def compile_terms(terms: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(f"(?:{t})" for t in terms) + r")\b", re.IGNORECASE)


def matches(terms: tuple[str, ...], text: str) -> list[str]:
    """The distinct phrases of ``text`` that the lexicon matched, in order of appearance."""
    if not terms or not text:
        return []
    seen: dict[str, None] = {}
    for m in compile_terms(terms).finditer(text):
        seen.setdefault(m.group(0).lower(), None)
    return list(seen)


def count_any(terms: tuple[str, ...], texts: Iterable[str]) -> tuple[int, list[str]]:
    """How many texts match the lexicon, and the phrases matched across them."""
    n = 0
    phrases: dict[str, None] = {}
    for text in texts:
        found = matches(terms, text)
        if found:
            n += 1
            for f in found:
                phrases.setdefault(f, None)
    return n, list(phrases)


TOKEN = re.compile(r"[a-z0-9][a-z0-9\-]*[a-z0-9]|[a-z0-9]")
STOPWORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "has", "have", "how", "in", "into", "is", "it", "its", "of", "on", "or", "our", "that", "the", "their", "them", "then", "there", "these", "this", "to", "was", "we", "were", "what", "when", "which", "who", "will", "with", "you", "your", "new", "now", "more", "most", "also", "about", "than", "they", "should", "would", "could", "may", "might", "not", "no", "yes", "do", "does", "did", "just", "use", "using", "used", "via", "over", "any", "all", "each", "other", "such", "only", "own", "same", "so", "very"]
)


def tokens(text: str) -> list[str]:
    return [t for t in TOKEN.findall(text.lower()) if t not in STOPWORDS and len(t) > 1]
