"""The writer's bulk checks (one lstat per spare folder and per kept file, compared all at
once; output paths checked all joined) must refuse everything the one-by-one checks refuse.
Each test changes one thing behind the writer's back on a site where the spare is in use
and most pages are kept, as `warroom build` does."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom import spare, spare_ledger
from warroom.errors import WarroomError
from warroom.outpaths import check_path, check_paths
from warroom.writer import WriteFailed, write_site

PAGES = [f"incidents/i{n:02d}/index.html" for n in range(12)]
SITE = {"index.html": b"home", "static/s.css": b"css",
        **{page: f"page {page}".encode() for page in PAGES}}


def _tree(folder: Path) -> dict[str, bytes | None]:
    return {path.relative_to(folder).as_posix(): None if path.is_dir() else path.read_bytes()
            for path in sorted(folder.rglob("*"))}


def _inode(path: Path) -> int:
    return path.lstat().st_ino


def _rebuild(out: Path, site: dict[str, bytes], keep: list[str]) -> bool:
    """A build keeping `keep` (their bytes come from the live site); whether it reused."""
    return write_site({k: v for k, v in site.items() if k not in keep}, out, keep=keep).reused


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A site after three builds, so that the next one updates the spare."""
    out = tmp_path / "_site"
    write_site(SITE, out)
    for n in range(2):  # index.html and static/s.css change in each build
        site = {**SITE, "index.html": b"home %d" % n, "static/s.css": b"css %d" % n}
        assert _rebuild(out, site, PAGES) == (n == 1)
    return out


def _spare(out: Path) -> Path:
    return out.parent / f".{out.name}.spare" / "site"


@pytest.mark.parametrize("how", ["rewritten", "renamed over", "folder swapped"])
def test_a_kept_page_replaced_by_hand_in_the_live_site_is_the_one_kept(
        out: Path, how: str) -> None:
    page = out / PAGES[3]
    if how == "rewritten":  # a new file under the same name
        page.unlink()
        page.write_bytes(b"by hand")
    elif how == "renamed over":
        (out / "by-hand").write_bytes(b"by hand")
        (out / "by-hand").rename(page)
    else:  # the old file lives on, linked from a folder moved aside
        page.parent.rename(out / "aside")
        page.parent.mkdir()
        page.write_bytes(b"by hand")
        shutil.rmtree(out / "aside")
    live = {p: _inode(out / p) for p in PAGES}
    assert _rebuild(out, SITE, PAGES)
    assert {p: _inode(out / p) for p in PAGES} == live
    assert _tree(out) == {**_tree_of(SITE), PAGES[3]: b"by hand"}


def _tree_of(site: dict[str, bytes]) -> dict[str, bytes | None]:
    folders = {"/".join(path.split("/")[:n]) for path in site
               for n in range(1, path.count("/") + 1)}
    return {**dict.fromkeys(folders), **site}


def test_a_file_planted_in_a_kept_pages_spare_folder_is_not_published(out: Path) -> None:
    (_spare(out) / PAGES[5]).with_name("planted.html").write_bytes(b"planted")
    assert _rebuild(out, SITE, PAGES)
    assert _tree(out) == _tree_of(SITE)


def test_a_kept_pages_spare_file_replaced_is_not_published(out: Path) -> None:
    spare = _spare(out) / PAGES[5]
    spare.unlink()
    spare.write_bytes(b"not the page")
    live = _inode(out / PAGES[5])
    assert _rebuild(out, SITE, PAGES)
    assert _inode(out / PAGES[5]) == live
    assert _tree(out) == _tree_of(SITE)


def test_a_spare_folder_touched_is_emptied_and_filled_again(out: Path) -> None:
    folder = _spare(out) / PAGES[7]
    os.utime(folder.parent, ns=(0, 0))  # changes its mtime, and so its ctime too
    assert _rebuild(out, SITE, PAGES)
    assert _tree(out) == _tree_of(SITE)


