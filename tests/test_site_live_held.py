"""What a build holds for the next build of its process, given back only while nothing it was
made from changed: answers worked out from every site row (site/heldrows.py; the uptime
bars') and the text of the live pages (the home page: pages._LIVE). Whatever changed, each
must equal what a build from nothing makes; held.forget() drops them all."""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from markupsafe import Markup

from conftest import ROOT, pinned_git_env, run_git
from site_support import clone, commit_files, maintenance_yaml, retitle_id
from test_site_planstate import _row
from test_site_selections_time import rows_of, site_data
from warroom import held
from warroom.site import frames, heldrows, livepages, selecting, selections_time
from warroom.site.build import build
from warroom.site.selections_time import uptime_from_rows, uptime_ids
from warroom.site.siterows import SiteRow

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import make_git_repo

NOW = datetime(2026, 6, 2, 12, tzinfo=UTC)


# -- heldrows ---------------------------------------------------------------------------
def _facts(row: SiteRow) -> tuple[object, ...]:
    return (row.status, row.components)


def test_an_answer_is_held_while_no_row_changes_what_it_reads() -> None:
    held.forget()
    made: list[int] = []

    def make() -> int:
        made.append(1)
        return len(made)

    rows = {f"i{n}": _row(1000.0 * n) for n in range(50)}
    assert heldrows.held_answer("t", "k", rows, _facts, make) == 1
    rows = {**rows, "i3": rows["i3"]._replace(title="Another title", digest="x")}
    assert heldrows.held_answer("t", "k", rows, _facts, make) == 1  # nothing it reads
    assert heldrows.held_answer("t", "other key", rows, _facts, make) == 2
    rows = {**rows, "i4": rows["i4"]._replace(status="investigating")}
    assert heldrows.held_answer("t", "other key", rows, _facts, make) == 3
    rows = {**rows, "i4": rows["i4"]._replace(components=("web",))}
    assert heldrows.held_answer("t", "other key", rows, _facts, make) == 4
    rows = {ident: row for ident, row in rows.items() if ident != "i7"}  # one gone
    assert heldrows.held_answer("t", "other key", rows, _facts, make) == 5
    rows = {**rows, "i7": _row(7000.0)}  # back: the same facts, a new row
    assert heldrows.held_answer("t", "other key", rows, _facts, make) == 6
    assert heldrows.held_answer("t", "other key", dict(rows), _facts, make) == 6
    held.forget()  # as in a new process
    assert heldrows.held_answer("t", "other key", rows, _facts, make) == 7


