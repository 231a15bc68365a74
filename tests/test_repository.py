"""What the repository promises: clean notebooks, reproducible synthetic sample data that shows every case."""

import filecmp
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from lacperf_helpers.config import paths
from lacperf_helpers.config.definitions import load_kpis, load_settings
from lacperf_helpers.ingest.layout import available_months
from lacperf_helpers.run.notebook_hygiene import problems
from tests.conftest import scorecard_for_month


def test_committed_notebooks_carry_no_outputs() -> None:
    notebooks = sorted(paths.NOTEBOOKS.glob("*.ipynb"))
    assert notebooks
    assert [problem for path in notebooks for problem in problems(path)] == []


def test_the_hygiene_check_catches_outputs(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1 + 1")
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    cell.execution_count = 1
    notebook.cells.append(cell)
    path = tmp_path / "dirty.ipynb"
    nbformat.write(notebook, path)
    assert problems(path) == [
        f"{path}: cell 1 has outputs; clear them before committing",
        f"{path}: cell 1 has an execution count; clear outputs before committing",
        f"{path}: no kernelspec in the metadata (papermill needs it)",
    ]


def test_the_sample_is_made_by_its_script(tmp_path: Path) -> None:
    script = paths.PROJECT_ROOT / "data" / "make_sample.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.csv"))
    committed = sorted(p.relative_to(paths.SAMPLE_RETURNS) for p in paths.SAMPLE_RETURNS.rglob("*.csv"))
    assert made == committed
    _, mismatch, errors = filecmp.cmpfiles(tmp_path, paths.SAMPLE_RETURNS, [str(p) for p in made], shallow=False)
    assert (mismatch, errors) == ([], [])


def test_the_sample_shows_what_the_appendix_must_handle() -> None:
    months = available_months(paths.SAMPLE_RETURNS)
    assert len(months) >= 18
    catalogue = load_kpis(paths.KPIS_FILE)
    settings = load_settings(paths.SETTINGS_FILE)
    card = scorecard_for_month(paths.SAMPLE_RETURNS, catalogue, months[-1], settings)
    assert card["area"].nunique() == 5  # the authority and four areas
    assert card["kpi_id"].nunique() == 24  # one KPI per measure since #29
    assert {"Green", "Amber", "Red", "No data", "Not applicable"} <= set(card["rag"])
    assert {"Improved", "Same", "Worse"} <= set(card["direction"])
    order = {"Red": 0, "Amber": 1, "Green": 2}
    moved = card.loc[card["rag"].isin(order) & card["previous_rag"].isin(order)]
    change = moved["rag"].map(order) - moved["previous_rag"].map(order)
    assert (change > 0).any() and (change < 0).any()  # ratings move both ways
    headline_rows = card.loc[(card["cohort"] == "all") & (card["breakdown"] == "total")]
    small = headline_rows.loc[headline_rows["unit"] == "percent"].groupby("area")["denominator"].median()
    assert (small < settings.small_cohort_denominator).sum() == 1  # one area of small cohorts


@pytest.mark.parametrize("cohort", ["all", "excluding UASC"])
def test_the_authority_is_the_sum_of_its_areas(cohort: str) -> None:
    month = available_months(paths.SAMPLE_RETURNS)[0]
    figures = pd.read_csv(paths.SAMPLE_RETURNS / month / "kpi_return.csv")
    percent = figures.loc[figures["value"].isna() & (figures["cohort"] == cohort)]
    authority = percent.loc[percent["area"] == "Kent"].set_index("kpi_id")[["numerator", "denominator"]]
    areas = percent.loc[percent["area"] != "Kent"].groupby("kpi_id")[["numerator", "denominator"]].sum()
    assert len(authority) >= 2  # the sample's return gives two KPIs excluding UASC (the others are computed)
    pd.testing.assert_frame_equal(authority.sort_index(), areas.sort_index(), check_dtype=False)


def test_the_sample_excluding_uasc_is_within_all_children() -> None:
    figures = pd.read_csv(paths.SAMPLE_RETURNS / "2019-09" / "kpi_return.csv").set_index(["area", "kpi_id"])
    excluding = figures.loc[figures["cohort"] == "excluding UASC", ["numerator", "denominator"]]
    every = figures.loc[figures["cohort"] == "all", ["numerator", "denominator"]].reindex(excluding.index)
    unaccompanied = every - excluding
    assert (unaccompanied["numerator"] >= 0).all() and (
        unaccompanied["denominator"] >= unaccompanied["numerator"]
    ).all()
    assert (unaccompanied["denominator"] > 0).all()


def test_environment_yml_stays_in_step_with_pyproject() -> None:
    pyproject = tomllib.loads((paths.PROJECT_ROOT / "pyproject.toml").read_text())
    environment = yaml.safe_load((paths.PROJECT_ROOT / "environment.yml").read_text())
    python = next(d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert pyproject["project"]["requires-python"] == ">=" + python.removeprefix("python=")
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert pip == ["-r requirements-lock.txt", "-e ."]  # the locked versions first, then lacperf itself


def test_the_pip_and_conda_route_installs_the_locked_versions() -> None:
    # requirements-lock.txt is uv.lock exported (`make lock`): every pin is uv.lock's version, and every
    # dependency lacperf and JupyterLab name is pinned
    locked = {p["name"]: p["version"] for p in tomllib.loads((paths.PROJECT_ROOT / "uv.lock").read_text())["package"]}
    pins = {}
    for line in (paths.PROJECT_ROOT / "requirements-lock.txt").read_text().splitlines():
        if "==" in line and not line.startswith(("#", " ")):
            name, version = line.split(";")[0].strip().split("==")
            pins[name] = version
    assert pins and all(locked.get(name) == version for name, version in pins.items()), {
        name: (version, locked.get(name)) for name, version in pins.items() if locked.get(name) != version
    }
    pyproject = tomllib.loads((paths.PROJECT_ROOT / "pyproject.toml").read_text())
    named = [*pyproject["project"]["dependencies"], *pyproject["dependency-groups"]["lab"],
             *(d for extra in pyproject["project"]["optional-dependencies"].values() for d in extra)]  # fmt: skip
    for requirement in named:
        name = re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower()
        assert name in pins, f"{name} is not pinned in requirements-lock.txt: run `make lock`"
        upper = re.sub(r"^[^<>=]*", "", requirement).partition(",")[2]
        assert upper.startswith("<"), f"{requirement}: no upper bound"  # compatible ranges, not open ones
