"""The disk cache of a month's shared work: served only for the same bytes, same arguments, same code."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import stat
import time
from pathlib import Path

import pytest

from lacperf_helpers.config import cache
from lacperf_helpers.month import data as month_data
from lacperf_helpers.month import edition
from lacperf_helpers.present import appendix
from tests.conftest import write_return

# the sample's first month with an SSDA903 extract: the month's whole work (its measures table's decision among it)
# in seconds, where the latest month's is a minute (a decision for each of its twelve months of extracts)
MONTH = "2018-10"


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    return folder


def test_a_changed_file_is_another_entry(tmp_path: Path, cache_folder: Path) -> None:
    data = tmp_path / "return.csv"
    data.write_text("a,b\n1,2\n")
    first = cache.cache_key("month", ["2019-09"], [data])
    cache.store(first, {"figure": 12})
    assert cache.load(first) == {"figure": 12}
    assert cache.cache_key("month", ["2019-09"], [data]) == first
    assert cache.cache_key("month", ["2019-08"], [data]) != first
    data.write_text("a,b\n1,3\n")  # same size, same name: the bytes decide
    assert cache.cache_key("month", ["2019-09"], [data]) != first


def test_entries_are_private_and_a_torn_one_is_worked_out_again(cache_folder: Path) -> None:
    cache.store("month-x", [1, 2, 3])
    entry = cache_folder / "month-x.lacperf-cache"
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600  # unsuppressed figures: the user's eyes only
    entry.write_bytes(entry.read_bytes()[:-5])
    assert cache.load("month-x") is None


def test_an_entry_is_named_so_that_it_can_be_tidied_away() -> None:
    assert cache.cache_key("measures-hidden", ["2019-09"], []).startswith("measures-hidden-")
    with pytest.raises(ValueError, match="lower-case letters, digits and hyphens"):
        cache.cache_key("measures hidden", ["2019-09"], [])  # tidying would never have seen it


def _work_out_slowly(folder: Path) -> int:
    """A month's work, marked where the test can count it: it lasts until the other process is asking too."""
    with (folder / "worked").open("a") as marks:
        marks.write("once\n")
    for _ in range(100):  # the other asks meanwhile (10 s at most)
        if (folder / "asking").exists():
            break
        time.sleep(0.1)
    time.sleep(0.5)
    return 12


def _ask(folder: Path, first: bool) -> int:
    if not first:
        (folder / "asking").touch()
    return cache.kept_or_worked_out("month-at-once", int, lambda: _work_out_slowly(folder))


def test_two_processes_after_the_same_month_take_turns(cache_folder: Path, tmp_path: Path) -> None:
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        first = pool.submit(_ask, tmp_path, True)
        while not (tmp_path / "worked").exists():  # the first is working it out
            time.sleep(0.05)
        second = pool.submit(_ask, tmp_path, False)
        assert (first.result(), second.result()) == (12, 12)
    assert (tmp_path / "worked").read_text() == "once\n"  # the second waited and read the first's entry
    assert list(cache_folder.glob("*.lacperf-lock")) == []  # no lock file left behind


def _used(folder: Path, name: str, seconds_ago: float) -> None:
    """Mark an entry last used `seconds_ago` (`load` marks what it reads by its modification time)."""
    when = time.time() - seconds_ago
    os.utime(folder / f"{name}.lacperf-cache", (when, when))


def test_only_the_most_recently_used_entries_are_kept(cache_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "KEEP_ENTRIES", 2)
    for i, name in enumerate(["a", "b", "c"]):
        cache.store(name, i)
        _used(cache_folder, name, 10 - i)
    (cache_folder / "notes.pickle").write_bytes(b"someone else's")  # not lacperf's: never removed
    (cache_folder / "notes.lacperf-cache\n").write_bytes(b"nor is this")  # not quite its name: never removed
    cache.store("d", 3)
    assert sorted(p.stem for p in cache_folder.glob("*.lacperf-cache")) == ["c", "d"]
    assert (cache_folder / "notes.pickle").exists() and (cache_folder / "notes.lacperf-cache\n").exists()


