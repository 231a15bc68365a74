"""The analysts' explorer notebook, run through papermill on the sample's SSDA903 extracts."""

from pathlib import Path

import papermill
import pytest

from lacperf_helpers.config import paths
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.present.explore import cohort_chart, cohort_table

NOTEBOOK = paths.NOTEBOOKS / "explore_cohorts.ipynb"
MONTHS = ["2019-07", "2019-08", "2019-09"]


def test_the_explorer_runs_on_the_sample(tmp_path: Path) -> None:
    executed = papermill.execute_notebook(
        str(NOTEBOOK), str(tmp_path / "out.ipynb"), parameters={"breakdown": "sex", "cohort": "excluding UASC"},
        kernel_name="python3", progress_bar=False, cwd=str(NOTEBOOK.parent),
    )  # fmt: skip
    chart = executed.cells[-1].outputs[0]["data"]["text/html"]
    assert "vegaEmbed" in chart  # interactive: selection and tooltips work in JupyterLab
    assert "cdn.jsdelivr" not in chart and 'src="http' not in chart  # and offline


def test_only_aggregates_reach_the_table_and_chart() -> None:
    table = cohort_table(paths.SAMPLE_RETURNS, MONTHS, "cla_count", "all", "age_band", "Kent")
    assert set(table.columns) == {
        "month",
        "month_label",
        "area",
        "group",
        "numerator",
        "denominator",
        "value",
        "figure",
        "withheld",
    }
    assert "CHILD" not in table.columns and "DOB" not in table.columns
    kent = table.loc[table["area"] == "Kent"]
    assert kent.groupby("month")["group"].nunique().max() <= 6  # age bands, not children
    spec = cohort_chart(table, "cla_count", "Kent").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == len(kent)
    assert {"params", "encoding"} <= set(spec)


def test_small_counts_are_hidden_in_the_public_edition_and_shown_in_the_internal_one() -> None:
    hidden = cohort_table(paths.SAMPLE_RETURNS, MONTHS, "cla_count", "all", "age_band", "Kent")
    shown = hidden.loc[hidden["withheld"] == "", "numerator"]
    assert not ((shown > 0) & (shown < 5)).any()
    assert (hidden.loc[hidden["withheld"] == "c", "figure"] == "not shown").all() and (hidden["withheld"] == "c").any()
    everything = cohort_table(paths.SAMPLE_RETURNS, MONTHS, "cla_count", "all", "age_band", "Kent", "internal")
    assert ((everything["numerator"] > 0) & (everything["numerator"] < 5)).any()  # there was something to hide


def test_unknown_choices_are_named() -> None:
    with pytest.raises(InputError, match="no breakdown 'age'"):
        cohort_table(paths.SAMPLE_RETURNS, MONTHS, "cla_count", "all", "age", "Kent")
    with pytest.raises(InputError, match="no SSDA903 extract in any of the months 2018-01 to 2018-02"):
        cohort_table(paths.SAMPLE_RETURNS, ["2018-01", "2018-02"], "cla_count", "all", "total", "Kent")


def test_months_run_across_and_groups_keep_their_natural_order() -> None:
    from lacperf_helpers.config.vocabulary import in_natural_order
    from lacperf_helpers.present.explore import months_across

    assert in_natural_order(["16 and over", "unknown", "1-4", "10-15", "under 1", "5-9"], "age_band") == [
        "under 1", "1-4", "5-9", "10-15", "16 and over", "unknown",
    ]  # fmt: skip
    assert in_natural_order(["M", "F", "unknown"], "sex") == ["F", "M", "unknown"]  # no order of its own: A-Z
    table = cohort_table(paths.SAMPLE_RETURNS, MONTHS, "cla_count", "all", "age_band", "Kent")
    wide = months_across(table, "Kent", "age_band")
    assert list(wide.columns) == ["July 2019", "August 2019", "September 2019"]
    assert list(wide.index) == in_natural_order(list(wide.index), "age_band") and wide.index[0] == "under 1"


