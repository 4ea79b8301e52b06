"""The catalogue a patch build starts from (site/catalogue.py, site/sources.py): a damaged
or planted one is never trusted, a patch build happens only when the last site is there,
a producer's file missing from the site is made again, and compiled templates are kept
only inside `.git/`."""

from __future__ import annotations

import pickle
import random
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import ROOT, pinned_git_env, run_git
from site_support import clone, commit_files, maintenance_yaml, retitle, site_files
from warroom import held
from warroom.cachedir import cache_root
from warroom.site.build import CACHE_DIR, build
from warroom.site.catalogue import Catalogue, _changes

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import make_git_repo

NOW = datetime(2026, 6, 2, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_git_repo(tmp_path_factory.mktemp("origin") / "repo", 60)


@pytest.fixture
def repo(origin: Path, tmp_path: Path) -> Path:
    return clone(origin, tmp_path)


def _same_as_fresh(repo: Path, out: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    build(repo, fresh, now=NOW, use_cache=False)
    assert site_files(out) == site_files(fresh)
    shutil.rmtree(fresh)


def _catalogue(repo: Path, out: Path) -> Path:
    return Catalogue.location(cache_root(repo) / CACHE_DIR, out)


def test_a_small_change_is_a_patch_build_equal_to_a_build_from_nothing(
        repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert not build(repo, out, now=NOW).patched  # nothing to start from
    retitle(repo, 1)
    built = build(repo, out, now=NOW)
    assert built.patched
    assert len(built.outputs) < 40 < len(built.kept)
    _same_as_fresh(repo, out, tmp_path)


def _planted_class() -> bytes:
    # Unpickling this would call os.system: the catalogue's unpickler allows no class.
    class Boom:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            import os

            return (os.system, ("touch planted-ran",))

    return pickle.dumps((2, Boom()))


@pytest.mark.parametrize("part", ["base", "delta"])
@pytest.mark.parametrize("damage", ["garbage", "truncated", "class", "wrong type"])
def test_a_damaged_or_planted_catalogue_is_ignored(repo: Path, tmp_path: Path,
                                                   damage: str, part: str) -> None:
    out = tmp_path / "site"
    build(repo, out, now=NOW)
    retitle(repo, 1)
    assert build(repo, out, now=NOW).patched  # the delta holds the edited row
    base = _catalogue(repo, out)
    path = base if part == "base" else Catalogue.delta_of(base)
    raw = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"\x80\x05not a pickle at all")
    elif damage == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "class":
        path.write_bytes(_planted_class())
    else:  # a title that is not a string, in an otherwise sound file
        value = pickle.loads(raw)
        at = 6 if part == "base" else 10  # the rows, as (ids, columns)
        ids, columns = value[at]
        titles = list(columns[1])
        titles[0] = 42
        columns = (columns[0], tuple(titles), *columns[2:])
        path.write_bytes(pickle.dumps((*value[:at], (ids, columns), *value[at + 1:])))
    retitle(repo, 2)
    built = build(repo, out, now=NOW)
    assert not built.patched
    assert not (repo / "planted-ran").exists() and not Path("planted-ran").exists()
    _same_as_fresh(repo, out, tmp_path)


def test_a_rebuild_writes_a_delta_and_a_new_process_reads_base_and_delta(
        repo: Path, tmp_path: Path) -> None:
    """After a small change only the delta is written; a new process (nothing held) reads
    the base and the delta and patches from them; a delta of another base is not applied;
    past a sixteenth of the rows (or 32) the changes fold into a new base."""
    out = tmp_path / "site"
    build(repo, out, now=NOW)
    base = _catalogue(repo, out)
    first = base.stat()
    for n in range(1, 4):
        retitle(repo, n)
        assert build(repo, out, now=NOW).patched
    again = base.stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    delta = pickle.loads(Catalogue.delta_of(base).read_bytes())
    assert 1 <= len(delta[10][0]) <= 3  # the edited rows, not all 60
    held.forget()  # as a new process
    retitle(repo, 4)
    assert build(repo, out, now=NOW).patched
    _same_as_fresh(repo, out, tmp_path)
    # The delta names its base: against another, it is not applied.
    value = pickle.loads(Catalogue.delta_of(base).read_bytes())
    Catalogue.delta_of(base).write_bytes(pickle.dumps((*value[:2], "another base",
                                                       *value[3:])))
    held.forget()
    retitle(repo, 5)
    assert not build(repo, out, now=NOW).patched
    _same_as_fresh(repo, out, tmp_path)
    # Many changes fold into a new base (and the delta is small again).
    before = base.stat()
    files = sorted((repo / "incidents").rglob("*.yaml"))[:35]
    for path in files:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('title: "', 'title: "Many: ', 1), encoding="utf-8")
    run_git(repo, pinned_git_env(), "commit", "-q", "-am", "many",
            date="2026-06-02T11:00:00+00:00")
    build(repo, out, now=NOW)
    after = base.stat()
    assert (after.st_ino, after.st_mtime_ns) != (before.st_ino, before.st_mtime_ns)
    assert len(pickle.loads(Catalogue.delta_of(base).read_bytes())[10][0]) == 0
    held.forget()
    retitle(repo, 6)
    assert build(repo, out, now=NOW).patched
    _same_as_fresh(repo, out, tmp_path)


def test_no_patch_build_without_the_last_site(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(repo, out, now=NOW)
    shutil.rmtree(out)
    retitle(repo, 3)
    built = build(repo, out, now=NOW)
    assert not built.patched  # every page rendered again, from the catalogue's rows
    _same_as_fresh(repo, out, tmp_path)


def test_a_kept_file_missing_from_the_site_is_made_again(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(repo, out, now=NOW)
    for name in ("maintenance.ics", "feed.atom", "api/v2/summary.json"):
        (out / name).unlink()
    retitle(repo, 4)
    built = build(repo, out, now=NOW)
    assert built.patched
    _same_as_fresh(repo, out, tmp_path)


def test_compiled_templates_are_kept_only_inside_git(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(repo, out, now=NOW)
    kept = list((cache_root(repo) / CACHE_DIR / "templates").rglob("*.cache"))
    assert kept, "a build in a git repository keeps its compiled templates"
    assert str(cache_root(repo)).startswith(str(repo / ".git"))
    # The same files without .git: the cache is .warroom-cache, which a commit or an
    # archive could carry; nothing Jinja would load as code is kept there.
    plain = tmp_path / "plain"
    shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git"))
    build(plain, tmp_path / "plain-site", now=NOW)
    assert cache_root(plain) == plain / ".warroom-cache"
    assert (plain / ".warroom-cache").is_dir()
    assert not list((plain / ".warroom-cache").rglob("templates"))
    assert not list((plain / ".warroom-cache").rglob("*.cache"))


def test_an_edit_made_and_undone_between_builds_is_seen(repo: Path, tmp_path: Path) -> None:
    """Uncommitted, then committed, then reverted: each rebuild equals a fresh build."""
    out = tmp_path / "site"
    build(repo, out, now=NOW)
    files = sorted((repo / "incidents").rglob("*.yaml"))
    path = files[5]
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace('title: "', 'title: "Uncommitted ', 1), encoding="utf-8")
    assert build(repo, out, now=NOW).patched
    _same_as_fresh(repo, out, tmp_path)
    run_git(repo, pinned_git_env(), "commit", "-q", "-am", "now committed",
            date="2026-06-02T10:00:00+00:00")
    assert build(repo, out, now=NOW).patched
    _same_as_fresh(repo, out, tmp_path)
    run_git(repo, pinned_git_env(), "revert", "--no-edit", "HEAD",
            date="2026-06-02T10:05:00+00:00")
    assert path.read_text(encoding="utf-8") == original
    build(repo, out, now=NOW)
    _same_as_fresh(repo, out, tmp_path)


def test_rebuilds_as_a_maintenance_starts_and_ends(repo: Path, tmp_path: Path) -> None:
    """Listing pages key on a maintenance's state, not on the build time: rebuilds before,
    during and after its window (no file changed) must each equal a fresh build."""
    from datetime import timedelta

    start = datetime(2026, 6, 5, 8, tzinfo=UTC)
    commit_files(repo, {"2026/2026-06-05-db-upgrade.yaml": maintenance_yaml(
        "2026-06-05-db-upgrade", "Database upgrade", "checkout", "2026-06-05T08:00:00Z",
        "2026-06-05T10:00:00Z")}, "2026-06-02T10:00:00+00:00")
    out = tmp_path / "site"
    build(repo, out, now=start - timedelta(hours=2))
    for now in (start - timedelta(hours=1), start, start + timedelta(minutes=1),
                start + timedelta(hours=2), start + timedelta(days=1)):
        built = build(repo, out, now=now)
        assert built.patched
        fresh = tmp_path / "fresh"
        build(repo, fresh, now=now, use_cache=False)
        assert site_files(out) == site_files(fresh), now
        shutil.rmtree(fresh)


def test_the_calendar_keeps_unchanged_events(repo: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A maintenance edited: the calendar is made again from the last build's event texts
    for every other maintenance, with only the edited one's incident materialised."""
    from warroom.site import ics

    out = tmp_path / "site"
    build(repo, out, now=NOW)
    maintenance = sorted(p for p in (repo / "incidents").rglob("*.yaml")
                         if "type: maintenance" in p.read_text(encoding="utf-8"))
    assert len(maintenance) >= 3
    made: list[str] = []
    real = ics.event_text
    monkeypatch.setattr(ics, "event_text", lambda data, inc: made.append(inc.id) or real(data, inc))
    for n, path in enumerate(maintenance[:2]):
        path.write_text(path.read_text(encoding="utf-8").replace(
            'title: "', f'title: "Moved {n}: ', 1), encoding="utf-8")
        run_git(repo, pinned_git_env(), "commit", "-q", "-am", f"move {n}",
                date="2026-06-02T10:00:00+00:00")
        made.clear()
        assert build(repo, out, now=NOW).patched
        assert made == [path.stem]  # the edited maintenance's event alone
        _same_as_fresh(repo, out, tmp_path)


def test_changes_are_the_new_and_other_values_and_the_keys_gone_in_order() -> None:
    from warroom.site.catalogue import _changes

    same, equal = ("a", 1.0), ("b", float("nan"))
    then = {"g2": "x", "same": same, "equal": ("e",), "nan": equal, "other": "1", "g1": "y"}
    now = {"same": same, "equal": ("e",), "nan": equal, "other": "2", "new": "3",
           "nan2": ("b", float("nan"))}
    changed, gone = _changes(now, {**then, "nan2": ("b", float("nan"))})
    assert changed == {"other": "2", "new": "3", "nan2": now["nan2"]}  # NaN: never equal
    assert gone == ("g2", "g1")
    assert _changes(then, then) == ({}, ())
    made_again = {k: "".join(["sha-", k]) for k in ("a", "b", "c")}  # equal, not identical
    before = {"a": "sha-a", "b": "sha-b", "c": "sha-old", "d": "sha-d"}
    assert _changes(made_again, before) == ({"c": "sha-c"}, ("d",))
    assert _changes({"a": 1, "b": 2}, {"b": 2}) == ({"a": 1}, ())


def test_changes_are_what_a_plain_comparison_finds() -> None:
    """catalogue._changes against a key-by-key comparison: values carried over (the very
    objects), equal ones made again, edited, added and gone ones, the first key among
    them or not, few or most of them changed."""
    rng = random.Random(5)
    for trial in range(60):
        then = {f"k{n:03d}": (n, f"v{n}") for n in range(rng.randint(0, 40))}
        now: dict[str, object] = {}
        share = rng.choice((0.05, 0.5, 0.95))
        for key, value in then.items():
            roll = rng.random()
            if roll < share / 3:
                continue  # gone
            if roll < share * 2 / 3:
                now[key] = (value[0], value[1] + "!")  # edited
            elif roll < share:
                now[key] = (value[0], "".join(value[1]))  # equal, made again
            else:
                now[key] = value  # carried over
        for n in range(rng.randint(0, 3)):
            now[f"new{trial}-{n}"] = (n,)
        now = dict(sorted(now.items()))
        changed, gone = _changes(now, then)
        assert changed == {k: v for k, v in now.items() if then.get(k) != v}, trial
        assert gone == tuple(k for k in then if k not in now), trial
