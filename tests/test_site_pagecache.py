"""`PageCache.fresh_known` (site/pagecache.py): a page counts as fresh only while it is the
very file recorded (size, modification time, inode), whether every page is there (C-level
passes) or one is gone (one page at a time)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from warroom.site.pagecache import PageCache


def _cache(tmp_path: Path, names: list[str]) -> PageCache:
    target = tmp_path / "site"
    for name in names:
        page = target / name
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"<p>{name}</p>", encoding="utf-8")
    cache = PageCache(tmp_path / "cache", target, "theme")
    cache.remember({name: f"key-{name}" for name in names})
    return PageCache(tmp_path / "cache", target, "theme")


@pytest.mark.parametrize("gone", [False, True])
def test_only_pages_as_recorded_are_fresh(tmp_path: Path, gone: bool) -> None:
    names = [f"incidents/i{n}/index.html" for n in range(6)]
    cache = _cache(tmp_path, names)
    site = tmp_path / "site"
    (site / names[1]).write_text("<p>replaced by hand, longer</p>", encoding="utf-8")
    touched = site / names[2]  # same size, written again later
    when = touched.stat().st_mtime_ns
    touched.write_bytes(touched.read_bytes())
    os.utime(touched, ns=(when + 10**9, when + 10**9))
    if gone:
        (site / names[3]).unlink()
    asked = [*names, "incidents/unknown/index.html"]
    fresh = cache.fresh_known(asked)
    expected = [n for n in names if n not in (names[1], names[2])
                and not (gone and n == names[3])]
    assert list(fresh) == expected
    assert fresh == {n: f"key-{n}" for n in expected}
    assert set(cache.seen) == set(expected)
    assert all(cache.seen[n].st_ino == os.lstat(site / n).st_ino for n in expected)
