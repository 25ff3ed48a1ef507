"""Text features that generalise across feeds: word terms (title terms marked apart) and the
shape of the text. Shared by training (``bench/train.py``) and inference, so both see the same
tokens. Which text of an item is read (the summary, or the article's full text when it was
fetched) is decided here too (`body`)."""

from __future__ import annotations

import math
import re
from collections import Counter

from scanner.lexicon import STOPWORDS

WORD = re.compile(r"[a-z][a-z0-9+\-]*[a-z0-9+]|[a-z]")
DIGITS = re.compile(r"\d+")
BODY_CHARS = 1500  # a release note can run to 18,000 characters; its opening says what it is
VERSION = re.compile(r"\bv?\d+(?:\.\d+)+\b")
SHAPE_NAMES = (
    "has_summary",
    "title_words",
    "summary_words",
    "title_version",
    "title_question",
    "title_colon",
    "title_digits",
)


FULL_TEXT_CHARS = BODY_CHARS  # an article's opening says what it is; the embedder reads ~256 tokens
BODY_SQL = f"coalesce(left(i.full_text, {FULL_TEXT_CHARS}), i.summary)"
"""`body` in SQL over ``items i``, for the scan's queries: the same rule, the same characters."""


def body(summary: str, full_text: str | None) -> str:
    """What the judge reads after an item's title: the opening of the article's full text when
    it was fetched (`scanner.sources.fulltext`), else the feed's summary."""
    return full_text[:FULL_TEXT_CHARS] if full_text else summary


def item_text(title: str, summary: str, full_text: str | None = None) -> str:
    """The text that is embedded: the title, then `body` when there is one."""
    rest = body(summary, full_text)
    return f"{title}. {rest}" if rest else title


def words(text: str) -> list[str]:
    text = DIGITS.sub("0", text.lower())
    return [w for w in WORD.findall(text) if w not in STOPWORDS and len(w) > 1]


def terms(title: str, summary: str) -> Counter[str]:
    """Title words (``t:``), title word pairs (``t2:``) and summary words, counted."""
    t = words(title)
    out: Counter[str] = Counter(f"t:{w}" for w in t)
    out.update(f"t2:{a}_{b}" for a, b in zip(t, t[1:], strict=False))
    out.update(words(summary[:BODY_CHARS]))
    return out


def shape(title: str, summary: str) -> list[float]:
    """What the text looks like, whatever it says (see ``SHAPE_NAMES``)."""
    tw = len(title.split())
    sw = len(summary.split())
    return [
        1.0 if sw else 0.0,
        math.log1p(tw),
        math.log1p(sw),
        1.0 if VERSION.search(title) else 0.0,
        1.0 if "?" in title else 0.0,
        1.0 if ":" in title else 0.0,
        1.0 if any(c.isdigit() for c in title) else 0.0,
    ]


def tfidf(counts: Counter[str], vocab: dict[str, int], idf: list[float]) -> dict[int, float]:
    """Sublinear term frequency times idf, unit length, over the vocabulary's terms only."""
    row = {vocab[t]: (1.0 + math.log(c)) * idf[vocab[t]] for t, c in counts.items() if t in vocab}
    norm = math.sqrt(sum(v * v for v in row.values()))
    return {k: v / norm for k, v in row.items()} if norm else {}
