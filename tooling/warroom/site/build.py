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
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from warroom import collector
from warroom.cachedir import cache_root
from warroom.clock import Clock
from warroom.config import Config
from warroom.errors import WarroomError
from warroom.history import read_early, read_history
from warroom.model import Incident
from warroom.outpaths import merge
from warroom.problems import Problem, has_errors
from warroom.recorded import Recorded
from warroom.site import ics, pages, sitemap, templating
from warroom.site.cache import LoadCache, PageCache, code_digest, load_incidents, no_incidents
from warroom.site.catalogue import Catalogue
from warroom.site.data import Producer, SiteData
from warroom.site.heldrows import held_answer
from warroom.site.loadcache import Signature
from warroom.site.parallel import BACKGROUND_MIN_INCIDENTS, Background, Shared
from warroom.site.rows import ID, RowFacts
from warroom.site.selecting import READ_FIELDS, parts, time_part
from warroom.site.siterows import SiteRow
from warroom.site.sources import Sources
from warroom.status import AUDIENCES
from warroom.writer import WriteStats, locked, write_site

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
    catalogue: Catalogue | None = None  # saved once the site is written
    patched: bool = False  # built from the last build's catalogue (a few incidents changed)


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


def sla_clocks(incidents: tuple[Incident, ...], recorded: Mapping[str, Recorded], config: Config,
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


def _loaded(collect: bool) -> None:
    """Everything loaded so far lives until the build ends: out of the collector's sight.
    Without `collect` (a patch build: a few pages, a few MB of garbage cycles at most) the
    collector stays off until the build returns: its passes cost ~5 ms of a ~0.35 s
    rebuild at 10^4 incidents, to free nothing that would not be freed then."""
    gc.freeze()
    if collect:
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
            use_cache: bool, target: Path | None,
            stats: Mapping[str, Signature] | None = None) -> Built:
    if audience not in AUDIENCES:
        raise WarroomError(f"unknown audience {audience!r}; use public or internal")
    lap = _Laps()
    root = root.resolve()
    now = now or build_time()
    cache_dir = cache_root(root) / CACHE_DIR if use_cache else None
    early = read_early(root)  # git lists the working tree's changes while the files load
    try:
        # Rows and digests only: incidents are unpickled when asked for (all of them in a
        # full build, the changed ones and those the rendered pages show in a patch build).
        loaded = load_incidents(root, LoadCache(cache_dir) if cache_dir else None,
                                incidents=no_incidents, stats=stats)
        if loaded.config is None or has_errors(loaded.problems):
            raise BuildFailed(loaded.problems)
        lap("load")
        # HEAD holds most files as loaded: their facts need not be parsed again from git
        # (indexed only when history reads more than a few versions), nor, for the files
        # this load read (a cold build: all of them), read from git at all (`blobs`).
        history = read_history(root, now=now, early=early, known=lambda: RowFacts(
            {loaded.digests[row[ID]]: row for row in loaded.rows}), blobs=loaded.blobs)
    finally:
        early.close()
    if has_errors(history.problems):
        raise BuildFailed(history.problems)
    lap("history")
    config = loaded.config
    base = (config.site.base_url if base_url is None else base_url).rstrip("/")
    theme_key = _theme_key(root, config)
    templating.keep_compiled(_compiled_folder(root, cache_dir, theme_key))
    settings = f"{theme_key}\0{audience}\0{base}"
    previous = (Catalogue.read(cache_dir, target, settings)
                if cache_dir is not None and target is not None else None)
    sources = Sources(loaded, history, config, audience, keyed=cache_dir is not None,
                      catalogue=previous)
    # A patch build carries the last site's files over: only when that site is there and
    # its pages are on record. Otherwise every page is rendered, still from the rows the
    # catalogue kept (no row is made again for an unchanged incident).
    page_cache = (PageCache(cache_dir, target, theme_key)
                  if cache_dir is not None and target is not None else None)
    patch = (sources.patch and target is not None and target.is_dir()
             and page_cache is not None and not page_cache.empty())
    recorded: Mapping[str, Recorded]
    if patch:
        incidents = sources.incidents([i for i, row in sources.rows.items() if row.open])
        recorded = sources.recorded  # made when a page or file asks
    else:
        incidents = sources.incidents(list(sources.rows))
        # A plain dict: producers ask for every incident's, ~10^5 times.
        recorded_of = sources.history.recorded.get
        recorded = {i.id: rec for i in incidents if (rec := recorded_of(i.id)) is not None}
    data = SiteData(
        config=config, incidents=incidents, recorded=recorded,  # type: ignore[arg-type]
        now=now, base_url=base, audience=audience,
        clocks=sla_clocks(incidents, recorded, config, now) if audience == "internal" else {},
    )
    _loaded(collect=not patch)
    lap("compute")
    context = Context(root, data, sources, previous, settings, theme_key, page_cache, target,
                       lap, [*loaded.problems, *history.problems])
    if patch:
        from warroom.site.patch import patch_build  # a module of its own: only rebuilds need it

        context.patch = True
        return patch_build(context)
    # The other producers run in a forked child meanwhile (on a large site): page keys and
    # the pages to render are worked out here at the same time.
    side = Background(lambda: _produce_all(context),
                      use=len(incidents) >= BACKGROUND_MIN_INCIDENTS)
    with side:
        return _full(context, side)


