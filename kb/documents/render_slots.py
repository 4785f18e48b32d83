"""Bounded live previews: a render that runs to its time limit must not take every worker.

An editor's preview asks for two slots before it renders: the editor's own (one preview per
person at a time) and one of the host's KB_PREVIEW_SLOTS (default 1, so with two or more
gunicorn workers at least one is always free for readers and agents). Slots are ``flock``
locks on files in the data folder, so every worker process on the host shares them, and the
kernel frees them when a worker dies. A preview that finds no free slot within a moment is
refused with Busy (429); the editor's page asks again a little later. Saves are not limited:
they render once, and a refused save would cost the editor's work.
"""

import fcntl
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

from flask_babel import gettext as _

from kb.errors import DomainError

WAIT = 0.25  # seconds a preview waits for a slot before it is refused
POLL = 0.02


class Busy(DomainError):
    status = 429
    title = "Too Many Requests"


def _try(path: Path) -> IO | None:
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _take(paths: list[Path], deadline: float) -> IO | None:
    while True:
        for path in paths:
            handle = _try(path)
            if handle is not None:
                return handle
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL)


def _release(handle: IO) -> None:
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()


@contextmanager
def preview_slot(data_dir: str | Path, user_id: int, slots: int) -> Iterator[None]:
    """Hold the user's slot and a host slot while the body renders. Raises Busy."""
    folder = Path(data_dir) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + WAIT
    with ExitStack() as held:
        own = _take([folder / f"preview-user-{user_id}.lock"], deadline)
        if own is None:
            raise Busy(_("Uw vorige voorbeeld wordt nog gemaakt; een moment."))
        held.callback(_release, own)
        host = _take([folder / f"preview-slot-{n}.lock" for n in range(max(slots, 1))], deadline)
        if host is None:
            raise Busy(_("Het voorbeeld is even niet beschikbaar; het wordt zo opnieuw gemaakt."))
        held.callback(_release, host)
        yield
