"""lacperf's own rules have stable codes, as the DfE's rules do: unique, of one form, each in docs/rules.md,
and carried by every problem row (the data-quality section counts by code, never by reading a sentence)."""

from __future__ import annotations

import re

from lacperf_helpers.config import paths
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.ingest import rules
from lacperf_helpers.ingest.validation import PROBLEM_COLUMNS, as_problems, problems_at


def test_every_code_is_unique_and_of_one_form() -> None:
    codes = [r.code for r in rules.CATALOGUE]
    assert len(codes) == len(set(codes)) == len(rules.CODES)
    assert all(re.fullmatch(r"LP\d{3}", c) for c in codes), codes
    assert len({r.text for r in rules.CATALOGUE}) == len(codes)  # no two rules say the same


def test_the_docs_table_lists_every_rule_as_the_catalogue_has_it() -> None:
    table = (paths.PROJECT_ROOT / "docs" / "rules.md").read_text()
    listed = dict(re.findall(r"^\| (LP\d{3}) \| (.+) \|$", table, flags=re.MULTILINE))
    assert listed == {r.code: r.text for r in rules.CATALOGUE}


def test_a_rule_with_fields_keeps_its_code() -> None:
    said = rules.NUMBER_GIVEN.of(column="denominator")
    assert (said.code, said.text) == ("LP004", "denominator is a number")
    assert rules.NUMBER_GIVEN.fields == ("column",)


def test_a_problem_row_carries_its_code() -> None:
    found = problems_at("r.csv", [2], "numerator", ["x"], rules.NUMBER_GIVEN.of(column="numerator"), "error")
    assert list(found.columns) == list(PROBLEM_COLUMNS)
    assert found[["rule", "code"]].values.tolist() == [["numerator is a number", "LP004"]]
    unreadable = as_problems(InputError("r.csv", "not a readable CSV file (bad quote)", row=3))
    assert unreadable[["rule", "code"]].values.tolist() == [["not a readable CSV file (bad quote)", "LP001"]]
