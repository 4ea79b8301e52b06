"""`warroom sla` and `warroom report` load through the build's load cache and read a file's
positions only when a problem needs them: their output must be byte for byte what loading
every file with `repo.load_repository` gave. `old_load` below is that former path; each
test runs the commands both ways and compares every format."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import ROOT, known_facts, run_git
from warroom import lazyrepo
from warroom.cachedir import cache_root
from warroom.cli import cli
from warroom.lazyrepo import FileMarks, Loaded, load
from warroom.positions import Positions, query
from warroom.repo import load_repository
from warroom.site.build import CACHE_DIR

NOW = "2026-03-20T12:00:00+01:00"


def old_load(root: Path, cached: bool = True, only: str | None = None) -> Loaded:
    """What the commands loaded before: every file parsed, each Document's marks (and every
    incident, `only` one asked for or not)."""
    repo = load_repository(root.resolve())
    return Loaded(repo.config, repo.incidents, repo.problems,
                  known_facts(repo.incidents, repo.documents),
                  {path: doc.marks for path, doc in repo.documents.items()})


def run(repo: Path, args: list[str], summary: Path | None = None) -> tuple[int, str, str, str]:
    env = {"GITHUB_STEP_SUMMARY": str(summary)} if summary is not None else {}
    if summary is not None:
        summary.write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, [*args, "--root", str(repo)], env=env,
                                catch_exceptions=False)
    written = summary.read_text(encoding="utf-8") if summary is not None else ""
    return result.exit_code, result.stdout, result.stderr, written


SLA_RUNS = [
    ["--format", "text"], ["--format", "text", "--all"], ["--format", "json", "--all"],
    ["--format", "github"], ["--format", "github", "--all", "--fail-on", "at-risk"],
    ["--format", "json", "--fail-on", "never"],
]


def both_ways(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, repo: Path,
              runs: list[list[str]], cached: bool = True) -> list[tuple[int, str, str, str]]:
    """Each run with the former loading, then cold and warm through the caches; all equal."""
    summary = tmp_path / "summary.md"
    with monkeypatch.context() as patch:
        patch.setattr("warroom.cli.sla.load", old_load)
        patch.setattr(lazyrepo, "load", old_load)
        before = [run(repo, args, summary) for args in runs]
    shutil.rmtree(cache_root(repo), ignore_errors=True)
    for warmth in ("cold", "warm"):
        after = [run(repo, args, summary) for args in runs]
        for args, old, new in zip(runs, before, after, strict=True):
            assert new == old, (warmth, args)
    assert (cache_root(repo) / CACHE_DIR / "load.pickle").is_file() is cached
    # And once more with the positions kept in a shape not ours: all of it is ignored.
    stored = cache_root(repo) / "sla" / "positions.json"
    if stored.is_file():
        stored.write_text(stored.read_text(encoding="utf-8").replace(":[", ':["x",'),
                          encoding="utf-8")
        assert [run(repo, args, summary) for args in runs] == before
    return before


def sla_runs(now: str) -> list[list[str]]:
    return [["sla", "--now", now, *args] for args in SLA_RUNS]


def report_runs(now: str) -> list[list[str]]:
    return [["report", "--now", now, "--since", "2025-01-01", "--format", fmt]
            for fmt in ("markdown", "json", "html")]


@pytest.fixture
def demo(tmp_path: Path, git_env: dict[str, str]) -> Path:
    """The demo repository's incidents, all committed on one day: earlier stated times are
    far before their record, later ones after it."""
    repo = tmp_path / "demo"
    repo.mkdir()
    shutil.copy(ROOT / "warroom.yaml", repo / "warroom.yaml")
    shutil.copytree(ROOT / "incidents", repo / "incidents")
    run_git(repo, git_env, "init", "-q", "-b", "main")
    run_git(repo, git_env, "add", "-A")
    run_git(repo, git_env, "commit", "-q", "-m", "demo", date="2026-06-15T12:00:00+00:00")
    return repo


def test_demo_data_gives_the_same_bytes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                        demo: Path) -> None:
    runs = sla_runs("2026-12-20T12:00:00+01:00") + report_runs("2026-12-20T12:00:00+01:00")
    outputs = both_ways(monkeypatch, tmp_path, demo, runs)
    text = outputs[1][1]
    assert "stated-after-recorded" in text and "stated-long-before" in text
    assert "decision-pending" in text
    assert any(o[3] for o in outputs)  # a job summary was written, and compared


SEV1 = """\
id: {ident}
title: {title}
type: outage
severity: SEV1
status: {status}
components: [{{id: checkout, impact: major_outage}}]
detected_at: {detected}
{extra}updates:
  - {{status: investigating, message: Looking.}}