def test_held_uptime_equals_uptime_from_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Random changes to the rows the bars read (or not: a retitle), one build time and
    another: each answer equals one worked out with nothing held, and a change to no fact
    the bars read works nothing out."""
    data = site_data(400, 3, True, datetime(2026, 6, 2, tzinfo=UTC), "public")
    rows = rows_of(data)
    days = data.config.site.uptime_days
    components = tuple(data.config.components)
    real = selections_time._uptime_from_rows
    walks: list[int] = []

    def counted(*args: Any) -> Any:
        walks.append(1)
        return real(*args)

    monkeypatch.setattr(selections_time, "_uptime_from_rows", counted)

    def afresh(rows: dict[str, SiteRow], when: Any = data) -> Any:
        return real(rows, when, days, components)  # holds nothing

    rng = random.Random(11)
    ids = sorted(rows)
    first = datetime(2026, 3, 4, tzinfo=UTC).timestamp()
    held.forget()
    assert uptime_from_rows(rows, data, days, components) == afresh(rows)
    when: Any = data
    kinds = ["retitle", "start", "end", "open", "components", "impacts", "canceled", "drill",
             "gone", "later"]
    for step in range(60):
        kind = kinds[step % len(kinds)]
        # most of 400 incidents are older than the bars: change one the bars show
        ident = rng.choice(uptime_ids(rows, data, days) if rng.random() < 0.7 else ids)
        row = rows.get(ident)
        walks.clear()
        if row is None:
            continue
        if kind == "retitle":
            rows = {**rows, ident: row._replace(title=f"T{step}", digest=f"d{step}")}
        elif kind == "start":
            start = (row.impact_to or first + 80 * 86400) - rng.uniform(1, 30) * 3600
            rows = {**rows, ident: row._replace(impact_from=start)}
        elif kind == "end":
            start = row.impact_from or first
            rows = {**rows, ident: row._replace(impact_to=start + rng.uniform(0, 5) * 86400)}
        elif kind == "open":
            rows = {**rows, ident: row._replace(open=not row.open)}
        elif kind == "components":
            other = "search" if "search" not in row.components else "checkout"
            rows = {**rows, ident: row._replace(components=(other, *row.components[1:]))}
        elif kind == "impacts":
            worse = ("major_outage", "partial_outage", "degraded_performance")
            rows = {**rows, ident: row._replace(impacts=tuple(
                rng.choice(worse) for _ in row.impacts))}
        elif kind == "canceled":
            rows = {**rows, ident: row._replace(status="canceled")}
        elif kind == "drill":
            rows = {**rows, ident: row._replace(drill=not row.drill)}
        elif kind == "gone":
            rows = {i: r for i, r in rows.items() if i != ident}
        else:
            when = SimpleNamespace(now=data.now + timedelta(hours=step), config=data.config)
        found = uptime_from_rows(rows, when, days, components)  # type: ignore[arg-type]
        if kind == "retitle":
            assert walks == [], "a retitle worked the bars out again"
        assert found == afresh(rows, when), (step, kind)


# -- the live pages ---------------------------------------------------------------------
def test_a_mark_tells_markup_from_equal_text() -> None:
    """Text and Markup compare equal but render differently: their marks differ. An uptime
    view stands as its identity, and the mark keeps it: an equal view made anew marks
    differently (a render, never a wrong text)."""
    from warroom.site.context import UptimeView

    plain = livepages.mark("theme", "home.html", "en", UTC, {"x": "a & b"})
    markup = livepages.mark("theme", "home.html", "en", UTC, {"x": Markup("a & b")})
    assert plain is not None and markup is not None and plain[0] != markup[0]
    assert livepages.mark("", "home.html", "en", UTC, {"x": "a"}) is None  # no theme key
    assert livepages.mark("theme", "home.html", "en", UTC, {"x": lambda: 1}) is None
    view = UptimeView("99%", 1, (), (), "a", "b", Markup("<svg/>"))
    once = livepages.mark("theme", "home.html", "en", UTC, {"up": (view,)})
    again = livepages.mark("theme", "home.html", "en", UTC, {"up": (view,)})
    anew = livepages.mark("theme", "home.html", "en", UTC, {"up": (view._replace(),)})
    assert once is not None and again is not None and anew is not None
    assert once[0] == again[0] != anew[0]
    assert once[1] == (view,) and once[1][0] is view  # held with the mark: no address reuse
    held.forget()
    livepages.keep("index.html", once, b"text")
    assert livepages.recall("index.html", again) == b"text"
    assert livepages.recall("index.html", anew) is None
    held.forget()
    assert livepages.recall("index.html", again) is None


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_git_repo(tmp_path_factory.mktemp("origin") / "repo", 120)


@pytest.fixture
def repo(origin: Path, tmp_path: Path) -> Path:
    return clone(origin, tmp_path)




def _renders(monkeypatch: pytest.MonkeyPatch,
             shown: Callable[[str, dict[str, Any]], str | None]) -> list[str]:
    """What each page rendered from now on is named by `shown(template, context)` (None:
    not listed), in the order rendered."""
    rendered: list[str] = []
    real = frames.Frames.render

    def counted(self: frames.Frames, template: str, context: dict[str, Any]) -> str:
        if (which := shown(template, context)) is not None:
            rendered.append(which)
        return real(self, template, context)

    monkeypatch.setattr(frames.Frames, "render", counted)
    return rendered


def test_the_home_page_is_rendered_again_only_when_its_text_changes(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = _renders(monkeypatch, lambda template, context: template)
    out = tmp_path / "site"
    held.forget()
    build(repo, out, now=NOW)
    home = (out / "index.html").read_text(encoding="utf-8")
    listed = sorted(set(re.findall(r'href="[^"]*incidents/([^/"]+)/"', home)))
    every = sorted(p.stem for p in (repo / "incidents").rglob("*.yaml"))
    unlisted = [ident for ident in every if ident not in listed]
    assert listed and unlisted
    steps = [(unlisted[0], NOW), (listed[0], NOW), (unlisted[1], NOW),
             (unlisted[2], NOW + timedelta(minutes=5)), (unlisted[3], NOW + timedelta(minutes=5))]
    for n, (ident, now) in enumerate(steps):
        before = (out / "index.html").read_bytes()
        retitle_id(repo, ident, n)
        rendered.clear()
        build(repo, out, now=now)
        after = (out / "index.html").read_bytes()
        assert ("home.html" in rendered) == (after != before), (n, ident)
        held.forget()  # a build from nothing, elsewhere: the same home page
        fresh = tmp_path / f"fresh{n}"
        build(repo, fresh, now=now)
        assert after == (fresh / "index.html").read_bytes(), (n, ident)
        build(repo, out, now=now)  # this process holds the page again


def _renders_only_changes(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                          template: str, shown: Callable[[dict[str, Any]], str | None],
                          pages: str, moves: Sequence[timedelta]) -> list[list[str]]:
    """Rebuilds of `repo` at NOW and each move on: the pages of `template` rendered (named
    by `shown(context)`, None for those not looked at) are exactly those of `pages` (a glob
    in the site) whose bytes changed, each equal to a build from nothing. Gives the pages
    changed by each move."""
    rendered = _renders(monkeypatch, lambda name, context: shown(context)
                        if name == template else None)
    out = tmp_path / "site"
    held.forget()
    build(repo, out, now=NOW)
    files = sorted(out.glob(pages))
    assert len(files) >= 3
    changes = []
    for n, moved in enumerate(moves):
        before = {page.parent.name: page.read_bytes() for page in files}
        rendered.clear()
        build(repo, out, now=NOW + moved)
        after = {page.parent.name: page.read_bytes() for page in files}
        changed = sorted(name for name in before if after[name] != before[name])
        assert sorted(rendered) == changed, (n, moved)
        changes.append(changed)
        held.forget()  # a build from nothing, elsewhere: the same pages
        fresh = tmp_path / f"fresh{n}"
        build(repo, fresh, now=NOW + moved)
        for page in files:
            assert (fresh / page.relative_to(out)).read_bytes() == page.read_bytes(), (n, page)
        build(repo, out, now=NOW + moved)  # this process holds its state again
    return changes


def test_a_component_page_is_rendered_again_only_when_what_it_shows_changes(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A component's first page shows the build time only through its uptime bars, which a
    page key holds as shown (views.uptime_text): a rebuild minutes later, whose days differ
    in today's counted minutes only, renders none of them again; one a day later, whose
    bars move on by a day, renders them all. Each equals a build from nothing."""
    def first_page(context: dict[str, Any]) -> str | None:
        view = context["component"]
        return str(view.component.id) if view.pager.page == 1 else None

    moves = (timedelta(minutes=1), timedelta(minutes=7), timedelta(days=1, minutes=7))
    changes = _renders_only_changes(repo, tmp_path, monkeypatch, "component.html",
                                    first_page, "components/*/index.html", moves)
    every = sorted(p.parent.name for p in (tmp_path / "site").glob("components/*/index.html"))
    assert changes == [[], [], every]


