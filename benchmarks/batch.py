"""Benchmark: the monthly batch (authority + 12 areas, one month) rendered three ways in one run.

    .venv/bin/python benchmarks/batch.py [--areas 12] [--workers N] [--rounds 3] [--page]

(a) the naive loop a user would write: the papermill command then `jupyter nbconvert` per area, one
    after another; (b) `lacperf batch`; (c) the floor: as many empty notebooks run and exported to HTML
    in the same worker pool, each worker keeping one warm kernel as the batch does (a fair floor: a
    fresh kernel per page would flatter b/c). Then (d) `lacperf batch` again with nothing changed.
Prints seconds per appendix, the ratios a/b and b/c, CPU seconds by process for (b) and (c) in a round of
their own (the run's own process, its workers, their kernels), peak memory (the largest child process), the batch's plan
on a cold cache (the month read, checked, its hidden figures decided and rated, once per batch before any page:
(b) pays it, (c) does not), and where one page's time goes, as in a batch worker's second page: gathering its
figures, each section (the charts among them), the kernel's round trips (and of them, what the notebook costs with
no work in it: its cells showing the page's outputs), and the HTML export (the worker's exporter built at its
warm-up, as the batch does); and the page's weight by part (HTML, CSS, SVG charts, downloads, scripts).
Each of (a), (b) and (c) starts with an empty disk cache of its own (lacperf_helpers.config.cache), as the
first run of a new month does; (d) finds what (b) left, as a re-run does.
Targets on a 2-core machine: a/b >= 6, b/c <= 2.5, (d) under 0.5 seconds, a page under 300 kB. Timings
are noisy on shared machines: (b), (c) and (d) are run side by side in several rounds and their medians
compared; compare the ratios of one run, not seconds across runs.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import psutil

from lacperf_helpers.config.cache import CACHE_ENV

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MONTH = "2019-09"
WORKERS = [os.cpu_count() or 1]  # set from --workers


def make_returns(folder: Path, areas: int) -> list[str]:
    """The sample returns with the four areas copied to make `areas` areas (plus the authority)."""
    names: list[str] = []
    for source in sorted((ROOT / "data" / "sample").glob("*/kpi_return.csv")):
        frame = pd.read_csv(source, dtype=str, keep_default_na=False)
        authority = frame.loc[frame["area"] == "Kent"]
        local = frame.loc[frame["area"] != "Kent"]
        copies = [authority]
        base = sorted(local["area"].unique())
        for i in range(areas):
            name = f"{base[i % len(base)]} {i // len(base) + 1}"
            copies.append(local.loc[local["area"] == base[i % len(base)]].assign(area=name))
            if source.parent.name == MONTH:
                names.append(name)
        (folder / source.parent.name).mkdir(parents=True)
        pd.concat(copies).to_csv(folder / source.parent.name / "kpi_return.csv", index=False)
    return ["Kent", *names]


def files(returns: Path) -> dict[str, str]:
    return {
        "returns_dir": str(returns),
        "kpis_file": str(ROOT / "parameters" / "kpis.yaml"),
        "settings_file": str(ROOT / "parameters" / "sample-settings.yaml"),  # names Kent: copied areas do not add up
        "trend_file": str(ROOT / "parameters" / "trend.yaml"),
        "benchmarks_file": str(ROOT / "parameters" / "benchmarks.csv"),
    }


def naive(areas: list[str], returns: Path, out: Path) -> float:
    started = time.perf_counter()
    for area in areas:
        executed = out / f"{area}.ipynb"
        parameters = [
            arg for key, value in {"month": MONTH, "area": area, **files(returns)}.items() for arg in ("-p", key, value)
        ]
        notebook = str(ROOT / "notebooks" / "scorecard.ipynb")
        quiet = ["--no-progress-bar", "--log-level", "ERROR"]
        command = [str(BIN / "papermill"), notebook, str(executed), "-k", "python3", *quiet, *parameters]
        subprocess.run(command, check=True, capture_output=True)
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - started


class ProcessCpu:
    """CPU seconds by kind of process under `root` (the run's own process, its workers, their kernels), sampled
    every 20 ms in a thread of this process while a run goes on: each process's last sample before it ended."""

    def __init__(self, root: int) -> None:
        self.root = psutil.Process(root)
        self.seconds: dict[int, float] = {}
        self.kinds: dict[int, str] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> ProcessCpu:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()

    def _sample(self) -> None:
        while not self.done.wait(0.02):
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
            for process in processes:
                try:
                    used = process.cpu_times()
                    if self.kinds.get(process.pid, "other") == "other":  # a child seen before its exec is
                        self.kinds[process.pid] = self._kind(process)  # its parent's double: asked again
                except psutil.Error:  # ended meanwhile: its last sample stands
                    continue
                self.seconds[process.pid] = used.user + used.system

    def _kind(self, process: psutil.Process) -> str:
        """'own', 'kernels', 'workers' (the root's children that multiprocessing spawned), or 'other' for now: a
        process between its fork and its exec has its parent's command line (a kernel its worker's, a worker the
        batch's), so it is asked again at the next sample."""
        if process.pid == self.root.pid:
            return "own"
        command = " ".join(process.cmdline())
        if "ipykernel" in command:
            return "kernels"
        return "workers" if "spawn_main" in command and process.ppid() == self.root.pid else "other"

    def line(self, own: str = "own") -> str:
        """'<own> 2.4 s, workers 2.7 s, kernels 5.0 s, other 0.0 s (10.2 s in all)', the run's own process named."""
        by_kind = {kind: 0.0 for kind in ("own", "workers", "kernels", "other")}
        for pid, seconds in self.seconds.items():
            by_kind[self.kinds.get(pid, "own" if pid == self.root.pid else "other")] += seconds
        parts = ", ".join(f"{own if kind == 'own' else kind} {seconds:.1f} s" for kind, seconds in by_kind.items())
        return f"{parts} ({sum(by_kind.values()):.1f} s in all)"


def lacperf_batch(run: Path, force: bool, cpu: list[str] | None = None) -> float:
    """Seconds `lacperf batch` took; with `cpu`, its CPU by process appended to it."""
    started = time.perf_counter()
    command = [str(BIN / "lacperf"), "batch", str(run), "--workers", str(WORKERS[0])] + (["--force"] if force else [])
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with ProcessCpu(process.pid) as used:
        _, said = process.communicate()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, stderr=said)
    if cpu is not None:
        cpu.append(used.line("the batch"))
    return time.perf_counter() - started


