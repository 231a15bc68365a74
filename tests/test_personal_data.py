"""No child-level data in any output: every kind of sample page (both notebooks and cohorts, the authority and an
area, both editions), index, CSV export, manifest, validation report and PDF is scanned for every child ID, date of
birth and postcode in the sample's SSDA903 extracts."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pypdfium2
import pytest
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config import paths
from lacperf_helpers.config.definitions import load_kpis
from tests.conftest import SAMPLE_MONTH

SCANNED: Counter[str] = Counter()  # shown in the test run's summary
RUN = f"""\
notebooks: [scorecard, quarterly]
months: "{SAMPLE_MONTH}"
quarters: ["Q2 2019/20"]
areas: [Kent, West Kent]
cohorts: [all, excluding UASC]
returns: {paths.SAMPLE_RETURNS}
kpis: {paths.KPIS_FILE}
settings: {paths.SAMPLE_SETTINGS_FILE}
trend: {paths.TREND_FILE}
benchmarks: {paths.BENCHMARKS_FILE}
out: {{out}}
pdf: true
editions: [internal, public]
"""


def personal_data() -> dict[str, set[str]]:
    """Every child ID, date of birth (as the extract writes it) and postcode in the sample extracts."""
    found: dict[str, set[str]] = {"child ID": set(), "date of birth": set(), "postcode": set()}
    for path in paths.SAMPLE_RETURNS.glob("*/903/*.csv"):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        found["child ID"] |= set(table["CHILD"])
        for column in ("DOB", "MC_DOB"):
            found["date of birth"] |= set(table.get(column, pd.Series(dtype=str)))
        for column in ("HOME_POST", "PL_POST"):
            found["postcode"] |= set(table.get(column, pd.Series(dtype=str)))
    return {kind: {v for v in values if v} for kind, values in found.items()}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Everything lacperf writes for the sample month, in both editions: the batch (both notebooks, both cohorts,
    every area, with PDFs), the index pages, the scorecard and measures CSV exports, the validation report and the
    disclosure log."""
    out = tmp_path_factory.mktemp("outputs")
    run = out / "scan.yaml"
    run.write_text(RUN.format(out=out / "reports"))
    runner = CliRunner()
    result = runner.invoke(app, ["batch", str(run), "--workers", "2"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    common = ["--returns", str(paths.SAMPLE_RETURNS), "--month", SAMPLE_MONTH]
    for command in ("scorecard", "measures"):
        result = runner.invoke(app, [command, *common, "--out", str(out / f"{command}.csv")])
        assert result.exit_code == 0, result.output
        internal = out / f"{command}--internal-not-for-publication.csv"
        result = runner.invoke(app, [command, *common, "--out", str(internal), "--edition", "internal"])
        assert result.exit_code == 0, result.output
    return out


def text_of(path: Path) -> str:
    if path.suffix == ".pdf":  # PDFium's text of each page (the words pypdf reads, 14 times as fast)
        document = pypdfium2.PdfDocument(path)
        try:
            return "\n".join(document[i].get_textpage().get_text_bounded() for i in range(len(document)))
        finally:
            document.close()
    return path.read_text(encoding="utf-8")


# a value stands alone where neither side is a letter, digit, underscore or slash ("1234" is not in "12345" nor
# in "01/1234"): the runs of such characters are the words a value can be, and a postcode is two of them
WORD = re.compile(r"[\w/]+")


def found_in(text: str, secrets: dict[str, set[str]]) -> list[str]:
    """Each child ID, date of birth or postcode (any case) standing alone in `text`, as '<kind> <value>'."""
    kinds_of: dict[str, list[str]] = {}  # each value (lower case) and the kinds it is
    for kind, values in secrets.items():
        for value in values:
            kinds_of.setdefault(value.lower(), []).append(kind)
    firsts = {value.split(" ")[0] for value in kinds_of if " " in value}  # two words only begin so
    words = [(m.group(0).lower(), m.start(), m.end()) for m in WORD.finditer(text)]
    candidates = [w for w, _, _ in words]
    candidates += [
        f"{a} {b}" for (a, _, end), (b, start, _) in itertools.pairwise(words) if a in firsts and text[end:start] == " "
    ]
    return [f"{kind} {c!r}" for c in candidates for kind in kinds_of.get(c, ())]


def test_the_scan_finds_a_value_standing_alone_and_only_then() -> None:
    secrets = {"child ID": {"0012"}, "date of birth": {"01/02/2003"}, "postcode": {"CT1 2AB"}}
    text = "child 0012, born 01/02/2003 at ct1 2ab; not 00123, a0012, 101/02/2003, CT1  2AB or CT1 2ABC"
    assert found_in(text, secrets) == ["child ID '0012'", "date of birth '01/02/2003'", "postcode 'ct1 2ab'"]


def test_no_child_id_date_of_birth_or_postcode_in_any_output(outputs: Path) -> None:
    secrets = personal_data()
    assert min(len(values) for values in secrets.values()) > 100  # the scan looks for something real
    files = sorted(p for p in outputs.rglob("*") if p.suffix in {".html", ".csv", ".json", ".pdf"})
    kinds = Counter(p.suffix for p in files)
    assert kinds[".html"] >= 15 and kinds[".pdf"] >= 10 and kinds[".csv"] >= 3 and kinds[".json"] >= 10
    leaks = []
    for path in files:
        text = text_of(path)
        leaks += [f"{path.relative_to(outputs)}: {leak}" for leak in found_in(text, secrets)]
        if path.suffix == ".html":
            # charts are drawn as SVG in the page: no script, no chart data (which could hold a row per child)
            assert "<script" not in text and '"datasets"' not in text, path
    SCANNED.update({"files": len(files), **{suffix.lstrip("."): n for suffix, n in kinds.items()}})
    assert leaks == []


def test_no_small_count_is_shown(outputs: Path) -> None:
    """The exports hide counts of 1 to 4 children: every numerator and denominator left is 0 or 5 and over."""
    measures = pd.read_csv(outputs / "measures.csv", keep_default_na=False, dtype={"withheld": str})
    shown = measures.loc[measures["withheld"] == ""]
    for column in ("numerator", "denominator"):
        figures = pd.to_numeric(shown[column].replace("", float("nan")))
        assert not ((figures > 0) & (figures < 5)).any(), column
    assert set(measures["withheld"]) == {"", "c"}  # one wording for every hidden figure, whatever its size
    card = pd.read_csv(outputs / "scorecard.csv", keep_default_na=False, dtype={"withheld": str})
    staff = {k.id for k in load_kpis(paths.KPIS_FILE).kpis if "FTE" in k.counts}  # posts, not children
    shown = card.loc[(card["withheld"] == "") & ~card["kpi_id"].isin(staff)]
    for column in ("numerator", "denominator"):
        figures = pd.to_numeric(shown[column].replace("", float("nan")))
        assert not ((figures > 0) & (figures < 5)).any(), column
