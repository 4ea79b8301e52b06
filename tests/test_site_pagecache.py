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


def test_remember_carries_kept_pages_and_looks_at_the_others(tmp_path: Path) -> None:
    """A kept page whose key is the recorded one keeps its entry as it was (no lstat);
    a rendered page, one kept under another key, or one not on record gets its lstat now;
    a page gone gets no entry. Random cases against a page-by-page reference."""
    import random

    rng = random.Random(9)
    names = [f"incidents/i{n}/index.html" for n in range(40)]
    cache = _cache(tmp_path, names)
    site = tmp_path / "site"
    for trial in range(5):
        before = dict(cache.pages)
        keys = {name: rng.choice([f"key-{name}", f"new-{trial}-{name}"]) for name in names
                if rng.random() < 0.9}
        kept = {name for name in keys if rng.random() < 0.8}
        for name in rng.sample(names, 3):  # written again (bigger), or gone
            if rng.random() < 0.5:
                (site / name).write_text("<p>another page, longer</p>" * (trial + 2))
            else:
                (site / name).unlink(missing_ok=True)
        expected = {}
        for name, key in keys.items():
            entry = before.get(name)
            if name in kept and entry is not None and entry[0] == key:
                expected[name] = entry
            elif (site / name).exists():
                info = os.lstat(site / name)
                expected[name] = (key, info.st_size, info.st_mtime_ns, info.st_ino)
        cache.remember(keys, kept=kept)
        cache = PageCache(tmp_path / "cache", site, "theme")  # the next build's
        assert cache.pages == expected, trial
        for name in names:  # back for the next trial
            if not (site / name).exists():
                (site / name).write_text(f"<p>{name}</p>", encoding="utf-8")
