"""The stages of lacperf_helpers import only downwards (docs/architecture.md): configuration at the
bottom, then ingest, measures, rating, trend, disclosure, presentation, running, and the CLI on top."""

from __future__ import annotations

import ast
from pathlib import Path

from lacperf_helpers.config import paths

STAGES = ("config", "ingest", "measures", "rate", "trend", "disclose", "present", "run", "cli")
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
