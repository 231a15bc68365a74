"""Malformed inputs: the loaders give a clean load or an InputError naming the file, never a traceback.

Hypothesis generates the files: random bytes, truncated and shuffled returns, wrong types, broken YAML; and
what is not a file at all (links, FIFOs, devices, folders), text in every encoding Excel writes, and YAML
that names values and repeats them (aliases).
"""

import csv
import io
import os
import random
import string
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lacperf_helpers.config.cohorts import load_cohorts
from lacperf_helpers.config.definitions import KpiCatalogue, load_kpis
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.formatting import RESERVED_PAGES, slug
from lacperf_helpers.ingest.returns import RETURN_COLUMNS, read_return
from lacperf_helpers.ingest.ssda903 import load_903
from lacperf_helpers.rate.benchmarks import load_benchmarks
from lacperf_helpers.run.render import check_file_names
from lacperf_helpers.run.run_file import load_run
from tests.conftest import HEADER, KPIS_YAML

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
# issue 26: what is not a regular file, each encoding, YAML aliases
KINDS_TRIED = {"file kinds": 0, "encodings": 0, "YAML aliases": 0}
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


# --- file kinds, encodings and YAML aliases (issue 26) --------------------------------------------------------


def _make(kind: str, path: Path, good: bytes) -> None:
    """`path` made as `kind`: never a regular file of its own but for 'link to a file' (read as that file)."""
    if kind == "FIFO":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "broken link":
        path.symlink_to(path.with_name("gone"))
    elif kind == "link loop":
        path.with_name("other").symlink_to(path)
        path.symlink_to(path.with_name("other"))
    elif kind in ("/dev/null", "/dev/zero", "/dev/urandom"):
        path.symlink_to(kind)
    elif kind == "link to a file":
        path.with_name("real").write_bytes(good)
        path.symlink_to(path.with_name("real"))
    else:  # an empty file
        path.write_bytes(b"")


KINDS = ["FIFO", "folder", "broken link", "link loop", "/dev/null", "/dev/zero", "/dev/urandom", "link to a file",
         "empty file"]  # fmt: skip
GOOD_RETURN = (HEADER + "\n".join(GOOD_ROWS) + "\n").encode()


@settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(KINDS), where=st.sampled_from(["return", "903", "kpis", "cohorts", "run file"]))
def test_what_is_not_a_regular_file_is_refused_at_once(tmp_path_factory, catalogue: KpiCatalogue, kind, where) -> None:  # type: ignore[no-untyped-def]
    """Never a hang (a FIFO), never a read without end (/dev/zero): refused with the file named, or (a link to
    a file) read as that file. The deadline holds each example to 5 s."""
    folder = tmp_path_factory.mktemp("kinds")
    started = time.perf_counter()
    if where == "903":
        extract = folder / "2019-04" / "903"
        extract.mkdir(parents=True)
        _make(kind, extract / "episodes.csv", b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n")
        problems = load_903(extract, strict=False).problems
        if kind not in ("link to a file",):
            assert (problems["file"].str.endswith("episodes.csv") & (problems["severity"] == "error")).any()
    else:
        name = {"return": "kpi_return.csv", "kpis": "kpis.yaml", "cohorts": "cohorts.yaml", "run file": "run.yaml"}
        path = folder / name[where]
        good = {"return": GOOD_RETURN, "kpis": KPIS_YAML.encode(), "cohorts": b"cohorts:\n  - name: all\n",
                "run file": b"months: '2019-04'\n"}[where]  # fmt: skip
        _make(kind, path, good)
        load = {"return": lambda p: read_return(p, "2019-04", catalogue), "kpis": load_kpis, "cohorts": load_cohorts,
                "run file": lambda p: load_run(str(p))}[where]  # fmt: skip
        try:
            load(path)
        except InputError as error:
            assert error.file == str(path) and error.message
        else:
            assert kind == "link to a file", kind
    assert time.perf_counter() - started < 5
    KINDS_TRIED["file kinds"] += 1


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"]
NAMES = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzéèêàçöüñ' -", min_size=1, max_size=20)


@FUZZ
@given(name=NAMES, encoding=st.sampled_from(ENCODINGS), stray=st.one_of(st.none(), st.integers(0, 10_000)),
       byte=st.integers(0x80, 0xFF))  # fmt: skip
def test_every_encoding_reads_the_same_or_names_the_row(tmp_path_factory, catalogue, name, encoding, stray, byte):  # type: ignore[no-untyped-def]
    """A return saved in any encoding Excel writes reads as the same text; one with a stray byte put in reads or
    is refused naming the file, never a traceback and never a name changed without a word."""
    area = name.strip() or "Kent"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(["2019-04", area, "reviews_on_time", "45", "50", ""])
    text = HEADER + out.getvalue()
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    try:
        data = bom + text.encode(encoding)
    except UnicodeEncodeError:
        return  # a name this encoding cannot hold
    path = tmp_path_factory.mktemp("enc") / "kpi_return.csv"
    KINDS_TRIED["encodings"] += 1
    if stray is None:
        path.write_bytes(data)
        read = read_return(path, "2019-04", catalogue)
        if encoding in ("cp1252", "latin-1") and area.isascii() is False and _looks_utf8(data):
            return  # cp1252 bytes that happen to spell UTF-8 ('Ã©'): read as UTF-8, as Excel would
        assert read["area"].tolist() == [area]
        return
    at = stray % (len(data) + 1)
    path.write_bytes(data[:at] + bytes([byte]) + data[at:])
    try:
        read_return(path, "2019-04", catalogue)
    except InputError as error:
        assert error.file == str(path) and error.message


def _looks_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=40, deadline=3000)
@given(depth=st.integers(1, 12), width=st.integers(1, 12), where=st.sampled_from(["kpis", "cohorts", "run file"]),
       merge=st.booleans())  # fmt: skip
def test_yaml_aliases_are_refused_at_once(tmp_path_factory, depth: int, width: int, where: str, merge: bool) -> None:  # type: ignore[no-untyped-def]
    """Aliases nested in aliases (width ** depth values in a few hundred bytes), or a merge key (<<: *base):
    refused at once, naming the file and the line, whatever the loader."""
    lines = ["base: &a0 {x: 1}" if merge else "a0: &a0 [x, x]"]
    for level in range(1, depth + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    if merge:
        lines.append("more:\n  <<: *a0\n  y: 2")
    path = tmp_path_factory.mktemp("yaml") / "aliases.yaml"
    path.write_text("\n".join(lines) + "\n")
    load = {"kpis": load_kpis, "cohorts": load_cohorts, "run file": lambda p: load_run(str(p))}[where]
    started = time.perf_counter()
    try:
        load(path)
    except InputError as error:
        assert error.file == str(path) and "uses a YAML alias" in error.message and error.row == 2
    else:
        raise AssertionError("aliases were not refused")
    assert time.perf_counter() - started < 2
    KINDS_TRIED["YAML aliases"] += 1
