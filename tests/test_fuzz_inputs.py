"""Malformed inputs: the loaders give a clean load or an InputError naming the file, never a traceback.

Hypothesis generates the files: random bytes, truncated and shuffled returns, wrong types, broken YAML.
"""

import random
import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lacperf_helpers.config.definitions import KpiCatalogue, load_kpis
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.formatting import RESERVED_PAGES, slug
from lacperf_helpers.ingest.returns import RETURN_COLUMNS, read_return
from lacperf_helpers.ingest.ssda903 import load_903
from lacperf_helpers.rate.benchmarks import load_benchmarks
from lacperf_helpers.run.render import check_file_names
from tests.conftest import KPIS_YAML

GOOD_ROWS = [
    "2019-04,Kent,reviews_on_time,45,50,",
    "2019-04,Kent,moves_3plus,4,40,",
    "2019-04,Kent,days_to_adoption,,12,430",
    "2019-04,Ashford,reviews_on_time,0,0,",
]
CELLS = st.one_of(
    st.sampled_from(["", "0", "12", "1,234", "3.5", "-1", "x", "2019-04", "Kent", "reviews_on_time", "nan", " "]),
    st.text(alphabet=string.printable, max_size=8),
)
TRIED = {"returns": 0, "kpis": 0, "ssda903": 0, "benchmarks": 0}
NAMES_TRIED = {"names": 0}  # hostile area names, apart from the malformed inputs above
HOSTILE_NAME = st.one_of(
    st.text(max_size=300),  # any Unicode, long ones too
    st.sampled_from(["..", ".", "/", "Index", "VALIDATION", "index.html", "../../etc/passwd", "a/b", "\\x", "CON",
                     "South Kent", "south-kent", "SOUTH  KENT", "=HYPERLINK(1)", "[/b]x", "\x00x", " "]),
)  # fmt: skip
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def loads_or_explains(path: Path, catalogue: KpiCatalogue) -> None:
    try:
        read_return(path, "2019-04", catalogue)
    except InputError as error:
        assert error.file == str(path) and error.message  # a message a person can act on


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes(tmp_path_factory, catalogue: KpiCatalogue, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("r") / "kpi_return.csv"
    path.write_bytes(data)
    TRIED["returns"] += 1
    loads_or_explains(path, catalogue)


@FUZZ
@given(
    columns=st.permutations(list(RETURN_COLUMNS)),
    keep=st.integers(min_value=0, max_value=len(RETURN_COLUMNS)),
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=8), max_size=6),
    cut=st.integers(min_value=0, max_value=400),
    seed=st.integers(),
)
def test_shuffled_missing_and_wrong_cells(
    tmp_path_factory, catalogue: KpiCatalogue, columns, keep, rows, cut, seed
) -> None:  # type: ignore[no-untyped-def]
    header = ",".join(columns[:keep] if keep < len(columns) else columns)
    body = GOOD_ROWS + [",".join(row) for row in rows]
    random.Random(seed).shuffle(body)
    text = (header + "\n" + "\n".join(body))[: max(cut, 1) if cut < 400 else None]
    path = tmp_path_factory.mktemp("r") / "kpi_return.csv"
    path.write_text(text)
    TRIED["returns"] += 1
    loads_or_explains(path, catalogue)


@FUZZ
@given(change=st.text(alphabet=string.printable, max_size=12), at=st.integers(min_value=0, max_value=len(KPIS_YAML)))
def test_broken_kpi_definitions(tmp_path_factory, change: str, at: int) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("k") / "kpis.yaml"
    path.write_text(KPIS_YAML[:at] + change + KPIS_YAML[at + len(change) :])
    TRIED["kpis"] += 1
    try:
        load_kpis(path)
    except InputError as error:
        assert error.file == str(path)


@FUZZ
@given(
    rows=st.lists(
        st.lists(CELLS | st.sampled_from(["01/01/2019", "31/02/2019", "2019-01-01", "S", "V3"]), max_size=14),
        max_size=5,
    )
)
def test_malformed_ssda903_episodes(tmp_path_factory, rows) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("903")
    header = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    (folder / "episodes.csv").write_text(header + "\n".join(",".join(r) for r in rows))
    TRIED["ssda903"] += 1
    try:
        load_903(folder)
    except InputError as error:
        assert error.message


@FUZZ
@given(
    data=st.binary(max_size=300),
    header=st.sampled_from(["", "CHILD,SEX,DOB,DUC\n", "CHILD,DOB,MISSING,MIS_START,MIS_END\n"]),
)
def test_random_bytes_in_an_ssda903_folder(tmp_path_factory, data: bytes, header: str) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("903")
    (folder / "table.csv").write_bytes(header.encode() + data)
    TRIED["ssda903"] += 1
    try:
        load_903(folder)
    except InputError as error:
        assert error.message


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.permutations(["kpi_id", "year", "England", "Statistical neighbours", "source", "region"]),
    keep=st.integers(min_value=0, max_value=6),
    rows=st.lists(st.lists(CELLS | st.sampled_from(["moves_3plus", "2018/19", "18/19"]), max_size=7), max_size=5),
    data=st.binary(max_size=60),
)
def test_malformed_benchmarks(tmp_path_factory, catalogue: KpiCatalogue, header, keep, rows, data) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("b") / "benchmarks.csv"
    text = ",".join(header[: keep or None]) + "\n" + "\n".join(",".join(r) for r in rows)
    path.write_bytes(text.encode() + data)
    TRIED["benchmarks"] += 1
    try:
        load_benchmarks(path, catalogue)
    except InputError as error:
        assert error.file == str(path) and error.message


@settings(max_examples=300, deadline=None)
@given(names=st.lists(HOSTILE_NAME, min_size=1, max_size=6))
def test_hostile_area_names_make_safe_file_names_or_are_refused(names: list[str]) -> None:
    for name in names:
        made = slug(name)
        assert made and "/" not in made and "\\" not in made and not made.startswith(".")
        assert made not in RESERVED_PAGES and len(made) <= 80 and "\x00" not in made
    try:
        check_file_names(names, "return.csv")
    except InputError as error:
        assert "would both be written to" in error.message
    else:
        assert len({slug(n) for n in set(names)}) == len(set(names))
    NAMES_TRIED["names"] += len(names)
