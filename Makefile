# lacperf: `make report` sets up .venv and renders the sample appendices; `make test` runs every check.
# `make help` lists the targets.

PYTHON      ?= python3
UV_VERSION  := 0.13.9
UV_BOOT     := .uv
UV          := $(UV_BOOT)/bin/uv
VENV        := .venv
MONTH       ?= 2019-09
QUARTER     ?= Q2 2019/20
RETURNS     ?= data/sample
KPIS        ?= parameters/kpis.yaml
SETTINGS    ?= parameters/sample-settings.yaml
BENCHMARKS  ?= parameters/benchmarks.csv
REPORTS     ?= reports
TEST_WORKERS ?= 2# pytest-xdist processes, each test file in one (its fixtures made once); 0 runs them in this one
MYPY_WORKERS ?= 2# mypy's worker processes: a clean clone has no mypy cache (one process takes 42 s, two 20 s)

export UV_PROJECT_ENVIRONMENT := $(VENV)
# one BLAS thread a process (lacperf_helpers/__init__.py says why): set here too, for what imports numpy first
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

.DEFAULT_GOAL := help
.PHONY: help setup browser report scorecard test lint typecheck notebooks-clean unit lab sample clean ground-truth

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(UV_BOOT)
	$(UV_BOOT)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

setup: $(UV) ## Create .venv with the locked versions (uv.lock) of lacperf and its tools
	$(UV) sync --locked
	@# uv compiles every package's bytecode (compile-bytecode) but lacperf's own, installed editable: where
	@# PYTHONDONTWRITEBYTECODE is set (CI images, containers), each process would compile it again: a batch's kernels,
	@# workers and plan a tenth of a second each
	@$(VENV)/bin/python -m compileall -q lacperf_helpers

report: setup ## Render the sample appendices, both editions: reports/public/<YYYY-MM>/ and reports/internal-not-for-publication/<YYYY-MM>/ (MONTH=2019-09), and the quarter's (QUARTER="Q2 2019/20")
	$(VENV)/bin/lacperf render --returns $(RETURNS) --kpis $(KPIS) --month $(MONTH) --out $(REPORTS) \
		--settings $(SETTINGS) --benchmarks $(BENCHMARKS) --edition internal --edition public
	$(VENV)/bin/lacperf render-quarter --returns $(RETURNS) --kpis $(KPIS) --quarter "$(QUARTER)" --out $(REPORTS) \
		--settings $(SETTINGS) --benchmarks $(BENCHMARKS) --edition internal --edition public

scorecard: setup ## Write the sample month's tidy scorecard to reports/<YYYY-MM>/scorecard.csv
	$(VENV)/bin/lacperf scorecard --returns $(RETURNS) --kpis $(KPIS) --month $(MONTH) --settings $(SETTINGS) --out $(REPORTS)/$(MONTH)/scorecard.csv

browser: ## Install Debian's Chromium and axe-core (npm, locked) for the browser tests; Playwright downloads nothing
	@if [ -x /usr/bin/chromium ]; then echo "chromium: $$(/usr/bin/chromium --version 2>/dev/null)"; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium fonts-liberation >/dev/null && echo "chromium installed"; \
	else echo "chromium is not installed and this is not root: browser tests will be skipped (CI installs it)"; fi
	@if [ -f tests/browser/node_modules/axe-core/axe.min.js ]; then echo "axe-core: installed"; \
	elif command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund --silent && echo "axe-core installed"; \
	else echo "npm is not installed: the accessibility tests will be skipped (CI installs it)"; fi

test: setup browser lint notebooks-clean ## Lint, check notebooks have no outputs; then mypy and pytest side by side
	@# side by side: pytest's workers wait on kernels and browsers, and mypy's 40 s of work fills those waits
	@$(MAKE) --no-print-directory --jobs 2 --output-sync=line --old-file=setup typecheck unit  # set up above

lint: setup ## ruff: lint and formatting
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup ## mypy (strict) on lacperf_helpers (MYPY_WORKERS=2 processes)
	$(VENV)/bin/mypy --num-workers $(MYPY_WORKERS) lacperf_helpers

notebooks-clean: setup ## Fail if a committed notebook carries outputs
	$(VENV)/bin/python -m lacperf_helpers.run.notebook_hygiene notebooks

unit: setup ## pytest, including every notebook run through papermill on the sample data (TEST_WORKERS=2 processes)
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --durations=25  # the slowest: where the time budget goes

ground-truth: setup ## Remake the sample's snapshots in tests/ground_truth after a deliberate change (say why)
	$(VENV)/bin/python tests/ground_truth/regenerate.py

lab: $(UV) ## Start JupyterLab in notebooks/ (adds the lab dependency group to .venv)
	$(UV) sync --locked --group lab
	$(VENV)/bin/jupyter lab notebooks/ $$( [ "$$(id -u)" = 0 ] && echo --allow-root )  # root in a container

lock: $(UV) ## After changing a dependency: re-resolve uv.lock and export requirements-lock.txt (for pip and conda)
	$(UV) lock
	$(UV) export --frozen --no-default-groups --group lab --extra pdf --extra dask --no-emit-project --no-hashes \
		-o requirements-lock.txt

sample: setup ## Remake data/sample/ from data/make_sample.py (fixed seed: same files)
	$(VENV)/bin/python data/make_sample.py

clean: ## Remove .venv, the uv bootstrap and rendered reports
	rm -rf $(VENV) $(UV_BOOT) $(REPORTS) .pytest_cache .mypy_cache .ruff_cache
