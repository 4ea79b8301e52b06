"""Each feed list (the site's, each component's) keyed on its own selection: its Atom and
RSS rendered from that selection alone are the full build's bytes, and a patch build after
a change to the newest incident renders only the lists that incident is in."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import ROOT
from site_support import restricted, retitle_id, site_files
from test_site_selections import Repo, rows_of
from warroom.site import feeds, heldrows, selections
from warroom.site.build import build
from warroom.site.data import SiteData
from warroom.site.selecting import feed_part, parts
from warroom.status import visible_components

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import make_git_repo

NOW = datetime(2026, 6, 2, 12, tzinfo=UTC)


def _files(full: dict[str, bytes], lists: list[str | None]) -> dict[str, bytes]:
    return {path: full[path] for key in lists for path in feeds.list_paths(key)}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("audience", ["public", "internal"])
def test_each_feed_list_renders_alike_from_its_own_selection(
        tmp_path: Path, seed: int, audience: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Short feeds on roughened data (ties, twins, recorded times, other offsets): every
    cut-off falls among them. Each list alone, and a few lists from their union (as a
    patch build renders them), give the full build's files; the lists cover produce."""
    rng = random.Random(seed)
    monkeypatch.setattr(feeds, "LIMIT", rng.choice([1, 3, 8]))
    repo = Repo(tmp_path, 160, seed=seed)
    _check_lists(repo.data(audience, NOW), repo, rng)


