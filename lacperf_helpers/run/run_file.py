"""A run file, parameters/runs/<name>.yaml: what one batch renders (notebooks, periods, areas, cohorts,
editions) and from which inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lacperf_helpers.config import paths
from lacperf_helpers.config.definitions import load_yaml_model
from lacperf_helpers.config.editions import DEFAULT, Edition
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.config.periods import (
    financial_quarter,
    months_between,
    quarter_months,
    reporting_month,
    reporting_quarter,
)
from lacperf_helpers.config.vocabulary import ALL
from lacperf_helpers.run.pages import Notebook


class MonthRange(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    first: str = Field(alias="from")
    last: str = Field(alias="to")


class RunFile(BaseModel):
    """parameters/runs/<name>.yaml: what one batch renders. Paths given in the file are relative to its own folder
    (`load_run`); those left out are the project's defaults, which belong to no council (no benchmarks)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    notebooks: tuple[Notebook, ...] = ("scorecard",)
    months: str | tuple[str, ...] | MonthRange
    quarters: tuple[str, ...] = ()
    areas: Literal["all"] | tuple[str, ...] = "all"
    cohorts: tuple[str, ...] = (ALL,)  # names from the cohorts file, each a page per area (quarters: all only)
    # the input files (`Inputs`), each by its key in INPUT_KEYS; left out, the project's default (`Inputs.of`)
    cohorts_file: str | None = None  # the cohorts and breakdowns, as data
    returns: str | None = None
    kpis: str | None = None
    settings: str | None = None
    trend: str | None = None
    benchmarks: str | None = None  # England and statistical neighbours (none unless given)
    national: str | None = None  # the DfE's local-authority tables and statistical neighbours
    out: str = "reports"
    pdf: bool = False
    dfe_rules: bool = False  # also run the DfE's SSDA903 rules: in validation.csv and each data-quality note
    editions: tuple[Edition, ...] = (DEFAULT,)  # public (safe to publish) and/or internal (not for publication)

    @model_validator(mode="after")
    def _periods_are_periods(self) -> RunFile:
        """'2019-13' or 'Q5 2019/20' is refused here, naming it, not when the batch reaches it."""
        if isinstance(self.months, MonthRange):
            for month in (self.months.first, self.months.last):
                reporting_month(month)
            if self.months.last < self.months.first:
                raise ValueError(f"the months run backwards: {self.months.first} is after {self.months.last}")
        else:
            for month in [self.months] if isinstance(self.months, str) else self.months:
                reporting_month(month)
        for quarter in self.quarters:
            reporting_quarter(quarter)
        return self

    def month_list(self) -> list[str]:
        if isinstance(self.months, MonthRange):
            return months_between(self.months.first, self.months.last)
        return [self.months] if isinstance(self.months, str) else list(self.months)

    def quarter_list(self) -> list[str]:
        """The quarters asked for, or else each quarter whose last month is among the months."""
        if self.quarters:
            return list(self.quarters)
        months = self.month_list()
        return [financial_quarter(m) for m in months if quarter_months(financial_quarter(m))[-1] == m]

    def path(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else paths.PROJECT_ROOT / path

    def inputs(self) -> Inputs:
        """The input files the run names (a path not absolute: from the project's folder), the project's default
        for each it leaves out."""
        named = {field: self.path(value) for field, key in INPUT_KEYS.items() if (value := getattr(self, key))}
        return Inputs.of(**named, dfe_rules=self.dfe_rules)


def load_run(name: str) -> RunFile:
    """A run file by name (parameters/runs/<name>.yaml) or by path."""
    path = Path(name)
    if not path.suffix:
        path = paths.PARAMETERS / "runs" / f"{name}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in (paths.PARAMETERS / "runs").glob("*.yaml")))
        raise InputError(path, f"no such run file; the runs in parameters/runs are: {known}")
    run = load_yaml_model(path, RunFile)
    # a path the file gives is relative to the file's folder, so a council's run file travels with its inputs
    given = {
        name: str((path.parent / value).resolve())
        for name in RUN_PATHS
        if name in run.model_fields_set and (value := getattr(run, name)) and not Path(value).is_absolute()
    }
    return run.model_copy(update=given)


# Each input file's key in a run file, by its field in `Inputs`: the same name, but for the cohorts file
# (`cohorts` lists the cohorts a run renders, by name)
INPUT_KEYS = {
    "returns": "returns", "kpis": "kpis", "settings": "settings", "trend": "trend", "benchmarks": "benchmarks",
    "national": "national", "cohorts": "cohorts_file",
}  # fmt: skip
RUN_PATHS = (*INPUT_KEYS.values(), "out")
