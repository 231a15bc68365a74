"""kpis.yaml: what a person can get wrong, and targets that change at the financial year."""

import os
from pathlib import Path
from textwrap import dedent

import pytest
import yaml

from lacperf_helpers.config import definitions, paths
from lacperf_helpers.config.definitions import load_kpis, load_settings, load_trend_settings
from lacperf_helpers.config.errors import InputError
from tests.conftest import KPIS_YAML


def test_the_catalogue_keeps_order_and_year_overrides(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert catalogue.ids == ["reviews_on_time", "moves_3plus", "days_to_adoption"]
    reviews = catalogue.get("reviews_on_time")
    assert (reviews.thresholds_for("2019-03").target, reviews.thresholds_for("2019-03").floor) == (90, 80)
    assert (reviews.thresholds_for("2019-04").target, reviews.thresholds_for("2019-04").floor) == (95, 85)
    assert (reviews.thresholds_for("2020-04").target, reviews.thresholds_for("2020-04").floor) == (90, 80)
    assert reviews.display_decimals == 1
    assert catalogue.get("days_to_adoption").display_decimals == 0


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kpis.yaml"
    path.write_text(dedent(text))
    return path


def test_a_kpi_without_a_target_is_named_with_its_line(tmp_path: Path) -> None:
    # the second KPI entry starts on line 8 of the file below
    path = write(tmp_path, KPIS_YAML.replace("    target: 10\n", ""))
    with pytest.raises(InputError) as caught:
        load_kpis(path)
    assert str(caught.value) == (
        f"{path}, line 11, column 'kpis.target': KPI 'moves_3plus': 'target' is required but missing"
    )


def test_a_floor_on_the_wrong_side_of_the_target_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, KPIS_YAML.replace("target: 10\n", "target: 14\n"))
    with pytest.raises(InputError, match="KPI 'moves_3plus': floor 12 is below target 14; with polarity L"):
        load_kpis(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("polarity: L", "polarity: lower"), "Input should be 'H' or 'L'"),
        (("unit: days", "unit: weeks"), "Input should be 'percent', 'number' or 'days'"),
        (("    floor: 500\n", "    floor: 500\n    flor: 1\n"), "'flor' is not a known setting"),
        (('"2019/20"', '"2019/2020"'), "'2019/2020' is not a financial year such as '2019/20'"),
        (("id: moves_3plus", "id: reviews_on_time"), "KPI id 'reviews_on_time' is listed twice"),
    ],
)
def test_mistakes_are_explained(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = write(tmp_path, KPIS_YAML.replace(*change, 1))
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_kpis(path)


def test_not_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"line 2: not valid YAML: found character '\\t' that cannot start"):
        load_kpis(write(tmp_path, "kpis:\n\t- id: tabs_are_not_yaml_indentation\n"))
    with pytest.raises(InputError, match="file not found"):
        load_kpis(tmp_path / "nowhere.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kpis:\n  - {id: x, flo?or: 60}\n", r"line 2: not valid YAML: expected ',' or '}', but got '\?'"),
        ("kpis:\n  - id: a\tb\n", r"line 2: not valid YAML: found character '\\t' that cannot start any token"),
    ],
)
def test_what_only_libyaml_would_take_is_refused_as_pyyaml_refuses_it(tmp_path: Path, text: str, message: str) -> None:
    # libyaml would read these (a '?' inside a flow, a tab in a value); the messages are PyYAML's own, as lacperf
    # always gave them
    with pytest.raises(InputError, match=message):
        load_kpis(write(tmp_path, text))


def test_libyaml_and_pyyaml_read_every_definitions_file_alike() -> None:
    files = sorted(paths.PARAMETERS.rglob("*.yaml"))
    assert len(files) >= 6
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        by_libyaml = definitions._read_by_libyaml(text)
        assert by_libyaml is not None, path  # the fast reader reads every file lacperf ships
        data, node = definitions._read_by_pyyaml(path, text)
        assert by_libyaml[0] == data, path
        assert _lines(by_libyaml[1]) == _lines(node), path  # each entry on the line a message names