def empty_page(index: int, folder: str) -> None:
    """One empty notebook run in this worker's warm kernel and exported, as the batch does a page."""
    from lacperf_helpers.config.paths import write_atomically
    from lacperf_helpers.run.jobs import worker_kernel
    from lacperf_helpers.run.render import export_html

    notebook = Path(folder) / "empty.ipynb"
    page = export_html(worker_kernel().execute(notebook, {}), "empty")
    write_atomically(Path(folder) / f"empty-{index}.html", page)


def floor(count: int, out: Path, workers: int, cpu: list[str] | None = None) -> float:
    """Seconds the floor took; with `cpu`, its CPU by process appended to it (this process's own included)."""
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    empty = {"cells": [], "metadata": {"kernelspec": kernelspec}, "nbformat": 4, "nbformat_minor": 5}
    (out / "empty.ipynb").write_text(json.dumps(empty))
    own = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    spawn = multiprocessing.get_context("spawn")  # as the batch starts its workers
    with ProcessCpu(os.getpid()) as used, ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
        list(pool.map(empty_page, range(count), [str(out)] * count))
    seconds = time.perf_counter() - started
    if cpu is not None:  # this process's own: only what it used while the floor ran
        now = resource.getrusage(resource.RUSAGE_SELF)
        used.seconds[os.getpid()] = now.ru_utime + now.ru_stime - own.ru_utime - own.ru_stime
        cpu.append(used.line("this process"))
    return seconds


