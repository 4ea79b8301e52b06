"""A rebuild that reuses the caches must give exactly the site a build from nothing gives.

Every cache a rebuild leans on (the load cache, the saved history fold, the page keys and
the writer's carried-over files) is exercised here the way a team uses the tool: a
sequence of seeded random edits to a real git repository (titles, messages, impacts,
visibility, related incidents, postmortems, new open incidents, copies and deleted ones,
the build time moving on; some left uncommitted, some breaking the repository), each
followed by a rebuild into the same folder and a build with no cache at all into a fresh
one. The two trees must be
byte-identical after every step, and a step that breaks the repository must leave the
last site exactly as it was.
"""

from __future__ import annotations

import random
import re
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import ROOT, pinned_git_env, run_git
from site_support import site_files
from warroom.site.build import BuildFailed, build

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import _incident, make_git_repo

START = datetime(2026, 6, 2, 12, tzinfo=UTC)
IMPACTS = ("degraded_performance", "partial_outage", "major_outage")

Edit = Callable[[random.Random, list[Path], Path], str | None]


def _retitle(rng: random.Random, files: list[Path], _: Path) -> str | None:
    path = rng.choice(files)
    _sub(path, r'title: "', f'title: "Edited {rng.randrange(10**6)} ')
    return f"retitle {path.name}"


def _reword(rng: random.Random, files: list[Path], _: Path) -> str | None:
    path = rng.choice(files)
    _sub(path, r"message: \"?", f'message: "Reworded {rng.randrange(10**6)}: ', quote=True)
    return f"reword {path.name}"


def _impact(rng: random.Random, files: list[Path], _: Path) -> str | None:
    path = rng.choice(files)
    text = path.read_text(encoding="utf-8")
    found = re.search("impact: (" + "|".join(IMPACTS) + ")", text)
    if not found:
        return None
    other = rng.choice([i for i in IMPACTS if i != found.group(1)])
    path.write_text(text[:found.start(1)] + other + text[found.end(1):], encoding="utf-8")
    return f"impact {path.name} -> {other}"


def _visibility(rng: random.Random, files: list[Path], _: Path) -> str | None:
    path = rng.choice(files)
    text = path.read_text(encoding="utf-8")
    if "visibility: internal\n" in text.split("components:")[0]:
        head, rest = text.split("components:", 1)
        path.write_text(head.replace("visibility: internal\n", "", 1) + "components:" + rest,
                        encoding="utf-8")
        return f"publish {path.name}"
    path.write_text(re.sub(r"(?m)^(status: .*\n)", r"\1visibility: internal\n", text, count=1),
                    encoding="utf-8")
    return f"hide {path.name}"


def _relate(rng: random.Random, files: list[Path], _: Path) -> str | None:
    path, other = rng.sample(files, 2)
    text = path.read_text(encoding="utf-8")
    if re.search(r"(?m)^related:", text):
        return None
    path.write_text(re.sub(r"(?m)^(status: .*\n)", rf"\1related: [{other.stem}]\n", text,
                           count=1), encoding="utf-8")
    return f"relate {path.name} -> {other.stem}"


def _publish_postmortem(rng: random.Random, files: list[Path], _: Path) -> str | None:
    drafts = [p for p in files if re.search(r"(?m)^  status: (draft|in_review)$",
                                            p.read_text(encoding="utf-8"))]
    if not drafts:
        return None
    path = rng.choice(drafts)
    _sub(path, r"(?m)^  status: (draft|in_review)$", "  status: published")
    return f"postmortem of {path.name} published"


def _delete(rng: random.Random, files: list[Path], _: Path) -> str | None:
    path = rng.choice(files)
    path.unlink()
    files.remove(path)
    return f"delete {path.name}"


def _copy(rng: random.Random, files: list[Path], _: Path) -> str | None:
    source = rng.choice(files)
    ident = f"{source.stem}-copy{rng.randrange(10**6)}"
    target = source.with_name(f"{ident}.yaml")
    text = source.read_text(encoding="utf-8")
    target.write_text(re.sub(r"(?m)^id: .*$", f"id: {ident}", text, count=1), encoding="utf-8")
    files.append(target)
    return f"new {target.name}"


def _open(rng: random.Random, files: list[Path], repo: Path) -> str | None:
    """A new incident still open (its page and the home page move with the build time)."""
    while True:
        start = START - timedelta(hours=rng.randint(1, 40))
        ident, text = _incident(rng, 10**6 + rng.randrange(10**6), start, timedelta(0))
        if re.search(r"(?m)^status: (investigating|identified|monitoring)$", text):
            break
    path = repo / "incidents" / ident[:4] / f"{ident}.yaml"
    path.write_text(text, encoding="utf-8")
    files.append(path)
    return f"open {path.name}"


def _break(rng: random.Random, files: list[Path], _: Path) -> str | None:
    path = rng.choice(files)
    _sub(path, r"(?m)^severity: ", "severity: [")
    return f"break {path.name}"


def _sub(path: Path, pattern: str, replacement: str, *, quote: bool = False) -> None:
    text = path.read_text(encoding="utf-8")
    found = re.search(pattern, text)
    assert found, (path, pattern)
    end = found.end()
    if quote and not found.group(0).endswith('"'):
        # an unquoted scalar becomes a quoted one: close the quote at the end of its line
        line_end = text.index("\n", end)
        tail = text[end:line_end].replace("\\", "\\\\").replace('"', '\\"') + '"'
        text = text[:end] + tail + text[line_end:]
    path.write_text(text[:found.start()] + replacement + text[end:], encoding="utf-8")