def test_the_chart_names_what_it_shows_and_leaves_hidden_figures_as_gaps() -> None:
    from lacperf_helpers.present.explore import hidden_note

    table = cohort_table(paths.SAMPLE_RETURNS, MONTHS, "cla_count", "excluding UASC", "age_band", "Kent")
    spec = cohort_chart(table, "cla_count", "Kent", "excluding UASC", "age_band").to_dict()
    assert spec["title"] == "Children looked after at the month end: Kent, excluding UASC, by age band"
    rows = next(iter(spec["datasets"].values()))
    hidden = [r for r in rows if r["withheld"]]
    assert hidden and all(r["value"] is None for r in hidden)  # a gap, not a point
    assert hidden_note(table, "Kent").startswith(f"{len(hidden)} figure(s) are hidden")
    # a cohort beyond UASC, or a breakdown of the file's own: none of it is published, and the note says why
    assert hidden_note(table, "Kent", published_exactly=False).startswith("No figure of this cohort or breakdown")


def test_the_explorer_reads_the_authority_and_rule_from_settings() -> None:
    declared = papermill.inspect_notebook(str(NOTEBOOK))
    assert "authority" not in declared and "settings_file" in declared


def test_a_misspelt_area_is_refused_naming_the_areas() -> None:
    from lacperf_helpers.present.explore import hidden_note, months_across

    table = cohort_table(paths.SAMPLE_RETURNS, MONTHS, "cla_count", "all", "total", "Kent")
    for show in (months_across, hidden_note):  # not an empty table and "Every figure is shown."
        with pytest.raises(InputError, match="no area 'West Knet' in these figures; did you mean 'West Kent'"):
            show(table, "West Knet", "total")
    with pytest.raises(InputError, match="the areas are: Kent, East Kent, North Kent, South Kent, West Kent"):
        cohort_chart(table, "cla_count", "Dover")


def test_two_inline_charts_declare_nothing_in_the_page_s_shared_scope() -> None:
    """JupyterLab runs every output's scripts in one global scope: altair's inline HTML declares `const spec`
    (and its Vega bundle top-level constants) there, so a second chart failed with "Identifier 'spec' has
    already been declared". Each script now runs in a function of its own (the browser test draws two)."""
    import re

    import altair as alt

    from lacperf_helpers.present.explore import charts_inline

    table = cohort_table(paths.SAMPLE_RETURNS, MONTHS, "cla_count", "all", "age_band", "Kent")
    before = alt.renderers.active
    charts_inline()
    try:
        shown = [alt.renderers.get()(cohort_chart(table, "cla_count", "Kent").to_dict()) for _ in range(2)]
    finally:
        alt.renderers.enable(before)
    for bundle in shown:
        html = bundle["text/html"] if isinstance(bundle, dict) else bundle[0]["text/html"]
        scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
        assert len(scripts) == 2 and "const spec" in scripts[1] and "cdn.jsdelivr" not in html
        assert all(s.startswith("(function () {") and s.rstrip().endswith("})();") for s in scripts)


def test_measures_writes_the_total_alone_when_asked(tmp_path: Path) -> None:
    """`--breakdown total` (the CSV's own word for the headline rows) is accepted, and writes only them."""
    import pandas as pd
    from typer.testing import CliRunner

    from lacperf_helpers.cli import app

    out = tmp_path / "total.csv"
    done = CliRunner().invoke(app, ["measures", "--returns", str(paths.SAMPLE_RETURNS), "--month", "2019-09",
                                    "--measure", "cla_starts_12_months", "--breakdown", "total", "--out", str(out),
                                    "--cohorts", str(paths.PANEL_COHORTS_FILE), "--edition", "internal"])  # fmt: skip
    assert done.exit_code == 0, done.output
    table = pd.read_csv(out, dtype={"group": str}, keep_default_na=False)
    assert set(table["breakdown"]) == {"total"} and set(table["group"]) == {"all"}
    # the 12 months' starts (a flow over the rolling year) for every cohort, the section 20 one included
    assert "14-17 under section 20" in set(table["cohort"]) and set(table["measure"]) == {"cla_starts_12_months"}
    wrong = CliRunner().invoke(app, ["measures", "--returns", str(paths.SAMPLE_RETURNS), "--month", "2019-09",
                                     "--breakdown", "totl", "--out", str(out)])  # fmt: skip
    assert wrong.exit_code == 2 and "the breakdowns in" in wrong.output and "are: total, age_band" in wrong.output
