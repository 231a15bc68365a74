"""The stages of lacperf_helpers import only downwards (docs/architecture.md): configuration at the
bottom, then ingest, measures, rating, trend, disclosure, the month, presentation, running, and the CLI on
top. Only disclosure control makes a Published view, and only the month stage asks it what to hide."""

from __future__ import annotations

import ast
from pathlib import Path

from lacperf_helpers.config import paths

STAGES = ("config", "ingest", "measures", "rate", "trend", "disclose", "month", "present", "run", "cli")
PACKAGE = paths.PROJECT_ROOT / "lacperf_helpers"


def stage_of(module: str) -> str:
    """'lacperf_helpers.rate.scorecard' -> 'rate'; the package's own top (its version) counts as config."""
    parts = module.split(".")
    if len(parts) == 1:
        return "config"
    return "cli" if parts[1] in {"cli", "__main__"} else parts[1]


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(paths.PROJECT_ROOT).with_suffix("").parts).removesuffix(".__init__")


def imports_of(path: Path) -> list[str]:
    """Every lacperf module `path` imports, at the top or inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lacperf_helpers"):
            found += [node.module] if node.module.count(".") >= 2 else [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("lacperf_helpers")]
    return found


def test_every_module_lives_in_a_stage() -> None:
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in {"__init__.py", "__main__.py", "cli.py"}]
    assert loose == []
    assert sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()) == sorted(
        STAGES[:-1]
    )


def test_imports_point_down() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = STAGES.index(stage_of(module_name(path)))
        for imported in imports_of(path):
            if imported.split(".")[-1] == "__version__":
                continue
            if STAGES.index(stage_of(imported)) > own:
                upward.append(f"{module_name(path)} imports {imported}")
    assert not upward, "\n".join(upward)


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The test above cannot pass by reading nothing: an upward import in a module is found."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from lacperf_helpers.run.render import render_appendix\n")
    assert imports_of(module) == ["lacperf_helpers.run.render"]
    assert stage_of("lacperf_helpers.run.render") == "run"
    assert stage_of("lacperf_helpers.config") == "config"


def calls_of(path: Path) -> set[str]:
    """The names `path` calls (`f(...)`, `module.f(...)`)."""
    called = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            function = node.func
            called.add(function.id if isinstance(function, ast.Name) else getattr(function, "attr", ""))
    return called


DECISION = {"hidden_keys", "decision", "suppressed", "decide", "disclosure_log", "measures_decided"}


def test_only_disclosure_control_makes_a_published_view() -> None:
    """disclose/publishing.py is the one module that makes a Published view (sums.py and solver.py decide)."""
    makers = sorted(module_name(p) for p in PACKAGE.rglob("*.py") if "Published" in calls_of(p))
    assert makers == ["lacperf_helpers.disclose.publishing"]


def test_a_published_view_cannot_be_made_by_hand() -> None:
    import pandas as pd
    import pytest

    from lacperf_helpers.config.editions import Edition
    from lacperf_helpers.disclose.publishing import Published

    with pytest.raises(TypeError, match="disclosure control only"):
        Published(pd.DataFrame({"numerator": [3]}), Edition.PUBLIC)


def test_only_the_month_stage_asks_what_to_hide() -> None:
    """Every page, index and CSV of a month takes the one decision the month stage made of it: the decision
    is the solver's (disclose/solver.py), asked by publishing (the measures table) and the month stage alone."""
    askers = {module_name(p) for p in PACKAGE.rglob("*.py") if calls_of(p) & DECISION}
    disclosure = {"lacperf_helpers.disclose.solver", "lacperf_helpers.disclose.publishing"}
    assert "lacperf_helpers.month.data" in askers  # the check reads the modules that do ask
    assert sorted(a for a in askers - disclosure if stage_of(a) != "month") == []


def test_the_checks_see_a_published_view_made_elsewhere(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f(frame):\n    return Published(frame, 'public'), disclosure.hidden_keys(frame)\n")
    assert {"Published", "hidden_keys"} <= calls_of(module)


MONTH_WORK = {  # reading the returns folder, checking, measuring, rating and deciding: the month stage's
    "lacperf_helpers.ingest.layout": {"available_months", "month_files", "ssda903_path", "extract_files"},
    "lacperf_helpers.ingest.returns": None,  # None: any name
    "lacperf_helpers.ingest.ssda903": None,
    "lacperf_helpers.ingest.validation": {"read_csv_text", "schema_problems", "combine"},
    "lacperf_helpers.measures.figures": None,
    "lacperf_helpers.rate.scorecard": {"build_scorecard"},
    "lacperf_helpers.disclose.solver": None,
}


def names_imported(path: Path) -> set[tuple[str, str]]:
    """(module, name) of every `from lacperf_helpers... import name` in `path`."""
    return {
        (node.module, alias.name)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lacperf_helpers")
        for alias in node.names
    }


def test_presentation_does_none_of_the_months_work() -> None:
    """The month's work (read, check, measure, rate, decide what is hidden) is the month stage's: a page is laid
    out from the view it is given, and never lists the returns folder itself."""
    found = [
        f"{module_name(p)} imports {name} from {module}"
        for p in sorted((PACKAGE / "present").glob("*.py"))
        for module, name in names_imported(p)
        if module in MONTH_WORK and (MONTH_WORK[module] is None or name in MONTH_WORK[module])  # type: ignore[operator]
    ]
    assert found == []
    assert ("lacperf_helpers.ingest.layout", "available_months") in names_imported(PACKAGE / "month" / "data.py")
