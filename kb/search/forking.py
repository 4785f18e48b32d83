"""Helper processes forked by a rebuild (Whoosh's writer processes, the first pass's text
readers): they start from the rebuilding process's state, so they must not keep its locks
or outlive it. The rebuild holds file locks (kb.search.whoosh.files.flock); a helper that
kept a copy after its parent was killed would block every later rebuild.
"""

import contextlib
import ctypes
import multiprocessing
import multiprocessing.pool
import os
import signal
from collections.abc import Iterator

PR_SET_PDEATHSIG = 1

# File descriptors of the locks this process holds; a helper closes its copies, so only
# the process that took a lock can keep it.
held_locks: set[int] = set()


def start_child(parent: int) -> None:
    """First thing in a forked helper of ``parent``: die with it, close its locks."""
    # Not on Linux: no prctl, and a killed parent may leave the helper waiting.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    # A web server's worker (gunicorn) handles these signals in Python, and a fork inherits
    # the handlers: its TERM handler only asks the worker to stop, so a helper would never
    # end when its pool terminates it.
    for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGABRT", "SIGUSR1", "SIGUSR2"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    for fd in held_locks:
        with contextlib.suppress(OSError):
            os.close(fd)


@contextlib.contextmanager
def pool(processes: int) -> Iterator[multiprocessing.pool.Pool]:
    """A pool of forked helpers (always fork: Python 3.14 defaults to forkserver), ended
    when the block ends, also on errors."""
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=start_child, initargs=(os.getpid(),)) as helpers:
        yield helpers