def test_only_the_most_recently_used_entries_that_fit_in_the_bytes_kept_are_kept(
    cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes = {}
    for i, name in enumerate(["a", "b", "c"]):
        cache.store(name, "x" * 1000)
        _used(cache_folder, name, 10 - i)
        sizes[name] = (cache_folder / f"{name}.lacperf-cache").stat().st_size
    (cache_folder / "notes.pickle").write_bytes(b"n" * 10_000)  # not lacperf's: neither counted nor removed
    assert len(set(sizes.values())) == 1
    monkeypatch.setattr(cache, "KEEP_BYTES", 2 * sizes["a"] + 10)  # room for two entries of this size
    cache.store("d", "x" * 1000)
    assert sorted(p.stem for p in cache_folder.glob("*.lacperf-cache")) == ["c", "d"]
    # the entry just stored stays, before one marked used since (by another process's `load`), and even when it
    # is larger than the bytes kept
    monkeypatch.setattr(cache, "KEEP_BYTES", sizes["a"] + 10)
    _used(cache_folder, "c", -5)
    cache.store("e", "x" * 1000)
    assert sorted(p.stem for p in cache_folder.glob("*.lacperf-cache")) == ["e"]
    monkeypatch.setattr(cache, "KEEP_BYTES", 10)
    cache.store("f", "x" * 1000)
    assert sorted(p.stem for p in cache_folder.glob("*.lacperf-cache")) == ["f"]
    assert (cache_folder / "notes.pickle").exists()


def test_an_entry_unused_for_30_days_is_removed(cache_folder: Path) -> None:
    for name in ("used-29-days-ago", "used-31-days-ago"):
        cache.store(name, name)
    _used(cache_folder, "used-29-days-ago", 29 * 24 * 3600)
    _used(cache_folder, "used-31-days-ago", 31 * 24 * 3600)
    cache.store("new", 1)
    assert sorted(p.stem for p in cache_folder.glob("*.lacperf-cache")) == ["new", "used-29-days-ago"]


def test_what_a_killed_run_left_is_removed_a_day_later(cache_folder: Path) -> None:
    cache.store("month-0", 0)  # the folder, made as lacperf makes it
    left = [".month-1.lacperf-cache.a1_b2c3d4.tmp", "month-1.lacperf-lock"]  # a half-written entry, a lock
    for name in [*left, "notes.tmp", ".notes.lacperf-cache.tmp"]:  # and two not quite lacperf's own
        (cache_folder / name).write_bytes(b"x")
        os.utime(cache_folder / name, (time.time() - 25 * 3600,) * 2)
    (cache_folder / ".month-2.lacperf-cache.e5f6g7h8.tmp").write_bytes(b"x")  # being written now, by another run
    cache.store("month-3", 1)
    assert sorted(p.name for p in cache_folder.iterdir()) == [
        ".month-2.lacperf-cache.e5f6g7h8.tmp",
        ".notes.lacperf-cache.tmp",
        "month-0.lacperf-cache",
        "month-3.lacperf-cache",
        "notes.tmp",
    ]


def test_an_entry_tidied_away_by_another_process_as_it_is_read_is_still_served(
    cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # another process's `store` tidies entries away: one can go between this process reading it and marking it
    # used (a batch's workers and its plan share the folder; a test run failed on it once)
    cache.store("month-" + "0" * 64, {"figure": 12})
    touch = os.utime

    def tidied_first(path: Path, *args: object) -> None:
        Path(path).unlink()
        touch(path)

    monkeypatch.setattr(cache.os, "utime", tidied_first)
    assert cache.load("month-" + "0" * 64) == {"figure": 12}


def test_off_means_nothing_is_served_or_written(cache_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.store("month-y", 1)
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    assert cache.load("month-y") is None  # made before it was switched off: not served
    cache.store("month-z", 2)
    monkeypatch.setenv(cache.CACHE_ENV, str(cache_folder))
    assert sorted(p.stem for p in cache_folder.glob("*.lacperf-cache")) == ["month-y"]
    assert cache.load("month-y") == 1


def test_a_fresh_process_is_served_the_months_work(cache_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    month_data._month_data.cache_clear()  # worked out here, whatever earlier tests did
    month_data._MEASURES_DECIDED.clear()
    month_data._FLOW_COUNTS.clear()
    edition._edition_view.cache_clear()
    first = appendix.load_appendix(MONTH, "South Kent", made_at="2019-10-01T00:00Z")
    # the month's, and the last month's before any extract (2018-09): the measures tables read what its pages hid
    assert len(list(cache_folder.glob("month-*.lacperf-cache"))) == 2
    # the measures table's one decision of each month with an extract or Annex A: 2018-10 is the sample's first
    assert len(list(cache_folder.glob("measures-decision-*.lacperf-cache"))) == 1
    made = list(cache_folder.iterdir())
    assert [p.name for p in made if not cache.OWN_ENTRY.match(p.name)] == []  # each one tidied away in time
    month_data._month_data.cache_clear()  # as a new worker's kernel starts with nothing in memory
    month_data._MEASURES_DECIDED.clear()
    month_data._FLOW_COUNTS.clear()
    edition._edition_view.cache_clear()

    def must_not_run(*args: object) -> None:
        raise AssertionError("the month was worked out again")

    monkeypatch.setattr(month_data, "_work_out_month", must_not_run)
    again = appendix.load_appendix(MONTH, "South Kent", made_at="2019-10-01T00:00Z")
    assert again.card.frame.equals(first.card.frame)
    assert again.problems.equals(first.problems)


def test_a_months_figures_are_worked_out_once_with_benchmarks_or_without(
    cache_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CSV commands take no benchmarks and a batch's pages do; the month's figures and decision are made of
    neither, so both are served the one working out. Settings that differ are another month's figures."""
    import dataclasses

    from lacperf_helpers.config import paths
    from lacperf_helpers.config.inputs import Inputs

    month_data._month_data.cache_clear()
    without = month_data.month_data(MONTH, inputs=Inputs())
    month_data._month_data.cache_clear()  # as another command's process, with nothing in memory

    def must_not_run(*args: object) -> None:
        raise AssertionError("the month's figures were worked out again")

    monkeypatch.setattr(month_data, "_work_out_figures", must_not_run)
    with_them = month_data.month_data(MONTH, inputs=dataclasses.replace(Inputs(), benchmarks=paths.BENCHMARKS_FILE))
    assert with_them.figures.equals(without.figures) and with_them.hidden.equals(without.hidden)
    assert without.benchmarks.empty and not with_them.benchmarks.empty  # each its own benchmarks
    stricter = tmp_path / "settings.yaml"  # the disclosure rule decides what is hidden: not the same figures
    stricter.write_text(paths.SETTINGS_FILE.read_text() + "\ndisclosure: {smallest_shown: 10}\n")
    month_data._month_data.cache_clear()
    with pytest.raises(AssertionError, match="worked out again"):
        month_data.month_data(MONTH, inputs=dataclasses.replace(Inputs(), settings=stricter))


def test_a_months_figures_follow_what_published_pages_before_the_first_extract_hid(
    cache_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The measures read the pages of the months before the first extract as their published versions hid them
    (`pages_before_extracts`): a version that hid more makes other figures, worked out again, not served."""
    import dataclasses

    from lacperf_helpers.config.inputs import Inputs
    from lacperf_helpers.month.stamp import KEPT_DECISION, first_extract

    published = tmp_path / "public"
    inputs = dataclasses.replace(Inputs(), published=published)
    assert first_extract(inputs.returns) == MONTH
    month_data._month_data.cache_clear()
    month_data.month_data(MONTH, inputs=inputs)

    def must_not_run(*args: object) -> None:
        raise AssertionError("the month's figures were worked out again")

    monkeypatch.setattr(month_data, "_work_out_figures", must_not_run)
    month_data._month_data.cache_clear()
    month_data.month_data(MONTH, inputs=inputs)  # served: nothing published has changed
    kept = published / "2018-09" / KEPT_DECISION
    kept.parent.mkdir(parents=True)
    kept.write_text("month,area,kpi_id,cohort,breakdown,group\n2018-09,Kent,looked_after,all,total,all\n")
    month_data._month_data.cache_clear()
    with pytest.raises(AssertionError, match="worked out again"):
        month_data.month_data(MONTH, inputs=inputs)


def test_a_month_whose_files_have_errors_is_not_kept(cache_folder: Path, tmp_path: Path, kpis_file: Path) -> None:
    """An error may be mended without changing its file (a size limit raised): nothing of such a month is kept,
    so the next run reads the files again."""
    from lacperf_helpers.config.inputs import Inputs
    from lacperf_helpers.ingest.validation import ValidationError

    returns = tmp_path / "returns"
    write_return(returns, MONTH, f"{MONTH},Kent,reviews_on_time,120,100,\n")  # more children than in the cohort
    month_data._month_data.cache_clear()
    with pytest.raises(ValidationError) as raised:
        month_data.month_data(MONTH, inputs=Inputs.of(returns=returns, kpis=kpis_file))
    assert {Path(f).name for f in raised.value.problems["file"]} == {"kpi_return.csv"}
    assert list(cache_folder.glob("figures-*")) == [] and list(cache_folder.glob("month-*")) == []


def test_a_kernel_is_served_the_months_view_the_batchs_plan_worked_out(
    cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch's plan works out each edition's view of the month (to count the pages' ratings); a worker's
    kernel reads it rather than work it out again, and a different edition or cohort is its own entry."""
    from lacperf_helpers.config.editions import Edition
    from lacperf_helpers.config.inputs import Inputs

    month_data._month_data.cache_clear()
    edition._edition_view.cache_clear()
    planned = edition.edition_view(MONTH, inputs=Inputs(), edition=Edition.PUBLIC)
    assert len(list(cache_folder.glob("view-*.lacperf-cache"))) == 1
    month_data._month_data.cache_clear()
    edition._edition_view.cache_clear()

    def must_not_run(*args: object) -> None:
        raise AssertionError("the view was worked out again")

    monkeypatch.setattr(edition, "_work_out_view", must_not_run)
    page = appendix.load_appendix(MONTH, "South Kent", made_at="2019-10-01T00:00Z", edition="public")
    assert page.all_areas.frame.equals(planned.card.frame)
    with pytest.raises(AssertionError, match="worked out again"):  # the internal edition: not this entry
        edition.edition_view(MONTH, inputs=Inputs(), edition=Edition.INTERNAL)


class Planted:
    """What an attacker's pickle does when it is loaded: leave a mark."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (str(MARK),))


MARK = Path("/tmp/lacperf-cache-planted-ran")


def test_a_planted_entry_is_never_run(cache_folder: Path) -> None:
    import pickle

    MARK.unlink(missing_ok=True)
    cache.store("month-p", {"figure": 1})
    forged = pickle.dumps(Planted())
    for name, data in [("month-p.lacperf-cache", bytes(32) + forged), ("month-p.pickle", forged)]:
        (cache_folder / name).write_bytes(data)  # unsigned, or in the old format beside it
        assert cache.load("month-p") is None
        assert not MARK.exists()
    # an entry signed for another key cannot stand in for this one
    cache.store("month-q", {"disclosure_control": False})
    (cache_folder / "month-p.lacperf-cache").write_bytes((cache_folder / "month-q.lacperf-cache").read_bytes())
    assert cache.load("month-p") is None


def test_a_folder_others_can_write_to_is_refused(cache_folder: Path) -> None:
    from lacperf_helpers.config.errors import InputError

    cache_folder.mkdir(mode=0o700)
    cache_folder.chmod(0o777)
    with pytest.raises(InputError, match="the cache folder is writable by others"):
        cache.load("month-x")
    cache_folder.chmod(0o700)
    if os.getuid() == 0:  # only root can give a folder away
        os.chown(cache_folder, 65534, -1)
        with pytest.raises(InputError, match="the cache folder is not yours"):
            cache.store("month-x", 1)


def test_outputs_follow_the_umask(tmp_path: Path) -> None:
    from lacperf_helpers.config.paths import write_atomically

    previous = os.umask(0o027)
    try:
        write_atomically(tmp_path / "page.html", "<p>hi</p>")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "page.html").stat().st_mode) == 0o640


def test_a_manifest_hashes_a_file_as_it_is_now_even_rewritten_to_look_unchanged(tmp_path: Path) -> None:
    # a settings file rewritten at the same size, its modification time put back: the cache's key may keep
    # the hash it read (documented); the page's manifest records the bytes as they are
    import hashlib
    import os

    from lacperf_helpers.config.cache import file_sha256
    from lacperf_helpers.config.inputs import Inputs
    from lacperf_helpers.ingest.manifest import describe

    kpis = tmp_path / "kpis.yaml"
    kpis.write_bytes(b"kpis: [a]\n")
    before = kpis.stat()
    assert file_sha256(kpis) == hashlib.sha256(b"kpis: [a]\n").hexdigest()
    kpis.write_bytes(b"kpis: [b]\n")
    os.utime(kpis, ns=(before.st_atime_ns, before.st_mtime_ns))
    manifest = describe(Inputs(returns=tmp_path / "none", kpis=kpis), "2019-09", {}, "now")
    assert manifest["kpi_definitions_sha256"] == hashlib.sha256(b"kpis: [b]\n").hexdigest()
    assert file_sha256(kpis) == hashlib.sha256(b"kpis: [a]\n").hexdigest()  # the key's, within this process


def test_a_run_reads_each_input_once_for_all_its_pages_and_the_next_run_reads_it_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # three pages of one month share their inputs (the return, the KPI definitions, the project's other parameter
    # files): each read once in the run, not three times; a file rewritten after the run at the same size, its
    # modification time put back, is read as it is by the next run
    import hashlib

    from lacperf_helpers.config.inputs import Inputs
    from lacperf_helpers.ingest import manifest as manifests

    kpis = tmp_path / "kpis.yaml"
    kpis.write_bytes(b"kpis: [a]\n")
    (tmp_path / "returns" / "2019-09").mkdir(parents=True)
    figures = tmp_path / "returns" / "2019-09" / "kpi_return.csv"
    figures.write_bytes(b"area,kpi_id\nKent,CIC01\n")
    inputs = Inputs(returns=tmp_path / "returns", kpis=kpis)
    read: list[Path] = []
    real = manifests.sha256_now
    monkeypatch.setattr(manifests, "sha256_now", lambda path: read.append(path) or real(path))
    run = manifests.RunHashes()
    made = [manifests.describe(inputs, "2019-09", {"area": area}, "now", run=run) for area in ("A", "B", "C")]
    assert len(read) == len(set(read)) and {figures, kpis} <= set(read)
    assert made[0]["inputs"] == made[2]["inputs"]
    assert {"file": "2019-09/kpi_return.csv", "sha256": hashlib.sha256(b"area,kpi_id\nKent,CIC01\n").hexdigest()} in (
        made[2]["inputs"]
    )
    before = kpis.stat()
    kpis.write_bytes(b"kpis: [b]\n")
    os.utime(kpis, ns=(before.st_atime_ns, before.st_mtime_ns))
    again = manifests.describe(inputs, "2019-09", {"area": "A"}, "now", run=manifests.RunHashes())
    assert again["kpi_definitions_sha256"] == hashlib.sha256(b"kpis: [b]\n").hexdigest()
    assert made[0]["kpi_definitions_sha256"] == hashlib.sha256(b"kpis: [a]\n").hexdigest()


def test_an_index_is_drawn_again_only_when_what_it_shows_or_its_file_changed(
    tmp_path: Path, cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from lacperf_helpers.run import index_pages

    folder = tmp_path / "reports" / "2019-09"
    folder.mkdir(parents=True)
    page = {"fingerprint": "f", "html": "kent.html", "period": "2019-09", "area": "Kent", "cohort": "all",
            "ratings": {"Green": 1, "Amber": 0, "Red": 0, "Not rated": 0}, "authority": "Kent"}  # fmt: skip
    (folder / "kent.html").write_text("<p>Kent</p>")
    (folder / "kent.json").write_text(json.dumps(page))
    drawn: list[int] = []
    real = index_pages._index_template
    monkeypatch.setattr(index_pages, "_index_template", lambda: drawn.append(1) or real())
    index_pages.write_indexes(tmp_path / "reports")
    index = (folder / "index.html").read_text()
    index_pages.write_indexes(tmp_path / "reports")  # nothing changed: left as it is
    assert len(drawn) == 1 and (folder / "index.html").read_text() == index
    (folder / "index.html").write_text("edited by hand")  # not as written: drawn again
    index_pages.write_indexes(tmp_path / "reports")
    assert len(drawn) == 2 and (folder / "index.html").read_text() == index
    (folder / "kent.json").write_text(json.dumps({**page, "ratings": {**page["ratings"], "Green": 0, "Red": 1}}))
    index_pages.write_indexes(tmp_path / "reports")  # a page's ratings changed: drawn again, and shows it
    assert len(drawn) == 3 and (folder / "index.html").read_text() != index
    (tmp_path / "reports" / "index.html").unlink()  # the top index gone: drawn again
    index_pages.write_indexes(tmp_path / "reports")
    assert len(drawn) == 4 and (tmp_path / "reports" / "index.html").is_file()
