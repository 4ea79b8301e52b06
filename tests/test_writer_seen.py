"""`write_site(..., seen=...)`: the caller's own lstat of kept live files (the page cache's,
made under the build's lock) stands for the writer's, which then makes none. What it may
vouch for is narrow, and each test here breaks if it vouches for more: a live file, never
the spare (whose folders are checked as before), never a written output, never a file on
another device; a page replaced after it was seen is the file seen, if the spare holds it,
or else the one there now."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import ROOT
from warroom import spare, spare_ledger
from warroom.site import build as site_build
from warroom.writer import write_site

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import git, make_git_repo

PAGES = [f"incidents/i{n:02d}/index.html" for n in range(12)]
SITE = {"index.html": b"home", "static/s.css": b"css",
        **{page: f"page {page}".encode() for page in PAGES}}


def _tree(folder: Path) -> dict[str, bytes | None]:
    return {path.relative_to(folder).as_posix(): None if path.is_dir() else path.read_bytes()
            for path in sorted(folder.rglob("*"))}


def _tree_of(site: dict[str, bytes]) -> dict[str, bytes | None]:
    folders = {"/".join(path.split("/")[:n]) for path in site
               for n in range(1, path.count("/") + 1)}
    return {**dict.fromkeys(folders), **site}


def _seen(out: Path, paths: list[str]) -> dict[str, os.stat_result]:
    return {path: os.lstat(out / path) for path in paths}


def _rebuild(out: Path, site: dict[str, bytes], keep: list[str],
             seen: dict[str, os.stat_result]) -> bool:
    return write_site({k: v for k, v in site.items() if k not in keep}, out, keep=keep,
                      seen=seen).reused


def _spare(out: Path) -> Path:
    return out.parent / f".{out.name}.spare" / "site"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A site after three builds, so that the next one updates the spare."""
    out = tmp_path / "_site"
    write_site(SITE, out)
    for n in range(2):
        site = {**SITE, "index.html": b"home %d" % n, "static/s.css": b"css %d" % n}
        assert _rebuild(out, site, PAGES, _seen(out, PAGES)) == (n == 1)
    return out


def test_kept_files_seen_are_not_looked_at_again(
        out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _seen(out, PAGES)
    real_lstat, looked = os.lstat, []

    def lstat(path: str | Path, **kwargs: object) -> os.stat_result:
        looked.append(str(path))
        return real_lstat(path)

    monkeypatch.setattr(os, "lstat", lstat)
    assert _rebuild(out, SITE, PAGES, seen)
    monkeypatch.undo()
    assert not [path for path in looked if path.startswith(f"{out}/incidents/")]
    assert _tree(out) == _tree_of(SITE)
    assert {p: os.lstat(out / p).st_ino for p in PAGES} == {
        p: info.st_ino for p, info in seen.items()}


@pytest.mark.parametrize("how", ["planted", "replaced"])
def test_the_spare_is_checked_whatever_was_seen(out: Path, how: str) -> None:
    """`seen` speaks for the live site only: a spare folder changed behind the writer's
    back is emptied and filled again, even where the live file seen is the spare's."""
    folder = _spare(out) / PAGES[5].rpartition("/")[0]
    if how == "planted":
        (folder / "planted.html").write_bytes(b"planted")
    else:
        (folder / "index.html").unlink()
        (folder / "index.html").write_bytes(b"not the page")
    seen = _seen(out, PAGES)
    assert _rebuild(out, SITE, PAGES, seen)
    assert _tree(out) == _tree_of(SITE)
    assert os.lstat(out / PAGES[5]).st_ino == seen[PAGES[5]].st_ino


def test_a_page_replaced_after_it_was_seen_is_the_file_seen(out: Path) -> None:
    """The spare still holds the file seen (its folder checked): that file, the one the
    caller vouched for, is kept, not one of the spare's that nobody looked at."""
    seen = _seen(out, PAGES)
    page = out / PAGES[3]
    page.unlink()
    page.write_bytes(b"by hand, after the page cache looked")
    assert _rebuild(out, SITE, PAGES, seen)
    assert os.lstat(out / PAGES[3]).st_ino == seen[PAGES[3]].st_ino
    assert _tree(out) == _tree_of(SITE)


def test_a_page_seen_that_the_spare_lacks_is_linked_from_the_live_site(out: Path) -> None:
    new = "incidents/new/index.html"
    site = {**SITE, new: b"new"}
    assert _rebuild(out, site, PAGES, _seen(out, PAGES))  # new in the live site only
    seen = _seen(out, [*PAGES, new])
    assert _rebuild(out, site, [*PAGES, new], seen)
    assert os.lstat(out / new).st_ino == seen[new].st_ino
    assert _tree(out) == _tree_of(site)


def test_a_file_seen_on_another_device_is_linked_again(
        out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inode numbers are per device: a stat from elsewhere never vouches for the spare's
    file with the same number."""
    seen = _seen(out, PAGES)
    real = seen[PAGES[4]]
    seen[PAGES[4]] = os.stat_result((real.st_mode, real.st_ino, real.st_dev + 1,
                                     *tuple(real)[3:]))
    real_carry, carried = spare.carry, []

    def carry(source: str, dest: str) -> None:
        carried.append(Path(dest).relative_to(out.parent).parts[1:])
        real_carry(source, dest)

    monkeypatch.setattr(spare, "carry", carry)
    assert _rebuild(out, SITE, PAGES, seen)
    assert carried == [tuple(PAGES[4].split("/"))]
    assert _tree(out) == _tree_of(SITE)


def test_a_stat_seen_for_a_written_output_changes_nothing(out: Path) -> None:
    """Only kept files are taken from `seen`: an output is compared by its bytes."""
    stale = _seen(out, ["index.html", "static/s.css", *PAGES])
    site = {**SITE, "index.html": b"home again", **{p: b"changed" for p in PAGES[:6]}}
    assert _rebuild(out, site, PAGES[6:], stale)  # the spare holds PAGES[:6] as seen
    assert _tree(out) == _tree_of(site)


def test_a_build_hands_the_page_caches_stat_to_the_writer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_git_repo(tmp_path / "repo", 12)
    out, now = tmp_path / "_site", datetime(2026, 6, 2, 12, tzinfo=UTC)
    site_build.build(repo, out, now=now)
    site_build.build(repo, out, now=now)
    path = sorted((repo / "incidents").rglob("*.yaml"))[0]
    path.write_text(path.read_text(encoding="utf-8").replace('title: "', 'title: "New ', 1),
                    encoding="utf-8")
    git(repo, "commit", "-q", "-am", "edit")
    real_write, calls = site_build.write_site, []

    def write(*args: object, **kwargs: object) -> object:
        calls.append(kwargs)
        return real_write(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(site_build, "write_site", write)
    site_build.build(repo, out, now=now)
    (call,) = calls
    keep, seen = call["keep"], call["seen"]
    assert isinstance(keep, list) and isinstance(seen, dict) and keep
    assert sorted(seen) == sorted(keep)
    assert all(os.lstat(out / path).st_ino == info.st_ino for path, info in seen.items())


def test_a_ledger_starts_with_the_header_retire_looks_for(out: Path) -> None:
    """`retire` takes the live record as the spare's by its header alone: were `_dump` to
    write another, every rebuild would list the whole site again."""
    record = spare_ledger.survey(out)
    text = spare_ledger._dump(out, 0o022, record)
    assert text.startswith(spare_ledger._header(out, 0o022, record.root))
    assert spare_ledger._load(spare_ledger._dump(out, 0o022, record), out, 0o022) == record
