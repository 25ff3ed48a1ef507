from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from scanner.sources.normalise import canonical_url, org_from_url, parse_date, plain_text


def test_canonical_url_strips_tracking_and_fragment() -> None:
    assert (
        canonical_url("HTTPS://Example.COM:443/a?utm_source=x&b=2&a=1&fbclid=z#top")
        == "https://example.com/a?a=1&b=2"
    )
    assert canonical_url("http://example.com") == "http://example.com/"
    assert canonical_url("https://windsurf.com/changelog#1.12.2") == "https://windsurf.com/changelog#1.12.2"
    assert canonical_url("https://a.example/p#:~:text=hello") == "https://a.example/p"
    assert canonical_url("javascript:alert(1)") is None
    assert canonical_url("file:///etc/passwd") is None
    assert canonical_url("ftp://example.com/x") is None


@given(st.text())
def test_canonical_url_is_http_or_none(text: str) -> None:
    out = canonical_url(text)
    assert out is None or out.startswith(("http://", "https://"))


@given(st.sampled_from(["https://a.example/p?utm_medium=m&q=1", "http://B.example/x#y"]))
def test_canonical_url_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


def test_dates_become_naive_utc() -> None:
    assert parse_date("Tue, 13 Feb 2024 17:00:00 +0100") == datetime(2024, 2, 13, 16, 0)
    assert parse_date("2025-01-02T10:30:00-05:00") == datetime(2025, 1, 2, 15, 30)
    assert parse_date("2025-01-02") == datetime(2025, 1, 2)
    assert parse_date("not a date") is None
    assert parse_date("0001-01-01") is None


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2200, 1, 1)))
def test_iso_dates_round_trip(dt: datetime) -> None:
    assert parse_date(dt.isoformat()) == dt.replace(microsecond=0)


@given(st.text(max_size=300))
def test_plain_text_has_no_controls_or_invisible_characters(text: str) -> None:
    out = plain_text(text)
    assert "\u202e" not in out and "\u200b" not in out
    assert all(ch == " " or ch.isprintable() for ch in out)
    assert out == out.strip()


def test_plain_text_caps_megabyte_titles() -> None:
    assert len(plain_text("x" * 2_000_000, 400)) == 400


def test_org_from_url() -> None:
    assert org_from_url("https://www.anthropic.com/news/x") == "Anthropic"
    assert org_from_url("https://blog.google/technology/ai/") == "Google"
    assert org_from_url("https://unknown-lab.io/post") == "Unknown-lab"
