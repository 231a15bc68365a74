"""The benchmark scripts still run (they are not timed here: their figures are read from their own output on a
quiet machine). A renamed section or function broke the page profile once without a test noticing."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_ssda903_benchmark_runs_and_prints_its_figures() -> None:
    script = ROOT / "benchmarks" / "ssda903.py"
    command = [sys.executable, str(script), "--children", "200", "--national", "0", "--months", "2"]
    printed = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    assert re.search(r"authority\s+200 children, +\d+ episodes: 2 month ends in +[\d.]+ s", printed), printed


def _batch_benchmark() -> ModuleType:
    """benchmarks/batch.py as a module: a script, not part of the package."""
    spec = importlib.util.spec_from_file_location("batch_benchmark", ROOT / "benchmarks" / "batch.py")
    assert spec is not None and spec.loader is not None
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    return benchmark


def test_the_batch_benchmarks_page_profile_names_every_step(capsys: pytest.CaptureFixture[str]) -> None:
    benchmark = _batch_benchmark()
    benchmark.page_profile(ROOT / "data" / "sample", "East Kent")
    printed = capsys.readouterr().out
    for step in ("load_appendix", "section overview", "section trend_section (24 charts)", "kernel round trips",
                 "of which the notebook alone", "HTML export", "page, in all"):  # fmt: skip
        assert re.search(rf"{re.escape(step)}.* \d+\.\d{{3}}\n", printed), (step, printed)
    assert re.search(r"page weight: \d+ kB \(target < 300 kB\), by part:\n", printed), printed
    for part in ("SVG charts", "CSV downloads", "CSS: JupyterLab's rules the page uses", "CSS: the page's own",
                 "scripts", "HTML (text, tables, the rest)"):  # fmt: skip
        assert re.search(rf"  {re.escape(part)}.* \d+\.\d kB\n", printed), (part, printed)
    assert re.search(r"SVG charts \(24 KPI charts\) +[1-9]\d*\.\d kB", printed), printed


def test_the_batch_benchmark_counts_each_processs_cpu() -> None:
    benchmark = _batch_benchmark()
    burn = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end:\n    pass\n"
    process = subprocess.Popen([sys.executable, "-c", burn])
    with benchmark.ProcessCpu(process.pid) as used:
        process.wait()
    said = used.line("the burner")
    found = re.search(r"^the burner ([\d.]+) s, workers 0\.0 s, kernels 0\.0 s", said)
    assert found and float(found.group(1)) >= 0.3, said  # its last sample, 20 ms or less before it ended


def test_the_batch_benchmark_counts_a_process_by_what_it_became_after_its_exec() -> None:
    # a kernel and a worker are first seen between their fork and their exec, with their parent's command line
    benchmark = _batch_benchmark()
    root = (
        "import os, sys, time\n"
        "burn = 'import time\\nend = time.process_time() + 0.3\\nwhile time.process_time() < end:\\n    pass\\n'\n"
        "for tag in ('spawn' + '_main', 'ipy' + 'kernel'):\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(0.3)\n"
        "        os.execv(sys.executable, [sys.executable, '-c', burn, tag])\n"
        "for _ in range(2):\n"
        "    os.wait()\n"
    )
    process = subprocess.Popen([sys.executable, "-c", root])
    with benchmark.ProcessCpu(process.pid) as used:
        process.wait()
    said = used.line()
    found = re.search(r"workers ([\d.]+) s, kernels ([\d.]+) s, other 0\.0 s", said)
    assert found and float(found.group(1)) >= 0.2 and float(found.group(2)) >= 0.2, said
