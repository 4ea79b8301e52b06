"""`warroom build`, the pipeline: load, read history, compute, gather every output, write.

Nothing is written until every producer has returned and no two outputs claim one path;
`writer.write_site` then swaps the new site in atomically. The same repository and the same
`SOURCE_DATE_EPOCH` give byte-identical output.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

from warroom import collector
from warroom.cachedir import cache_root
from warroom.clock import Clock
from warroom.config import Config
from warroom.errors import WarroomError
from warroom.history import read_history
from warroom.history_facts import KnownFacts
from warroom.model import Incident
from warroom.problems import Problem, has_errors
from warroom.recorded import Change, Recorded
from warroom.site import pages, sitemap, templating
from warroom.site.cache import LoadCache, PageCache, code_digest, load_incidents
from warroom.site.data import Producer, SiteData
from warroom.site.parallel import BACKGROUND_MIN_INCIDENTS, Background, Shared
from warroom.status import AUDIENCES, audience_view
from warroom.writer import WriteStats, locked, merge, write_site

# Producers besides the pages, by module under warroom.site (imported when a build runs).
# Pages run last: the home page links what these made.
PRODUCERS = ("feeds", "api", "ics", "badges", "availability")
CACHE_DIR = "site"  # under cachedir.cache_root


class BuildFailed(Exception):
    """The repository has errors, so nothing was built; `problems` says what to fix."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("the repository has errors")
        self.problems = problems


@dataclass
class Built:
    outputs: dict[str, bytes]  # every output by path, except `kept`
    kept: list[str]  # pages unchanged since the last build to the same folder: carried over
    problems: list[Problem]  # warnings and notices from loading and history
    data: SiteData
    page_keys: dict[str, str] = field(default_factory=dict)
    page_cache: PageCache | None = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    written: WriteStats | None = None


def build_time(environ: dict[str, str] | None = None) -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the current time; UTC."""
    raw = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return datetime.now(UTC)
    try:
        return datetime.fromtimestamp(int(raw), UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise WarroomError(f"SOURCE_DATE_EPOCH={raw!r} is not a Unix time in seconds",
                           hint="unset it, or set it to e.g. $(git log -1 --format=%ct)") from exc


def producer(name: str) -> Producer:
    produce: Producer = importlib.import_module(f"warroom.site.{name}").produce
    return produce


def sla_clocks(incidents: tuple[Incident, ...], recorded: dict[str, Recorded], config: Config,
               now: datetime) -> dict[str, tuple[Clock, ...]]:
    """Each open incident's SLA clocks (internal builds only)."""
    from warroom.sla import evaluate  # imported here: public builds never need it

    return {inc.id: evaluate(inc, recorded[inc.id], config, now)
            for inc in incidents if inc.open and inc.id in recorded}


class _Laps:
    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self._last = time.perf_counter()

    def __call__(self, name: str) -> None:
        moment = time.perf_counter()
        self.times[name] = moment - self._last
        self._last = moment


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading makes ~10^6 long-lived objects (incidents, history) and no garbage cycles;
    the cyclic collector would scan them all again and again for nothing (a quarter of a
    10,000-incident build). Paused while loading, then told to leave them alone (freeze)
    while pages are rendered; everything is back to normal once the build returns."""
    with collector.paused():
        try:
            yield
        finally:
            gc.unfreeze()


def _loaded() -> None:
    """Everything loaded so far lives until the build ends: out of the collector's sight."""
    gc.freeze()
    gc.enable()


def gather(root: Path, *, audience: str = "public", base_url: str | None = None,
           now: datetime | None = None, use_cache: bool = True,
           target: Path | None = None) -> Built:
    """Everything the site holds, in memory; raises BuildFailed when the repository has
    errors. With `use_cache` and a `target`, pages unchanged since the last build written
    there are not rendered again (see Built.kept)."""
    with _collector_paused():
        return _gather(root, audience=audience, base_url=base_url, now=now,
                       use_cache=use_cache, target=target)


