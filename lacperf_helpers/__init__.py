"""lacperf: the Children in Care (Looked After Children) monthly performance scorecard."""

import os
from importlib.metadata import PackageNotFoundError, version

# One BLAS thread per process, unless the user says otherwise, set before numpy is first imported where lacperf is
# imported first (the command, the notebooks' kernels, which inherit it). Disclosure control solves many small
# systems (a few hundred sums), and lacperf runs several processes at once (workers, kernels): OpenBLAS's
# spinning threads on a busy 2-core machine made each 200 x 200 SVD take a second instead of a few milliseconds.
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

try:
    __version__ = version("lacperf")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
