"""lacperf: the Children in Care (Looked After Children) monthly performance scorecard."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lacperf")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
