"""Run the appendix notebook through papermill and write self-contained HTML, never half a file.

The HTML uses the lacperf_appendix template: code hidden, nothing loaded from a URL, print styles.
A run that fails leaves the last good appendix where it was: the page is written to a temporary
file beside it and renamed over it only once it is complete.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import papermill
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager
from nbclient.exceptions import DeadKernelError
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters import DataTypeFilter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.preprocessors import TagRemovePreprocessor
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines
from papermill.exceptions import PapermillExecutionError
from papermill.log import logger as papermill_logger

from lacperf_helpers.config import paths
from lacperf_helpers.config.editions import DEFAULT, Edition, parse_edition
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.config.paths import write_atomically
from lacperf_helpers.config.periods import last_month
from lacperf_helpers.config.vocabulary import ALL
from lacperf_helpers.ingest.manifest import Manifest, describe
from lacperf_helpers.present import icons as present_icons
from lacperf_helpers.present import templating as present_templating
from lacperf_helpers.run import stylesheet
from lacperf_helpers.run.pages import SOCKET_FOLDER_PREFIX, TEMPLATE, TEMPLATES, RenderError, appendix_path
from lacperf_helpers.run.pages import check_file_names as check_file_names  # for those who import it from here

log = logging.getLogger("lacperf.render")
KERNEL_NAME = "python3"
STARTUP_TIMEOUT = 60  # seconds for a new kernel to answer, as nbclient's default
KILL_WAIT = 5  # seconds for a killed kernel to go, as jupyter_client waits
# nbclient runs each cell with store_history, and IPython then writes the cell to its history database on disk:
# 10 ms a cell, a fifth of a second a page. A page's cells need no history (each page starts from `%reset -f`).
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]
ANALYST_ONLY_TAG = "analyst-only"  # cells for analysts in JupyterLab, never in a rendered appendix


class _OwnSocketFolder:
    """Kernels that talk over Unix sockets in a folder of their own, not TCP ports.

    Kernels started side by side over TCP can pick the same port ("Address already in use", then
    "Kernel died before replying"); a socket path of its own cannot collide, and nothing listens on
    the network.
    """

    transport: str
    ip: str

    connection_file: str

    def _use_own_socket_folder(self) -> None:
        # named by the process that owns it, so a run after a killed one can tell what was left behind
        self._socket_dir = tempfile.mkdtemp(prefix=f"{SOCKET_FOLDER_PREFIX}{os.getpid()}-")
        self.transport = "ipc"
        self.ip = os.path.join(self._socket_dir, "kernel")
        self.connection_file = os.path.join(self._socket_dir, "kernel.json")  # not in the user's runtime folder

    def _remove_socket_folder(self) -> None:
        shutil.rmtree(self._socket_dir, ignore_errors=True)


class KeptClient(BlockingKernelClient):
    """A kernel's client connected once and kept for every notebook run in that kernel: nbclient asks the kernel
    manager for a client per notebook and starts and readies it, and readying one waits a fifth of a second
    for the kernel's messages to settle. Starting or readying it again does nothing."""

    ready = False

    def start_channels(self, *args: Any, **kwargs: Any) -> None:
        if not self.channels_running:
            super().start_channels(*args, **kwargs)

    def wait_for_ready(self, timeout: float | None = None) -> None:
        if not self.ready:
            super().wait_for_ready(timeout=timeout)
            self.ready = True


