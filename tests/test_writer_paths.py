"""The site writer against awkward targets: names that are not UTF-8, a file where a folder
should be, the repository's own folders, symlinks, a read-only or full file system, and two
builds into one folder at once. Each either works fully or is refused before anything is
written, with a one-line error (exit 1, no traceback); the previous site never suffers."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from warroom.cli import cli
from warroom.errors import WarroomError
from warroom.site.build import build
from warroom.site.cache import PageCache
from warroom.writer import write_site

SITE = {"index.html": b"<p>home</p>", "incidents/a/index.html": b"a", "static/s.css": b"x"}
EPOCH = "1773576000"
NOT_UTF8 = os.fsdecode(b"site-\xff")  # how Python names a folder whose name is not UTF-8


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _names(folder: Path) -> list[bytes]:
    return sorted(os.listdir(os.fsencode(folder)))


def _spare_and(name: str) -> list[bytes]:
    return sorted([os.fsencode(f".{name}.spare"), os.fsencode(name)])


# --- names that are not UTF-8 ---------------------------------------------------------------

def test_a_target_whose_name_is_not_utf8_is_built_again_and_again(tmp_path: Path) -> None:
    out = tmp_path / NOT_UTF8
    sites = [SITE, {**SITE, "index.html": b"2"}, {**SITE, "index.html": b"3"}, SITE]
    stats = [write_site(site, out) for site in sites]
    assert _tree(out) == SITE
    assert stats[-1].reused  # the spare (and its ledger naming the target) worked
    assert _names(tmp_path) == _spare_and(NOT_UTF8)  # no retired folder left behind


def test_output_paths_that_are_not_utf8_are_written_and_recorded(tmp_path: Path) -> None:
    odd = os.fsdecode(b"incidents/caf\xe9/index.html")
    site = {**SITE, odd: b"cafe"}
    out = tmp_path / "_site"
    stats = [write_site({**site, "index.html": bytes([n])}, out) for n in range(4)]
    assert os.path.isfile(os.fsencode(out) + b"/incidents/caf\xe9/index.html")
    assert stats[-1].reused and stats[-1].written == 1
    assert _names(tmp_path) == _spare_and("_site")


@pytest.mark.parametrize("name", ["s\ud800", "s\udc00x"])
def test_a_target_no_file_system_can_name_is_refused_before_writing(
        tmp_path: Path, name: str) -> None:
    with pytest.raises(WarroomError, match="no file name can hold"):
        write_site(SITE, tmp_path / name)
    assert _names(tmp_path) == []


def test_an_output_path_no_file_system_can_name_is_refused_before_writing(
        tmp_path: Path) -> None:
    write_site(SITE, tmp_path / "_site")
    with pytest.raises(WarroomError, match="refusing output path"):
        write_site({**SITE, "incidents/\ud800/index.html": b"x"}, tmp_path / "_site")
    assert _tree(tmp_path / "_site") == SITE
    assert _names(tmp_path) == [b"_site"]


def test_the_page_cache_of_a_target_that_is_not_utf8_is_kept(tmp_path: Path) -> None:
    out = tmp_path / NOT_UTF8
    write_site(SITE, out)
    cache = PageCache(tmp_path / "cache", out, "theme")
    cache.remember({"index.html": "k1"})
    again = PageCache(tmp_path / "cache", out, "theme")
    assert again.fresh("index.html", "k1") and not again.fresh("index.html", "k2")


def _run_build(repo: Path, out: Path) -> subprocess.CompletedProcess[bytes]:
    """`warroom build` as a shell runs it: the folder's name goes in as bytes."""
    return subprocess.run([sys.executable, "-m", "warroom", "build", "--root", str(repo),
                           "--out", os.fsencode(out)], capture_output=True, check=False,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})


