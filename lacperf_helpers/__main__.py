"""`python -m lacperf_helpers` runs the `lacperf` command."""

from lacperf_helpers.cli import app

app(prog_name="lacperf")
