"""What a build may write, checked before anything is written: each output path (plain,
relative, inside the output), no two outputs on one path nor a file where another output
needs a folder (`merge`), and the folder the site goes to (`check_target`). Used by the
build before its work and by `writer` again, under its lock."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

from warroom import spare
from warroom.errors import WarroomError

_FORBIDDEN_NAMES = {"", ".", ".."}
# The repository's folders that a site must never replace nor be written into.
_REPOSITORY_FOLDERS = ("incidents", ".git")
_UNNAMEABLE = "holds a character no file name can hold (a lone surrogate)"


def check_path(path: str) -> None:
    """Refuse an output path that is not a plain relative POSIX path inside the output."""
    problem = None
    if not path or "\x00" in path or "\\" in path:
        problem = "is empty or holds a NUL byte or a backslash"
    elif path.startswith("/"):  # all PurePosixPath.is_absolute checks; no Path per file
        problem = "is absolute"
    elif any(part in _FORBIDDEN_NAMES for part in path.split("/")):
        problem = "has an empty, '.' or '..' segment, so it could escape the output folder"
    elif not _nameable(path):
        problem = _UNNAMEABLE
    if problem:
        raise WarroomError(f"refusing output path {path!r}: it {problem}")


def check_paths(paths: Collection[str]) -> None:
    """check_path for each of `paths`, by a few searches of them all joined by NULs rather
    than a Python call per path (10^4 of them); check_path says what is wrong, if any.
    Paths found sound once are not searched again in this process (`_sound`): a rebuild
    checks the same 10^4 kept paths as the last one."""
    if _sound.issuperset(paths):
        return
    text = "\0" + "\0".join(paths) + "\0"
    if (text.count("\0") != len(paths) + 1 or "\\" in text  # a NUL or a backslash in one
            or not _nameable(text)):
        suspect = True
    else:  # now every segment of every path lies between two NULs
        segments = text.replace("/", "\0")
        suspect = any(f"\0{name}\0" in segments for name in _FORBIDDEN_NAMES)
    if suspect:
        for path in paths:
            check_path(path)
    if len(_sound) > _SOUND_MAX:
        _sound.clear()
    _sound.update(paths)


# Paths that passed check_path (it depends on nothing else), at most this many.
_sound: set[str] = set()
_SOUND_MAX = 10**6


def merge(results: Iterable[tuple[str, Mapping[str, bytes]]], kept: Sequence[str] = (),
          kept_by: str = "kept files") -> dict[str, bytes]:
    """Merge each producer's outputs, refusing two claims on one path (or a file that is
    also a folder of another output). `results` pairs a producer name with its outputs;
    `kept`, files carried over from the current site (named `kept_by` in a complaint), are
    checked like outputs but not returned."""
    owner: dict[str, str] = {}
    merged: dict[str, bytes] = {}
    for name, outputs in results:
        _claim(owner, name, outputs)
        owner.update(dict.fromkeys(outputs, name))
        merged.update(outputs)
    if kept:
        _claim(owner, kept_by, kept)
    if not _apart(merged.keys(), kept):
        every = merged.keys() | set(kept)
        clash = sorted(spare.folders(every) & every)
        if clash:
            raise WarroomError(
                f"output {clash[0]!r} is both a file and a folder of other outputs")
    return dict(sorted(merged.items()))


def _claim(owner: Mapping[str, str], name: str, paths: Collection[str]) -> None:
    check_paths(paths)
    if not owner.keys().isdisjoint(paths):
        path = next(path for path in paths if path in owner)
        raise WarroomError(
            f"two outputs claim {path!r}: {owner[path]} and {name}",
            hint="rename one of them (a template override or an incident id may clash "
                 "with a built-in page)",
        )


# Paths kept by the builds of this process, and every folder above them: a superset of
# the folders above the kept files of any of those builds (10^4 of them, mostly the same
# from one build to the next: not worked out again).
_kept_above: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


def _apart(outputs: Collection[str], kept: Sequence[str]) -> bool:
    """True if no output or kept file is a folder above another one. False may be wrong
    (`_kept_above` is a superset of the folders above the kept files): check exactly then,
    and start the superset afresh from `kept`."""
    global _kept_above
    above = spare.folders(outputs)
    if not (above.isdisjoint(outputs) and above.isdisjoint(kept)):
        return False
    covered, above_kept = _kept_above
    if not covered.issuperset(kept):
        fresh = set(kept).difference(covered)
        if len(covered) > 2 * len(kept) + 1024:  # grown past what builds keep: afresh
            covered, above_kept, fresh = frozenset(), frozenset(), set(kept)
        covered, above_kept = covered | fresh, above_kept | spare.folders(fresh)
        _kept_above = (covered, above_kept)
    if above_kept.isdisjoint(outputs) and above_kept.isdisjoint(kept):
        return True
    _kept_above = (frozenset(kept), frozenset(spare.folders(kept)))
    return False


def _nameable(text: str) -> bool:
    """Whether `text` can be a file name (as bytes): Python names a byte that is not UTF-8
    with a lone surrogate it can turn back into that byte, but not any lone surrogate."""
    try:
        os.fsencode(text)
    except UnicodeEncodeError:
        return False
    return True


def _cannot(target: Path, reason: str) -> WarroomError:
    return WarroomError(f"cannot write the site to {target}: {reason}",
                        hint="choose another --out folder")


def check_target(target: Path, root: Path | None = None) -> Path:
    """`target` resolved, or a WarroomError if no site may be written there: a name no file
    system can hold, a symlink loop, a file (or a file above it), the repository itself or
    one of its own folders, or a non-empty folder that does not look like a built site.
    Nothing is written: the build checks this before its work, the writer again."""
    if not _nameable(str(target)):
        raise _cannot(target, f"its name {_UNNAMEABLE}")
    try:
        resolved = target.resolve()
        resolved.exists()
    except (OSError, RuntimeError) as error:  # RuntimeError: Python 3.11's symlink loop
        reason = getattr(error, "strerror", None) or "it is a loop of symbolic links"
        raise _cannot(target, reason.lower()) from error
    for above in resolved.parents:
        if above.exists():
            if not above.is_dir():
                raise _cannot(target, f"{above} is a file, not a folder")
            break
    if root is not None:
        _refuse_repository(target, resolved, root.resolve())
    _refuse_unsafe_target(target, resolved)
    return resolved


def _refuse_repository(target: Path, resolved: Path, root: Path) -> None:
    if resolved == root or resolved in root.parents:
        raise WarroomError(f"refusing to replace {target}: it holds the repository itself",
                           hint="choose an output folder such as _site")
    for name in _REPOSITORY_FOLDERS:
        own = root / name
        if resolved == own or own in resolved.parents:
            raise WarroomError(
                f"refusing to replace {target}: it is the repository's {name}/ folder or "
                f"inside it", hint="choose an output folder such as _site")


def _refuse_unsafe_target(target: Path, resolved: Path) -> None:
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