def page_profile(returns: Path, area: str, run: Path | None = None, cache: Path | None = None) -> None:
    """The batch's plan of `run` on a cold cache (`cache`, a folder of its own), then where one page's time goes,
    warm (as a batch worker's second page): each step timed in this process, then the notebook in a warm kernel
    (the difference is the kernel's round trips and display), then the export (a second page's: the worker builds
    its exporter when it warms up)."""
    from lacperf_helpers.config.inputs import Inputs
    from lacperf_helpers.present import present
    from lacperf_helpers.present.appendix import load_appendix
    from lacperf_helpers.run.plan import plan
    from lacperf_helpers.run.render import WarmKernel, export_html
    from lacperf_helpers.run.run_file import load_run

    if run is not None and cache is not None:
        os.environ[CACHE_ENV] = str(cache)
        started = time.perf_counter()
        plan(load_run(str(run)))
        planned = time.perf_counter() - started
        print(f"the batch's plan, cold cache (the month read, checked, hidden figures decided, rated): {planned:.2f} s")
    given = files(returns)
    inputs = Inputs.of(returns=returns, settings=given["settings_file"], benchmarks=given["benchmarks_file"])
    steps = {
        "gather the page's figures (load_appendix)": lambda: load_appendix(MONTH, area, inputs=inputs),
    }
    page = load_appendix(MONTH, area, inputs=inputs)  # warm: the month's data is cached, as for a second page
    sections = ("header", "navigation", "overview", "areas_table", "annex", "national_section", "trend_section",
                "notes", "data_quality")  # the scorecard notebook's sections, in its order  # fmt: skip
    for name in sections:
        steps[f"section {name}" + (" (24 charts)" if name == "trend_section" else "")] = lambda name=name: getattr(
            present, name
        )(page)
    steps["section footer"] = lambda: present.footer(page)
    timed = {}
    for label, step in steps.items():
        step()  # once to warm (imports, compiled chart templates)
        started = time.perf_counter()
        step()
        timed[label] = time.perf_counter() - started
    kernel = WarmKernel()
    try:
        parameters = {"month": MONTH, "area": area, **files(returns)}
        notebook = ROOT / "notebooks" / "scorecard.ipynb"
        export_html(kernel.execute(notebook, parameters), "warm")  # warm: imports, the month's data, the exporter
        started = time.perf_counter()
        executed = kernel.execute(notebook, parameters)
        in_kernel = time.perf_counter() - started
        started = time.perf_counter()
        html = export_html(executed, "profile")
        exported = time.perf_counter() - started
        machinery = notebook_alone(kernel, executed, notebook, parameters)
    finally:
        kernel.shutdown()
    print(f"one page ({area}), warm, in seconds:")
    for label, seconds in timed.items():
        print(f"  {label:52} {seconds:6.3f}")
    work = sum(timed.values())
    print(f"  {'kernel round trips, parameters, display (the rest)':52} {max(in_kernel - work, 0):6.3f}")
    print(f"    {'of which the notebook alone (its cells, no work)':50} {machinery:6.3f}")
    print(f"  {'HTML export (nbconvert)':52} {exported:6.3f}")
    print(f"  {'page, in all':52} {in_kernel + exported:6.3f}")
    print(f"page weight: {len(html.encode()) / 1000:.0f} kB (target < 300 kB), by part:")
    for part, kilobytes in page_weight(html).items():
        print(f"  {part:52} {kilobytes:6.1f} kB")


def notebook_alone(kernel: Any, executed: Any, notebook: Path, parameters: dict[str, str]) -> float:
    """Seconds the page's notebook takes in the warm kernel with no work in it: its parameters cell, then as many
    cells as it has, each showing the outputs the page's own cell showed (kept in the kernel beforehand): the
    kernel's round trips, the outputs' way to the client and papermill's own, which the page pays whatever its
    sections cost."""
    import nbformat

    shown = [
        [o["data"]["text/html"] for o in cell.get("outputs", []) if "text/html" in o.get("data", {})]
        for cell in executed.cells
        if cell.cell_type == "code" and cell.source and "injected-parameters" not in cell.metadata.get("tags", [])
    ]
    kernel.run_quietly(notebook.parent, f"import sys\nsys.lacperf_benchmark_outputs = {shown!r}")
    original = nbformat.read(notebook, as_version=4)
    parameters_cell = next(c for c in original.cells if "parameters" in c.metadata.get("tags", []))
    cells = [parameters_cell] + [
        nbformat.v4.new_code_cell(
            "from IPython.display import HTML, display\n"
            f"for html in __import__('sys').lacperf_benchmark_outputs[{i}]:\n    display(HTML(html))"
        )
        for i in range(1, len(shown))
    ]
    with tempfile.TemporaryDirectory() as folder:
        alone = Path(folder) / notebook.name
        nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata=original.metadata), alone)
        kernel.execute(alone, parameters)  # once to warm
        started = time.perf_counter()
        kernel.execute(alone, parameters)
        return time.perf_counter() - started


