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
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from warroom import spare
from warroom.errors import WarroomError

_FORBIDDEN_NAMES = {"", ".", ".."}


@dataclass(frozen=True)
class WriteStats:
    written: int  # files whose bytes are new
    linked: int  # unchanged files carried over from the previous site
    removed: bool  # whether a previous site was replaced
    reused: bool = False  # whether the spare was updated instead of a fresh folder filled


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


def check_paths(paths: Collection[str]) -> None:
    """check_path for each of `paths`, by a few searches of them all joined by NULs rather
    than a Python call per path (10^4 of them); check_path says what is wrong, if any."""
    text = "\0" + "\0".join(paths) + "\0"
    if text.count("\0") != len(paths) + 1 or "\\" in text:  # a NUL or a backslash in one
        suspect = True
    else:  # now every segment of every path lies between two NULs
        segments = text.replace("/", "\0")
        suspect = any(f"\0{name}\0" in segments for name in _FORBIDDEN_NAMES)
    if suspect:
        for path in paths:
            check_path(path)


def merge(results: Iterable[tuple[str, Mapping[str, bytes]]]) -> dict[str, bytes]:
    """Merge each producer's outputs, refusing two claims on one path (or a file that is
    also a folder of another output). `results` pairs a producer name with its outputs."""
    owner: dict[str, str] = {}
    merged: dict[str, bytes] = {}
    for name, outputs in results:
        check_paths(outputs)
        if not owner.keys().isdisjoint(outputs):
            path = next(path for path in outputs if path in owner)
            raise WarroomError(
                f"two outputs claim {path!r}: {owner[path]} and {name}",
                hint="rename one of them (a template override or an incident id may clash "
                     "with a built-in page)",
            )
        owner.update(dict.fromkeys(outputs, name))
        merged.update(outputs)
    clash = sorted(spare.folders(merged) & merged.keys())
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
           umask: int, keep_spare: bool) -> tuple[Path, int, int, spare.Record, bool]:
    """Fill a staging folder, from the spare when it can be trusted (`known` is what the
    ledger says it holds). Returns the folder, counts, what it holds, and whether the
    spare was used; `made` collects every folder made, for cleaning up after a failure."""
    home = spare.home_of(target)
    made.append(staging := _new_folder(target, umask))
    if previous is not None and known is not None and spare.claim(home / "site", staging, known):
        staging.chmod(0o777 & ~umask)
        record = spare.Record(known.root)
        try:
            written, linked = spare.update(staging, outputs, previous, keep, known, record)
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


def write_site(outputs: Mapping[str, bytes], target: Path, *, root: Path | None = None,
               keep: Sequence[str] = (), keep_spare: bool = True) -> WriteStats:
    """Write `outputs` ({relative path: bytes}) as the folder `target`, atomically; `keep`
    lists files of the current site to carry over unchanged (pages a cache knows are fresh).

    `root`, the repository, is never replaced, nor is a non-empty folder that does not look
    like a site (no index.html), so a wrong --out cannot delete someone's work. The replaced
    site is kept beside the target as the spare for the next build, unless `keep_spare` is
    false (a one-shot build, as in CI: then nothing is left beside the target).
    """
    check_paths(outputs)
    check_paths(keep)
    if not outputs.keys().isdisjoint(keep):
        raise WarroomError("a path is both kept and written")
    _refuse_unsafe_target(target, root)
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = target if target.is_dir() else None
    umask = os.umask(0)
    os.umask(umask)
    known = spare.read_spare(target, umask)
    made: list[Path] = []
    try:
        staging, written, linked, record, reused = _stage(
            made, target, outputs, previous, keep, known, umask, keep_spare)
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
    if previous is not None and keep_spare and spare.retire(retired, target, umask):
        spare.save(target, umask, record)
    else:  # nothing to keep (a first write, or keep_spare=False): nothing beside the target
        if previous is not None:
            shutil.rmtree(retired, ignore_errors=True)
        shutil.rmtree(spare.home_of(target), ignore_errors=True)
    return WriteStats(written, linked, removed=previous is not None, reused=reused)