def test_each_feed_list_takes_entries_tied_at_one_instant_by_id(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every update posted at one recorded time (a history imported in one commit): each
    list's cut-off falls among tied entries, which it takes by id."""
    monkeypatch.setattr(feeds, "LIMIT", 3)
    repo = Repo(tmp_path, 150, seed=9)
    repo.recorded_at_once(datetime(2026, 6, 1, tzinfo=UTC))
    lists = _check_lists(repo.data("public", NOW), repo, random.Random(9))
    # Only as many as each list takes, not every incident tied at its cut-off.
    assert all(len(ids) <= 3 for ids in lists.values()), lists


def _check_lists(data: SiteData, repo: Repo,
                 rng: random.Random) -> dict[str | None, list[str]]:
    rows = rows_of(data, repo.incidents)
    full = feeds.produce(data)
    lists = selections.feeds_lists(rows, data)
    assert list(lists) == [None, *visible_components(data.config, data.audience)]
    assert sorted({i for ids in lists.values() for i in ids}) == \
        selections.feeds_ids(rows, data)
    made: dict[str, bytes] = {}
    for key, ids in lists.items():
        assert ids == sorted(set(ids)) and set(ids) <= set(rows)
        alone = feeds.produce_lists(restricted(data, ids), [key])
        assert alone == _files(full, [key]), (key, data.audience)
        made.update(alone)
    assert made == full
    some = rng.sample(list(lists), 3)
    union = sorted({i for key in some for i in lists[key]})
    assert feeds.produce_lists(restricted(data, union), some) == _files(full, some)
    return lists


@pytest.fixture(scope="module")
def realistic(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    return Repo(tmp_path_factory.mktemp("realistic"), 600, seed=21)


def test_feed_lists_at_the_real_limit_are_sound_and_each_smaller(realistic: Repo) -> None:
    """At feeds.LIMIT on a realistic repository: each list alone is sound, and a small part
    of the union of them all (the one selection every feed shared), even the site's and a
    component's together (what a change to the newest incident renders)."""
    data = realistic.data("public", NOW)
    rows = rows_of(data, realistic.incidents)
    full = feeds.produce(data)
    lists = selections.feeds_lists(rows, data)
    union = selections.feeds_ids(rows, data)
    for key, ids in lists.items():
        assert feeds.produce_lists(restricted(data, ids), [key]) == _files(full, [key]), key
        assert len(ids) < len(union) // 3, (key, len(ids), len(union))
    busiest = max((key for key in lists if key is not None), key=lambda k: len(lists[k]))
    both = {*lists[None], *lists[busiest]}
    assert len(both) < len(union) // 2, (len(both), len(union))


def test_a_list_missing_one_owner_is_caught(realistic: Repo) -> None:
    """The comparison above sees one incident too few: without one of a list's newest
    owners, that list's files differ."""
    data = realistic.data("public", NOW)
    rows = rows_of(data, realistic.incidents)
    full = feeds.produce(data)
    for key, ids in selections.feeds_lists(rows, data).items():
        if not ids:
            continue
        newest = sorted(ids, key=lambda i: rows[i].top, reverse=True)[:3]
        assert any(feeds.produce_lists(restricted(data, [i for i in ids if i != drop]), [key])
                   != _files(full, [key]) for drop in newest), key


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_git_repo(tmp_path_factory.mktemp("origin") / "repo", 60)




def test_a_patch_build_renders_only_the_feed_lists_a_change_is_in(
        origin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Short feeds (three entries): the newest incident edited re-renders the site's feeds
    and those of its components, and keeps every other component's; an old incident,
    in no list's newest three, keeps every feed. Each site equals a build from nothing."""
    monkeypatch.setattr(feeds, "LIMIT", 3)
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(origin), str(repo)], check=True)
    out = tmp_path / "site"
    first = build(repo, out, now=NOW)
    assert first.catalogue is not None
    rows, data = first.catalogue.rows, first.data
    shown = visible_components(data.config, "public")
    lists = selections.feeds_lists(rows, data)
    # The full build stored one key per list, with its two files.
    assert {part: files for part, (_, files) in first.catalogue.producers.items()
            if part.startswith("feeds")} == \
        {part: tuple(sorted(files or ())) for part, (_, files) in
         parts("feeds", rows, data).items()}
    newest = max(rows, key=lambda i: (rows[i].top, i))
    mine = [cid for cid in rows[newest].components if cid in shown]
    assert mine and len(mine) < len(shown) - 1  # other components' feeds to keep
    old = next(i for i in sorted(rows) if not any(i in ids for ids in lists.values()))

    retitle_id(repo, newest, 1)
    built = build(repo, out, now=NOW)
    assert built.patched
    for key in (None, *mine):
        assert set(feeds.list_paths(key)) <= set(built.outputs), key
    for cid in shown:
        if cid not in mine:
            for path in feeds.list_paths(cid):
                assert path in built.kept and path not in built.outputs, path
    assert built.catalogue is not None and set(built.catalogue.producers) >= {
        feed_part(key) for key in lists}
    _same_as_fresh(repo, out, tmp_path)

    retitle_id(repo, old, 2)
    built = build(repo, out, now=NOW)
    assert built.patched
    assert not any(path.endswith((".atom", ".rss")) for path in built.outputs)
    assert sum(path.endswith((".atom", ".rss")) for path in built.kept) == 2 * len(lists)
    _same_as_fresh(repo, out, tmp_path)


def _same_as_fresh(repo: Path, out: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    build(repo, fresh, now=NOW, use_cache=False)
    assert site_files(out) == site_files(fresh)
    shutil.rmtree(fresh)


def test_held_feed_lists_equal_lists_made_afresh(realistic: Repo,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """feeds_lists, api_activity and api_listed_ids keep their last answers in the
    process: after random changes to rows (a retitle, which none reads; a new newest entry;
    components changed; an incident opened or closed; a row gone) each answer equals one
    made with nothing held, and a retitle walks no row."""
    data = realistic.data("public", NOW)
    rows = dict(rows_of(data, realistic.incidents))
    walks: list[int] = []
    real = selections._entry_owners

    def counted(*args: object, **kwargs: object) -> object:
        walks.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    def afresh(rows: dict[str, object]) -> tuple[object, object, object]:
        heldrows._HELD.clear()
        return (selections.feeds_lists(rows, data),  # type: ignore[arg-type]
                selections.api_activity(rows, data),  # type: ignore[arg-type]
                selections.api_listed_ids(rows, data))  # type: ignore[arg-type]

    monkeypatch.setattr(selections, "_entry_owners", counted)
    rng = random.Random(7)
    ids = sorted(rows)
    newest = max(row.top[0] for row in rows.values())
    components = sorted(visible_components(data.config, data.audience))
    selections.feeds_lists(rows, data)
    for step in range(40):
        iid = rng.choice(ids)
        kind = step % 4
        if kind == 0:
            rows[iid] = rows[iid]._replace(title=f"retitled {step}")
        elif kind == 1:
            when = newest + step
            rows[iid] = rows[iid]._replace(top=(when, 0), entries=(*rows[iid].entries, when),
                                           latest=when, best=when)
        elif kind == 2:
            rows[iid] = rows[iid]._replace(components=(rng.choice(components),))
        elif step % 8 == 3:
            rows[iid] = rows[iid]._replace(open=not rows[iid].open)
        elif iid in rows and len(rows) > len(ids) - 3:
            del rows[iid]
        walks.clear()
        got = (selections.feeds_lists(rows, data), selections.api_activity(rows, data),
               selections.api_listed_ids(rows, data))
        if kind == 0:
            assert walks == [], step
        assert got == afresh(rows), step