PARTS = {  # each part of a page, taken out in this order (a chart's styles are the chart's)
    "SVG charts (24 KPI charts)": r'<svg [^>]*class="lacperf-kpi-chart".*?</svg>',
    "other SVG (icons)": r"<svg.*?</svg>",
    "CSV downloads (data: URLs)": r'href="data:[^"]*"',
    "CSS: JupyterLab's rules the page uses": r"<!-- JupyterLab's styles: only the rules[^>]*>\s*<style.*?</style>",
    "CSS: the page's own": r"<style.*?</style>",
    "scripts": r"<script.*?</script>",
}  # fmt: skip


def page_weight(html: str) -> dict[str, float]:
    """The page's kilobytes by part (UTF-8 bytes): each part above, and the HTML that is left."""
    weights = {}
    for part, pattern in PARTS.items():
        found = re.findall(pattern, html, re.S)
        weights[part] = sum(len(f.encode()) for f in found) / 1000
        html = re.sub(pattern, "", html, flags=re.S)
    weights["HTML (text, tables, the rest)"] = len(html.encode()) / 1000
    return weights


def report(label: str, seconds: float, count: int) -> None:
    print(f"{label:58} {seconds:7.1f} s  {seconds / count:5.2f} s per appendix  peak {peak_mib():.0f} MiB")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--areas", type=int, default=12)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=3, help="(b), (c) and (d) are each the median of this many")
    parser.add_argument("--page", action="store_true", help="only where one page's time goes, and its weight")
    args = parser.parse_args()
    WORKERS[0] = args.workers
    work = Path(tempfile.mkdtemp(prefix="lacperf-bench-"))
    try:
        returns = work / "returns"
        areas = make_returns(returns, args.areas)
        run = work / "run.yaml"
        run.write_text(json.dumps({"months": MONTH, "returns": str(returns), "out": str(work / "b"),
                                   "kpis": files(returns)["kpis_file"],
                                   "settings": files(returns)["settings_file"]}))  # fmt: skip
        if args.page:
            page_profile(returns, areas[1], run, work / "cache-plan")
            return
        n = len(areas)
        (work / "a").mkdir()
        (work / "c").mkdir()
        cores = os.cpu_count()
        print(f"{n} appendices (authority + {args.areas} areas), {MONTH}, {args.workers} workers, {cores} cores")
        os.environ[CACHE_ENV] = str(work / "cache-a")
        a = naive(areas, returns, work / "a")
        report("(a) naive loop: papermill + nbconvert commands", a, n)
        rounds: list[tuple[float, float, float]] = []
        for i in range(args.rounds):  # (b), (c), (d) side by side in each round: they see the same machine
            os.environ[CACHE_ENV] = str(work / f"cache-b{i}")
            b = lacperf_batch(run, force=True)
            report(f"(b) lacperf batch, round {i + 1}", b, n)
            os.environ[CACHE_ENV] = str(work / f"cache-c{i}")
            c = floor(n, work / "c", args.workers)
            report(f"(c) floor: empty notebooks, same pool, round {i + 1}", c, n)
            os.environ[CACHE_ENV] = str(work / f"cache-b{i}")
            d = lacperf_batch(run, force=False)
            print(f"{f'(d) lacperf batch again, nothing changed, round {i + 1}':58} {d:7.2f} s")
            rounds.append((b, c, d))
        b, c, d = (statistics.median(r[k] for r in rounds) for k in range(3))
        print(f"median of {args.rounds} rounds: (b) {b / n:.2f} s per appendix, (c) {c / n:.2f} s, (d) {d:.2f} s")
        print(f"a/b = {a / b:.2f} (target >= 6)   b/c = {b / c:.2f} (target <= 2.5)   re-run {d:.2f} s (target < 0.5)")
        # a round of its own, not timed: sampling every process's CPU takes CPU from the run it measures
        cpu: list[str] = []
        os.environ[CACHE_ENV] = str(work / "cache-b-cpu")
        lacperf_batch(run, force=True, cpu=cpu)
        os.environ[CACHE_ENV] = str(work / "cache-c-cpu")
        floor(n, work / "c", args.workers, cpu)
        print(f"CPU seconds by process, in a round of its own ({os.cpu_count()} cores):")
        print(f"  (b) {cpu[0]}")
        print(f"  (c) {cpu[1]}")
        page_profile(returns, areas[1], run, work / "cache-plan")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
