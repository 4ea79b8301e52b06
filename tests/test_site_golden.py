"""The golden site: a fixture repository with a real history builds to exactly the committed
tree in tests/golden/expected/ (regenerate: WARROOM_REGENERATE_GOLDEN=1, see site_support)."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from site_support import (
    EXPECTED,
    build_golden,
    build_here,
    make_golden_repo,
    regenerate,
    site_files,
)


@pytest.fixture(scope="module")
def golden_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_golden_repo(tmp_path_factory.mktemp("golden") / "repo")


def _first_difference(got: dict[str, bytes], want: dict[str, bytes]) -> str:
    missing, extra = sorted(want.keys() - got.keys()), sorted(got.keys() - want.keys())
    if missing or extra:
        return f"missing: {missing}\nunexpected: {extra}"
    for path in sorted(want):
        if got[path] != want[path]:
            diff = difflib.unified_diff(
                want[path].decode("utf-8", "replace").splitlines(),
                got[path].decode("utf-8", "replace").splitlines(),
                f"expected/{path}", f"built/{path}", lineterm="", n=2)
            return "\n".join(list(diff)[:60])
    return ""


def test_golden_site(golden_repo: Path, tmp_path: Path) -> None:
    if os.environ.get("WARROOM_REGENERATE_GOLDEN"):
        regenerate(tmp_path / "regen")
    out = tmp_path / "site"
    done = build_golden(golden_repo, out, "--no-cache")
    assert done.returncode == 0, done.stderr
    difference = _first_difference(site_files(out), site_files(EXPECTED))
    assert not difference, (
        f"the build differs from tests/golden/expected:\n{difference}\n"
        "If the change is intended: WARROOM_REGENERATE_GOLDEN=1 pytest tests/test_site_golden.py")


def test_cached_rebuild_gives_the_same_bytes(golden_repo: Path, tmp_path: Path) -> None:
    """A second build into the same folder reuses cached pages; the result must not change."""
    repo = tmp_path / "repo"
    shutil.copytree(golden_repo, repo)
    out = tmp_path / "site"
    build_here(repo, out, use_cache=True)
    second = build_here(repo, out, use_cache=True)
    assert second.written is not None and second.kept
    assert not _first_difference(site_files(out), site_files(EXPECTED))


def test_two_builds_are_byte_identical(golden_repo: Path, tmp_path: Path) -> None:
    first = build_here(golden_repo, tmp_path / "a")
    second = build_here(golden_repo, tmp_path / "b")
    assert first.outputs == second.outputs
    assert site_files(tmp_path / "a") == site_files(tmp_path / "b")