def _gather(root: Path, *, audience: str, base_url: str | None, now: datetime | None,
            use_cache: bool, target: Path | None) -> Built:
    if audience not in AUDIENCES:
        raise WarroomError(f"unknown audience {audience!r}; use public or internal")
    lap = _Laps()
    root = root.resolve()
    now = now or build_time()
    cache_dir = cache_root(root) / CACHE_DIR if use_cache else None
    loaded = load_incidents(root, LoadCache(cache_dir) if cache_dir else None)
    if loaded.config is None or has_errors(loaded.problems):
        raise BuildFailed(loaded.problems)
    lap("load")
    # HEAD holds most files as loaded: their facts need not be parsed again from git.
    history = read_history(root, now=now, known=KnownFacts(
        {loaded.digests[i.id]: i for i in loaded.incidents if i.id in loaded.digests}))
    if has_errors(history.problems):
        raise BuildFailed(history.problems)
    lap("history")
    config = loaded.config
    visible = audience_view(loaded.incidents, config, audience)
    recorded = {i.id: history.recorded[i.id] for i in visible if i.id in history.recorded}
    data = SiteData(
        config=config, incidents=visible, recorded=recorded, now=now,
        base_url=(config.site.base_url if base_url is None else base_url).rstrip("/"),
        audience=audience,
        clocks=sla_clocks(visible, recorded, config, now) if audience == "internal" else {},
    )
    _loaded()
    # The other producers run in a forked child meanwhile (on a large site): page keys and
    # the pages to render are worked out here at the same time.
    side = Background(lambda: [(name, producer(name)(data)) for name in PRODUCERS],
                      use=len(visible) >= BACKGROUND_MIN_INCIDENTS)
    with side:
        return _pages(root, data, loaded.digests, cache_dir, target, side, lap,
                      [*loaded.problems, *history.problems])


def _pages(root: Path, data: SiteData, file_digests: dict[str, str], cache_dir: Path | None,
           target: Path | None, side: Background[list[tuple[str, dict[str, bytes]]]],
           lap: _Laps, problems: list[Problem]) -> Built:
    config, visible, recorded = data.config, data.incidents, data.recorded
    theme_key = _theme_key(root, config)
    page_cache = (PageCache(cache_dir, target, theme_key)
                  if cache_dir is not None and target is not None else None)
    renderer = pages.Pages(
        data, cache=page_cache, theme_key=theme_key,
        digests=lambda: _digests_of(visible, file_digests, recorded))
    todo, live = renderer.plan()
    lap("compute")
    # Workers start on the pages; this process takes the other producers' outputs, renders
    # the home page (which offers what those made), then claims pages too.
    with Shared(renderer, todo) as shared:
        results = side.result()
        lap("producers")
        renderer.produced = frozenset(path for _, out in results for path in out)
        results.insert(0, ("pages", renderer.finish(shared, live)))
    kept = renderer.skipped
    # Last: the sitemap lists every page the others made, paged ones included.
    html = [path for _, out in results for path in out if path.endswith(".html")]
    results.append(("sitemap", sitemap.produce(data, [*html, *kept])))
    # Kept pages take part in the collision check like any other output.
    outputs = merge([*results, ("pages (unchanged)", dict.fromkeys(kept, b""))])
    for path in kept:
        del outputs[path]
    lap("pages")
    return Built(outputs, kept, problems, data,
                 page_keys=renderer.keys, page_cache=page_cache, timings=lap.times)


