"""The spare's ledgers and its place (used by `writer` only; see `spare` for what the
spare is): where it lives beside the target, the record of what the writer left in the
spare and in the live site, claiming the spare for a build and retiring the replaced site
into it."""

from __future__ import annotations

import os
import shutil
import stat
from itertools import chain
from pathlib import Path

from warroom import held
from warroom.spare import _MARK, Mark, Record, ident, identity

_MAGIC = "warroom-spare 1"
_HELD = "spare ledger"  # the kind of value `held` keeps for a ledger: (target, umask), Record
# The ledger holds file names: those that are not UTF-8 go through as the bytes they are.
_ENCODING = {"encoding": "utf-8", "errors": "surrogateescape"}


def _header(target: Path, umask: int, root: str) -> str:
    return "\0".join([_MAGIC, str(target), str(umask), root, ""])


def _dump(target: Path, umask: int, record: Record) -> str:
    """The ledger's text: `_header`, then each table (one join: a megabyte not copied)."""
    return "\0".join([
        _MAGIC, str(target), str(umask), record.root,
        str(len(record.dirs)), *chain.from_iterable(record.dirs.items()),
        str(len(record.files)), *chain.from_iterable(record.files.items())])


def _load(text: str, target: Path, umask: int) -> Record | None:
    """The record in a ledger file, if it was written for this target and umask."""
    fields = text.split("\0")
    if fields[:3] != [_MAGIC, str(target), str(umask)] or len(fields) < 6:
        return None
    pos = 4

    def table() -> dict[str, str]:
        nonlocal pos
        start = pos + 1
        pos = start + 2 * int(fields[pos])
        if pos > len(fields):
            raise ValueError("short ledger")
        return dict(zip(fields[start:pos:2], fields[start + 1:pos:2], strict=True))

    try:
        record = Record(fields[3], table(), table(), marks=None)
    except (ValueError, IndexError):
        return None
    return record if pos == len(fields) else None


def home_of(target: Path) -> Path:
    """The hidden folder beside `target`: the spare (`site`) and the ledger, one record
    for the spare (`spare.ledger`) and one for the live site (`live.ledger`)."""
    return target.parent / f".{target.name}.spare"


def read_spare(target: Path, umask: int) -> Record | None:
    """What the spare holds, if its ledger was written for this target and umask: the
    record this process saved, while the ledger is still the file it wrote (`held`: a
    megabyte not read and split again at 10^4 pages), else read from the ledger."""
    ledger = home_of(target) / "spare.ledger"
    _, kept = held.recall(ledger, _HELD)
    if kept is not None and kept[0] == (str(target), umask):
        found: Record = kept[1]
        return found
    try:
        text = ledger.read_text(**_ENCODING)
    except OSError:
        return None
    return _load(text, target, umask)


def save(target: Path, umask: int, record: Record) -> None:
    """Record what the live site holds (it becomes the spare's record when it retires).
    The record is kept with the ledger's identity (`held`): it is never changed after."""
    home = home_of(target)
    try:
        _write_ledger(home / "live.ledger", target, umask, record)
    except OSError:  # a spare without its ledger is never used: no harm, only no speed
        shutil.rmtree(home, ignore_errors=True)


def _write_ledger(ledger: Path, target: Path, umask: int, record: Record) -> None:
    """Write the ledger through a temporary file; the record is kept with its identity
    (`held`), as `_load` would make it: it is never changed after."""
    temporary = ledger.with_name(f"{ledger.name}.tmp")
    temporary.write_text(_dump(target, umask, record), **_ENCODING)
    written = held.identity(temporary)
    temporary.replace(ledger)
    held.keep(ledger, _HELD, written, ((str(target), umask), Record(
        record.root, record.dirs, record.files, marks=record.marks)))


def claim(spare: Path, staging: Path, record: Record) -> bool:
    """Move the spare onto the empty staging folder (one build wins); whether it is ours."""
    try:
        info = os.lstat(spare)
        if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid()
                or f"{info.st_dev}:{info.st_ino}" != record.root):
            return False
        os.rename(spare, staging)  # replaces an empty folder; the spare is gone if we fail
        if ident(staging) == record.root:
            return True
        shutil.rmtree(staging)  # another folder slipped in between: start afresh
        staging.mkdir()
    except OSError:
        pass
    return False


def retire(retired: Path, target: Path, umask: int) -> bool:
    """Make the replaced site the spare, with the record written when it was built (no
    need to parse it: only its header is checked), or else by listing it once (a site
    written by a first build, or before the ledger)."""
    home = home_of(target)
    try:
        home.mkdir(mode=0o700, exist_ok=True)
        if not (home / ".gitignore").exists():  # beside a target inside a repository
            (home / ".gitignore").write_text("*\n", encoding="utf-8")
        live = home / "live.ledger"
        if _starts_with(live, _header(target, umask, ident(retired)).encode(**_ENCODING)):
            # A rename keeps the file's identity: what is held for it goes along.
            known, record = held.recall(live, _HELD)
            live.replace(home / "spare.ledger")
            if record is not None:
                held.keep(home / "spare.ledger", _HELD, known, record)
        else:
            _write_ledger(home / "spare.ledger", target, umask, survey(retired))
        retired.rename(home / "site")
        return True
    except OSError:
        return False


def _starts_with(path: Path, head: bytes) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(head)) == head
    except OSError:
        return False


def survey(folder: Path) -> Record:
    """Record what `folder` holds now: each folder's identity taken before it is listed,
    so that a change during the listing shows later as a changed folder."""
    marks: dict[str, Mark] = {}
    record = Record(ident(folder), marks=marks)
    pending = [("", str(folder))]
    while pending:
        rel, path = pending.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                name = f"{rel}/{entry.name}" if rel else entry.name
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(info.st_mode):
                    record.dirs[name] = identity(info)
                    marks[name] = _MARK(info)
                    pending.append((name, entry.path))
                else:
                    record.files[name] = str(info.st_ino)
    return record
