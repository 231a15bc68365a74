"""The DfE's own SSDA903 rules (csc-validator-be-903), run in their own environment, on the validator's
published fake data (tests/data/903-validator-fake: placed_for_adoption_errors.csv holds wrong rows) and on
the sample. Each expected failure below is checked by hand against the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config import paths
from lacperf_helpers.ingest import dfe_rules
from tests.conftest import SAMPLE_MONTH

FAKE = Path(__file__).parent / "data" / "903-validator-fake"


@pytest.mark.parametrize(
    ("month", "ruleset"), [("2019-09", "lac2019_20"), ("2020-03", "lac2019_20"), ("2020-04", "lac2020_21")]
)
def test_a_month_takes_the_rules_of_its_collection_year(month: str, ruleset: str) -> None:
    assert dfe_rules.ruleset(month) == ruleset  # April to March


@pytest.fixture(scope="module")
def errors_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fake return with its wrong placed-for-adoption rows in place of the right ones."""
    folder = tmp_path_factory.mktemp("p4a")
    for name in ("header.csv", "episodes.csv", "ad1.csv", "placed_for_adoption_errors.csv"):
        shutil.copy(FAKE / name, folder / name)
    return folder


def test_the_wrong_placed_for_adoption_rows_are_found(errors_folder: Path) -> None:
    problems = dfe_rules.dfe_problems(errors_folder, "2023-03")  # the 2022/23 rules, as the data was written
    p4a = problems.loc[problems["file"].str.endswith("placed_for_adoption_errors.csv")]
    by_rule = dict(iter(p4a.groupby("code")))  # the DfE's own codes
    # every row's REASON_PLACED_CEASED is 'XXX', not a code the DfE lists: rule 120 on each of the 30 rows
    invalid = by_rule["120"]
    assert sorted(invalid["row"]) == list(range(2, 32)) and set(invalid["column"]) == {"REASON_PLACED_CEASED"}
    # child 988635's decisions overlap: rows 2 (22/11/2016 to 07/04/2017) and 3 (22/11/2015 to 07/04/2017)
    assert 2 in set(by_rule["579"]["row"])
    assert (problems["severity"] == "warning").all()
    assert (problems["value"].fillna("") == "").all()  # no value, so no child's ID, is carried


def test_validate_with_the_dfe_rules_on_the_sample(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["validate", "--returns", str(paths.SAMPLE_RETURNS), "--month", SAMPLE_MONTH, "--out", str(tmp_path),
         "--dfe-rules"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output  # the DfE's failures are warnings: lacperf states them
    report = pd.read_csv(tmp_path / SAMPLE_MONTH / "validation.csv", dtype=str)
    dfe = report.loc[report["rule"].str.startswith("DfE rule ")]
    assert len(dfe) > 0 and dfe["file"].str.contains("/903/").all()
    assert dfe["rule"].str.contains("the 2022/23 rules: the validator has none for 2019/20").all()
    children = set(pd.read_csv(paths.SAMPLE_RETURNS / SAMPLE_MONTH / "903" / "header.csv", dtype=str)["CHILD"])
    page = (tmp_path / SAMPLE_MONTH / "validation.html").read_text()
    assert not [child for child in children if f">{child}<" in page]  # no child's ID on the page


def test_the_data_quality_note_counts_the_dfe_rules_failures() -> None:
    from lacperf_helpers.config.inputs import Inputs
    from lacperf_helpers.present import present
    from lacperf_helpers.present.appendix import load_appendix

    page = load_appendix(SAMPLE_MONTH, "Kent", inputs=Inputs(dfe_rules=True), edition="internal")
    failed = page.problems.loc[page.problems["rule"].str.startswith("DfE rule ")]
    note = present.data_quality(page)
    rules = failed["code"].nunique()
    assert not failed["code"].str.startswith("LP").any()
    assert f"{len(failed):,} failure(s) of {rules} rule(s)" in note
    assert "DfE rule" not in note  # counted in one sentence, not listed rule by rule on the paper
    plain = load_appendix(SAMPLE_MONTH, "Kent")
    assert "DfE" not in present.data_quality(plain)
