"""The only module that writes the site to disk (with its helper `spare`), atomically.

Everything is rendered before anything is written. `write_site` then fills a staging folder
beside the target and swaps it in with two renames, so readers (a web server, a deploy
step) see the old site or the new one, never half of each; a failure leaves the previous
site as it was. Files whose bytes did not change are hard-linked from the previous site
instead of written again: their modification times survive, so `rsync -t` and friends
upload only what changed, and the page cache finds its pages where it left them.

The replaced site is kept as a spare, `.<target name>.spare/site` beside the target
(hidden, private and git-ignored; never inside the target, so never published), and the
next build updates it in place into its staging folder (`warroom.spare` says how, and why
nothing in it is taken on trust), so a rebuild costs what changed, not the whole site. The
spare can be deleted at any time: the next build then fills a fresh folder.
`keep_spare=False` (a one-shot CI build) leaves nothing beside the target.

Builds into one folder take turns (`locked`: a flock on the folder holding the target), so a
second build never moves the first one's site from under it. A target that cannot work (a
file, a symlink loop, a name no file system can hold, the repository or its incidents) is
refused before anything is written (`check_target`); a write that fails (disk full, a
read-only file system) raises `WriteFailed` and leaves the previous site as it was.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from warroom import spare, spare_ledger
from warroom.errors import WarroomError
from warroom.outpaths import check_paths, check_target

_FIXES = {errno.ENOSPC: "free some space there, then build again",
          errno.EDQUOT: "free some space there, then build again",
          errno.EROFS: "choose an --out folder you can write to",
          errno.EACCES: "choose an --out folder you can write to",
          errno.EPERM: "choose an --out folder you can write to"}


class WriteFailed(WarroomError, OSError):
    """The file system refused the write (disk full, read-only, ...): the previous site is
    as it was. An OSError still, for callers that catch those."""


@dataclass(frozen=True)
class WriteStats:
    written: int  # files whose bytes are new
    linked: int  # unchanged files carried over from the previous site
    removed: bool  # whether a previous site was replaced
    reused: bool = False  # whether the spare was updated instead of a fresh folder filled


def _fill(folder: Path, outputs: Mapping[str, bytes], previous: Path | None,
          keep: Sequence[str], record: spare.Record | None = None) -> tuple[int, int]:
    """Fill the empty `folder`; note what it holds in `record`."""
    # Plain strings, not Path objects: this runs for every file of the site (10^4 times).
    written = linked = 0
    into = str(folder)
    made: set[str] = {""}
    files = record.files if record is not None else {}

    def parent_of(rel: str) -> None:
        parent = rel.rpartition("/")[0]
        if parent not in made:
            os.makedirs(f"{into}/{parent}", exist_ok=True)
            while parent not in made:
                made.add(parent)
                parent = parent.rpartition("/")[0]

    if keep and previous is None:
        raise WarroomError("pages to carry over but no previous site")  # a bug, not input
    old = str(previous)
    for rel in keep:
        parent_of(rel)
        spare.carry(f"{old}/{rel}", f"{into}/{rel}")
        if record is not None:
            files[rel] = str(os.lstat(f"{into}/{rel}").st_ino)
        linked += 1
    for rel, content in outputs.items():
        dest = f"{into}/{rel}"
        parent_of(rel)
        same = spare.same_file(f"{old}/{rel}", content) if previous is not None else None
        if same is not None:
            try:
                os.link(f"{old}/{rel}", dest)
                files[rel] = str(same.st_ino)
                linked += 1
                continue
            except OSError:
                pass  # no hard links on this file system: write a copy
        files[rel] = str(spare.write_new(dest, content))
        written += 1
    if record is not None:
        record.touched = made
    return written, linked


def _new_folder(target: Path, umask: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"{target.name}.new-", dir=target.parent))
    # mkdtemp makes a private (0700) folder; a site must be readable by the web server.
    folder.chmod(0o777 & ~umask)
    return folder


def _stage(made: list[Path], target: Path, outputs: Mapping[str, bytes],
           previous: Path | None, keep: Sequence[str], known: spare.Record | None,
           umask: int, keep_spare: bool, seen: Mapping[str, os.stat_result] | None
           ) -> tuple[Path, int, int, spare.Record, bool]:
    """Fill a staging folder, from the spare when it can be trusted (`known` is what the
    ledger says it holds). Returns the folder, counts, what it holds, and whether the
    spare was used; `made` collects every folder made, for cleaning up after a failure."""
    home = spare_ledger.home_of(target)
    made.append(staging := _new_folder(target, umask))
    if (previous is not None and known is not None
            and spare_ledger.claim(home / "site", staging, known)):
        staging.chmod(0o777 & ~umask)
        record = spare.Record(known.root)
        try:
            written, linked = spare.update(staging, outputs, previous, keep, known, record,
                                           seen)
            spare.finish(staging, record)
            return staging, written, linked, record, True
        except OSError:  # something is off in the spare: fill a fresh folder after all
            shutil.rmtree(staging, ignore_errors=True)
            made.append(staging := _new_folder(target, umask))
    else:
        with contextlib.suppress(OSError):  # a crash's, a copy's or a stranger's: not ours
            spare.remove(str(home / "site"))
    staging.chmod(0o777 & ~umask)
    record = spare.Record(spare.ident(staging))
    recording = keep_spare and previous is not None  # a first write is not kept: no record
    written, linked = _fill(staging, outputs, previous, keep, record if recording else None)
    if recording:
        spare.finish(staging, record)
    return staging, written, linked, record, False


_held: dict[tuple[str, int], int] = {}  # (locked folder, thread) -> how many times


@contextlib.contextmanager
def locked(target: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lock on writing `target`: an exclusive flock on the folder that holds it (so
    nothing is left beside the target; builds into its siblings take turns too). A thread
    holding it may take it again. Where the file system has no locks, builds go unlocked.
    `waiting` is called once if another build holds the lock (someone should be told why
    nothing happens), before waiting for it."""
    folder = os.path.dirname(os.path.realpath(target))  # resolve() may raise: never here
    key = (folder, threading.get_ident())
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    fd = -1
    try:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:  # the write itself will say what is wrong, if anything
        if fd >= 0:
            os.close(fd)
        fd = -1
    _held[key] = 1
    try:
        yield
    finally:
        del _held[key]
        if fd >= 0:
            fcntl.flock(fd, fcntl.LOCK_UN)  # for forked workers that share the fd too
            os.close(fd)


