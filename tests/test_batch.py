"""`lacperf batch`: parallel, incremental, isolated failures, safe side by side, indexed, on Dask too."""

import json
import re
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.run.jobs import Job
from lacperf_helpers.run.pages import NOTEBOOKS
from lacperf_helpers.run.plan import plan
from lacperf_helpers.run.render import SyncIPCKernelManager, execute_notebook
from lacperf_helpers.run.run_file import RunFile, load_run
from tests.conftest import exited, write_return
from tests.test_scorecard import APRIL, MARCH

runner = CliRunner()


@pytest.fixture
def run_file(tmp_path: Path, kpis_file: Path) -> Path:
    """A run of April 2019 for Kent and Ashford on the three-KPI fixture."""
    returns = tmp_path / "returns"
    write_return(returns, "2019-03", MARCH)
    write_return(returns, "2019-04", APRIL)
    benchmarks = tmp_path / "benchmarks.csv"
    benchmarks.write_text("kpi_id,year,england,statistical_neighbours,source\n")
    path = tmp_path / "run.yaml"
    path.write_text(
        f"months: '2019-04'\nreturns: {returns}\nkpis: {kpis_file}\nbenchmarks: {benchmarks}\n"
        f"settings: {tmp_path / 'settings.yaml'}\nout: {tmp_path / 'reports'}\n"
    )
    (tmp_path / "settings.yaml").write_text("authority: Kent\n")
    return path


def counts(output: str) -> dict[str, int]:
    """The summary table's counts, as printed."""
    found = re.findall(r"(rendered|skipped as unchanged|failed)\s*│\s*(\d+)", output)
    return {status: int(n) for status, n in found}


def test_run_files(tmp_path: Path) -> None:
    monthly = load_run("monthly")
    assert (monthly.month_list(), monthly.areas, monthly.cohorts) == (["2019-09"], "all", ("all",))
    year = load_run("year-of-months")
    assert year.month_list()[0] == "2018-10" and len(year.month_list()) == 12
    assert year.quarter_list() == ["Q3 2018/19", "Q4 2018/19", "Q1 2019/20", "Q2 2019/20"]
    with pytest.raises(InputError, match="no such run file; the runs in parameters/runs are: monthly, year-of-months"):
        load_run("weekly")
    # the cohorts are named in the run's cohorts file: one it does not define is refused when planned
    with pytest.raises(InputError, match="no cohort 'under 16'; the cohorts are: all, excluding UASC"):
        plan(RunFile.model_validate({"months": "2019-09", "cohorts": ["under 16"], "out": str(tmp_path)}))