# (edit, weight): mostly what a team does every day, sometimes a file that does not load
EDITS: tuple[tuple[Edit, int], ...] = (
    (_retitle, 3), (_reword, 2), (_impact, 2), (_visibility, 2), (_relate, 1),
    (_publish_postmortem, 1), (_delete, 1), (_copy, 1), (_open, 2), (_break, 1))
STEPS = 12


def _steps(repo: Path, seed: int, audience: str, tmp_path: Path) -> tuple[list[str], int]:
    """The edits made, and how many rebuilds were patch builds (see site/sources)."""
    rng = random.Random(seed)
    patched = 0
    env = pinned_git_env()
    out = tmp_path / "site"
    now = START
    build(repo, out, now=now, audience=audience)
    done = []
    for step in range(STEPS):
        files = sorted((repo / "incidents").rglob("*.yaml"))
        what = None
        while what is None:
            edit = rng.choices([e for e, _ in EDITS], [w for _, w in EDITS])[0]
            what = edit(rng, files, repo)
        if rng.random() < 0.25:
            now += timedelta(hours=rng.choice([1, 30]))
        committed = rng.random() < 0.7
        if committed:
            run_git(repo, env, "add", "-A")
            run_git(repo, env, "commit", "-q", "-m", what,
                    date=(START + timedelta(minutes=10 * step)).isoformat())
        done.append(f"{what}{'' if committed else ' (uncommitted)'}, now {now:%d %H:%M}")
        before = site_files(out)
        try:
            patched += build(repo, out, now=now, audience=audience).patched
        except BuildFailed:
            assert what.startswith("break"), (done, "a valid edit failed the build")
            assert site_files(out) == before, (done, "a failed build changed the site")
            _undo(repo, env, committed)
            continue
        assert not what.startswith("break"), (done, "a broken file was accepted")
        fresh = tmp_path / f"fresh-{step}"
        build(repo, fresh, now=now, audience=audience, use_cache=False)
        assert not (differ := _differences(out, fresh)), (done, differ[:5])
        shutil.rmtree(fresh)
    return done, patched


def _differences(out: Path, fresh: Path) -> list[str]:
    """The paths whose bytes differ between the two sites (or that only one of them has)."""
    rebuilt, expected = site_files(out), site_files(fresh)
    return sorted(p for p in rebuilt.keys() | expected.keys()
                  if rebuilt.get(p) != expected.get(p))


def _undo(repo: Path, env: dict[str, str], committed: bool) -> None:
    if committed:
        run_git(repo, env, "revert", "--no-edit", "HEAD")
    else:
        run_git(repo, env, "checkout", "-q", "--", ".")


@pytest.mark.parametrize(("seed", "audience"), [(1, "public"), (2, "public"),
                                                 (3, "internal")])
def test_a_rebuild_after_random_edits_is_a_build_from_nothing(
        seed: int, audience: str, tmp_path: Path) -> None:
    repo = make_git_repo(tmp_path / "repo", 40)
    done, patched = _steps(repo, seed, audience, tmp_path)
    assert len(done) == STEPS
    # Most rebuilds must take the patch path, or this test would not be testing it.
    assert patched >= STEPS // 2, (patched, done)


def _retheme(repo: Path) -> str:
    """A repository override of one template (the theme key must change every page's)."""
    from warroom.resources import data_dir

    default = data_dir("site") / "templates" / "404.html"
    own = repo / "site" / "templates" / "404.html"
    own.parent.mkdir(parents=True, exist_ok=True)
    text = own.read_text(encoding="utf-8") if own.exists() else default.read_text(
        encoding="utf-8")
    anchor = "{% endblock %}"
    assert anchor in text
    own.write_text(text.replace(anchor, "<p>Our own words.</p>\n" + anchor, 1)
                   if "Our own words" not in text else text.replace("Our own", "Other"),
                   encoding="utf-8")
    return "theme override"


def _retitle_site(repo: Path) -> str:
    path = repo / "warroom.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "title: Northwind status", "title: Northwind status (edited)", 1), encoding="utf-8")
    return "site title"


def _french(repo: Path) -> str:
    path = repo / "warroom.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("site:\n", "site:\n  language: fr\n", 1), encoding="utf-8")
    return "French"


def test_changed_settings_between_builds_into_one_folder(tmp_path: Path) -> None:
    """Builds into one folder with the audience, the base URL, the theme, the configuration
    and the language changing in between: each must be what a build from nothing gives
    with the same settings; an internal build followed by a public one keeps nothing of
    the internal pages (the public build from nothing has no internal word)."""
    repo = make_git_repo(tmp_path / "repo", 30)
    out = tmp_path / "site"
    settings: list[tuple[str, str | None, Callable[[Path], str] | None]] = [
        ("public", None, None), ("internal", None, None), ("public", None, None),
        ("public", "", None), ("public", "https://elsewhere.example", None),
        ("public", None, _retheme), ("internal", None, _retheme),
        ("public", None, _retitle_site), ("public", None, _french),
        ("internal", "", None), ("public", None, None)]
    for step, (audience, base_url, change) in enumerate(settings):
        what = change(repo) if change else "nothing"
        build(repo, out, now=START, audience=audience, base_url=base_url)
        fresh = tmp_path / f"fresh-{step}"
        build(repo, fresh, now=START, audience=audience, base_url=base_url, use_cache=False)
        assert not (differ := _differences(out, fresh)), (step, audience, base_url, what,
                                                           differ[:5])
        if change is _retheme:
            assert b"words.</p>" in (out / "404.html").read_bytes()
        shutil.rmtree(fresh)