def test_a_spare_file_edited_in_place_is_not_kept(out: Path) -> None:
    """static/s.css changed in each build, so the spare's copy is its own file, not the
    live one: edited in place (its folder unchanged), it must not reach the next site."""
    (_spare(out) / "static/s.css").write_bytes(b"edited in the spare")
    live = _inode(out / "static/s.css"), (out / "static/s.css").read_bytes()
    assert _rebuild(out, SITE, [*PAGES, "static/s.css"])
    assert (_inode(out / "static/s.css"), (out / "static/s.css").read_bytes()) == live


def test_a_kept_page_new_since_the_spare_gets_its_folder(out: Path) -> None:
    site = {**SITE, "incidents/new/index.html": b"new"}
    assert _rebuild(out, site, PAGES)  # new in the live site, not in the spare
    assert _rebuild(out, site, [*PAGES, "incidents/new/index.html"])
    assert _tree(out) == _tree_of(site)


def test_a_kept_page_missing_from_the_live_site_fails_and_leaves_it(out: Path) -> None:
    (out / PAGES[2]).unlink()
    before = _tree(out)
    with pytest.raises(WriteFailed, match="No such file or directory"):
        _rebuild(out, SITE, PAGES)
    assert _tree(out) == before


@pytest.mark.parametrize("path", [
    "", "/etc/passwd", "../outside", "a/../../b", "a//b", "a/./b", "a\\b", "a/\x00", ".",
    "a/", "..", "a/..", "/", "\x00", "a/.", "./a",
])
def test_a_bad_path_among_many_is_refused_kept_or_written(tmp_path: Path, path: str) -> None:
    for keep in ([path], []):
        outputs = {**SITE, **({} if keep else {path: b"x"})}
        with pytest.raises(WarroomError, match="refusing output path"):
            write_site(outputs, tmp_path / "_site", keep=keep)
    assert not (tmp_path / "_site").exists()


def _refused(path: str) -> bool:
    try:
        check_path(path)
    except WarroomError:
        return True
    return False


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet="a./\\\x00\n", max_size=6), max_size=5))
def test_check_paths_refuses_what_check_path_refuses(paths: list[str]) -> None:
    try:
        check_paths(paths)
    except WarroomError:
        assert any(map(_refused, paths))
    else:
        assert not any(map(_refused, paths))


def test_a_ledger_missing_a_middle_folder_does_not_vouch_below_it(tmp_path: Path) -> None:
    site = {"index.html": b"home", "a/b/c/index.html": b"deep", "a/x.html": b"x"}
    out = tmp_path / "_site"
    for n in range(3):
        write_site({**site, "index.html": b"home %d" % n}, out)
    ledger = tmp_path / "._site.spare" / "spare.ledger"
    umask = os.umask(0)
    os.umask(umask)
    record = spare_ledger._load(ledger.read_text(encoding="utf-8"), out, umask)
    assert record is not None
    del record.dirs["a/b"]
    ledger.write_text(spare_ledger._dump(out, umask, record), encoding="utf-8")
    (_spare(out) / "a/b/planted.html").write_bytes(b"planted")
    write_site({k: v for k, v in site.items() if k != "a/b/c/index.html"}, out,
               keep=["a/b/c/index.html"])
    assert _tree(out) == _tree_of(site)


def test_a_kept_page_on_another_device_is_linked_again(
        out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inode numbers are per device: a live file elsewhere (a mount) is never taken for the
    spare's file with the same number."""
    real_lstat, carried = os.lstat, []

    class Elsewhere:
        def __init__(self, info: os.stat_result) -> None:
            self.info = info

        def __getattr__(self, name: str) -> object:
            return self.info.st_dev + 1 if name == "st_dev" else getattr(self.info, name)

    def lstat(path: str, **kwargs: object) -> object:
        info = real_lstat(path)
        return Elsewhere(info) if str(path).startswith(f"{out}/incidents/i03") else info

    def carry(source: str, dest: str) -> None:
        carried.append(dest)
        shutil.copy2(source, dest)

    monkeypatch.setattr(os, "lstat", lstat)
    monkeypatch.setattr(spare, "carry", carry)
    assert _rebuild(out, SITE, PAGES)
    monkeypatch.undo()
    assert [Path(dest).relative_to(out.parent).parts[1:] for dest in carried] == [
        tuple(PAGES[3].split("/"))]
    assert _tree(out) == _tree_of(SITE)
