"""Property tests (issue #7) for the three readers every byte from outside goes through:

* the feed normaliser, ``scanner.sources.parse.make_item``;
* the clause splitter, ``scanner.specs.load.markdown_blocks`` then
  ``scanner.specs.split.blocks_to_clauses``;
* the JSON Lines reader, ``scanner.sources.parse.parse_jsonl`` (and the file reader in front of
  it, ``scanner.sources.ingest.parse_path``).
"""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scanner.errors import BadInput
from scanner.sources.normalise import (
    MAX_SUMMARY,
    MAX_TITLE,
    content_hash,
    item_id,
    parse_date,
    plain_text,
)
from scanner.sources.parse import make_item, parse_jsonl

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEEN = datetime(2025, 6, 1, 12, 0, 0)


def clean(text: str) -> bool:
    """Plain visible text: no control, format (bidi, zero-width) or unassigned characters, no
    leading, trailing or doubled whitespace."""
    return (all(unicodedata.category(ch)[0] != "C" for ch in text)
            and text == text.strip() and "  " not in text
            and not any(ch.isspace() and ch != " " for ch in text))


# --- the feed normaliser -------------------------------------------------------------------

hostile_text = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet=st.sampled_from(list("ab <>/&;#x\"'=\u200b\u202e\u2066\x00\x07\x85\t\n é"))),
    st.builds(lambda a, b: f"<p>{a}</p><script>{b}</script>", st.text(), st.text()),
    st.builds(lambda n: "word " * n, st.integers(0, 3000)),
)
urls = st.one_of(
    st.none(), st.text(max_size=40),
    st.sampled_from(["javascript:alert(1)", "data:text/html,x", "ftp://x.example/", "//x.example/a",
                     "HTTPS://Example.COM:443/a?utm_source=x&b=2#top", "http://a.example/p#1.2",
                     "https://a.example/x y", "http://[::1]:80/", "https://", "http://a.example:99999/"]),
    st.builds(lambda host, path: f"https://{host}.example/{path}",
              st.text(alphabet="abc-", min_size=1, max_size=8), st.text(max_size=20)),
)
dates = st.one_of(
    st.none(), st.text(max_size=30),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2300, 1, 1)),
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
    st.sampled_from(["Mon, 06 Jan 2025 10:00:00 GMT", "2025-01-06", "January 6, 2025", "0001-01-01"]),
)


@SETTINGS
@given(title=hostile_text, summary=hostile_text, url=urls, guid=hostile_text, published=dates,
       org=hostile_text)
def test_make_item_always_yields_clean_bounded_fields(title: Any, summary: Any, url: Any, guid: Any,
                                                      published: Any, org: Any) -> None:
    item = make_item(title=title, summary=summary, url=url, guid=guid, published=published,
                     org=org, source="src", seen_at=SEEN)
    if item is None:
        assert plain_text(title, MAX_TITLE) == "" and plain_text(summary) == ""
        return
    assert 0 < len(item.title) <= MAX_TITLE and clean(item.title)
    assert len(item.summary) <= MAX_SUMMARY and clean(item.summary)
    assert item.org is None or clean(item.org)
    assert item.guid is None or (0 < len(item.guid) <= 500 and clean(item.guid))
    if item.url is not None:
        assert item.url.split("://", 1)[0] in ("http", "https") and "://" in item.url
    date = parse_date(published)
    assert item.date_missing == (date is None)
    assert item.published == (date if date is not None else SEEN)
    assert item.published.tzinfo is None and 1990 <= item.published.year <= 2200 or item.date_missing
    assert item.id == item_id(item.url, item.guid, item.title, "src")
    assert item.content_hash == content_hash(item.title, item.summary)
    again = make_item(title=title, summary=summary, url=url, guid=guid, published=published,
                      org=org, source="src", seen_at=SEEN)
    assert again == item  # deterministic: the same entry always gets the same id and text


