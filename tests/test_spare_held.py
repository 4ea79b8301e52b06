"""The spare's ledger as this process saved it (`held`): not read again while the file is
the one written, and never served for another file, target or umask."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from warroom import held, spare, spare_ledger
from warroom.writer import write_site

SITE = {"index.html": b"home", "incidents/a/index.html": b"a", "incidents/b/index.html": b"b",
        "static/s.css": b"css"}


def site(n: int) -> dict[str, bytes]:
    return {**SITE, "index.html": b"home %d" % n, f"incidents/n{n}/index.html": b"new"}


@pytest.fixture()
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The targets whose ledger was read from disk (spare_ledger._load), in order."""
    held.forget()
    found: list[Path] = []
    real = spare_ledger._load

    def counted(text: str, target: Path, umask: int) -> spare.Record | None:
        found.append(target)
        return real(text, target, umask)

    monkeypatch.setattr(spare_ledger, "_load", counted)
    yield found
    held.forget()


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_ledger_saved_is_not_read_again(tmp_path: Path, loads: list[Path]) -> None:
    out = tmp_path / "_site"
    for n in range(6):
        assert write_site(site(n), out).reused == (n >= 2)
        assert tree(out) == site(n)
    assert loads == []  # every ledger was one this process wrote


def test_a_ledger_replaced_is_read_again(tmp_path: Path, loads: list[Path]) -> None:
    out = tmp_path / "_site"
    for n in range(3):
        write_site(site(n), out)
    ledger = tmp_path / "._site.spare" / "spare.ledger"
    shutil.copyfile(ledger, tmp_path / "copy")
    os.replace(tmp_path / "copy", ledger)  # the same bytes, another file
    assert write_site(site(3), out).reused
    assert loads == [out.resolve()]
    assert tree(out) == site(3)
    write_site(site(4), out)
    assert loads == [out.resolve()]  # and the next one is held again


def test_a_ledger_rewritten_in_place_is_not_trusted(tmp_path: Path, loads: list[Path]) -> None:
    out = tmp_path / "_site"
    for n in range(3):
        write_site(site(n), out)
    ledger = tmp_path / "._site.spare" / "spare.ledger"
    ledger.write_bytes(b"warroom-spare 1\0damaged")
    assert not write_site(site(3), out).reused
    assert loads == [out.resolve()]
    assert tree(out) == site(3)


def test_a_held_ledger_is_for_its_target_and_umask(tmp_path: Path, loads: list[Path]) -> None:
    out = tmp_path / "_site"
    for n in range(3):
        write_site(site(n), out)
    target = out.resolve()
    found = spare_ledger.read_spare(target, umask())
    assert found is not None and loads == []
    assert found.files.keys() == site(1).keys()  # the spare: the site of the build before
    assert spare_ledger.read_spare(target, umask() ^ 0o007) is None
    assert loads == [target]  # not served: read, and refused for its header


def test_marks_are_each_folder_as_it_was_recorded(tmp_path: Path, loads: list[Path]) -> None:
    out = tmp_path / "_site"
    for n in range(5):
        write_site(site(n), out)
    found = spare_ledger.read_spare(out.resolve(), umask())
    assert found is not None and found.marks is not None and loads == []
    assert found.marks.keys() == found.dirs.keys() == {"incidents", "static", *(
        f"incidents/{name}" for name in ("a", "b", "n3"))}
    for rel, (mode, ino, mtime, ctime) in found.marks.items():
        assert found.dirs[rel] == f"{ino}:{mtime}:{ctime}"
        info = os.lstat(tmp_path / "._site.spare" / "site" / rel)
        assert (info.st_mode, info.st_ino, info.st_mtime_ns, info.st_ctime_ns) == (
            mode, ino, mtime, ctime)


def test_a_ledger_read_from_disk_has_no_marks_until_checked(tmp_path: Path,
                                                            loads: list[Path]) -> None:
    out = tmp_path / "_site"
    for n in range(3):
        write_site(site(n), out)
    held.forget()  # as in a new process: both ledgers are read from disk
    read = spare_ledger.read_spare(out.resolve(), umask())
    assert read is not None and read.marks is None
    for n in range(3, 6):
        assert write_site(site(n), out).reused
        assert tree(out) == site(n)
    assert loads == [out.resolve()] * 3
    found = spare_ledger.read_spare(out.resolve(), umask())  # checked by the strings: marked
    assert found is not None and found.marks is not None and len(loads) == 3
