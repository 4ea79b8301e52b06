"""The only module that writes the site to disk, atomically.

Everything is rendered before anything is written. `write_site` then fills a fresh folder
beside the target and swaps it in with two renames, so readers (a web server, a deploy
step) see the old site or the new one, never half of each; a failure leaves the previous
site as it was. Files whose bytes did not change are hard-linked from the previous site
instead of written again: their modification times survive, so `rsync -t` and friends
upload only what changed.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from warroom.errors import WarroomError

_FORBIDDEN_NAMES = {"", ".", ".."}


@dataclass(frozen=True)
class WriteStats:
    written: int  # files whose bytes are new
    linked: int  # unchanged files carried over from the previous site
    removed: bool  # whether a previous site was replaced


def check_path(path: str) -> None:
    """Refuse an output path that is not a plain relative POSIX path inside the output."""
    problem = None
    if not path or "\x00" in path or "\\" in path:
        problem = "is empty or holds a NUL byte or a backslash"
    elif path.startswith("/"):  # all PurePosixPath.is_absolute checks; no Path per file
        problem = "is absolute"
    elif any(part in _FORBIDDEN_NAMES for part in path.split("/")):
        problem = "has an empty, '.' or '..' segment, so it could escape the output folder"
    if problem:
        raise WarroomError(f"refusing output path {path!r}: it {problem}")


def merge(results: Iterable[tuple[str, Mapping[str, bytes]]]) -> dict[str, bytes]:
    """Merge each producer's outputs, refusing two claims on one path (or a file that is
    also a folder of another output). `results` pairs a producer name with its outputs."""
    owner: dict[str, str] = {}
    merged: dict[str, bytes] = {}
    for name, outputs in results:
        for path, content in outputs.items():
            check_path(path)
            if path in owner:
                raise WarroomError(
                    f"two outputs claim {path!r}: {owner[path]} and {name}",
                    hint="rename one of them (a template override or an incident id may clash "
                         "with a built-in page)",
                )
            owner[path] = name
            merged[path] = content
    folders = set()
    for path in merged:  # every folder above every output (string work: this runs 10^4 times)
        cut = path.rfind("/")
        while cut > 0 and path[:cut] not in folders:
            folders.add(path[:cut])
            cut = path.rfind("/", 0, cut)
    clash = sorted(folders & merged.keys())
    if clash:
        raise WarroomError(f"output {clash[0]!r} is both a file and a folder of other outputs")
    return dict(sorted(merged.items()))


def _refuse_unsafe_target(target: Path, root: Path | None) -> None:
    resolved = target.resolve()
    if root is not None and (resolved == root.resolve() or resolved in root.resolve().parents):
        raise WarroomError(f"refusing to replace {target}: it holds the repository itself",
                           hint="choose an output folder such as _site")
    if not resolved.exists():
        return
    if not resolved.is_dir():
        raise WarroomError(f"refusing to replace {target}: it is a file, not a site folder")
    entries = {p.name for p in resolved.iterdir()}
    if entries and ("index.html" not in entries or {".git", "warroom.yaml"} & entries):
        raise WarroomError(
            f"refusing to replace {target}: it is not empty and does not look like a built site",
            hint="remove it yourself or choose another --out folder",
        )


def _same_bytes(old: str, content: bytes) -> bool:
    try:
        info = os.lstat(old)
        if stat.S_ISLNK(info.st_mode) or info.st_size != len(content):
            return False
        with open(old, "rb") as handle:
            return handle.read() == content
    except OSError:
        return False


def _carry(source: str, dest: str) -> None:
    try:
        os.link(source, dest)
    except OSError:  # no hard links on this file system: copy
        shutil.copy2(source, dest)


def _fill(folder: Path, outputs: Mapping[str, bytes], previous: Path | None,
          keep: Sequence[str]) -> tuple[int, int]:
    # Plain strings, not Path objects: this runs for every file of the site (10^4 times).
    written = linked = 0
    into = str(folder)
    made: set[str] = {""}

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
        _carry(f"{old}/{rel}", f"{into}/{rel}")
        linked += 1
    for rel, content in outputs.items():
        dest = f"{into}/{rel}"
        parent_of(rel)
        if previous is not None and _same_bytes(f"{old}/{rel}", content):
            try:
                os.link(f"{old}/{rel}", dest)
                linked += 1
                continue
            except OSError:
                pass  # no hard links on this file system: write a copy
        with open(dest, "wb") as handle:
            handle.write(content)
        written += 1
    return written, linked


def write_site(outputs: Mapping[str, bytes], target: Path, *, root: Path | None = None,
               keep: Sequence[str] = ()) -> WriteStats:
    """Write `outputs` ({relative path: bytes}) as the folder `target`, atomically; `keep`
    lists files of the current site to carry over unchanged (pages a cache knows are fresh).

    `root`, the repository, is never replaced, nor is a non-empty folder that does not look
    like a site (no index.html), so a wrong --out cannot delete someone's work.
    """
    for path in [*outputs, *keep]:
        check_path(path)
    if set(keep) & outputs.keys():
        raise WarroomError("a path is both kept and written")
    _refuse_unsafe_target(target, root)
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = target if target.is_dir() else None
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.new-", dir=target.parent))
    try:
        # mkdtemp makes a private (0700) folder; a site must be readable by the web server.
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)
        written, linked = _fill(staging, outputs, previous, keep)
        if previous is None:
            staging.rename(target)
            return WriteStats(written, linked, removed=False)
        retired = Path(tempfile.mkdtemp(prefix=f"{target.name}.old-", dir=target.parent))
        retired.rmdir()  # only its unique name is wanted
        target.rename(retired)
        try:
            staging.rename(target)
        except OSError:
            retired.rename(target)
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return WriteStats(written, linked, removed=True)