@SETTINGS
@given(text=st.text(alphabet=st.characters(blacklist_characters="<>&"), max_size=300))
def test_plain_text_is_idempotent_on_text_without_markup(text: str) -> None:
    once = plain_text(text)
    assert plain_text(once) == once


# --- the clause splitter -------------------------------------------------------------------

VOCAB = ["the", "assistant", "must", "should", "never", "always", "ask", "user", "before", "it", "spends", "money", "remembers", "Memory", "Agents", "Voice", "Data", "Consent", "I", "A", "x", "y", "z", "ok", "Example", "example", "Notes"]
word = st.builds(lambda w, stop: w + ("." if stop else ""), st.sampled_from(VOCAB),
                 st.integers(0, 9).map(lambda n: n == 0))
paragraph = st.one_of(st.lists(word, min_size=1, max_size=30), st.lists(word, min_size=150, max_size=340))
block = st.tuples(st.sampled_from(["para", "item", "para-wrapped"]), paragraph)
section = st.tuples(st.integers(1, 4), st.lists(st.sampled_from(VOCAB), max_size=4),
                    st.lists(block, max_size=4))


def render_markdown(preamble: list[Any], sections: list[Any]) -> tuple[str, list[list[str]]]:
    lines: list[str] = []
    paragraphs: list[list[str]] = []

    def put(blocks: list[Any]) -> None:
        for kind, words in blocks:
            paragraphs.append(words)
            if kind == "item":
                lines.extend([f"- {' '.join(words)}", ""])
            elif kind == "para-wrapped":
                lines.extend([" ".join(words[i:i + 7]) for i in range(0, len(words), 7)] + [""])
            else:
                lines.extend([" ".join(words), ""])

    put(preamble)
    for level, heading, blocks in sections:
        lines.extend(["#" * level + " " + " ".join(heading), ""])
        put(blocks)
    return "\n".join(lines), paragraphs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(preamble=st.lists(block, max_size=2), sections=st.lists(section, max_size=6))
def test_splitter_keeps_every_word_in_order_under_its_headings_with_rising_ordinals(
        preamble: list[Any], sections: list[Any]) -> None:
    from scanner.specs.load import markdown_blocks
    from scanner.specs.split import SECTION_SEP, blocks_to_clauses

    text, _ = render_markdown(preamble, sections)
    clauses = blocks_to_clauses(markdown_blocks(text), spec="s", version="1", base_link="https://s.example/")
    assert [c.ordinal for c in clauses] == list(range(1, len(clauses) + 1))
    assert all(isinstance(c.section, str) and c.section for c in clauses)
    assert all(c.text.strip() for c in clauses)
    # every word of every non-empty paragraph, in document order, under its own heading path
    path: list[str] = []
    expected = [("(untitled)", w) for _, words in preamble for w in words]
    for level, heading, blocks in sections:
        path = path[: level - 1] + [""] * max(0, level - 1 - len(path)) + [" ".join(heading)]
        name = SECTION_SEP.join(p for p in path if p) or "(untitled)"
        expected += [(name, w) for _, words in blocks for w in words]
    assert [(c.section, w) for c in clauses for w in c.text.split()] == expected


# --- the JSON Lines reader -----------------------------------------------------------------

visible = st.text(min_size=1, max_size=80).filter(lambda t: plain_text(t, MAX_TITLE) != "")
records = st.fixed_dictionaries(
    {"title": visible,
     "published": st.datetimes(min_value=datetime(1990, 1, 2), max_value=datetime(2199, 12, 30)).map(
         lambda d: d.replace(microsecond=0).isoformat())},
    optional={
        "url": st.one_of(st.none(), urls.filter(lambda u: u is None or isinstance(u, str))),
        "summary": st.one_of(st.none(), st.text(max_size=200)),
        "org": st.one_of(st.none(), st.text(max_size=30)),
        "id": st.one_of(st.none(), st.text(max_size=30)),
        "extra": st.integers(),
    },
)


def expected_item(raw: dict[str, Any]) -> Any:
    return make_item(title=raw["title"], summary=raw.get("summary"), url=raw.get("url"),
                     guid=raw.get("id") if isinstance(raw.get("id"), str) else None,
                     published=parse_date(raw["published"]), org=raw.get("org"), source="file")


