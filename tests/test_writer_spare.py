"""The spare: the replaced site kept beside the target and updated in place by the next
build. Every result must equal a fresh write, byte for byte, and the live site must never
change under its readers."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from warroom import spare, spare_ledger
from warroom.writer import write_site

A = {"index.html": b"home", "404.html": b"lost", "static/s.css": b"css",
     "incidents/a/index.html": b"a", "incidents/b/index.html": b"b",
     "history/2026/01/index.html": b"jan", "feeds/x.atom": b"feed"}
# Each build after A: files changed, added, removed; a file that becomes a folder
# (feeds/x.atom) and a folder that becomes a file (history/2026).
STEPS = [
    {**A, "index.html": b"home 2", "incidents/c/index.html": b"c"},
    {k: v for k, v in A.items() if k != "incidents/b/index.html"} | {"index.html": b"home 3"},
    {**{k: v for k, v in A.items() if k != "feeds/x.atom"}, "feeds/x.atom/index.html": b"f"},
    {**{k: v for k, v in A.items() if not k.startswith("history/")}, "history/2026": b"now"},
    A,
    {**A, "incidents/a/index.html": b"a changed", "new/deep/er/file.txt": b"deep"},
    A,
]


def _tree(folder: Path) -> dict[str, tuple[bytes | None, int]]:
    """Every entry below `folder`: its bytes (None for a folder) and its permission bits."""
    found = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        content = None if stat.S_ISDIR(info.st_mode) else path.read_bytes()
        found[path.relative_to(folder).as_posix()] = (content, stat.S_IMODE(info.st_mode))
    return found


def _identity(path: Path) -> tuple[int, int, int]:
    info = path.lstat()
    return info.st_ino, info.st_size, info.st_mtime_ns


def _kept(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """What a page cache would keep: files whose bytes did not change (every other one)."""
    return sorted(path for path in after if before.get(path) == after[path])[::2]


def _build(out: Path, previous: dict[str, bytes], site: dict[str, bytes]) -> None:
    keep = _kept(previous, site) if out.is_dir() else []
    write_site({k: v for k, v in site.items() if k not in keep}, out, keep=keep)


def _builds(tmp_path: Path, links: bool = True) -> Iterator[tuple[Path, dict[str, bytes]]]:
    """Build A then every step into one folder; yields the folder and what it should hold."""
    out, previous = tmp_path / "site" / "_site", {}
    for site in [A, *STEPS]:
        carried = {p: _identity(out / p) for p in _kept(previous, site)} if out.is_dir() else {}
        unchanged = {p: _identity(out / p) for p in site if previous.get(p) == site[p]}
        _build(out, previous, site)
        if links:  # kept and same-bytes files keep inode, size, mtime (the page cache checks)
            assert {p: _identity(out / p) for p in carried} == carried
            assert {p: _identity(out / p) for p in unchanged} == unchanged
        previous = site
        yield out, site


def _fresh(tmp_path: Path, site: dict[str, bytes]) -> dict[str, tuple[bytes | None, int]]:
    ref = tmp_path / "ref" / "_site"
    write_site(site, ref, keep_spare=False)
    tree = _tree(ref)
    shutil.rmtree(ref)
    return tree


def test_every_build_equals_a_fresh_write(tmp_path: Path) -> None:
    for n, (out, site) in enumerate(_builds(tmp_path)):
        assert _tree(out) == _fresh(tmp_path, site), f"build {n}"
        names = sorted(p.name for p in out.parent.iterdir())
        assert names == (["_site"] if n == 0 else ["._site.spare", "_site"])
    assert (out.parent / "._site.spare" / "site").is_dir()


def test_the_spare_is_used_from_the_third_build(tmp_path: Path) -> None:
    out, reused = tmp_path / "_site", []
    for site in [A, *STEPS]:
        reused.append(write_site(site, out).reused)
    assert reused == [False, False] + [True] * (len(STEPS) - 1)


def test_the_spare_is_private_git_ignored_and_beside_the_target(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    write_site(A, out)
    write_site(STEPS[0], out)
    home = tmp_path / "._site.spare"
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert (home / ".gitignore").read_text(encoding="utf-8") == "*\n"
    assert not any(".spare" in p.as_posix() for p in out.rglob("*"))


def test_keep_spare_false_leaves_nothing_beside_the_target(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    for site in [A, STEPS[0], STEPS[1]]:
        write_site(site, out)
    stats = write_site(STEPS[2], out, keep_spare=False)
    assert stats.reused  # the spare there was still worth using
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]
    assert _tree(out) == _fresh(tmp_path, STEPS[2])


def test_the_live_site_is_never_written_through(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "_site"
    for site in [A, STEPS[0], STEPS[1]]:
        write_site(site, out)
    # Witnesses: links to every live file and every spare file, with their bytes now.
    witness = tmp_path / "witness"
    witness.mkdir()
    seen = {}
    for n, path in enumerate(p for p in [*out.rglob("*"), *(tmp_path / "._site.spare").rglob(
            "*")] if p.is_file()):
        os.link(path, witness / str(n))
        seen[str(n)] = path.read_bytes()
    live = _tree(out)
    real_write = spare.write_new

    def watched(dest: str, content: bytes) -> int:
        assert _tree(out) == live  # during the build, the live site is as it was
        return real_write(dest, content)

    monkeypatch.setattr(spare, "write_new", watched)
    everything_new = {path: content + b" v2" for path, content in STEPS[1].items()}
    assert write_site(everything_new, out).reused
    assert {name: (witness / name).read_bytes() for name in seen} == seen
    monkeypatch.undo()
    assert _tree(out) == _fresh(tmp_path, everything_new)


@pytest.mark.parametrize("fail_after", [0, 1, 2])
@pytest.mark.parametrize("error", [OSError, RuntimeError])
def test_a_failure_mid_write_leaves_the_live_site_and_the_next_build_is_right(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_after: int,
        error: type[Exception]) -> None:
    out = tmp_path / "_site"
    for site in [A, STEPS[0], STEPS[1]]:
        write_site(site, out)
    live = _tree(out)
    identities = {p: _identity(out / p) for p in STEPS[1]}
    real_write, calls = spare.write_new, []

    def failing(dest: str, content: bytes) -> int:
        calls.append(dest)
        if len(calls) > fail_after:
            raise error("disk full")
        return real_write(dest, content)

    monkeypatch.setattr(spare, "write_new", failing)
    with pytest.raises(error, match="disk full"):
        write_site(STEPS[2], out)
    assert _tree(out) == live
    assert {p: _identity(out / p) for p in STEPS[1]} == identities
    assert not [p for p in tmp_path.iterdir() if ".new-" in p.name or ".old-" in p.name]
    monkeypatch.undo()
    for site in STEPS[2:]:
        write_site(site, out)
        assert _tree(out) == _fresh(tmp_path, site)


def _two_builds(tmp_path: Path) -> tuple[Path, Path]:
    out = tmp_path / "_site"
    write_site(A, out)
    write_site(STEPS[0], out)
    return out, tmp_path / "._site.spare" / "site"


def test_a_spare_changed_behind_our_back_is_not_trusted(tmp_path: Path) -> None:
    out, kept = _two_builds(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_bytes(b"keep me")
    (kept / "incidents/a/extra.html").write_bytes(b"planted")  # a file added
    (kept / "static/s.css").unlink()  # a file replaced
    (kept / "static/s.css").write_bytes(b"not the css")
    (kept / "404.html").unlink()  # a file removed
    shutil.rmtree(kept / "history/2026/01")  # a folder turned into a symlink
    (kept / "history/2026/01").symlink_to(outside, target_is_directory=True)
    (kept / "stray.txt").write_bytes(b"top")
    for site in STEPS[1:]:
        write_site(site, out)
        assert _tree(out) == _fresh(tmp_path, site)
    assert (outside / "precious").read_bytes() == b"keep me"


def test_files_added_to_the_live_site_do_not_come_back(tmp_path: Path) -> None:
    """A deploy step that adds files to the site (say, .gz beside each page) must not see
    them published again by a later build through the spare."""
    out, _ = _two_builds(tmp_path)
    (out / "incidents/a/index.html.gz").write_bytes(b"gz")
    (out / "CNAME").write_bytes(b"status.example.com")
    for site in STEPS[1:4]:
        write_site(site, out)
        assert _tree(out) == _fresh(tmp_path, site)


def test_a_live_site_replaced_by_hand_is_listed_when_it_retires(tmp_path: Path) -> None:
    out, _ = _two_builds(tmp_path)
    shutil.copytree(out, tmp_path / "copy")
    shutil.rmtree(out)
    (tmp_path / "copy").rename(out)
    (out / "incidents/a/by-hand.html").write_bytes(b"by hand")
    for n, site in enumerate(STEPS[1:4]):
        assert write_site(site, out).reused
        assert _tree(out) == _fresh(tmp_path, site), f"build {n}"


def test_a_spare_of_another_target_is_not_trusted(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for site in [A, STEPS[0]]:
        write_site(site, one)
        write_site({**site, "index.html": b"other"}, two)
    (tmp_path / ".one.spare").rename(tmp_path / "swap")
    (tmp_path / ".two.spare").rename(tmp_path / ".one.spare")
    (tmp_path / "swap").rename(tmp_path / ".two.spare")
    assert not write_site(STEPS[1], one).reused
    assert _tree(one) == _fresh(tmp_path, STEPS[1])
    assert write_site(STEPS[2], one).reused  # and the spare it left is trusted again
    assert _tree(one) == _fresh(tmp_path, STEPS[2])


@pytest.mark.parametrize("ledger", [b"", b"garbage\0\0\0", b"warroom-spare 1\0x\0" + b"\xff",
                                    "truncated"])
def test_a_broken_ledger_is_ignored(tmp_path: Path, ledger: bytes | str) -> None:
    out, _ = _two_builds(tmp_path)
    path = tmp_path / "._site.spare" / "spare.ledger"
    path.write_bytes(path.read_bytes()[:-9] if ledger == "truncated" else ledger)
    assert not write_site(STEPS[1], out).reused
    assert _tree(out) == _fresh(tmp_path, STEPS[1])


def test_a_ledger_naming_paths_outside_the_spare_is_not_followed(tmp_path: Path) -> None:
    out, _ = _two_builds(tmp_path)
    path = tmp_path / "._site.spare" / "spare.ledger"
    umask = os.umask(0)
    os.umask(umask)
    loaded = spare_ledger._load(path.read_text(encoding="utf-8"), out, umask)
    assert loaded is not None
    # "incidents" is a folder every build keeps: a ".." in it would reach the target.
    loaded.dirs["incidents/.."] = "1:2:3"
    loaded.files["incidents/../../victim"] = "1"
    path.write_text(spare_ledger._dump(out, umask, loaded), encoding="utf-8")
    (tmp_path / "victim").write_bytes(b"safe")
    write_site(STEPS[1], out)
    assert (tmp_path / "victim").read_bytes() == b"safe"
    assert _tree(out) == _fresh(tmp_path, STEPS[1])


def test_a_copy_of_the_spare_is_not_trusted(tmp_path: Path) -> None:
    """As after a crash between moving folders, or a backup restored: same names and
    bytes, other inodes."""
    out, kept = _two_builds(tmp_path)
    shutil.copytree(kept, tmp_path / "copy", symlinks=True)
    shutil.rmtree(kept)
    (tmp_path / "copy").rename(kept)
    assert not write_site(STEPS[1], out).reused
    assert _tree(out) == _fresh(tmp_path, STEPS[1])


def test_a_spare_that_is_a_symlink_is_not_followed(tmp_path: Path) -> None:
    out, kept = _two_builds(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_bytes(b"keep me")
    shutil.rmtree(kept)
    kept.symlink_to(outside, target_is_directory=True)
    assert not write_site(STEPS[1], out).reused
    assert (outside / "precious").read_bytes() == b"keep me"
    assert _tree(out) == _fresh(tmp_path, STEPS[1])


def test_a_new_umask_is_not_served_old_folders(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out, _ = _two_builds(tmp_path)
        os.umask(0o027)
        assert not write_site(STEPS[1], out).reused
        fresh, tree = _fresh(tmp_path, STEPS[1]), _tree(out)
        # Folders get the new umask; files carried over keep theirs, as they always did.
        assert {p: v for p, v in tree.items() if v[0] is None} == {
            p: v for p, v in fresh.items() if v[0] is None}
        assert {p: v[0] for p, v in tree.items()} == {p: v[0] for p, v in fresh.items()}
        assert stat.S_IMODE(out.stat().st_mode) == 0o750
    finally:
        os.umask(old)


def test_without_hard_links_files_are_copied(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    for out, site in _builds(tmp_path, links=False):
        assert _tree(out) == _fresh(tmp_path, site)