def test_renders_in_parallel_then_skips_what_has_not_changed(run_file: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    first = runner.invoke(app, ["batch", str(run_file), "--workers", "2"])
    assert first.exit_code == 0, first.output
    assert counts(first.output) == {"rendered": 2, "skipped as unchanged": 0, "failed": 0}
    assert sorted(p.name for p in (reports / "public" / "2019-04").glob("*.html")) == [
        "ashford.html", "index.html", "kent.html"
    ]  # fmt: skip
    manifest = json.loads((reports / "public" / "2019-04" / "kent.json").read_text())
    # the public edition's: Kent's 46 of 50 reviews (4 without) and 4 of 40 moves are not shown, so not rated
    assert manifest["ratings"] == {"Green": 1, "Amber": 0, "Red": 0, "Not rated": 2}
    assert {Path(i["file"]).name for i in manifest["inputs"]} >= {"kpi_return.csv", "kpis.yaml"}
    assert {i["file"] for i in manifest["code"]} == {"scorecard.ipynb", "index.html.j2"}

    again = runner.invoke(app, ["batch", str(run_file)])
    assert counts(again.output) == {"rendered": 0, "skipped as unchanged": 2, "failed": 0}

    april = tmp_path / "returns" / "2019-04" / "kpi_return.csv"
    april.write_text(april.read_text().replace("2019-04,Kent,moves_3plus,4,40,", "2019-04,Kent,moves_3plus,5,40,"))
    corrected = runner.invoke(app, ["batch", str(run_file)])
    assert counts(corrected.output)["rendered"] == 2  # both pages read April's return

    forced = runner.invoke(app, ["batch", str(run_file), "--area", "Ashford", "--force", "--fresh-kernels"])
    assert counts(forced.output) == {"rendered": 1, "skipped as unchanged": 0, "failed": 0}


def test_index_pages_list_every_appendix(run_file: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["batch", str(run_file)]).exit_code == 0
    month_index = (tmp_path / "reports" / "public" / "2019-04" / "index.html").read_text()
    assert month_index.index('<a href="kent.html">Kent</a>') < month_index.index('<a href="ashford.html">Ashford</a>')
    assert '<td class="count green">1 Green</td>' in month_index
    top = (tmp_path / "reports" / "public" / "index.html").read_text()
    assert '<a href="2019-04/index.html">April 2019</a>' in top


def test_a_run_makes_each_edition_in_its_own_folder_with_its_own_index(run_file: Path, tmp_path: Path) -> None:
    run_file.write_text(run_file.read_text() + "editions: [internal, public]\n")
    result = runner.invoke(app, ["batch", str(run_file), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert counts(result.output) == {"rendered": 4, "skipped as unchanged": 0, "failed": 0}
    public, internal = tmp_path / "reports" / "public", tmp_path / "reports" / "internal-not-for-publication"
    assert sorted(p.name for p in (public / "2019-04").iterdir()) == [
        "ashford.html", "ashford.json", "disclosure-decision.csv", "index.html", "kent.html", "kent.json",
    ]  # fmt: skip
    assert sorted(p.name for p in (internal / "2019-04").iterdir()) == [
        "ashford.html", "ashford.json", "disclosure-log.csv", "index.html", "kent.html", "kent.json",
        "validation.csv", "validation.html",
    ]  # fmt: skip
    for index in (public / "index.html", public / "2019-04" / "index.html"):
        assert "internal" not in index.read_text().lower()  # a public index never links an internal page
    assert "Internal edition: not for publication." in (internal / "2019-04" / "index.html").read_text()
    manifests = {json.loads(p.read_text())["edition"] for p in (tmp_path / "reports").rglob("kent.json")}
    assert manifests == {"internal", "public"}
    assert load_run("monthly").editions == ("internal", "public")


PARAMETERS = (
    "month", "area", "cohort", "returns_dir", "kpis_file", "settings_file", "trend_file", "benchmarks_file", "made_at",
    "dfe_rules", "national_dir",
)  # fmt: skip
FIXTURE_NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"
FAILS_FOR_ASHFORD = FIXTURE_NOTEBOOKS / "fails_for_ashford.ipynb"  # raises for one area, prints the others


def test_one_failing_area_keeps_its_last_good_page(
    run_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(NOTEBOOKS, "scorecard", FAILS_FOR_ASHFORD)  # jobs carry the notebook chosen when planned
    last_good = tmp_path / "reports" / "public" / "2019-04" / "ashford.html"
    last_good.parent.mkdir(parents=True)
    last_good.write_text("<html>last good</html>")
    result = runner.invoke(app, ["batch", str(run_file), "--workers", "2"])
    assert result.exit_code == 1
    assert counts(result.output) == {"rendered": 1, "skipped as unchanged": 0, "failed": 1}
    assert "ValueError: no figures for Ashford" in " ".join(result.output.split())
    assert last_good.read_text() == "<html>last good</html>"
    assert (tmp_path / "reports" / "public" / "2019-04" / "kent.html").exists()


def test_two_batches_at_once_take_turns(run_file: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "lacperf_helpers", "batch", str(run_file), "--workers", "1"]
    started = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=300)[0] for process in started]
    assert [process.returncode for process in started] == [0, 0], outputs
    rendered = sum(counts(output).get("rendered", 0) for output in outputs)
    assert rendered == 2  # each page rendered once; the second batch found it done
    for page in (tmp_path / "reports" / "public" / "2019-04").glob("*.html"):
        assert page.read_text().rstrip().endswith("</html>")
    for manifest in (tmp_path / "reports" / "public" / "2019-04").glob("*.json"):
        json.loads(manifest.read_text())
    assert not list((tmp_path / "reports").rglob("*.tmp"))


def test_the_same_batch_on_a_dask_cluster(run_file: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = runner.invoke(app, ["batch", str(run_file), "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    assert counts(result.output) == {"rendered": 2, "skipped as unchanged": 0, "failed": 0}
    assert (tmp_path / "reports" / "public" / "2019-04" / "ashford.html").read_text().rstrip().endswith("</html>")


def test_pages_a_dask_cluster_loses_are_marked_failed(run_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's future that raises (the scheduler lost mid-run: FutureCancelledError; a worker killed:
    KilledWorker) was a traceback, with no summary and no index. Each such page is now marked failed, as a local
    pool's dead worker's are, and the run goes on to its summary (and its index, of the pages it has)."""
    from distributed import LocalCluster

    from lacperf_helpers.run import workers

    def lost(*args: object, **kwargs: object) -> None:
        raise ConnectionError("scheduler-connection-lost")

    monkeypatch.setattr(workers, "run_job", lost)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        result = runner.invoke(app, ["batch", str(run_file), "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output  # not a traceback
    assert counts(result.output) == {"rendered": 0, "skipped as unchanged": 0, "failed": 2}
    assert "the Dask cluster lost it: ConnectionError" in result.output


TINY = FIXTURE_NOTEBOOKS / "tiny.ipynb"  # one cell: 1 + 1


def test_a_parameter_the_notebook_does_not_declare_is_refused_as_the_notebook_now_reads(tmp_path: Path) -> None:
    """A notebook's parameters are read once a process for the same text: rewritten, it is read again."""
    import nbformat

    from lacperf_helpers.run.render import RenderError, check_parameters

    notebook = tmp_path / "parameters.ipynb"
    cell = nbformat.v4.new_code_cell("month = ''", metadata={"tags": ["parameters"]})
    kernelspec = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(nbformat.v4.new_notebook(cells=[cell], metadata=kernelspec), notebook)
    check_parameters(notebook, {"month": "2019-09"})
    with pytest.raises(RenderError, match=r"has no parameter\(s\) area; it takes month$"):
        check_parameters(notebook, {"month": "2019-09", "area": "Kent"})
    cell.source = "month = ''\narea = ''"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell], metadata=kernelspec), notebook)
    check_parameters(notebook, {"month": "2019-09", "area": "Kent"})


def test_many_kernels_started_at_once_do_not_collide(tmp_path: Path) -> None:
    """Over TCP, kernels started together can pick one port; over IPC each has its own socket folder."""
    assert SyncIPCKernelManager().transport == "ipc"
    notebook = TINY
    with ThreadPoolExecutor(max_workers=8) as pool:
        executed = list(pool.map(lambda _: execute_notebook(notebook, {}), range(8)))
    assert [nb.cells[0].outputs[0]["data"]["text/plain"] for nb in executed] == ["2"] * 8


def test_a_warm_kernel_gives_each_appendix_a_fresh_namespace(tmp_path: Path) -> None:
    from lacperf_helpers.run.render import WarmKernel

    def notebook(name: str, source: str) -> Path:
        path = tmp_path / f"{name}.ipynb"
        cell = {
            "cell_type": "code",
            "id": "a",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": source,
        }
        path.write_text(json.dumps({**json.loads(TINY.read_text()), "cells": [cell]}))
        return path

    kernel = WarmKernel()
    try:
        kernel.warm(tmp_path)  # as a batch worker is warmed before its first page: the imports are not carried over
        first = kernel.execute(notebook("first", "child_id = '000123'\nimport os\nos.getpid()"), {})
        seen = "{'child_id', 'lacperf_helpers'} & set(globals())"
        second = kernel.execute(notebook("second", f"import os\n({seen}, os.getpid())"), {})
    finally:
        kernel.shutdown()
    pid = first.cells[-1].outputs[0]["data"]["text/plain"]
    assert second.cells[-1].outputs[0]["data"]["text/plain"] == f"(set(), {pid})"  # same kernel, nothing carried over
    assert not Path(f"/proc/{pid}").exists()  # shut down: killed and reaped, not left running or a zombie


def test_a_page_runs_no_cell_for_analysts_and_keeps_no_input_history(tmp_path: Path) -> None:
    """A cell tagged analyst-only is left out of a page, so a render does not run it (one that fails fails
    nothing); the kernel writes no cell to IPython's history database (10 ms a cell)."""
    cells = [
        {"cell_type": "code", "id": "a", "execution_count": None, "metadata": {"tags": ["analyst-only"]},
         "outputs": [], "source": "raise RuntimeError('only for JupyterLab')"},
        {"cell_type": "code", "id": "b", "execution_count": None, "metadata": {}, "outputs": [],
         "source": "get_ipython().history_manager.enabled"},
    ]  # fmt: skip
    path = tmp_path / "analysts.ipynb"
    path.write_text(json.dumps({**json.loads(TINY.read_text()), "cells": cells}))
    executed = execute_notebook(path, {})
    assert executed.cells[0].outputs == []
    assert executed.cells[1].outputs[0]["data"]["text/plain"] == "False"


def test_a_pages_kernel_imports_no_library_that_checks_files() -> None:
    """A page's kernel reads the month its batch worked out and checks no file: what every page imports (the
    kernel's warm-up and the forward look's cell) leaves pandera out, a tenth of a second of each kernel's start."""
    from lacperf_helpers.run.render import WARM_UP

    probe = f"import sys\n{WARM_UP}\nimport lacperf_helpers.present.forward_look\n"
    probe += "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pandera'))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_what_the_warm_up_imported_is_frozen_for_every_page() -> None:
    """What a kernel's warm-up imports outlives every page: frozen, the first page's reset does not collect among
    it (which took 0.07 s), as every later page's does not."""
    from lacperf_helpers.run.render import WARM_UP

    probe = f"{WARM_UP}\nprint(__import__('gc').get_freeze_count())"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert int(out) > 50_000  # pandas, numpy, Jinja, lacperf: some 100,000 objects


def test_the_warm_kernel_is_papermills_engine_and_runs_a_notebook_on_its_own() -> None:
    """The warm kernel is an engine registered with papermill (its public seam): papermill runs a notebook
    through it, in a kernel of its own when it is given none, and a failing cell is papermill's error."""
    import nbformat
    import papermill
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillExecutionError

    from lacperf_helpers.run.render import ENGINE, WarmKernelEngine

    assert papermill_engines.get_engine(ENGINE) is WarmKernelEngine
    executed = papermill.execute_notebook(
        str(TINY), None, engine_name=ENGINE, kernel_name="python3", progress_bar=False
    )
    assert executed.cells[0].outputs[0]["data"]["text/plain"] == "2"
    failing = nbformat.read(TINY, as_version=4)
    failing.cells[0].source = "raise ValueError('no figures')"
    with pytest.raises(PapermillExecutionError, match="no figures"):
        papermill.execute_notebook(failing, None, engine_name=ENGINE, kernel_name="python3", progress_bar=False)


def test_a_warm_kernel_connects_its_client_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Canary: nbclient, given a kernel manager, asks it for a client (`km.client()`), starts its channels and
    waits for it to be ready before each notebook; the warm kernel hands it the one client it connected, whose
    readying (a fifth of a second) is done once. If nbclient stops asking the manager, or readies a client
    some other way, this fails, rather than every page quietly paying a new connection."""
    from lacperf_helpers.run.render import KeptClient, WarmKernel

    readied: list[KeptClient] = []
    ready = KeptClient.wait_for_ready

    def counted(self: KeptClient, timeout: float | None = None) -> None:
        if not self.ready:
            readied.append(self)
        ready(self, timeout=timeout)

    monkeypatch.setattr(KeptClient, "wait_for_ready", counted)
    kernel = WarmKernel()
    try:
        outputs = [kernel.execute(TINY, {}).cells[0].outputs[0]["data"]["text/plain"] for _ in range(3)]
        assert kernel.manager is not None
        client = kernel.manager.client()
    finally:
        kernel.shutdown()
    assert outputs == ["2"] * 3
    assert readied == [client]  # one client, readied once, for three notebooks


def test_workers_are_started_while_new_inputs_are_worked_out_and_not_for_a_re_run(
    run_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LACPERF_CACHE_DIR", str(tmp_path / "cache"))  # nothing worked out yet
    (tmp_path / "cache").mkdir(mode=0o700)
    started: list[str] = []

    def plan_once(force: bool = False, areas: tuple[str, ...] | None = None) -> list[Job]:
        run = load_run(str(run_file))
        if areas:
            run = run.model_copy(update={"areas": areas})
        return plan(run, force=force, on_new_work=lambda: started.append("workers"))

    assert [job.force for job in plan_once()] == [False, False]
    assert started == ["workers"]  # once, for the month
    assert [job.force for job in plan_once(force=True)] == [True, True]  # the same plan, run forced
    assert [job.area for job in plan_once(areas=("Ashford",))] == ["Ashford"]  # a plan of its own: same month
    assert started == ["workers"]
    bad = tmp_path / "returns" / "2019-04" / "kpi_return.csv"
    bad.write_text(bad.read_text() + "2019-04,Kent,moves_3plus,1,2,3\n")  # a new input: work to do again
    with pytest.raises(InputError):
        plan_once()
    assert started == ["workers", "workers"]  # started as it was read; the batch closes them on the error


SURVIVED: Counter[str] = Counter()  # shown in the test run's summary


def test_a_batch_killed_mid_run_leaves_earlier_pages_and_the_next_run_finishes(run_file: Path, tmp_path: Path) -> None:
    import os
    import signal
    import time

    from filelock import FileLock

    month = tmp_path / "reports" / "public" / "2019-04"
    # One worker renders the plan's pages in order, each under its page's lock: holding the second page's lock
    # here keeps the batch from finishing it, so it is killed after the first page and before the second
    # however fast or slow the machine is (polling alone raced the second page).
    second = plan(load_run(str(run_file)))[1].target
    second.parent.mkdir(parents=True, exist_ok=True)
    held = FileLock(str(second.with_name(f".{second.name}.lock")))
    command = [sys.executable, "-m", "lacperf_helpers", "batch", str(run_file), "--workers", "1"]
    with held:
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 300
        while not any("fingerprint" in p.read_text() for p in month.glob("*.json")) and time.monotonic() < deadline:
            time.sleep(0.05)  # until the first page is done, and recorded as done
        os.killpg(process.pid, signal.SIGKILL)  # the batch, its worker and the worker's kernel, at once
        process.wait()
    finished = list(month.glob("*.json"))
    assert not second.exists()
    assert len(finished) == 1, "killed after the first appendix and before the second"
    first = finished[0].with_suffix(".html")
    assert first.read_text().rstrip().endswith("</html>")  # whole and readable

    again = runner.invoke(app, ["batch", str(run_file)])
    assert again.exit_code == 0, again.output
    assert counts(again.output) == {"rendered": 1, "skipped as unchanged": 1, "failed": 0}
    assert sorted(p.name for p in month.glob("*.html")) == [
        "ashford.html", "index.html", "kent.html"
    ]  # fmt: skip
    SURVIVED["interrupted runs"] += 1


def test_a_manifest_that_is_not_a_json_object_is_made_again(run_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "reports" / "public" / "2019-04"
    folder.mkdir(parents=True)
    (folder / "kent.html").write_text("<html>old</html>")
    (folder / "kent.json").write_text("[1, 2]")  # valid JSON, not an object: once it stopped the whole batch
    (folder / "ashford.html").write_text("<html>old</html>")
    (folder / "ashford.json").write_text('{"no fingerprint": true}')
    result = runner.invoke(app, ["batch", str(run_file), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert counts(result.output) == {"rendered": 2, "skipped as unchanged": 0, "failed": 0}
    assert json.loads((folder / "kent.json").read_text())["area"] == "Kent"
    assert not list((tmp_path / "reports").rglob("*.lock"))  # a run ends with its lock files removed


def test_a_misspelt_notebook_is_named_against_the_option(run_file: Path) -> None:
    result = runner.invoke(app, ["batch", str(run_file), "--notebook", "quartely"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "--notebook 'quartely': not a notebook lacperf renders; they are: scorecard, quarterly" in result.output
    assert "run.yaml" not in result.output


def test_a_page_that_cannot_be_written_fails_alone_in_render(run_file: Path, tmp_path: Path, kpis_file: Path) -> None:
    # Kent's page cannot be written (a folder is in its place: as a full disk or a read-only share would do);
    # Ashford's is written all the same, and the failure is one line
    folder = tmp_path / "reports" / "public" / "2019-04"
    (folder / "kent.html").mkdir(parents=True)
    result = runner.invoke(
        app,
        ["render", "--returns", str(tmp_path / "returns"), "--kpis", str(kpis_file), "--month", "2019-04",
         "--settings", str(tmp_path / "settings.yaml"), "--benchmarks", str(tmp_path / "benchmarks.csv"),
         "--out", str(tmp_path / "reports")],
    )  # fmt: skip
    assert exited(result, 1), (result.output, result.exception)  # the CLI's exit, not a crash
    assert "lacperf: scorecard 2019-04 Kent: not rendered:" in result.output
    assert "1 of 2 appendices failed: scorecard 2019-04 Kent" in result.output
    assert (folder / "ashford.html").is_file()


def _descendants(root: int) -> set[int]:
    """Every process below `root` now (from /proc: this is Linux)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its entry waits to be collected


def _command_lines(pids: set[int]) -> list[str]:
    """Each running process's command line (from /proc), of those in `pids`."""
    lines = []
    for pid in pids:
        try:
            lines.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return lines


# The moments a batch is killed at, each a state the batch is seen to be in, not a time (which a slow machine
# reaches at an earlier step than a fast one, or a fast one after the batch has ended): its workers started while
# it checks the month's inputs; their kernels running; one page of this run written, the other under way.
KILL_MOMENTS = {
    "its workers started": lambda family, month, since: any("spawn_main" in c for c in _command_lines(family)),
    "a kernel running": lambda family, month, since: any("ipykernel" in c for c in _command_lines(family)),
    "a page written": lambda family, month, since: any(p.stat().st_mtime_ns > since for p in month.glob("*.json")),
}


def test_a_batch_killed_at_each_moment_leaves_no_process_and_no_half_page(run_file: Path, tmp_path: Path) -> None:
    import os
    import signal
    import tempfile
    import time

    from filelock import FileLock

    month = tmp_path / "reports" / "public" / "2019-04"
    command = [sys.executable, "-m", "lacperf_helpers", "batch", str(run_file), "--workers", "2", "--force"]
    # the second page's lock, held here: whichever worker takes that page waits for it, so no batch can end
    # before it is killed, however fast the machine (a worker waiting on a lock is killed like any other)
    second = plan(load_run(str(run_file)))[1].target
    second.parent.mkdir(parents=True, exist_ok=True)
    killed: set[int] = set()
    with FileLock(str(second.with_name(f".{second.name}.lock"))):
        for moment, reached in KILL_MOMENTS.items():
            since = time.time_ns()
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 300
            while not reached(_descendants(process.pid), month, since) and time.monotonic() < deadline:
                assert process.poll() is None, f"the batch ended before {moment}"
                time.sleep(0.02)
            family = _descendants(process.pid)  # its workers and their kernels, as they are at the kill
            killed |= family
            os.kill(process.pid, signal.SIGKILL)  # the batch alone, as kill -9 or the out-of-memory killer would
            process.wait()
            assert reached(family, month, since), f"not killed at {moment}: not reached in 300 s"
            deadline = time.monotonic() + 15
            while any(_running(pid) for pid in family) and time.monotonic() < deadline:
                time.sleep(0.05)  # the workers (their parent-death signal) and their kernels (they watch theirs)
            assert [pid for pid in family if _running(pid)] == [], f"left running after a kill at {moment}"
            for page in month.glob("*.html"):  # whatever was written is whole
                assert page.read_text().rstrip().endswith("</html>"), page
            SURVIVED["kills"] += 1
            SURVIVED["processes left"] += sum(_running(pid) for pid in family)
    assert not second.exists()  # its lock was held throughout: every run was killed before the end
    again = runner.invoke(app, ["batch", str(run_file)])
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in month.glob("*.html")) == ["ashford.html", "index.html", "kent.html"]
    assert not list(month.glob(".*.tmp"))  # half-made files of the killed runs are cleared
    owners = [p.name.split("-")[2] for p in Path(tempfile.gettempdir()).glob("lacperf-kernel-*")]
    left = [owner for owner in owners if owner.isdigit() and int(owner) in killed]
    assert left == []  # the next run cleared the kernel folders the killed workers left


def test_what_a_page_writes_to_stderr_is_logged_not_lost(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from lacperf_helpers.run.render import render_appendix

    notebook = json.loads(FAILS_FOR_ASHFORD.read_text())
    notebook["cells"][1]["source"] = "import sys\nprint('a chart library is unhappy', file=sys.stderr)\nprint(area)"
    path = tmp_path / "warns.ipynb"
    path.write_text(json.dumps(notebook))
    parameters = {name: "" for name in PARAMETERS if name != "area"} | {"month": "2019-04"}
    with caplog.at_level(logging.INFO, logger="lacperf"):
        written = render_appendix(tmp_path / "reports", "2019-04", "Kent", parameters=parameters, notebook=path)
    assert "a chart library is unhappy" not in written.read_text()  # the page leaves stderr out ...
    said = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert ("WARNING", "2019-04 Kent: a chart library is unhappy") in said  # ... and the log keeps it
    assert any(level == "INFO" and message.startswith(f"rendered {written}") for level, message in said)


def test_what_a_cell_wrote_to_stderr_leaves_no_gap_between_its_sections() -> None:
    """A cell shows several sections; a warning written while one was drawn (logged, never shown) leaves not even
    its empty wrapper between two of them, which would put twice the space between them."""
    import nbformat

    from lacperf_helpers.run.render import whole_page

    new_output = nbformat.v4.new_output
    outputs = [
        new_output("display_data", data={"text/html": "<h2 id='a'>A</h2>", "text/plain": "A"}),
        new_output("stream", name="stderr", text="RuntimeWarning: Mean of empty slice\n"),
        new_output("display_data", data={"text/html": "<h2 id='b'>B</h2>", "text/plain": "B"}),
    ]
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", outputs=outputs)])
    notebook.metadata["kernelspec"] = kernelspec
    page = whole_page(notebook, "sections")
    assert page.count('<div class="jp-OutputArea-child">') == 2 and "RuntimeWarning" not in page


def test_the_appendix_exporter_matches_nbconverts_own_but_for_its_last_pass() -> None:
    """AppendixExporter copies HTMLExporter.from_notebook_node (nbconvert has no public switch for its
    BeautifulSoup pass): the page it makes must be nbconvert's page, element for element, with the same tab
    stops. A change in nbconvert that this copy misses fails here, not on a director's screen."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from lacperf_helpers.run import stylesheet
    from lacperf_helpers.run.render import _exporter, execute_notebook

    executed = execute_notebook(FIXTURE_NOTEBOOKS / "shapes.ipynb", {})  # a text cell, an HTML and a text output
    executed.metadata["title"] = "shapes"
    ours, _ = _exporter().from_notebook_node(executed)
    shared = ("template_name", "extra_template_basedirs", "extra_template_paths")
    public = HTMLExporter(**{k: getattr(_exporter(), k) for k in shared})
    public.exclude_input = public.exclude_input_prompt = public.exclude_output_prompt = True
    public.register_filter("minified_css", stylesheet.minified)  # the template's own filter (not nbconvert's)
    theirs, _ = public.from_notebook_node(executed)

    def shape(page: str) -> list[tuple[str, tuple[str, ...], str | None]]:
        soup = BeautifulSoup(page, features="html.parser")
        return [(e.name, tuple(e.get("class") or ()), e.get("tabindex")) for e in soup.find_all(True)]

    assert shape(ours) == shape(theirs)
    assert sum(tabindex == "0" for _, _, tabindex in shape(ours)) == 3


def test_a_batch_says_what_it_does_as_it_goes_when_not_on_a_terminal(run_file: Path) -> None:
    """Issue 28: the first line at once (a cold year's inputs take a minute to check), a line as each period
    is planned and as each page is done (a progress bar shows only on a terminal), and a summary whose paths
    are never broken inside a name."""
    result = runner.invoke(app, ["batch", str(run_file), "--workers", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"lacperf batch {run_file}: checking each period's inputs, then rendering"
    assert lines[1:3] == [
        "2019-04 (public edition): checking the inputs",
        "2019-04 (public edition): 2 page(s) planned",
    ]
    done = [line for line in lines if line.startswith("[")]
    assert [line.split("]")[0] for line in done] == ["[1/2", "[2/2"]
    assert all(re.search(r": rendered in \d+\.\d s$", line) for line in done)
    page = (run_file.parent / "reports" / "public" / "2019-04" / "kent.html").resolve()
    assert f"scorecard 2019-04 Kent: rendered: {page}" in lines  # whole, on one line
