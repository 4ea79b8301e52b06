"""merge() with kept files, and what the writer keeps between builds of one process: the
paths found sound (`_sound`) and the folders above kept files (`_kept_above`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from warroom import outpaths
from warroom.errors import WarroomError
from warroom.outpaths import check_paths, merge


@pytest.fixture(autouse=True)
def afresh() -> Iterator[None]:
    outpaths._sound.clear()
    outpaths._kept_above = (frozenset(), frozenset())
    yield
    outpaths._sound.clear()
    outpaths._kept_above = (frozenset(), frozenset())


KEPT = [f"incidents/{n}/index.html" for n in range(50)] + ["history/index.html"]


def test_kept_files_are_checked_but_not_returned() -> None:
    merged = merge([("pages", {"z.html": b"z", "a.html": b"a"})], kept=KEPT)
    assert list(merged) == ["a.html", "z.html"]


def test_a_kept_file_an_output_claims_too_is_refused_naming_both() -> None:
    with pytest.raises(WarroomError, match=r"'incidents/7/index\.html': pages and unchanged"):
        merge([("pages", {"incidents/7/index.html": b"a"})], kept=KEPT, kept_by="unchanged")


@pytest.mark.parametrize(("outputs", "kept", "clash"), [
    ({"incidents/7/index.html/x": b""}, KEPT, "incidents/7/index.html"),  # kept is a folder
    ({"incidents/7": b""}, KEPT, "incidents/7"),  # an output is a kept file's folder
    ({}, [*KEPT, "history"], "history"),  # two kept files
    ({"a": b"", "a/b": b""}, KEPT, "a"),  # two outputs
])
def test_a_file_that_is_also_a_folder_is_refused(outputs: dict[str, bytes], kept: list[str],
                                                 clash: str) -> None:
    merge([("pages", {"index.html": b""})], kept=KEPT)  # the folders of KEPT are held
    with pytest.raises(WarroomError, match=f"output '{clash}' is both a file and a folder"):
        merge([("pages", outputs)], kept=kept)


def test_a_folder_of_files_kept_before_may_be_a_file_now() -> None:
    merge([], kept=["old/page/index.html", *KEPT])
    assert "old/page" in outpaths._kept_above[1]  # a superset, from the last build
    assert list(merge([("pages", {"old/page": b"now a file"})], kept=KEPT)) == ["old/page"]
    assert "old/page" not in outpaths._kept_above[1]  # made afresh from this build's


def test_held_folders_grow_with_new_kept_files() -> None:
    merge([], kept=KEPT)
    with pytest.raises(WarroomError, match="both a file and a folder"):
        merge([("pages", {"new": b""})], kept=[*KEPT, "new/index.html"])


@pytest.mark.parametrize("bad", ["../x", "a//b", "/abs", "a\\b", "a/./b", "a\x00b"])
def test_a_bad_path_is_refused_after_sound_ones_were_remembered(bad: str) -> None:
    check_paths(KEPT)
    assert outpaths._sound.issuperset(KEPT)
    with pytest.raises(WarroomError, match="refusing output path"):
        check_paths([*KEPT, bad])
    with pytest.raises(WarroomError, match="refusing output path"):
        merge([("pages", {"index.html": b""})], kept=[*KEPT, bad])
    assert bad not in outpaths._sound