def _open_and_planned(repo: Path) -> None:
    """An outage open for 40 minutes at NOW and a maintenance two hours away, committed."""
    commit_files(repo, {
        "2026/2026-06-02-fresh-outage.yaml":
            "id: 2026-06-02-fresh-outage\ntitle: \"Fresh outage\"\ntype: outage\n"
            "severity: SEV1\nstatus: investigating\nsummary: \"Errors.\"\ncomponents:\n"
            "  - id: queue\n    impact: major_outage\nimpact_started_at: 2026-06-02T11:20:00Z\n"
            "updates:\n  - status: investigating\n    at: 2026-06-02T11:25:00Z\n"
            "    message: \"Looking.\"\n",
        "2026/2026-06-02-planned-window.yaml": maintenance_yaml(
            "2026-06-02-planned-window", "Planned window", "cdn", "2026-06-02T14:00:00Z",
            "2026-06-02T16:00:00Z", "SEV2"),
    }, "2026-06-02T11:30:00+00:00")


def test_an_incident_page_is_rendered_again_only_when_what_it_shows_changes(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page of an open incident or of a maintenance to come shows the build time only as
    the window's state and how long the incident has been going on, in minutes (its key
    holds those: Pages._moving): rebuilds a minute, half a minute, an hour and days later
    render exactly the incident pages whose bytes change. Each equals a build from
    nothing."""
    _open_and_planned(repo)
    moves = (timedelta(minutes=1), timedelta(minutes=1, seconds=30), timedelta(hours=1),
             timedelta(days=3), timedelta(days=30))
    changes = _renders_only_changes(
        repo, tmp_path, monkeypatch, "incident.html",
        lambda context: str(context["incident"].summary.id), "incidents/*/index.html", moves)
    seen = [len(changed) for changed in changes]
    assert "2026-06-02-fresh-outage" in changes[0] and seen[1] == 0, changes
    assert "2026-06-02-planned-window" in changes[3] and max(seen) > seen[0], changes


# -- held selections --------------------------------------------------------------------
@pytest.mark.parametrize("audience", ["public", "internal"])
def test_held_selections_equal_selections_from_nothing(
        audience: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each held selection (selecting.HELD) after random changes to any field of a row, a
    row gone, the build time moved: the very answer of its function, which runs again
    when a field it reads changed, a row went or the build time moved, never when no field
    it reads changed (a retitle)."""
    data = site_data(400, 5, False, datetime(2026, 6, 2, tzinfo=UTC), audience)
    rows = rows_of(data)
    calls: list[str] = []
    plain = dict(selecting.SELECTIONS)
    for name in selecting.HELD:
        def counted(rows: Any, data: Any, name: str = name) -> list[str]:
            calls.append(name)
            return plain[name](rows, data)
        monkeypatch.setitem(selecting.SELECTIONS, name, counted)
    held.forget()
    rng = random.Random(3)
    # what the selections read, as the docstrings say (selecting.READ must hold these)
    read = {"status", "open", "maintenance", "window", "impact_from", "impact_to",
            "components", "impacts", "drill", "metric_start", "causes"}
    when: Any = data
    for step in range(200):
        # mostly a row some selection takes: most of 400 are long past
        chosen = sorted({i for name in selecting.HELD for i in plain[name](rows, when)})
        ident = rng.choice(chosen if chosen and rng.random() < 0.7 else sorted(rows))
        row = rows[ident]
        kind = step % 5
        field = ""
        if kind in (0, 4):  # any field; a field the selections read
            field = rng.choice(sorted(read) if kind == 4 else SiteRow._fields)
            changed = row._replace(**{field: _other(field, getattr(row, field), rng,
                                                   data.now.timestamp())})
            if changed == row:
                continue
            rows = {**rows, ident: changed}
        elif kind == 1:
            rows = {i: r for i, r in rows.items() if i != ident}
        elif kind == 2:
            when = replace(data, now=data.now + timedelta(hours=rng.randint(1, 500)))
        else:
            rows = dict(rows)  # the same rows: nothing runs again
        for name in sorted(selecting.HELD):
            calls.clear()
            found = selecting.selection(name, rows, when)
            assert found == plain[name](rows, when), (step, name, field)
            if kind == 3 or (kind == 0 and field not in read):
                assert calls == [], (step, name, field)
            elif kind != 0:
                assert calls == [name], (step, name, field)