class SyncIPCKernelManager(_OwnSocketFolder, KernelManager):
    """A kernel in a socket folder of its own, removed when the kernel is shut down, whose client is made once
    and kept (public API only: `client()` is the manager's factory of clients)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._use_own_socket_folder()
        self._kept: KeptClient | None = None

    def client(self, **kwargs: Any) -> KeptClient:
        if self._kept is None:
            self._kept = KeptClient(parent=self, **{**self.get_connection_info(session=True), **kwargs})
        return self._kept

    def shutdown_and_clean(self) -> None:
        if self._kept is not None:
            self._kept.stop_channels()
            self._kept = None
        if self.has_kernel:
            self._end_kernel_now()
            self.shutdown_kernel(now=True)
        self._remove_socket_folder()

    def _end_kernel_now(self) -> None:
        """Kill the kernel and see it end: jupyter_client's shutdown kills it and then looks a tenth of a second
        later whether it has gone (every page run in a kernel of its own, and every worker's end, waited so);
        finding it ended already, its shutdown only tidies up. A kernel holds nothing to save: each page is
        written by the worker."""
        pid = getattr(self.provisioner, "pid", None)  # a kernel this process started (jupyter_client's local one)
        if not isinstance(pid, int):
            return  # any other: jupyter_client's shutdown alone, as before
        with contextlib.suppress(RuntimeError, OSError):  # ended already
            self.signal_kernel(signal.SIGKILL)
        deadline = time.monotonic() + KILL_WAIT
        while time.monotonic() < deadline:
            try:  # ended? asked without collecting it (WNOWAIT): its pid, and its group's, stay its own until
                # jupyter_client's shutdown has sent its signals and collects it
                if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                    return
            except ChildProcessError:  # collected already
                return
            time.sleep(0.001)


def execute_notebook(notebook: Path, parameters: dict[str, Any]) -> nbformat.NotebookNode:
    """Run the notebook with these parameters in a fresh kernel of its own, shut down afterwards; RenderError
    if a cell fails. The same path as a warm kernel's, so a page is the same whichever ran it."""
    kernel = WarmKernel()
    try:
        return kernel.execute(notebook, parameters)
    finally:
        kernel.shutdown()


# Each notebook starts in an empty namespace. `%reset -f` collects garbage twice, and with the month's
# figures cached in the kernel that took 0.13 s a page; freezing what survives it (modules, those caches)
# leaves the next page's collection only that page's objects to scan.
RESET = '%reset -f\n__import__("gc").freeze()'
# what every page imports, and its templates compiled (each notebook's namespace is cleared before it runs); then
# frozen, as RESET freezes what outlives a page: the first page's reset collected all that was imported, 0.07 s
WARM_UP = (
    "from lacperf_helpers.present import appendix, present, templating\ntemplating.compile_templates()\n"
    '__import__("gc").freeze()'
)
ENGINE = "lacperf-warm-kernel"  # papermill's name for WarmKernelEngine, registered below


class WarmKernel:
    """One kernel kept for a worker's appendices: imports are paid once, each appendix gets a fresh namespace.

    Before each notebook the kernel's namespace is cleared (`%reset -f`), so nothing one appendix
    defined is visible to the next; only imported modules (pure helpers) stay loaded. A kernel that
    dies is replaced by a new one. Notebooks run through papermill (`execute_notebook` with the
    lacperf-warm-kernel engine), as `papermill` itself would run them.
    """

    def __init__(self) -> None:
        self.manager: SyncIPCKernelManager | None = None

    def manager_for(self, cwd: Path) -> SyncIPCKernelManager:
        """The kernel (started in `cwd` if there is none alive), its client connected and ready."""
        if self.manager is None or not self.manager.is_alive():
            self.shutdown()
            self.manager = SyncIPCKernelManager(kernel_name=KERNEL_NAME)
            self.manager.start_kernel(cwd=str(cwd), extra_arguments=KERNEL_ARGUMENTS)
            client = self.manager.client()
            client.start_channels()
            client.wait_for_ready(timeout=STARTUP_TIMEOUT)
            client.allow_stdin = False
        return self.manager

    def run_quietly(self, cwd: Path, code: str) -> dict[str, Any]:
        """Run `code` in the kernel, showing nothing; its reply's content."""
        reply = (
            self.manager_for(cwd)
            .client()
            .execute_interactive(code, store_history=False, timeout=STARTUP_TIMEOUT, output_hook=_quiet)
        )
        return dict(reply["content"])

    def warm(self, cwd: Path) -> None:
        """Start the kernel and import what every page imports, before there is a page to render (a failed
        import is left for the page to report); ready the exporter too."""
        said = self.run_quietly(cwd, WARM_UP)
        if said.get("status") != "ok":
            log.debug("warming the kernel: %s", said.get("evalue"))
        only_used_styles(lab_styles())  # and this process's exporter: its template read, JupyterLab's styles parsed

    def execute(self, notebook: Path, parameters: dict[str, Any]) -> nbformat.NotebookNode:
        check_parameters(notebook, parameters)
        try:
            executed: nbformat.NotebookNode = papermill.execute_notebook(
                str(notebook),
                None,  # the executed notebook is not written: the page is
                parameters=parameters or None,  # as papermill: no parameters, no injected cell
                engine_name=ENGINE,
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                request_save_on_cell_execute=False,
                warm_kernel=self,
            )
        except PapermillExecutionError as exc:
            raise RenderError(f"{notebook.name} stopped: {exc.ename}: {exc.evalue}") from None
        except DeadKernelError as exc:
            self.shutdown()
            raise RenderError(f"{notebook.name}: the kernel died ({exc})") from None
        return executed

    def shutdown(self) -> None:
        if self.manager is not None:
            self.manager.shutdown_and_clean()
        self.manager = None


class WarmKernelEngine(Engine):  # type: ignore[misc]  # papermill ships no types
    """papermill's engine for a warm kernel: `papermill.execute_notebook(..., engine_name="lacperf-warm-kernel",
    warm_kernel=kernel)` runs the notebook in `kernel` (a WarmKernel) after clearing its namespace; without
    one, in a kernel of its own, shut down afterwards. Cells run
    through papermill's own notebook client, so a page is what papermill makes."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        warm_kernel: WarmKernel | None = None,
        start_timeout: float = STARTUP_TIMEOUT,
        execution_timeout: float | None = None,
        log_output: bool = False,
        **kwargs: Any,
    ) -> nbformat.NotebookNode:
        kernel = warm_kernel or WarmKernel()
        try:
            source = kwargs.get("input_path")  # a path, or a notebook papermill was handed
            cwd = Path(source).resolve().parent if isinstance(source, str | Path) else Path.cwd()
            kernel.run_quietly(cwd, RESET)
            skip_analyst_only(nb_man.nb)
            client = PapermillNotebookClient(
                nb_man,
                km=kernel.manager_for(cwd),
                kernel_name=kernel_name,
                startup_timeout=start_timeout,
                timeout=execution_timeout,
                log=papermill_logger,
                log_output=log_output,
            )
            executed: nbformat.NotebookNode = client.execute()
            return executed
        finally:
            if warm_kernel is None:
                kernel.shutdown()


def skip_analyst_only(nb: nbformat.NotebookNode) -> None:
    """The cells for analysts in JupyterLab are not run for a page, which leaves them out: each cost a round trip
    to the kernel and a table drawn for nobody. nbclient runs no cell without code; the cell stays in its place,
    so the page's cells keep their numbers."""
    for cell in nb.cells:
        if cell.cell_type == "code" and ANALYST_ONLY_TAG in cell.get("metadata", {}).get("tags", []):
            cell.source = ""


# Registered when lacperf's renderer is imported, not as a `papermill.engine` entry point: papermill imports every
# entry point's module as it is itself imported, and this module imports papermill, so an entry point here would
# make importing either of them fail.
papermill_engines.register(ENGINE, WarmKernelEngine)


def _quiet(message: dict[str, Any]) -> None:
    """A warm-up's output goes nowhere: it displays nothing."""


def check_parameters(notebook: Path, parameters: dict[str, Any]) -> None:
    """A parameter the notebook does not declare is refused here: papermill would only warn and run on."""
    declared = declared_parameters(notebook)
    unknown = sorted(set(parameters) - declared)
    if unknown:
        raise RenderError(
            f"{notebook.name} has no parameter(s) {', '.join(unknown)}; it takes {', '.join(sorted(declared))}"
        )


def declared_parameters(notebook: Path) -> frozenset[str]:
    """The names of the notebook's parameters, as papermill reads them from its parameters cell: read once a process
    for the same text of the notebook (a worker asks twice for each of a dozen pages, 3 ms each time)."""
    return _declared(Path(notebook).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=8)
def _declared(text: str) -> frozenset[str]:
    return frozenset(papermill.inspect_notebook(nbformat.reads(text, as_version=4)))


class AppendixExporter(HTMLExporter):
    """nbconvert's HTML exporter without its last pass, which parses the finished page with BeautifulSoup
    only to give alt text to images and tab stops to cells and outputs: the appendix has no images (its charts
    are inline SVG, described) and its template writes the tab stops, and the pass costs a third of the export.
    nbconvert has no switch for the pass, so this registers the two filters HTMLExporter's conversion does and
    renders through TemplateExporter's (public) conversion, which stops before it. Outputs are chosen by
    nbconvert's plain DataTypeFilter: a page shows no widgets. tests/test_batch.py checks the page is
    nbconvert's own, element for element."""

    def from_notebook_node(  # type: ignore[override]
        self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name"))
        self.register_filter("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        self.register_filter("filter_data_type", DataTypeFilter(parent=self))
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return page, resources


@functools.lru_cache(maxsize=1)
def _exporter() -> AppendixExporter:
    """One exporter per process: building one reads the template and theme from disk."""
    exporter = AppendixExporter(
        template_name="lacperf_appendix",
        extra_template_basedirs=[str(TEMPLATES)],
        extra_template_paths=[str(present_templating.TEMPLATES)],  # appendix.css: the look, shared with JupyterLab
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        optimistic_validation=True,  # the notebook checked once after the preprocessors, not after each of 13
    )
    exporter.register_filter("minified_css", stylesheet.minified)  # the page's own stylesheet, in the template
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={ANALYST_ONLY_TAG}, enabled=True), enabled=True
    )
    return exporter


def export_html(executed: nbformat.NotebookNode, title: str) -> str:
    """Self-contained HTML of an executed notebook: outputs only, analysts' cells removed, and only the
    JupyterLab style rules it uses."""
    return with_icon_drawings(only_used_styles(whole_page(executed, title)))


def whole_page(executed: nbformat.NotebookNode, title: str) -> str:
    """The page as nbconvert makes it, JupyterLab's whole stylesheet inlined between the template's marks."""
    executed.metadata["title"] = title
    for number, cell in enumerate(executed.cells):
        cell["id"] = f"cell-{number}"  # papermill's injected cell has a random id: the same inputs, the same page
    body, _ = _exporter().from_notebook_node(executed)
    return str(body)


LAB_STYLES = re.compile(r"<!-- lacperf: JupyterLab's styles -->(.*?)<!-- lacperf: end of JupyterLab's styles -->", re.S)
STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
USED_STYLES = "<!-- JupyterLab's styles: only the rules this page uses -->"  # where they are, for a reader


def only_used_styles(page: str) -> str:
    """The page with JupyterLab's stylesheets (marked by the template) cut to the rules it uses
    (run/stylesheet.py): the same look in a tenth of the weight."""
    found = LAB_STYLES.search(page)
    if found is None:
        raise RenderError("the appendix template no longer marks JupyterLab's styles (run/templates)")
    rest = page[: found.start()] + page[found.end() :]
    css = "\n".join(STYLE.findall(found.group(1)))
    used = stylesheet.used_rules(
        css, stylesheet.classes_of(rest), set(stylesheet.VARIABLE.findall(rest)), stylesheet.elements_of(rest)
    )
    return f'{page[: found.start()]}{USED_STYLES}\n<style type="text/css">\n{used}\n</style>{page[found.end() :]}'


ICON_USE = re.compile(r'<use href="#(mdc-[a-z-]+)"')
BODY = re.compile(r"<body[^>]*>")


def with_icon_drawings(page: str) -> str:
    """The page with one drawing of each icon it shows, first in its body: each icon draws it by reference
    (present/icons.py), a tenth of the weight of drawing each in full."""
    used = set(ICON_USE.findall(page))
    body = BODY.search(page)
    if not used:
        return page
    if body is None:
        raise RenderError("the appendix page has no <body> to carry its icons' drawings")
    return f"{page[: body.end()]}\n{present_icons.symbols(used)}{page[body.end() :]}"


def lab_styles() -> str:
    """JupyterLab's whole stylesheet as nbconvert inlines it in a page (the same in every page), marks and all."""
    kernelspec = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    found = LAB_STYLES.search(whole_page(nbformat.v4.new_notebook(metadata={"kernelspec": kernelspec}), ""))
    assert found is not None
    return found.group(0)


def render_appendix(
    out_dir: str | Path,
    period: str,
    area: str,
    *,
    parameters: dict[str, Any],
    manifest: Manifest | None = None,
    notebook: Path = paths.SCORECARD_NOTEBOOK,
    kernel: WarmKernel | None = None,
    cohort: str = ALL,
    before_manifest: Callable[[Path], object] | None = None,
) -> Path:
    """Render one appendix into `<out>/<period>/<area>.html` and its manifest beside it as JSON; on failure
    the previous ones are left untouched.

    `parameters` are the notebook's own (month or quarter, files); `area` and `manifest` (what the page is
    made from, made once by the batch; without one, made here) are added to them. `before_manifest` runs
    on the written page before the manifest is (a PDF of it, say): a page with a manifest is whole.
    Without a warm kernel the notebook runs in a kernel of its own.
    """
    arguments = {**parameters, "area": area}
    if manifest is None:
        month = str(parameters.get("month") or last_month(str(parameters["quarter"])))
        made_at = str(parameters.get("made_at", ""))
        manifest = describe(Inputs.from_notebook(parameters), month, arguments, made_at, (notebook, TEMPLATE))
    declared = declared_parameters(notebook)
    edition = parse_edition(str(parameters.get("edition") or DEFAULT), "edition")
    if "edition" in declared:  # the page's edition is the run's, whatever the notebook's own default
        arguments["edition"] = edition.value
    if "manifest" in declared:
        arguments["manifest"] = manifest
    started = time.perf_counter()
    executed = kernel.execute(notebook, arguments) if kernel else execute_notebook(notebook, arguments)
    for said in warnings_in(executed):  # the page leaves stderr out; what it said is logged, not lost
        log.warning("%s %s%s: %s", period, area, "" if cohort == ALL else f" ({cohort})", said)
    cohort_label = "" if cohort == ALL else f" ({cohort})"
    mark = " · internal edition: not for publication" if edition is Edition.INTERNAL else ""
    html = export_html(executed, f"{area}{cohort_label} · {period} · Children in Care scorecard{mark}")
    target = appendix_path(out_dir, period, area, cohort)
    write_atomically(target, html)
    if before_manifest is not None:
        before_manifest(target)
    write_atomically(target.with_suffix(".json"), json.dumps(manifest, indent=2) + "\n")
    log.info("rendered %s in %.1f s", target, time.perf_counter() - started)
    return target


def warnings_in(executed: nbformat.NotebookNode) -> list[str]:
    """What the notebook wrote to stderr (a library's warning, say), one entry per line."""
    said = []
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                said += [line.strip() for line in str(output.get("text", "")).splitlines() if line.strip()]
    return said
