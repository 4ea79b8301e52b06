"""Pages rendered by forked workers are the very bytes a serial build makes, and a worker
that fails changes nothing: its share is rendered again in the build's own process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from site_support import EXPECTED, build_here, make_golden_repo, site_files
from warroom.site import pages, paging, parallel


@pytest.fixture(scope="module")
def golden_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_golden_repo(tmp_path_factory.mktemp("golden") / "repo")


def test_workers_render_the_golden_site(golden_repo: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PAGES_PER_WORKER", 1)
    monkeypatch.setenv("WARROOM_BUILD_JOBS", "3")
    assert parallel.workers_for(10) == 3
    built = build_here(golden_repo, tmp_path / "site")
    assert site_files(tmp_path / "site") == site_files(EXPECTED)
    assert built.written is not None


def test_a_failing_worker_is_replaced_by_the_parent(golden_repo: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    real = pages.Pages.render

    def fails_in_children(self: pages.Pages, jobs: list[paging.Job]) -> dict[str, bytes]:
        if os.getpid() != parent:
            raise RuntimeError("a worker died")
        return real(self, jobs)

    monkeypatch.setattr(pages.Pages, "render", fails_in_children)
    monkeypatch.setattr(parallel, "PAGES_PER_WORKER", 1)
    monkeypatch.setenv("WARROOM_BUILD_JOBS", "2")
    build_here(golden_repo, tmp_path / "site")
    assert site_files(tmp_path / "site") == site_files(EXPECTED)


def test_one_page_or_one_thread_never_forks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARROOM_BUILD_JOBS", "4")
    assert parallel.workers_for(1) == 1
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)
    assert parallel.workers_for(100_000) == 1


def test_a_worker_that_dies_mid_way_loses_no_page(golden_repo: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed after claiming chunks (no exception, no reply): the chunks it
    claimed are rendered again here, so the site is whole."""
    parent = os.getpid()
    real = pages.Pages.render
    calls = {"n": 0}

    def dies_on_its_first_chunk(self: pages.Pages, jobs: list[paging.Job]) -> dict[str, bytes]:
        if os.getpid() != parent:
            calls["n"] += 1
            if calls["n"] == 1:
                os._exit(3)
        return real(self, jobs)

    monkeypatch.setattr(pages.Pages, "render", dies_on_its_first_chunk)
    monkeypatch.setattr(parallel, "PAGES_PER_WORKER", 1)
    monkeypatch.setattr(parallel, "CHUNKS_PER_WORKER", 1000)  # chunks of 16 pages
    monkeypatch.setenv("WARROOM_BUILD_JOBS", "3")
    build_here(golden_repo, tmp_path / "site")
    assert site_files(tmp_path / "site") == site_files(EXPECTED)


def test_a_failing_producer_stops_the_workers(golden_repo: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from warroom.site import build as site_build

    def broken(name: str) -> object:
        def produce(data: object) -> dict[str, bytes]:
            raise RuntimeError(f"{name} broke")
        return produce

    monkeypatch.setattr(site_build, "producer", broken)
    monkeypatch.setattr(parallel, "PAGES_PER_WORKER", 1)
    monkeypatch.setenv("WARROOM_BUILD_JOBS", "2")
    with pytest.raises(RuntimeError, match="feeds broke"):
        build_here(golden_repo, tmp_path / "site")
    assert not multiprocessing.active_children()
    assert not (tmp_path / "site").exists()


def _background(monkeypatch: pytest.MonkeyPatch) -> None:
    from warroom.site import build as site_build

    monkeypatch.setattr(site_build, "BACKGROUND_MIN_INCIDENTS", 0)
    monkeypatch.setattr(parallel, "PAGES_PER_WORKER", 1)
    monkeypatch.setenv("WARROOM_BUILD_JOBS", "2")


def test_producers_in_the_background_make_the_same_site(golden_repo: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _background(monkeypatch)
    started: list[int] = []
    real = parallel.Background.__enter__

    def spy(self: parallel.Background[object]) -> parallel.Background[object]:
        entered = real(self)
        started.append(self.child is not None)
        return entered

    monkeypatch.setattr(parallel.Background, "__enter__", spy)
    build_here(golden_repo, tmp_path / "site")
    assert started == [True]  # a child really ran them
    assert site_files(tmp_path / "site") == site_files(EXPECTED)


def test_a_background_child_that_fails_is_replaced(golden_repo: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from warroom.site import build as site_build

    _background(monkeypatch)
    parent = os.getpid()
    real = site_build.producer

    def dies_in_children(name: str) -> object:
        if os.getpid() != parent:
            os._exit(5)
        return real(name)

    monkeypatch.setattr(site_build, "producer", dies_in_children)
    build_here(golden_repo, tmp_path / "site")
    assert site_files(tmp_path / "site") == site_files(EXPECTED)


def test_a_failing_producer_in_the_background_fails_the_build(
        golden_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from warroom.site import build as site_build

    _background(monkeypatch)

    def broken(name: str) -> object:
        def produce(data: object) -> dict[str, bytes]:
            raise RuntimeError(f"{name} broke")
        return produce

    monkeypatch.setattr(site_build, "producer", broken)
    with pytest.raises(RuntimeError, match="feeds broke"):
        build_here(golden_repo, tmp_path / "site")
    assert not multiprocessing.active_children()
