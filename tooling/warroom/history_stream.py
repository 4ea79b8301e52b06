"""Read the history log and the file versions while git is still producing them.

git walks the history on one core while this process reads the versions on another: the
log is read in chunks by a thread, every blob it names is asked from one running
`git cat-file --batch` at once, and the versions are parsed as they come back. Same single
log and single batch as reading everything first, but the parsing hides behind git's walk.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from warroom import gitrepo
from warroom.history_log import Commit, parse_log

_DONE = None


def _pump(stream: IO[bytes], out: queue.SimpleQueue[bytes | None]) -> None:
    while chunk := stream.read1(1 << 20):  # type: ignore[attr-defined]
        out.put(chunk)
    out.put(_DONE)


def _objects(stream: IO[bytes], out: queue.SimpleQueue[tuple[str, bytes | None] | None]
             ) -> None:
    while header := stream.readline():
        parts = header.split()
        if len(parts) < 3:  # "<id> missing"
            out.put((parts[0].decode(), None))
            continue
        size = int(parts[2])
        data = stream.read(size)
        stream.read(1)
        out.put((parts[0].decode(), data))
    out.put(_DONE)


def _thread(target: Callable[..., None], *args: object) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def _records(chunks: queue.SimpleQueue[bytes | None]) -> Iterator[bytes]:
    """Whole log records (each starts with the record separator), as chunks complete them."""
    pending = b""
    while (chunk := chunks.get()) is not _DONE:
        pending += chunk
        cut = pending.rfind(b"\x1e")
        if cut > 0:
            yield pending[:cut]
            pending = pending[cut:]
    if pending:
        yield pending


def stream_history(top: Path, rev: str, folder: str, *, exclude: str | None, landed: bool,
                   wanted: Callable[[Commit], list[str]], more: Callable[[list[Commit]], list[str]],
                   take: Callable[[str, bytes], None]) -> list[Commit]:
    """Every commit of the log, newest first; `take(id, content)` gets each object asked for.

    `wanted(commit)` names the objects a commit needs (asked at once, each only once);
    `more(commits)` names any further ones once the whole log is known.
    """
    log_run = gitrepo.start_history_log(top, rev, folder, exclude=exclude, landed=landed)
    cat_run = gitrepo.start_cat_objects(top)
    log, cat = log_run.process, cat_run.process
    assert log.stdout is not None and cat.stdin is not None and cat.stdout is not None
    chunks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    found: queue.SimpleQueue[tuple[str, bytes | None] | None] = queue.SimpleQueue()
    threads = [_thread(_pump, log.stdout, chunks), _thread(_objects, cat.stdout, found)]
    asked: set[str] = set()
    commits: list[Commit] = []

    def ask(ids: list[str]) -> None:
        # One batch often names a blob twice (made by one commit, replaced by the next).
        fresh = [i for i in dict.fromkeys(ids) if i not in asked]
        asked.update(fresh)
        if fresh:
            cat.stdin.write("".join(i + "\n" for i in fresh).encode())  # type: ignore[union-attr]
            cat.stdin.flush()  # type: ignore[union-attr]

    def drain() -> None:
        while True:
            try:
                item = found.get_nowait()
            except queue.Empty:
                return
            if item is _DONE:
                found.put(_DONE)
                return
            if item[1] is not None:
                take(item[0], item[1])

    try:
        for record in _records(chunks):
            batch = parse_log(record)
            commits += batch
            ask([i for c in batch for i in wanted(c)])
            drain()
        ask(more(commits))
        cat.stdin.close()
        while (item := found.get()) is not _DONE:
            if item[1] is not None:
                take(item[0], item[1])
        for thread in threads:
            thread.join()
        gitrepo.finish(log_run)
        gitrepo.finish(cat_run)
    finally:
        if log.returncode is None or cat.returncode is None:  # stopped by an exception
            gitrepo.finish(log_run, kill=True)
            gitrepo.finish(cat_run, kill=True)
            for thread in threads:
                thread.join(timeout=5)
    return commits
