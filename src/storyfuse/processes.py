"""Worker processes that end with the process that started them."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def exit_with_parent(parent: int) -> None:
    """Pool initializer: the kernel kills this forked worker when ``parent`` dies.

    Forked workers hold copies of the pool's pipes, so when the parent is killed
    (SIGKILL, the OOM killer) none of them reads an end of file and they would
    wait forever. Linux only; elsewhere the workers end as before.
    """
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