def build(root: Path, out: Path, *, audience: str = "public", base_url: str | None = None,
          now: datetime | None = None, use_cache: bool = True,
          waiting: Callable[[], None] | None = None) -> Built:
    """Gather, then write to `out` atomically; returns what was built and written.
    `waiting` is called if another build into the same place must finish first."""
    root = root.resolve()
    # The collector stays out of the write too: a full collection over the loaded
    # incidents there cost as much as the write itself (0.2 s at 10^4 incidents).
    # The lock spans the whole build, not only the write: pages found unchanged must still
    # be this build's when they are carried over (another build, say an internal one into
    # the same folder, could otherwise swap in its own pages in between).
    with locked(out, waiting), _collector_paused():
        built = _gather(root, audience=audience, base_url=base_url, now=now,
                        use_cache=use_cache, target=out)
        gc.disable()  # the writer makes no cycles; the context enables it again after
        start = time.perf_counter()
        built.written = write_site(  # the pages' lstat, made under this lock: not again
            built.outputs, out, root=root, keep=built.kept,
            seen=built.page_cache.seen if built.page_cache is not None else None)
        if built.page_cache is not None:
            built.page_cache.remember(built.page_keys, kept=built.kept)
        built.timings["write"] = time.perf_counter() - start
    return built


def forget_target(root: Path, target: Path) -> None:
    """Drop the record of pages built into `target` (a preview's temporary folder, about to
    be removed): it would otherwise stay in the cache for good."""
    PageCache.ledger(cache_root(root) / CACHE_DIR, target).unlink(missing_ok=True)


def _digests_of(incidents: tuple[Incident, ...], files: dict[str, str],
                recorded: dict[str, Recorded]) -> dict[str, str]:
    digest = _Digests()
    return {i.id: digest(files.get(i.id, ""), recorded.get(i.id)) for i in incidents}


class _Digests:
    """A short hash of an incident's file and of everything Git recorded about it, per
    incident: pages listing thousands of incidents key on these, so they are made once per
    build. The text hashed names every field of Recorded, each value unambiguously (strings
    quoted), whichever equal objects are shared. Changes are shared between fields and
    between incidents (one per commit), so each one's text is made once; the fields are
    written out one by one rather than walked generically (4x cheaper at 10^4 incidents)."""

    # Spelled out so that a new field of Recorded fails here instead of going unhashed.
    FIELDS = ("incident_id", "path", "declared", "acknowledged", "identified", "monitoring",
              "resolved", "updates", "postmortem_published", "severity_changes", "deleted",
              "paths")
    if tuple(f.name for f in fields(Recorded)) != FIELDS:
        raise RuntimeError("Recorded's fields changed: update _Digests to hash every one")

    def __init__(self) -> None:
        self._texts: dict[int, tuple[Change, str]] = {}

    def __call__(self, file_sha: str, recorded: Recorded | None) -> str:
        text = "-" if recorded is None else self._text(recorded)
        return hashlib.blake2b(f"{file_sha}\0{text}".encode(), digest_size=20).hexdigest()

    def _text(self, r: Recorded) -> str:
        texts, change = self._texts, self._change

        def maybe(c: Change | None) -> str:
            if c is None:
                return "-"
            found = texts.get(id(c))
            return found[1] if found is not None and found[0] is c else change(c)

        return "\x1f".join((
            repr(r.incident_id), repr(r.path), maybe(r.declared), maybe(r.acknowledged),
            maybe(r.identified), maybe(r.monitoring), maybe(r.resolved),
            "(" + ",".join([maybe(c) for c in r.updates]) + ")",
            maybe(r.postmortem_published),
            "(" + ",".join([f"{maybe(s.change)}{s.before!r}{s.after!r}"
                            for s in r.severity_changes]) + ")",
            maybe(r.deleted), repr(r.paths)))

    def _change(self, change: Change) -> str:
        text = f"{change.at.isoformat()}{change.commit!r}{change.who!r}"
        self._texts[id(change)] = (change, text)
        return text

def _theme_key(root: Path, config: Config) -> str:
    theme = templating.theme_digest(templating.theme_dirs(config.root))
    config_sha = hashlib.sha256((root / "warroom.yaml").read_bytes()).hexdigest()
    return f"{code_digest()}:{theme}:{config_sha}"
