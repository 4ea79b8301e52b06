"""Render pages on every core: forked workers and the build's own process share the work.

Rendering is pure (a page is a function of SiteData and its job), so a forked child renders
from the memory it inherited and sends the bytes back through a pipe. The pages are cut in
small chunks that every process claims from a shared counter as it becomes free, so the
build's process can do other work first (the feeds, API and other producers) and the
workers simply take more chunks meanwhile; nobody waits on an unlucky static split.

Output does not depend on who rendered what: pages are merged by path. A child that fails
for any reason is not trusted: the chunks it claimed are rendered again in the build's own
process, so errors (a template typo) surface exactly as in a serial build. Forking is only
done where it is safe and cheap (POSIX fork, one thread, enough pages).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from warroom.site.pages import Pages
    from warroom.site.paging import Job

# Below this many pages per worker, starting a worker costs more than it saves.
PAGES_PER_WORKER = 400
MAX_WORKERS = 8
CHUNKS_PER_WORKER = 24  # small enough to balance, large enough that claiming is free
# Below this many incidents the other producers take less than starting a process.
BACKGROUND_MIN_INCIDENTS = 1000

T = TypeVar("T")


def can_fork() -> bool:
    """POSIX fork from a single-threaded process (forking with other threads may deadlock)."""
    return ("fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def workers_for(pages: int) -> int:
    """How many processes should render `pages` pages (1: render here, no fork)."""
    setting = os.environ.get("WARROOM_BUILD_JOBS", "").strip()
    if setting.isdigit() and int(setting) > 0:
        cpus = int(setting)
    else:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
            os.cpu_count() or 1)
    if not can_fork():
        return 1
    return max(1, min(cpus, MAX_WORKERS, pages // PAGES_PER_WORKER))


class Shared:
    """Render `jobs` with forked workers, started on entering; `finish()` joins in from this
    process and returns every page. Leaving early (an error meanwhile) stops the workers."""

    def __init__(self, pages: Pages, jobs: Sequence[Job]) -> None:
        self.pages = pages
        self.workers = workers_for(len(jobs))
        size = max(16, -(-len(jobs) // (self.workers * CHUNKS_PER_WORKER)))
        self.chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
        self.children: list[tuple[int, Connection, Any]] = []
        self._next: Any = None
        self._owner: Any = None

    def __enter__(self) -> Shared:
        if self.workers > 1:
            context = multiprocessing.get_context("fork")
            self._next = context.Value("i", 0)
            self._owner = context.Array("i", [-1] * len(self.chunks), lock=False)
            for worker in range(1, self.workers):
                reader, writer = context.Pipe(duplex=False)
                process = context.Process(target=self._child, args=(worker, writer),
                                          daemon=True)
                process.start()
                writer.close()
                self.children.append((worker, reader, process))
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        for _, reader, process in self.children:  # only left running after an error
            if process.is_alive():
                process.terminate()
            process.join()
            reader.close()
        self.children = []

    def _claim(self, worker: int) -> int | None:
        with self._next.get_lock():
            index: int = self._next.value
            if index >= len(self.chunks):
                return None
            self._next.value = index + 1
            self._owner[index] = worker  # under the lock: a chunk is never claimed unowned
        return index

    def _render_claimed(self, worker: int) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        while (index := self._claim(worker)) is not None:
            out.update(self.pages.render(self.chunks[index]))
        return out

    def _child(self, worker: int, conn: Connection) -> None:
        # On failure the parent renders this worker's chunks again, and raises there.
        _reply(conn, lambda: self._render_claimed(worker))

    def finish(self) -> dict[str, bytes]:
        """Render what is left here, then gather the workers' pages."""
        if self.workers == 1:
            out: dict[str, bytes] = {}
            for chunk in self.chunks:
                out.update(self.pages.render(chunk))
            return out
        out = self._render_claimed(0)
        for worker, reader, process in self.children:
            result = _receive(reader, process)
            if result is None:
                result = {}
                for index, chunk in enumerate(self.chunks):
                    if self._owner[index] == worker:
                        result.update(self.pages.render(chunk))
            out.update(result)
        self.children = []
        return out



class Background(Generic[T]):
    """`work()` run by a forked child while this process does something else; `result()`
    waits for it. Where forking is not worth it (`use` false, no fork), or the child fails
    for any reason, `result()` runs `work()` here, so errors surface as in a serial build.
    Leaving the `with` block early stops the child."""

    def __init__(self, work: Callable[[], T], *, use: bool = True) -> None:
        self.work = work
        self.child: tuple[Connection, Any] | None = None
        self.use = use and can_fork() and workers_for(PAGES_PER_WORKER * 2) > 1

    def __enter__(self) -> Background[T]:
        if self.use:
            context = multiprocessing.get_context("fork")
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(target=self._run, args=(writer,), daemon=True)
            process.start()
            writer.close()
            self.child = (reader, process)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.child is not None:
            reader, process = self.child
            if process.is_alive():
                process.terminate()
            process.join()
            reader.close()
            self.child = None

    def _run(self, conn: Connection) -> None:
        _reply(conn, lambda: (self.work(),))  # on failure result() runs it here, and raises

    def result(self) -> T:
        if self.child is None:
            return self.work()
        got = _receive(*self.child)
        self.child = None
        return got[0] if got is not None else self.work()


def _reply(conn: Connection, work: Callable[[], object]) -> None:
    """In a child: send what `work()` returns, or None when it fails in any way."""
    try:
        result = work()
    except BaseException:
        result = None
    try:
        conn.send(result)
    finally:
        conn.close()


def _receive(reader: Connection, process: Any) -> Any:
    """In the parent: a child's reply (None if it failed or died), once it has exited."""
    try:
        result = reader.recv()
    except (EOFError, OSError):
        result = None
    reader.close()
    process.join()
    return result