def write_site(outputs: Mapping[str, bytes], target: Path, *, root: Path | None = None,
               keep: Sequence[str] = (), keep_spare: bool = True,
               seen: Mapping[str, os.stat_result] | None = None) -> WriteStats:
    """Write `outputs` ({relative path: bytes}) as the folder `target`, atomically; `keep`
    lists files of the current site to carry over unchanged (pages a cache knows are fresh).

    `root`, the repository, is never replaced, nor is a non-empty folder that does not look
    like a site (no index.html), so a wrong --out cannot delete someone's work. The replaced
    site is kept beside the target as the spare for the next build, unless `keep_spare` is
    false (a one-shot build, as in CI: then nothing is left beside the target).
    `seen` may give the caller's own lstat of kept files of the current site, made while it
    held `locked(target)` (the page cache makes one to find a page unchanged): the writer
    then takes them for the live files rather than looking again (10^4 system calls). A
    kept file replaced since then is the file seen, if the spare still holds it, or else
    the file there now: either way one of this site's own files, never a file of the spare
    that the writer did not check.
    A write the file system refuses raises WriteFailed, the previous site as it was.
    """
    check_paths(outputs)
    check_paths(keep)
    if not outputs.keys().isdisjoint(keep):
        raise WarroomError("a path is both kept and written")
    shown = target
    target = check_target(target, root)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with locked(target):
            check_target(target, root)  # again: another build may have changed it meanwhile
            return _write(outputs, target, keep, keep_spare, seen)
    except OSError as error:
        if isinstance(error, WriteFailed):
            raise
        reason = error.strerror or str(error)
        where = f" ({error.filename})" if error.filename else ""
        fix = _FIXES.get(error.errno or 0, "build again once that is fixed")
        raise WriteFailed(f"cannot write the site to {shown}: {reason}{where}",
                          hint=f"the previous site is as it was; {fix}") from error


def _write(outputs: Mapping[str, bytes], target: Path, keep: Sequence[str],
           keep_spare: bool, seen: Mapping[str, os.stat_result] | None) -> WriteStats:
    previous = target if target.is_dir() else None
    umask = os.umask(0)
    os.umask(umask)
    known = spare_ledger.read_spare(target, umask)
    made: list[Path] = []
    try:
        staging, written, linked, record, reused = _stage(
            made, target, outputs, previous, keep, known, umask, keep_spare, seen)
        if previous is not None:
            retired = Path(tempfile.mkdtemp(prefix=f"{target.name}.old-", dir=target.parent))
            retired.rmdir()  # only its unique name is wanted
            target.rename(retired)
        try:
            staging.rename(target)
        except OSError:
            if previous is not None:
                retired.rename(target)
            raise
    except BaseException:
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    if previous is not None and keep_spare and spare_ledger.retire(retired, target, umask):
        spare_ledger.save(target, umask, record)
    else:  # nothing to keep (a first write, or keep_spare=False): nothing beside the target
        if previous is not None:
            shutil.rmtree(retired, ignore_errors=True)
        shutil.rmtree(spare_ledger.home_of(target), ignore_errors=True)
    return WriteStats(written, linked, removed=previous is not None, reused=reused)
