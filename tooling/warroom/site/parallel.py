"""Render pages on every core: the pages of a large site split across forked workers.

Rendering is pure (a page is a function of SiteData and its job), so a forked child renders
its share from the memory it inherited and sends the bytes back through a pipe; the
parent renders its own share meanwhile. Output does not depend on the split: the pages are
merged by path. A child that fails for any reason is not trusted: its share is rendered
again in the parent, so errors (a template typo) surface exactly as in a serial build.
Forking is only done where it is safe and cheap (POSIX fork, one thread, enough pages).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.site.pages import Job, Pages

# Below this many pages per worker, starting a worker costs more than it saves.
PAGES_PER_WORKER = 400
MAX_WORKERS = 8


def workers_for(pages: int) -> int:
    """How many processes should render `pages` pages (1: render here, no fork)."""
    setting = os.environ.get("WARROOM_BUILD_JOBS", "").strip()
    if setting.isdigit() and int(setting) > 0:
        cpus = int(setting)
    else:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
            os.cpu_count() or 1)
    if ("fork" not in multiprocessing.get_all_start_methods()
            or threading.active_count() > 1):  # forking with other threads may deadlock
        return 1
    return max(1, min(cpus, MAX_WORKERS, pages // PAGES_PER_WORKER))


def _child(pages: Pages, jobs: Sequence[Job], conn: Connection) -> None:
    try:
        result = pages.render(jobs)
    except BaseException:  # the parent renders this share again, and raises there
        conn.send(None)
    else:
        conn.send(result)
    finally:
        conn.close()


def render_jobs(pages: Pages, jobs: Sequence[Job]) -> dict[str, bytes]:
    """Every job rendered, {path: bytes}; the same bytes however many workers ran."""
    workers = workers_for(len(jobs))
    if workers == 1:
        return pages.render(jobs)
    context = multiprocessing.get_context("fork")
    shares = [jobs[i::workers] for i in range(workers)]  # interleaved: similar costs
    children = []
    for share in shares[1:]:
        reader, writer = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(pages, share, writer), daemon=True)
        process.start()
        writer.close()
        children.append((share, reader, process))
    out = pages.render(shares[0])
    for share, reader, process in children:
        try:
            result = reader.recv()
        except (EOFError, OSError):
            result = None
        reader.close()
        process.join()
        out.update(result if result is not None else pages.render(share))
    return out