@dataclass
class Context:
    root: Path
    data: SiteData
    sources: Sources
    previous: Catalogue | None
    settings: str
    theme_key: str
    page_cache: PageCache | None
    target: Path | None
    lap: _Laps
    problems: list[Problem]
    patch: bool = False
    events: dict[str, str] = field(default_factory=dict)  # the calendar's, for the next build

    def sub(self, ids: Sequence[str]) -> SiteData:
        """The build's SiteData holding only these incidents (a producer's selection)."""
        data, incidents = self.data, self.sources.incidents(ids)
        recorded = self.sources.recorded
        return replace(data, incidents=incidents,
                       recorded={i: recorded[i] for i in ids if i in recorded},
                       clocks={i: data.clocks[i] for i in ids if i in data.clocks})

    def producer_key(self, name: str, ids: list[str]) -> str:
        rows = self.sources.rows
        now = time_part(name, rows, ids, self.data)
        sha = hashlib.sha256(f"{name}\0{self.settings}\0{now}".encode())
        if name == "availability" and not self.data.internal:
            sha.update(_availability_facts(rows, ids).encode())
        else:
            sha.update("\0".join([f"{i}:{rows[i].digest}" for i in ids]).encode())
        return sha.hexdigest()


def _availability_facts(rows: Mapping[str, SiteRow], ids: list[str]) -> str:
    """What the public availability page is made from: these fields of its rows alone
    (patch._rerun: availability_from_rows). Keyed on them rather than on digests, a
    retitle of an incident of the last year keeps the page (working it out again took
    ~80 ms at 10^4 incidents). Held while no row changed one of them."""
    return held_answer("availability facts", tuple(ids), rows, READ_FIELDS,
                       lambda: "\0".join([f"{i}:{READ_FIELDS(rows[i])!r}" for i in ids]))


Keys = dict[str, tuple[str, tuple[str, ...]]]  # the catalogue's: part -> (key, its files)
Produced = list[tuple[str, dict[str, bytes], Keys]]  # (producer, its files, its parts' keys)


def _produce_all(context: Context) -> tuple[Produced, dict[str, str]]:
    """Every producer on every incident, and the key of each of its parts (selecting.parts)
    for the next build (worked out here: in the forked child, while pages render); and the
    calendar's events by id."""
    data, rows = context.data, context.sources.rows
    produced: Produced = []
    events: dict[str, str] = {}
    for name in PRODUCERS:
        if name == "ics":
            events = {i.id: ics.event_text(data, i) for i in ics.maintenance_of(data)}
            out = ics.calendar(data, list(events.values()))
        else:
            out = producer(name)(data)
        keys = {part: (context.producer_key(part, ids),
                       tuple(sorted(out if paths is None else paths)))
                for part, (ids, paths) in parts(name, rows, data).items()}
        produced.append((name, out, keys))
    return produced, events


def _full(context: Context, side: Background[tuple[Produced, dict[str, str]]]) -> Built:
    data, sources = context.data, context.sources
    page_cache = context.page_cache
    renderer = pages.Pages(data, cache=page_cache, rows=sources.rows,
                           materialise=sources.materialise, theme_key=context.theme_key)
    todo, live = renderer.plan()
    context.lap("plan")
    # Workers start on the pages; this process takes the other producers' outputs, renders
    # the home page (which offers what those made), then claims pages too.
    with Shared(renderer, todo) as shared:
        produced, context.events = side.result()
        context.lap("producers")
        results = [(name, out) for name, out, _ in produced]
        renderer.produced = frozenset(path for _, out in results for path in out)
        results.insert(0, ("pages", renderer.finish(shared, live)))
    keys = {part: entry for _, _, mine in produced for part, entry in mine.items()}
    return assemble(context, renderer, results, [], page_cache, keys)