@SETTINGS
@given(rows=st.lists(records, max_size=12), blanks=st.lists(st.integers(0, 12), max_size=4))
def test_valid_jsonl_round_trips(rows: list[dict[str, Any]], blanks: list[int]) -> None:
    lines = [json.dumps(r) for r in rows]
    for at in sorted(blanks, reverse=True):
        lines.insert(min(at, len(lines)), "   ")
    items = parse_jsonl(lines, source="file", where="feed.jsonl")
    assert items == [expected_item(r) for r in rows]


bad_lines = st.one_of(
    st.text(min_size=1).filter(lambda t: t.strip() and not _is_json(t)),
    st.sampled_from(["[]", "3", '"title"', "null", "{", '{"title": "x", }', "{'title': 'x'}"]),
    st.builds(lambda r: json.dumps({k: v for k, v in r.items() if k != "title"}), records),
    st.builds(lambda r, t: json.dumps({**r, "title": t}), records,
              st.one_of(st.none(), st.integers(), st.just(""), st.just("   "), st.lists(st.text()))),
    st.builds(lambda r, d: json.dumps({**r, "published": d}), records,
              st.one_of(st.none(), st.integers(), st.sampled_from(["yesterday", "", "2025-13-45", "soon", "1899-12-31"]))),
    st.builds(lambda r, k, v: json.dumps({**r, k: v}), records, st.sampled_from(["url", "summary", "org"]),
              st.one_of(st.integers(), st.lists(st.integers()), st.dictionaries(st.text(), st.integers()))),
)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


@SETTINGS
@given(before=st.lists(records, max_size=6), bad=bad_lines, after=st.lists(records, max_size=3),
       blank_first=st.booleans())
def test_any_invalid_line_raises_bad_input_naming_it(before: list[dict[str, Any]], bad: str,
                                                     after: list[dict[str, Any]], blank_first: bool) -> None:
    lines = ([""] if blank_first else []) + [json.dumps(r) for r in before]
    number = len(lines) + 1
    lines += [bad] + [json.dumps(r) for r in after]
    with pytest.raises(BadInput) as caught:
        parse_jsonl(lines, source="file", where="feed.jsonl")
    assert str(caught.value).startswith(f"feed.jsonl:{number}: "), (str(caught.value), number)
    assert "\n" not in str(caught.value)


@SETTINGS
@given(rows=st.lists(records, min_size=1, max_size=6))
@example(rows=[{"title": "Line\u2028separator in a title", "published": "2025-01-01T00:00:00"}])
@example(rows=[{"title": "Next\x85line, file\x1cseparator", "summary": "para\u2029graph \x0b \x0c",
                "published": "2025-01-01T00:00:00"}])
def test_a_valid_jsonl_file_round_trips_through_the_file_reader(tmp_path_factory: pytest.TempPathFactory,
                                                                 rows: list[dict[str, Any]]) -> None:
    """Valid JSON may hold U+2028, U+0085, \\x1c... raw (ensure_ascii=False, jq): a line is a line
    only at \\n, not wherever str.splitlines() would break it."""
    from scanner.sources.ingest import parse_path

    path = Path(tmp_path_factory.mktemp("jsonl")) / "feed.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    name, items = parse_path(path, "file")
    assert name == "file"
    assert items == [expected_item(r) for r in rows]


@SETTINGS
@given(st.datetimes(min_value=datetime(1990, 1, 2), max_value=datetime(2199, 12, 30)),
       st.integers(-14, 14))
def test_parse_date_reads_any_iso_offset_as_naive_utc(when: datetime, hours: int) -> None:
    from datetime import timezone

    local = when.replace(microsecond=0, tzinfo=timezone(timedelta(hours=hours)))
    got = parse_date(local.isoformat())
    expected = local.astimezone(UTC).replace(tzinfo=None)
    assert got == (expected if 1990 <= expected.year <= 2200 else None)