def _lines(node: object) -> list[tuple[str, int]]:
    if isinstance(node, yaml.MappingNode):
        return [(node.tag, node.start_mark.line)] + [x for k, v in node.value for x in _lines(k) + _lines(v)]
    if isinstance(node, yaml.SequenceNode):
        return [(node.tag, node.start_mark.line)] + [x for v in node.value for x in _lines(v)]
    assert isinstance(node, yaml.ScalarNode)
    return [(f"{node.tag} {node.value}", node.start_mark.line)]


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 64 + "]" * 64,  # libyaml would recurse in C (63 deep inside the mapping is read)
        "a: &x 1\nb: *x\n",  # an alias: refused in lacperf's words
        "a: &x 1\n",  # an anchor
        "a: !!str 1\n",  # a tag
        "a: !\n",  # the bare tag: PyYAML reads null, libyaml ''
        "<<: {a: 1}\nb: 2\n",  # a merge key: constructing the data rewrites libyaml's nodes
        "a: {b: }\n",  # an empty flow entry: its node on another line
        "a: |#c\n  x\n",  # '#' after '|': PyYAML refuses it
        "---\na: 1\n",  # a document marker
        "%YAML 1.1\n---\na: 1\n",  # a directive
        "a: [1, 2\n",  # a mistake: PyYAML's message
    ],
)
def test_what_libyaml_might_read_otherwise_is_left_to_pyyaml(text: str) -> None:
    assert definitions._read_by_libyaml(text) is None


def test_libyaml_reads_plain_settings_to_the_depth_it_is_trusted_with() -> None:
    assert definitions._read_by_libyaml("a: " + "[" * 63 + "]" * 63) is not None  # 64 deep, the mapping too
    data, node = definitions._read_by_libyaml("a: 1\nb:\n  - {c: x}\n  - d\n") or (None, None)
    assert data == {"a": 1, "b": [{"c": "x"}, "d"]} and node is not None


def test_a_merge_key_still_reads_as_pyyaml_reads_it(tmp_path: Path) -> None:
    # the later key overrides the merged one (no 'given twice'), as lacperf always read it
    path = tmp_path / "trend.yaml"
    path.write_text("<<: {window: 12}\nwindow: 24\n")
    assert load_trend_settings(path).window == 24


def test_nesting_too_deep_to_read_is_one_line(tmp_path: Path) -> None:
    """A few kilobytes of brackets nested thousands deep: PyYAML's recursion ran out, a RecursionError's traceback."""
    with pytest.raises(InputError, match="not valid YAML for lacperf: nested too deeply to read"):
        load_kpis(write(tmp_path, "kpis: " + "[" * 5000 + "]" * 5000 + "\n"))


def test_settings_default_when_the_file_is_absent(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "settings.yaml")
    assert settings.authority is None
    assert settings.small_cohort_denominator == 50


def test_the_project_definitions_load() -> None:
    catalogue = load_kpis(Path(__file__).parents[1] / "parameters" / "kpis.yaml")
    assert len(catalogue.kpis) == 24  # one KPI per measure since #29 (the extract's twins retired)
    assert {k.unit for k in catalogue.kpis} == {"percent", "number", "days"}


def test_a_key_given_twice_is_refused_with_both_lines(tmp_path: Path) -> None:
    # YAML itself keeps the last quietly: a floor typed twice would be read as the second
    text = KPIS_YAML.replace("    floor: 80\n", "    floor: 80\n    floor: 60\n", 1)
    path = tmp_path / "kpis.yaml"
    path.write_text(text)
    line = text.splitlines().index("    floor: 60") + 1
    with pytest.raises(InputError, match=rf"line {line}: 'floor' is given twice \(lines {line - 1} and {line}\)"):
        load_kpis(path)


def test_a_financial_year_in_other_digits_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kpis.yaml"
    path.write_text(KPIS_YAML.replace('"2019/20"', '"\uff12\uff10\uff11\uff19/20"'))
    with pytest.raises(InputError, match="is not a financial year"):
        load_kpis(path)


def test_a_file_rewritten_to_the_same_size_and_time_is_read_afresh(tmp_path: Path) -> None:
    """Definitions are parsed once a process for the same text: a file changed in place is its new text, even where
    its size and modification time are what they were (a cache keyed by them would keep the old title)."""
    path = write(tmp_path, KPIS_YAML)
    assert load_kpis(path).get("reviews_on_time").title == "Reviews held on time"
    before = path.stat()
    path.write_text(KPIS_YAML.replace("Reviews held on time", "Reviews held in time"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert load_kpis(path).get("reviews_on_time").title == "Reviews held in time"
    first, again = load_kpis(path), load_kpis(path)
    assert first == again and first is not again  # each caller's own: a change to one is not another's
    first.get("reviews_on_time").years.clear()
    assert load_kpis(path).get("reviews_on_time").years == again.get("reviews_on_time").years != {}


def test_a_file_that_fails_fails_each_time_it_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, KPIS_YAML.replace("    target: 10\n", ""))
    for _ in range(2):
        with pytest.raises(InputError, match="'target' is required"):
            load_kpis(path)