"""
OVERDUE = """\
action_items:
  - {title: Fix it, owner: "@dave", due: 2026-03-05, status: open}
"""


def incident(repo: Path, ident: str, status: str = "investigating",
             detected: str = "2026-03-02T08:00:00+01:00", extra: str = "",
             bom: bool = False, crlf: bool = False) -> None:
    text = SEV1.format(ident=ident, title=f"Incident {ident}", status=status,
                       detected=detected, extra=extra)
    if status == "resolved":
        text += "  - {status: resolved, message: Fixed.}\n"
    raw = text.replace("\n", "\r\n").encode() if crlf else text.encode()
    path = repo / "incidents" / "2026" / f"{ident}.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + raw if bom else raw)


@pytest.fixture
def troubled(warroom_repo: Path, git_env: dict[str, str]) -> Path:
    """Stated times after their commits and long before them, overdue action items and
    postmortems, breached clocks on open incidents, a byte order mark, CRLF line ends and
    an uncommitted edit."""
    repo = warroom_repo
    run_git(repo, git_env, "init", "-q", "-b", "main")
    incident(repo, "2026-03-01-quiet", "resolved", "2026-03-01T09:55:00+01:00")
    incident(repo, "2026-03-02-late", detected="2026-03-02T10:30:00+01:00", extra=OVERDUE)
    incident(repo, "2026-03-02-bom", "resolved", "2026-02-20T09:00:00+01:00", OVERDUE,
             bom=True)
    incident(repo, "2026-03-02-crlf", detected="2026-02-25T09:00:00+01:00", crlf=True)
    run_git(repo, git_env, "add", "-A")
    run_git(repo, git_env, "commit", "-q", "-m", "declare",
            date="2026-03-02T10:00:00+01:00")
    incident(repo, "2026-03-02-crlf", "resolved", "2026-02-25T09:00:00+01:00", OVERDUE,
             crlf=True)
    run_git(repo, git_env, "commit", "-q", "-am", "resolve", date="2026-03-03T10:00:00+01:00")
    incident(repo, "2026-03-01-quiet", "resolved", "2026-03-01T09:55:00+01:00", OVERDUE)
    return repo


def test_problems_are_located_as_before(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                        troubled: Path) -> None:
    runs = [*sla_runs(NOW), ["sla", "--now", NOW, "--at", "HEAD", "--format", "github"],
            ["sla", "--now", NOW, "--at", "HEAD~1", "--all", "--format", "text"],
            ["sla", "--now", NOW, "--incident", "2026-03-02-bom", "--format", "github"],
            *report_runs(NOW)]
    outputs = both_ways(monkeypatch, tmp_path, troubled, runs)
    github = outputs[4][1]
    for code in ("stated-after-recorded", "stated-long-before", "action-item-overdue",
                 "postmortem-overdue", "SLA breached"):
        assert code in github, code
    # Positions are real ones (not the 1:1 a missing file gives), in the BOM file too.
    assert "2026-03-02-bom.yaml,line=9,col=42" in github
    assert "2026-03-02-crlf.yaml,line=7,col=14" in github


def test_an_edit_after_a_warm_run_is_seen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                          troubled: Path) -> None:
    both_ways(monkeypatch, tmp_path, troubled, sla_runs(NOW)[:1])
    incident(troubled, "2026-03-02-late", detected="2026-03-02T11:30:00+01:00",
             extra="\n" + OVERDUE)
    outputs = both_ways(monkeypatch, tmp_path, troubled, sla_runs(NOW)[3:4])
    assert "2026-03-02-late.yaml,line=10,col=42" in outputs[0][1]


def test_errors_are_reported_as_before(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                       troubled: Path) -> None:
    bad = troubled / "incidents" / "2026" / "2026-03-02-late.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("severity: SEV1", "severity: SEV9"),
                   encoding="utf-8")
    (bad.parent / "2026-03-05-broken.yaml").write_text("id: 2026-03-05-broken\ntitle: [x\n",
                                                       encoding="utf-8")
    dup = troubled / "incidents" / "2025"
    dup.mkdir()
    shutil.copy(troubled / "incidents" / "2026" / "2026-03-01-quiet.yaml", dup)
    outputs = both_ways(monkeypatch, tmp_path, troubled, [*sla_runs(NOW), *report_runs(NOW)])
    code, out, err, _ = outputs[0]
    assert code == 1 and "2026-03-02-late.yaml:4:11: error:" in out
    assert "2026-03-05-broken.yaml:2:8: error: YAML syntax" in out
    assert "duplicate-id" in out and "fix them first" in err
    assert "3 file(s) with errors left out of the report" in outputs[-1][2]


def test_a_broken_config_is_reported_as_before(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path, troubled: Path) -> None:
    (troubled / "warroom.yaml").write_text("site: {title: x}\nseverities: 3\n",
                                           encoding="utf-8")
    outputs = both_ways(monkeypatch, tmp_path, troubled, [*sla_runs(NOW)[:4],
                                                         *report_runs(NOW)[:1]], cached=False)
    assert outputs[0][0] == 1 and "warroom.yaml:" in outputs[0][1]
    assert outputs[-1][0] == 1 and "warroom.yaml has errors" in outputs[-1][2]


def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files FileMarks read, in order."""
    seen: list[str] = []
    real = lazyrepo.read_bytes

    def spy(path: Path, display: str) -> Any:
        seen.append(display)
        return real(path, display)

    monkeypatch.setattr(lazyrepo, "read_bytes", spy)
    return seen