def _other(field: str, value: object, rng: random.Random, now: float) -> object:
    """Another value for a row's field, of its kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, float):
        return value + rng.uniform(-30, 30) * 86400
    if value is None:
        if field == "window":
            start = now + rng.uniform(-2, 2) * 86400
            return (start, start + 7200)
        return now + rng.uniform(-30, 30) * 86400
    if field == "status":
        return rng.choice(["investigating", "resolved", "scheduled", "in_progress",
                           "completed", "canceled"])
    if isinstance(value, str):
        return value + "x"
    assert isinstance(value, tuple)
    if field == "window":
        return (value[0] + 3600, value[1] + rng.uniform(-1, 1) * 86400)
    if field == "top":
        return (value[0] + 3600, value[1])
    if field == "entries":
        return (*value, now)
    if field == "impacts":
        return tuple("major_outage" for _ in value)
    if field == "components":
        return ("search", *value[1:])
    return ("added", *value)  # related, causes



def test_the_public_availability_page_is_keyed_on_what_it_is_made_from(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A retitle of an incident the page counts keeps the page (its key is the fields of
    its rows it is made from, not their digests); a changed impact end makes it again;
    either way it equals a build from nothing's."""
    from warroom.site import patch

    reruns: list[str] = []
    real = patch._rerun

    def counted(context: Any, name: str, ids: list[str]) -> dict[str, bytes]:
        reruns.append(name)
        return real(context, name, ids)

    monkeypatch.setattr(patch, "_rerun", counted)
    out = tmp_path / "site"
    held.forget()
    build(repo, out, now=NOW)
    counted_ids = [p.stem for p in (repo / "incidents").rglob("*.yaml")
                   if p.stem.startswith("2026-0") and "mitigated_at" in p.read_text()
                   and "resolved_at" in p.read_text()]
    assert counted_ids
    ident = sorted(counted_ids)[-1]
    path = next((repo / "incidents").rglob(f"{ident}.yaml"))
    page = "availability/index.html"
    steps = [("title", 'title: "', 'title: "Renamed: '), ("impact", "", "")]
    for n, (what, old, new) in enumerate(steps):
        text = path.read_text(encoding="utf-8")
        if what == "impact":  # the impact ends an hour later: mitigated then
            found = re.search(r"mitigated_at: (\S+)", text)
            assert found is not None
            end = datetime.fromisoformat(found.group(1).replace("Z", "+00:00"))
            text = text.replace(found.group(0), "mitigated_at: " + (end + timedelta(hours=1))
                                .strftime("%Y-%m-%dT%H:%M:%SZ"))
        else:
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")
        run_git(repo, pinned_git_env(), "commit", "-q", "-am", f"edit {n}",
                date="2026-06-02T10:00:00+00:00")
        reruns.clear()
        built = build(repo, out, now=NOW)
        assert built.patched
        assert ("availability" in reruns) == (what == "impact"), what
        held.forget()
        fresh = tmp_path / f"fresh{n}"
        build(repo, fresh, now=NOW)
        assert (out / page).read_bytes() == (fresh / page).read_bytes(), what


