"""The site writer: atomic swap, refusals, carrying unchanged files over."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from warroom import writer
from warroom.errors import WarroomError
from warroom.outpaths import check_path, merge
from warroom.writer import write_site

SITE = {"index.html": b"<p>home</p>", "incidents/a/index.html": b"a", "static/s.css": b"x"}


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_writes_a_new_site(tmp_path: Path) -> None:
    stats = write_site(SITE, tmp_path / "_site")
    assert _tree(tmp_path / "_site") == SITE
    assert (stats.written, stats.linked, stats.removed) == (3, 0, False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]  # no staging left behind


def test_replaces_the_previous_site_and_drops_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    write_site({**SITE, "old/index.html": b"gone"}, out)
    stats = write_site(SITE, out)
    assert _tree(out) == SITE
    assert stats.removed
    # No staging or retired folder left: only the hidden spare (tests/test_writer_spare.py).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["._site.spare", "_site"]


def test_unchanged_files_are_carried_over_not_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    write_site(SITE, out)
    before = {rel: (out / rel).stat().st_ino for rel in SITE}
    stats = write_site({**SITE, "index.html": b"<p>new</p>"}, out)
    assert (stats.written, stats.linked) == (1, 2)
    assert (out / "static/s.css").stat().st_ino == before["static/s.css"]
    assert (out / "index.html").stat().st_ino != before["index.html"]


def test_kept_files_come_from_the_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    write_site(SITE, out)
    rest = {k: v for k, v in SITE.items() if k != "incidents/a/index.html"}
    write_site(rest, out, keep=["incidents/a/index.html"])
    assert _tree(out) == SITE


def test_a_failure_while_writing_leaves_the_previous_site_untouched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "_site"
    write_site(SITE, out)
    real_fill = writer._fill

    def failing(folder: Path, *args: object, **kwargs: object) -> tuple[int, int]:
        real_fill(folder, {"half/written.html": b"x"}, None, ())
        raise OSError("disk full")

    monkeypatch.setattr(writer, "_fill", failing)
    with pytest.raises(OSError, match="disk full"):
        write_site({"index.html": b"new"}, out)
    assert _tree(out) == SITE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]


def test_the_site_folder_is_readable_by_others(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_site(SITE, tmp_path / "_site")
    finally:
        os.umask(old)
    assert (tmp_path / "_site").stat().st_mode & 0o777 == 0o755


@pytest.mark.parametrize("path", [
    "", "/etc/passwd", "../outside", "a/../../b", "a//b", "a/./b", "a\\b", "a/\x00", ".", "a/",
])
def test_paths_escaping_the_output_are_refused(path: str) -> None:
    with pytest.raises(WarroomError, match="refusing output path"):
        check_path(path)


def test_two_outputs_on_one_path_are_refused_naming_both() -> None:
    with pytest.raises(WarroomError, match=r"'index\.html': pages and feeds"):
        merge([("pages", {"index.html": b"a"}), ("feeds", {"index.html": b"b"})])


def test_a_file_that_is_also_a_folder_is_refused() -> None:
    with pytest.raises(WarroomError, match="both a file and a folder"):
        merge([("pages", {"incidents": b"a"}), ("feeds", {"incidents/x/index.html": b"b"})])


def test_merge_sorts_paths() -> None:
    assert list(merge([("b", {"z": b""}), ("a", {"a/b": b"", "m": b""})])) == ["a/b", "m", "z"]


def test_refuses_to_replace_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("precious", encoding="utf-8")
    with pytest.raises(WarroomError, match="does not look like a built site"):
        write_site(SITE, work)
    assert (work / "notes.txt").read_text(encoding="utf-8") == "precious"


def test_refuses_to_replace_the_repository(tmp_path: Path) -> None:
    with pytest.raises(WarroomError, match="holds the repository"):
        write_site(SITE, tmp_path, root=tmp_path / "sub")
    with pytest.raises(WarroomError, match="holds the repository"):
        write_site(SITE, tmp_path, root=tmp_path)


def test_refuses_a_folder_with_a_git_repository(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / ".git").mkdir(parents=True)
    (out / "index.html").write_text("x", encoding="utf-8")
    with pytest.raises(WarroomError, match="does not look like a built site"):
        write_site(SITE, out)
