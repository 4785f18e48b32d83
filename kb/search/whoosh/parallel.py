"""Whoosh's MpWriter (several writer processes, one segment each), made safe to wait on.

Whoosh 2.7's MpWriter waits forever on a sub-process that died, leaves its sub-processes
running when a build is cancelled, and lets them inherit every open file, including the
search writer lock: a killed parent would leave orphans holding that lock. This writer
notices dead sub-processes, terminates them on cancel, and its sub-processes close the
lock and die with their parent. Only the multisegment mode is used (no merge pass). The
sub-processes write with rebuild_writer.RebuildWriter.
"""

import os
import queue
from multiprocessing.context import ForkProcess
from typing import Any

from whoosh.compat import pickle
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name
from whoosh.writing import SegmentWriter

from kb.search.forking import start_child
from kb.search.whoosh.rebuild_writer import RebuildWriter

WAIT = 0.5  # seconds between checks on the sub-processes while waiting for them


class _Task(SubWriterTask):
    # Always fork (Python 3.14 defaults to forkserver on Linux): the sub-process must start
    # from this process's state, and held_locks must be this process's.
    _start_method = "fork"
    _Popen = staticmethod(ForkProcess._Popen)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.parent = os.getpid()

    def run(self) -> None:
        start_child(self.parent)  # die with the parent, close its locks
        # As SubWriterTask.run in multisegment mode, with a RebuildWriter (postings by term
        # in memory instead of sorted runs on disk; our fields' postings computed directly).
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = RebuildWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            jobinfo = self.jobqueue.get()
            if jobinfo is None:
                break
            self._process_file(*jobinfo)
        if not self.running:
            writer.cancel()
            return
        fieldnames = writer.pool.fieldnames
        segment = writer._finalize_segment()
        self.resultqueue.put((None, fieldnames, segment), timeout=5)


class ParallelWriter(MpWriter):
    """MpWriter in multisegment mode that notices dead sub-processes and cleans up."""

    docbuffer: list[Any]  # documents waiting to go to a sub-process

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, multisegment=True, **kwargs)

    def _new_task(self) -> _Task:
        task = _Task(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task

    def _check_alive(self) -> None:
        for task in self.tasks:
            if not task.is_alive() and task.exitcode not in (None, 0):
                raise RuntimeError(f"a search index writer process failed ({task.exitcode})")

    def _put(self, item: Any) -> None:
        while True:
            self._check_alive()
            try:
                self.jobqueue.put(item, timeout=WAIT)
                return
            except queue.Full:
                continue

    def _enqueue(self) -> None:
        # As MpWriter._enqueue, with a put that notices dead sub-processes.
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as f:
            for item in self.docbuffer:
                pickle.dump(item, f, 2)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._put((filename, len(self.docbuffer)))
        self.docbuffer = []

    def _result(self) -> Any:
        while True:
            running = any(task.is_alive() for task in self.tasks)
            try:
                return self.resultqueue.get(timeout=WAIT)
            except queue.Empty:
                self._check_alive()
                if not running:
                    raise RuntimeError(
                        "a search index writer process ended without its segment"
                    ) from None

    def _commit(self, mergetype: Any, optimize: bool | None, merge: bool | None) -> None:
        # As MpWriter._commit in multisegment mode; results are read before joining (a
        # process that has put to a queue exits only once the item is read).
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self._put(None)
        segments = self._merge_segments(mergetype, optimize, merge)
        results = [self._result() for _ in self.tasks]
        for task in self.tasks:
            task.join()
        segments += [segment for _, _, segment in results]
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(segments)
        self._finish()

    def cancel(self) -> None:
        for task in self.tasks:
            if task.is_alive():
                task.terminate()
        for task in self.tasks:
            task.join(5)
        SegmentWriter.cancel(self)
