"""The input files a page reads, as one value: the returns folder and the parameter files.

Every stage takes an `Inputs` rather than loose paths; the notebooks take its fields as papermill
parameters (`notebook_parameters`), and the manifest lists its files (ingest/manifest.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lacperf_helpers.config import paths

# The notebooks' parameter for each field: the names analysts and run files already use.
NOTEBOOK_PARAMETERS = {
    "returns": "returns_dir",
    "kpis": "kpis_file",
    "settings": "settings_file",
    "trend": "trend_file",
    "benchmarks": "benchmarks_file",
    "national": "national_dir",
    "cohorts": "cohorts_file",
}


@dataclass(frozen=True)
class Inputs:
    returns: Path = paths.SAMPLE_RETURNS  # folder of <YYYY-MM>/kpi_return.csv and <YYYY-MM>/903/
    kpis: Path = paths.KPIS_FILE  # KPI definitions
    settings: Path = paths.SETTINGS_FILE  # the authority, disclosure rule, small-cohort size (default: no council's)
    trend: Path = paths.TREND_FILE  # trend window, test and SPC rules
    benchmarks: Path | None = None  # England and statistical neighbours (None, the default: none)
    national: Path = paths.NATIONAL  # folder of la_indicators.csv and statistical_neighbours.csv (none: none)
    cohorts: Path = paths.COHORTS_FILE  # named cohorts and the breakdowns of the file's own
    dfe_rules: bool = False  # also run the DfE's own SSDA903 rules over the month's extract (ingest/dfe_rules.py)
    # the public edition's folder, where each month's decision is kept (<published>/<YYYY-MM>/disclosure-
    # decision.csv): what an earlier version of a month hid stays hidden (None: no version kept)
    published: Path | None = None

    @classmethod
    def of(
        cls,
        *,
        returns: str | Path | None = None,
        kpis: str | Path | None = None,
        settings: str | Path | None = None,
        trend: str | Path | None = None,
        benchmarks: str | Path | None = None,
        national: str | Path | None = None,
        cohorts: str | Path | None = None,
        dfe_rules: bool = False,
        published: str | Path | None = None,
    ) -> Inputs:
        """The files a person named; a blank or missing one is the project's default (`published`: none)."""
        given = {"returns": returns, "kpis": kpis, "settings": settings, "trend": trend, "national": national,
                 "cohorts": cohorts}  # fmt: skip
        files = {name: paths.or_default(value, getattr(cls, name)) for name, value in given.items()}
        return cls(
            **files,
            benchmarks=Path(benchmarks) if benchmarks not in (None, "") else None,  # none unless named
            dfe_rules=dfe_rules,
            published=Path(published).resolve() if published else None,
        )

    @classmethod
    def from_notebook(cls, parameters: dict[str, object]) -> Inputs:
        """The inputs a notebook's parameters name (returns_dir, kpis_file ...)."""
        files = {name: str(parameters.get(p) or "") for name, p in NOTEBOOK_PARAMETERS.items()}
        return cls.of(
            **files,
            dfe_rules=bool(parameters.get("dfe_rules", False)),
            published=str(parameters.get("published_dir") or ""),
        )

    def notebook_parameters(self) -> dict[str, str | bool]:
        """The fields as the notebooks' parameters: {'returns_dir': ..., 'kpis_file': ..., 'dfe_rules': ...}."""
        files: dict[str, str | bool] = {p: str(getattr(self, name) or "") for name, p in NOTEBOOK_PARAMETERS.items()}
        return {**files, "dfe_rules": self.dfe_rules, "published_dir": str(self.published or "")}

    def parameter_files(self) -> list[Path]:
        """The parameter files (not the returns folder), in a fixed order: the national tables among them."""
        national = [
            self.national / name for name in ("la_indicators.csv", "statistical_neighbours.csv", "population.csv")
        ]
        files = [self.kpis, self.settings, self.trend, self.benchmarks, self.cohorts, *national]
        return [f for f in files if f is not None]

    def __str__(self) -> str:
        files = ", ".join(f"{name} {_shown(getattr(self, name))}" for name in NOTEBOOK_PARAMETERS)
        return files + (", with the DfE's SSDA903 rules" if self.dfe_rules else "")


def _shown(path: Path | None) -> str:
    if path is None:
        return "none"
    try:
        return path.resolve().relative_to(paths.PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)