def test_warroom_build_into_a_folder_whose_name_is_not_utf8(
        warroom_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / NOT_UTF8
    for _ in range(3):  # the page cache, then the spare, are used from the second build
        done = _run_build(warroom_repo, out)
        assert (done.returncode, b"Traceback" in done.stderr) == (0, False), done.stderr
        assert b"unexpected error" not in done.stderr
    assert (out / "index.html").is_file()
    assert _names(out.parent) == _spare_and(NOT_UTF8)
    # The function, with the page cache, at the same time (so every page is kept).
    built = build(warroom_repo, out, now=datetime.fromtimestamp(int(EPOCH), UTC))
    assert built.written is not None and built.written.reused
    assert built.kept


# --- where the site may go -----------------------------------------------------------------

def test_a_target_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("mine", encoding="utf-8")
    with pytest.raises(WarroomError, match="it is a file"):
        write_site(SITE, tmp_path / "f")
    assert (tmp_path / "f").read_text(encoding="utf-8") == "mine"


def test_a_target_below_a_file_is_refused_without_a_traceback(
        warroom_repo: Path, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("mine", encoding="utf-8")
    with pytest.raises(WarroomError, match="is a file"):
        write_site(SITE, tmp_path / "f" / "site")
    done = CliRunner().invoke(cli, ["build", "--root", str(warroom_repo),
                                    "--out", str(tmp_path / "f" / "site")])
    assert done.exit_code == 1 and isinstance(done.exception, SystemExit), done.output
    assert "warroom: error: cannot write the site to" in done.stderr
    assert (tmp_path / "f").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("where", ["incidents", "incidents/2026/site", ".git/site",
                                   ".", "incidents/.."])
def test_the_repositorys_own_folders_are_refused(warroom_repo: Path, where: str) -> None:
    (warroom_repo / "incidents" / "2026").rmdir()  # an empty incidents/ is still theirs
    (warroom_repo / ".git").mkdir()
    before = sorted(p.relative_to(warroom_repo) for p in warroom_repo.rglob("*"))
    with pytest.raises(WarroomError, match="refusing to replace"):
        write_site(SITE, warroom_repo / where, root=warroom_repo)
    assert sorted(p.relative_to(warroom_repo) for p in warroom_repo.rglob("*")) == before


def test_a_site_inside_the_repository_but_elsewhere_is_fine(warroom_repo: Path) -> None:
    write_site(SITE, warroom_repo / "_site", root=warroom_repo)
    write_site(SITE, warroom_repo / "docs" / "status", root=warroom_repo)
    assert _tree(warroom_repo / "docs" / "status") == SITE


def test_the_cli_refuses_incidents_before_building(warroom_repo: Path) -> None:
    done = CliRunner().invoke(cli, ["build", "--root", str(warroom_repo),
                                    "--out", str(warroom_repo / "incidents")])
    assert done.exit_code == 1 and isinstance(done.exception, SystemExit), done.output
    assert "refusing to replace" in done.stderr and "hint: " in done.stderr
    assert [p.name for p in (warroom_repo / "incidents").iterdir()] == ["2026"]


# --- symlinks --------------------------------------------------------------------------------

def test_a_symlinked_target_is_written_through_the_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "_site").symlink_to(tmp_path / "real" / "site")
    for n in range(3):
        write_site({**SITE, "index.html": bytes([n])}, tmp_path / "_site")
    assert (tmp_path / "_site").is_symlink()
    assert _tree(tmp_path / "_site") == {**SITE, "index.html": b"\x02"}
    assert _names(tmp_path / "real") == _spare_and("site")


def test_a_symlink_to_the_repository_is_refused(warroom_repo: Path, tmp_path: Path) -> None:
    (tmp_path / "link").symlink_to(warroom_repo / "incidents")
    with pytest.raises(WarroomError, match="refusing to replace"):
        write_site(SITE, tmp_path / "link", root=warroom_repo)


def test_a_symlink_loop_is_refused_without_a_traceback(
        warroom_repo: Path, tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(WarroomError, match="symbolic links"):
        write_site(SITE, tmp_path / "loop")
    for cached in ([], ["--no-cache"]):
        done = CliRunner().invoke(cli, ["build", "--root", str(warroom_repo),
                                        "--out", str(tmp_path / "loop"), *cached])
        assert done.exit_code == 1 and isinstance(done.exception, SystemExit), done.output
        assert "warroom: error: cannot write the site to" in done.stderr
    assert (tmp_path / "loop").is_symlink()


# --- read-only and full file systems ---------------------------------------------------------

@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 200 KiB tmpfs (needs root; skipped where mounting is not allowed)."""
    where = tmp_path / "fs"
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(where)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace')}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_read_only_file_system_is_refused_and_the_site_stays(small_fs: Path) -> None:
    out = small_fs / "_site"
    write_site(SITE, out)
    write_site(SITE, out)
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    with pytest.raises(WarroomError, match=r"cannot write the site to .*Read-only file system"):
        write_site({**SITE, "index.html": b"new"}, out)
    assert _tree(out) == SITE


@pytest.mark.parametrize("builds_before", [1, 2, 3])  # fresh folder; first spare; reused
def test_a_full_disk_leaves_the_previous_site(small_fs: Path, builds_before: int) -> None:
    out = small_fs / "_site"
    for _ in range(builds_before):
        write_site(SITE, out)
    big = {**SITE, "index.html": b"new", "static/big.bin": b"x" * 400_000}
    with pytest.raises(WarroomError, match="No space left on device"):
        write_site(big, out)
    assert _tree(out) == SITE
    assert [n for n in _names(small_fs) if b".new-" in n or b".old-" in n] == []
    write_site({**SITE, "index.html": b"after"}, out)  # space back: the next build is fine
    assert _tree(out) == {**SITE, "index.html": b"after"}


def test_a_full_disk_costs_the_page_cache_nothing_but_speed(
        small_fs: Path, tmp_path: Path) -> None:
    out = tmp_path / "_site"
    write_site(SITE, out)
    cache = PageCache(small_fs, out, "theme")
    cache.remember({"index.html": "k1"})
    with (small_fs / "filler").open("wb", buffering=0) as filler, pytest.raises(OSError):
        while True:  # fill every block
            filler.write(b"x" * 4096)
    many = {f"p{n}": "k" * 200 for n in range(2000)}
    PageCache(small_fs, out, "theme").remember({**many, "index.html": "k2"})
    assert [p.name for p in small_fs.iterdir() if p.suffix == ".tmp"] == []
    again = PageCache(small_fs, out, "theme")
    assert not again.fresh("index.html", "k1")  # a record it could not update is dropped


# --- two builds at once ----------------------------------------------------------------------

def _slow_build(out: Path, site: dict[str, bytes], inside: Any, go: Any,
                said: Connection) -> None:
    """write_site, pausing right after the live site was moved aside (before the new one
    takes its place) until told to go on; says how it ended."""
    real = Path.rename

    def rename(self: Path, dest: Any) -> Path:
        done = real(self, dest)
        if self == out:
            inside.set()
            go.wait()
        return done

    Path.rename = rename  # type: ignore[method-assign]  # a forked child of its own
    try:
        write_site(site, out)
        said.send("ok")
    except BaseException as error:  # reported to the test instead
        said.send(f"{type(error).__name__}: {error}")


def test_a_second_build_into_the_same_folder_waits_for_the_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "_site"
    write_site(SITE, out)
    write_site(SITE, out)
    context = multiprocessing.get_context("fork")
    inside, go = context.Event(), context.Event()
    theirs, ours = context.Pipe()
    first = context.Process(target=_slow_build,
                            args=(out, {**SITE, "index.html": b"first"}, inside, go, theirs))
    first.start()
    assert inside.wait(60), "the first build never got going"
    # The second build, here, right in the first one's window: with a lock it waits there
    # (flock is called) until the first has finished; without one it runs to its end.
    waiting = threading.Event()
    real_flock = fcntl.flock

    def flock(fd: Any, operation: int) -> None:
        if operation == fcntl.LOCK_EX:
            waiting.set()
        real_flock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", flock)
    errors: list[BaseException] = []

    def second() -> None:
        try:
            write_site({**SITE, "index.html": b"second"}, out)
        except BaseException as error:  # checked below
            errors.append(error)

    worker = threading.Thread(target=second)
    worker.start()
    while worker.is_alive() and not waiting.wait(0.05):
        pass
    go.set()
    worker.join()
    first.join()
    assert ours.recv() == "ok"
    assert errors == []
    assert _tree(out) == {**SITE, "index.html": b"second"}
    assert _names(tmp_path) == _spare_and("_site")


def _hold_lock(out: Path, held: Any, release: Any) -> None:
    from warroom.writer import locked

    with locked(out):
        held.set()
        release.wait(60)


def test_a_build_waits_for_the_lock_before_it_reads_anything(
        warroom_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lock spans the whole build, not only its write: pages found unchanged while
    another build holds the folder could be that build's by the time they are carried
    over. Another process holds the lock; our build must not start gathering until it is
    released (it would at once if only the write were locked)."""
    import warroom.site.build as site_build

    out = tmp_path / "_site"
    context = multiprocessing.get_context("fork")
    held, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(out, held, release))
    holder.start()
    assert held.wait(60), "the other process never took the lock"
    gathering = threading.Event()
    released_first: list[bool] = []
    real_gather = site_build._gather

    def gather(*args: Any, **kwargs: Any) -> Any:
        released_first.append(release.is_set())
        gathering.set()
        return real_gather(*args, **kwargs)

    monkeypatch.setattr(site_build, "_gather", gather)
    failed: list[BaseException] = []

    def run() -> None:
        try:
            build(warroom_repo, out, now=datetime(2026, 6, 2, 12, tzinfo=UTC))
        except BaseException as error:  # checked below
            failed.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    gathering.wait(2)  # long enough for an unlocked build to get there; a locked one waits
    release.set()
    worker.join()
    holder.join()
    assert failed == []
    assert released_first == [True]


def test_warroom_build_says_it_waits_for_another_build(warroom_repo: Path,
                                                       tmp_path: Path) -> None:
    """A build that must wait for another into the same place says so at once (on stderr),
    then builds once the other is done: nobody stares at a silent terminal."""
    out = tmp_path / "out" / "_site"
    context = multiprocessing.get_context("fork")
    held, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(out, held, release))
    holder.start()
    assert held.wait(60), "the other process never took the lock"
    with subprocess.Popen(
            [sys.executable, "-m", "warroom", "build", "--root", str(warroom_repo),
             "--out", str(out)], stderr=subprocess.PIPE, text=True,
            env={**os.environ, "SOURCE_DATE_EPOCH": "1780000000"}) as waiter:
        assert waiter.stderr is not None
        try:
            first = waiter.stderr.readline()  # blocks until the build has something to say
            built_early = (out / "index.html").exists()
        finally:
            release.set()
            holder.join()
        rest = waiter.stderr.read()
        code = waiter.wait(120)
    assert first == f"warroom: waiting for another build into {out.parent} to finish\n"
    assert not built_early
    assert code == 0, rest
    assert "built " in rest and (out / "index.html").exists()