# -- uptime views -----------------------------------------------------------------------
def test_uptime_views_are_held_by_what_they_are_made_from() -> None:
    """Views.uptime gives back the view it made for equal days while the incidents they
    name keep their titles (and the language its own): else it makes another, equal to one
    made with nothing held; uptime_text is repr() of the view."""
    from warroom.site import views as views_module
    from warroom.site.layout import translator
    from warroom.uptime import DayUptime

    data = site_data(400, 5, False, datetime(2026, 6, 2, tzinfo=UTC), "public")
    day0 = datetime(2026, 5, 1, tzinfo=UTC).date()
    days = tuple(DayUptime(day0 + timedelta(days=n), 1.0 - (n % 7) / 100, float(n % 7),
                           ("a", "b") if n % 7 else ()) for n in range(30))
    titles = {"a": "Alpha", "b": "Beta"}
    held.forget()
    english = views_module.Views(data, translator(data), titles)
    first = english.uptime(days)
    assert english.uptime(list(days)) is first  # equal days: held
    assert first == english._uptime(days)
    titles["b"] = "Beta renamed"
    renamed = english.uptime(days)
    assert renamed is not first and renamed == english._uptime(days)
    assert "Beta renamed" in repr(renamed)
    del titles["a"]  # an incident the site no longer shows
    gone = english.uptime(days)
    assert gone == english._uptime(days) and "Alpha" not in repr(gone)
    other = (*days[:-1], replace(days[-1], uptime=0.5))
    assert english.uptime(other) == english._uptime(other) != gone
    french = views_module.Views(replace(data, config=replace(
        data.config, site=replace(data.config.site, language="fr"))),
        translator(replace(data, config=replace(data.config, site=replace(
            data.config.site, language="fr")))), titles)
    assert french.uptime(days) == french._uptime(days) != english.uptime(days)
    # uptime_text: repr() of the very view, an equal view's text for an equal one
    assert views_module.uptime_text(first) == repr(first)
    assert views_module.uptime_text(first) is views_module.uptime_text(first)
    again = english._uptime(days)  # equal to `gone` (the same titles), another object
    assert again is not gone and again == gone
    assert views_module.uptime_text(again) == views_module.uptime_text(gone) == repr(gone)
    assert repr(gone) != repr(first)


def test_the_configuration_is_held_for_the_same_bytes(repo: Path, tmp_path: Path) -> None:
    """load_incidents makes warroom.yaml into a Config once for the same bytes: the very
    object again, its problems given again each time; other bytes are read anew, and a
    configuration with an error is never taken for a good one."""
    from warroom.site.cache import LoadCache, load_incidents

    store = LoadCache(tmp_path / "cache")

    held.forget()
    first = load_incidents(repo, store, incidents=False)
    again = load_incidents(repo, store, incidents=False)
    assert first.config is not None and again.config is first.config
    path = repo / "warroom.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n# a comment\n", encoding="utf-8")
    other = load_incidents(repo, store, incidents=False)
    assert other.config is not first.config and other.config == first.config
    path.write_text(text.replace("site:", "sight:", 1), encoding="utf-8")
    for _ in range(2):
        broken = load_incidents(repo, store, incidents=False)
        assert broken.config is None
        assert any(p.path == "warroom.yaml" for p in broken.problems)
    path.write_text(text, encoding="utf-8")
    back = load_incidents(repo, store, incidents=False)
    assert back.config == first.config
    held.forget()  # as a new process
    assert load_incidents(repo, store, incidents=False).config is not back.config
