"""Browsing the store (scanner/browse.py): filters in SQL, pages of rows, search by meaning."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from scanner import store
from scanner.embed import MODEL_NAME, MiniLM
from scanner.errors import BadInput
from scanner.store.vectors import load_vectors
from scanner.taxonomy import CAPABILITIES
from scanner.views.browse import (
    Query,
    facets,
    fetch,
    item_matrix,
    matching_ids,
    rank_by_meaning,
    search,
)


@pytest.fixture(scope="module")
def con(demo_db_master: Path):
    with store.session(demo_db_master) as c:
        yield c


def everything(con, q: Query) -> list[dict]:
    rows, total = search(con, q, limit=10_000)
    assert len(rows) == total
    return rows


def test_facets_describe_the_store(con) -> None:
    f = facets(con)
    live = con.execute("SELECT count(*), min(published)::DATE, max(published)::DATE FROM items WHERE duplicate_of IS NULL").fetchall()[0]
    assert (f["items"], f["first"], f["last"]) == live
    assert f["orgs"] == sorted(f["orgs"]) and "OpenAI" in f["orgs"]
    assert set(f["sources"]) >= {r[0] for r in con.execute("SELECT DISTINCT source FROM items").fetchall()}
    sizes = [c["items"] for c in f["candidates"]]
    assert sizes == sorted(sizes, reverse=True) and sum(sizes) == con.execute("SELECT count(*) FROM assignments").fetchall()[0][0]


def test_words_match_title_or_summary_in_any_case_and_come_newest_first(con) -> None:
    rows = everything(con, Query(text="MEMORY"))
    assert rows and all("memory" in (r["title"] + con.execute(
        "SELECT summary FROM items WHERE id = ?", [r["id"]]).fetchall()[0][0]).lower() for r in rows)
    days = [r["published"] for r in rows]
    assert days == sorted(days, reverse=True)
    both = everything(con, Query(text="memory chatgpt"))
    assert 0 < len(both) < len(rows) and {r["id"] for r in both} <= {r["id"] for r in rows}
    # the text is a value, never SQL
    assert everything(con, Query(text="%' OR 1=1 --")) == []


def test_pages_cover_every_match_once(con) -> None:
    total = search(con, Query(), limit=0)[1]
    seen = []
    for offset in range(0, total, 70):
        page, n = search(con, Query(), limit=70, offset=offset)
        assert n == total
        seen += [r["id"] for r in page]
    assert len(seen) == len(set(seen)) == total
    with pytest.raises(BadInput):
        search(con, Query(), limit=-1)


def test_filters_on_organisation_source_dates_and_verdict(con) -> None:
    total = search(con, Query(), limit=0)[1]
    assert {r["org"] for r in everything(con, Query(orgs=("OpenAI", "Google")))} == {"OpenAI", "Google"}
    src = con.execute("SELECT source FROM items GROUP BY source ORDER BY count(*) DESC LIMIT 1").fetchall()[0][0]
    by_source = everything(con, Query(sources=(src,)))
    assert by_source and all(r["source"] == src or src in r["sources"] for r in by_source)
    span = everything(con, Query(start=date(2025, 6, 1), end=date(2025, 6, 30)))
    assert span and all("2025-06-01" <= r["published"][:10] <= "2025-06-30" for r in span)
    yes, no = everything(con, Query(affordance=True)), everything(con, Query(affordance=False))
    assert len(yes) + len(no) == total and all(r["is_affordance"] for r in yes)
    assert not any(r["is_affordance"] for r in no)


def test_domain_and_affordance_filters(con) -> None:
    rows = everything(con, Query(domains=("memory",)))
    in_domain = {c.slug for c in CAPABILITIES if "memory" in c.domains}
    assert rows and {r["capability"] for r in rows} <= in_domain
    group = facets(con)["candidates"][0]
    members = everything(con, Query(candidate=group["id"]))
    assert len(members) == group["items"] and {r["candidate_label"] for r in members} == {group["label"]}
    with pytest.raises(BadInput, match="unknown domain"):
        search(con, Query(domains=("nonsense",)))


def test_item_matrix_is_the_stored_vectors(con) -> None:
    ids, matrix = item_matrix(con, MODEL_NAME)
    assert matrix.shape == (len(ids), 384) and len(ids) == facets(con)["items"]
    hashes = [con.execute("SELECT content_hash FROM items WHERE id = ?", [i]).fetchall()[0][0] for i in ids[:25]]
    assert np.allclose(matrix[:25], load_vectors(con, hashes, MODEL_NAME))
    assert item_matrix(con, "no-such-model")[0] == []


def test_search_by_meaning_with_the_real_model(con) -> None:
    ids, matrix = item_matrix(con, MODEL_NAME)
    vector = MiniLM().encode(["the assistant keeps what you told it in earlier chats and uses it later"])[0]
    ranked = rank_by_meaning(vector, ids, matrix, k=5)
    sims = [s for _, s in ranked]
    assert sims == sorted(sims, reverse=True) and len(ranked) == 5
    rows = fetch(con, [i for i, _ in ranked])
    assert [r["id"] for r in rows] == [i for i, _ in ranked]
    assert sum(r["capability"] == "persistent-memory" for r in rows) >= 4, [r["title"] for r in rows]
    # the filters still hold, and k never exceeds what they keep
    keep = matching_ids(con, Query(orgs=("Google",)))
    ranked = rank_by_meaning(vector, ids, matrix, keep, k=10_000)
    assert len(ranked) == len(keep) and {r["org"] for r in fetch(con, [i for i, _ in ranked])} == {"Google"}
    assert rank_by_meaning(vector, ids, matrix, set(), k=5) == []
