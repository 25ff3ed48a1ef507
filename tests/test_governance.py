"""Who already governs an affordance: coverage per spec for every spec in scope, the sentence
the Candidate page shows, and the Coverage page's matrix."""

from __future__ import annotations

from pathlib import Path

from scanner import store
from scanner.scanning.editions import list_editions
from scanner.views.governance import cell_level, governed_line, matrix_table, spec_matrix
from scanner.views.report import candidates


def test_every_candidate_is_measured_against_every_spec_in_scope(demo_db_master: Path) -> None:
    with store.session(demo_db_master) as con:
        rows = candidates(con, with_items=False)
        scope = set(list_editions(con)[-1]["specs"])
    assert len(scope) >= 2 and rows
    levels = set()
    for r in rows:
        assert set(r["coverage_by_spec"]) == scope
        for entry in r["coverage_by_spec"].values():
            assert entry["level"] in ("governs", "partly", "open") and 0 <= entry["value"] <= 1
            levels.add(entry["level"])
            assert entry["level"] == "open" or entry["clauses"]
        line = governed_line(r["coverage_by_spec"])
        assert all(spec in line for spec in scope)
    assert "open" in levels  # the specs that say nothing are listed too


def test_the_sentence_names_each_level_and_the_deciding_clause() -> None:
    cov = {
        "b@2": {"value": 0.5, "level": "partly", "clauses": [{"section": "Tools > Payments", "clause_key": "k2"}]},
        "a@1": {"value": 0.9, "level": "governs", "clauses": [{"section": "Stay in bounds > Privacy", "clause_key": "k1"}]},
        "c@3": {"value": 0.1, "level": "open", "clauses": [{"section": "Other", "clause_key": "k3"}]},
    }
    assert governed_line(cov) == "Governed by a@1 §Privacy, partly by b@2 §Payments, not by c@3."
    del cov["a@1"]
    assert governed_line(cov) == "Partly governed by b@2 §Payments, not by c@3."
    assert governed_line({"c@3": cov["c@3"]}) == "Governed by none of the specs in scope (c@3)."
    assert "No spec" in governed_line({})
    assert cell_level({"value": 0.99}) == "governs" and cell_level({"value": 0.0}) == "open"


def test_the_matrix_has_a_cell_per_affordance_and_spec(demo_db_master: Path) -> None:
    with store.session(demo_db_master) as con:
        rows = candidates(con, with_items=False)
    matrix = spec_matrix(rows, 5)
    assert [r["id"] for r in matrix["rows"]] == [r["id"] for r in rows[:5]]
    assert matrix["specs"] == sorted(rows[0]["coverage_by_spec"])
    table = matrix_table(matrix)
    for row, cand in zip(table, rows, strict=False):
        for spec in matrix["specs"]:
            level, value = row[spec].split(" ")
            assert level == cand["coverage_by_spec"][spec]["level"]
            assert float(value) == round(cand["coverage_by_spec"][spec]["value"], 2)