def test_only_files_with_a_problem_are_read_again(monkeypatch: pytest.MonkeyPatch,
                                                  troubled: Path) -> None:
    seen = reads(monkeypatch)
    code, out, _, _ = run(troubled, ["sla", "--now", NOW, "--format", "github"])
    assert code == 1 and out
    assert sorted(set(seen)) == [f"incidents/2026/{name}.yaml" for name in (
        "2026-03-01-quiet", "2026-03-02-bom", "2026-03-02-crlf", "2026-03-02-late")]
    assert len(seen) == len(set(seen))  # each file read once, however many problems
    seen.clear()
    assert run(troubled, ["report", "--now", NOW, "--format", "json"])[0] == 0
    assert seen == []


def test_file_marks_fall_back_to_the_start_when_the_file_went(warroom_repo: Path) -> None:
    incident(warroom_repo, "2026-03-02-late", extra=OVERDUE)
    loaded = load(warroom_repo, cached=False)
    marks = loaded.marks["incidents/2026/2026-03-02-late.yaml"]
    assert isinstance(marks, FileMarks)
    (warroom_repo / "incidents" / "2026" / "2026-03-02-late.yaml").write_text(
        "id: [unclosed\n", encoding="utf-8")
    assert marks.at(("action_items", 0, "due")) == (1, 1)
    gone = load(warroom_repo, cached=False)  # unreadable YAML: no incident, no marks
    assert gone.marks == {} and gone.problems


def test_sla_and_build_share_one_load_cache(warroom_repo: Path) -> None:
    assert lazyrepo.LOAD_CACHE_DIR == CACHE_DIR
    incident(warroom_repo, "2026-03-02-late")
    load(warroom_repo)
    assert (cache_root(warroom_repo) / CACHE_DIR / "load.pickle").is_file()


def test_positions_are_kept_for_the_next_run(monkeypatch: pytest.MonkeyPatch,
                                             troubled: Path) -> None:
    args = ["sla", "--now", NOW, "--format", "github", "--all"]
    seen = reads(monkeypatch)
    first = run(troubled, args)
    assert len(seen) == 4
    seen.clear()
    assert run(troubled, args) == first and seen == []
    incident(troubled, "2026-03-02-late", detected="2026-03-02T11:30:00+01:00",
             extra="\n" + OVERDUE)
    second = run(troubled, args)
    assert seen == ["incidents/2026/2026-03-02-late.yaml"] and second != first
    stored = (cache_root(troubled) / "sla" / "positions.json").read_text(encoding="utf-8")
    assert stored.count('"v(') + stored.count('"k(') >= 4


def test_a_file_changed_since_it_was_loaded_keeps_no_answer(warroom_repo: Path) -> None:
    incident(warroom_repo, "2026-03-02-late", extra=OVERDUE)
    (loaded,) = load(warroom_repo, cached=False).incidents
    store = Positions(None)
    fresh = FileMarks(warroom_repo, loaded.path, "0" * 64, store)
    assert fresh.at(("action_items", 0, "due")) == (9, 42)
    assert store.files == {}
    digest = next(iter(load(warroom_repo, cached=False).known))
    kept = FileMarks(warroom_repo, loaded.path, digest, store)
    assert kept.key_at(("status",)) == (5, 1)
    assert store.get(digest, query("k", ("status",))) == (5, 1)


def test_positions_outside_git_sit_in_a_folder_that_ignores_itself(warroom_repo: Path) -> None:
    incident(warroom_repo, "2026-03-02-late", extra=OVERDUE)
    loaded = load(warroom_repo)
    assert loaded.marks["incidents/2026/2026-03-02-late.yaml"].at(("status",)) == (5, 9)
    loaded.keep_positions()
    assert (warroom_repo / ".warroom-cache" / "sla" / "positions.json").is_file()
    assert (warroom_repo / ".warroom-cache" / ".gitignore").read_text(
        encoding="utf-8").endswith("*\n")