def assemble(context: Context, renderer: pages.Pages, results: list[tuple[str, dict[str, bytes]]],
            kept_files: list[str], page_cache: PageCache | None,
            keys: dict[str, tuple[str, tuple[str, ...]]]) -> Built:
    data = context.data
    kept = [*renderer.skipped, *kept_files]
    # Last: the sitemap lists every page the others made, paged ones included (kept
    # files that are no page are passed too: it only looks at x/index.html).
    pages_made = [*(path for _, out in results for path in out if path.endswith(".html")),
                  *kept]
    if context.page_cache is None and context.previous is None:
        results.append(("sitemap", sitemap.produce(data, pages_made)))
    else:
        results.append(("sitemap", sitemap.from_rows(data, context.sources.rows, pages_made)))
    # Kept pages take part in the collision check like any other output.
    outputs = merge(results, kept=kept, kept_by="pages (unchanged)")
    context.lap("pages")
    catalogue = (context.sources.catalogue(context.settings, keys, context.events)
                 if context.page_cache is not None else None)
    if catalogue is not None and context.previous is not None:
        catalogue.base = context.previous.base  # saved as a delta against it
    return Built(outputs, kept, context.problems, data, page_keys=renderer.keys,
                 page_cache=page_cache, timings=context.lap.times, catalogue=catalogue,
                 patched=context.patch)


def _compiled_folder(root: Path, cache_dir: Path | None, theme_key: str) -> Path | None:
    """Where compiled templates are kept: only inside `.git/` (see keep_compiled)."""
    if cache_dir is None or not (root / ".git").is_dir():
        return None
    if not cache_dir.is_relative_to(root / ".git"):
        return None
    folders = cache_dir / "templates"
    mine = folders / hashlib.sha256(theme_key.encode()).hexdigest()[:16]
    if not mine.is_dir() and folders.is_dir():
        # Another code or theme's: never used again.
        for other in folders.iterdir():
            shutil.rmtree(other, ignore_errors=True)
    return mine


def build(root: Path, out: Path, *, audience: str = "public", base_url: str | None = None,
          now: datetime | None = None, use_cache: bool = True,
          waiting: Callable[[], None] | None = None,
          stats: Mapping[str, Signature] | None = None) -> Built:
    """Gather, then write to `out` atomically; returns what was built and written.
    `waiting` is called if another build into the same place must finish first. `stats`:
    every incident file's signature as the caller just found them (see load_incidents)."""
    root = root.resolve()
    # The collector stays out of the write too: a full collection over the loaded
    # incidents there cost as much as the write itself (0.2 s at 10^4 incidents).
    # The lock spans the whole build, not only the write: pages found unchanged must still
    # be this build's when they are carried over (another build, say an internal one into
    # the same folder, could otherwise swap in its own pages in between).
    with locked(out, waiting), _collector_paused():
        built = _gather(root, audience=audience, base_url=base_url, now=now,
                        use_cache=use_cache, target=out, stats=stats)
        gc.disable()  # the writer makes no cycles; the context enables it again after
        start = time.perf_counter()
        built.written = write_site(  # the pages' lstat, made under this lock: not again
            built.outputs, out, root=root, keep=built.kept,
            seen=built.page_cache.seen if built.page_cache is not None else None)
        if built.page_cache is not None:
            built.page_cache.remember(built.page_keys, kept=built.kept)
        if built.catalogue is not None and use_cache:
            built.catalogue.save(cache_root(root) / CACHE_DIR, out)
        built.timings["write"] = time.perf_counter() - start
    return built


def forget_target(root: Path, target: Path) -> None:
    """Drop the records of the site built into `target` (a preview's temporary folder,
    about to be removed): they would otherwise stay in the cache for good."""
    folder = cache_root(root) / CACHE_DIR
    PageCache.ledger(folder, target).unlink(missing_ok=True)
    Catalogue.location(folder, target).unlink(missing_ok=True)
    Catalogue.delta_of(Catalogue.location(folder, target)).unlink(missing_ok=True)


def _theme_key(root: Path, config: Config) -> str:
    theme = templating.theme_digest(templating.theme_dirs(config.root))
    config_sha = hashlib.sha256((root / "warroom.yaml").read_bytes()).hexdigest()
    return f"{code_digest()}:{theme}:{config_sha}"
