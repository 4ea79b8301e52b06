"""A whole-repository `warroom validate` loads through the build's load cache, so that in CI
`warroom sla` and `warroom build` after it parse no incident file again. Its output, exit
status and counts must be byte for byte those of the former path (`validate_files`, each
file's problems in vcache): every test here runs the command both ways, cold and warm, in
every format, and compares."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import MINIMAL_CONFIG, ROOT
from warroom import validation, yamlload
from warroom.cachedir import cache_root
from warroom.cli import cli
from warroom.lazyrepo import LOAD_CACHE_DIR
from warroom.site.build import CACHE_DIR
from warroom.site.cache import LoadCache, code_digest, load_incidents
from warroom.validation import Validation, validate, validate_files
from warroom.yamlload import MAX_BYTES

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import make_git_repo, write_config, write_incidents

CASES = ROOT / "tests" / "cases"
FORMATS: list[tuple[str, str]] = [  # --format, GITHUB_ACTIONS
    ("text", "false"), ("json", "false"), ("github", "false"), ("auto", "true"),
    ("auto", "false")]


def demo(dest: Path) -> None:
    shutil.copyfile(ROOT / "warroom.yaml", dest / "warroom.yaml")
    shutil.copytree(ROOT / "incidents", dest / "incidents")


def golden(dest: Path) -> None:
    shutil.copytree(ROOT / "tests" / "golden" / "repo", dest, dirs_exist_ok=True)


def cases(dest: Path, config: str = MINIMAL_CONFIG) -> None:
    """Every valid and invalid case in one repository (where its .expected puts it)."""
    (dest / "warroom.yaml").write_text(config, encoding="utf-8")
    for case in [*(CASES / "valid").glob("*.y*ml"), *(CASES / "invalid").glob("*.y*ml")]:
        place = f"incidents/{case.name[:4]}/{case.name}"
        expected = case.with_suffix(".expected")
        if expected.exists():
            for line in expected.read_text(encoding="utf-8").splitlines():
                if line.startswith("# path:"):
                    place = line.split(":", 1)[1].strip()
        (dest / place).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(case, dest / place)
    for folder in (p for p in (CASES / "invalid").iterdir() if p.is_dir()):
        shutil.copytree(folder / "incidents", dest / "incidents", dirs_exist_ok=True)


def synthetic(dest: Path) -> None:
    """Generated incidents and an error of every kind."""
    write_config(dest)
    files = write_incidents(dest, 40, seed=7)
    year = dest / "incidents" / "2026"
    year.mkdir(exist_ok=True)
    (year / "2026-01-02-syntax.yaml").write_text("id: 2026-01-02-syntax\ntitle: [open\n",
                                                 encoding="utf-8")
    text = files[0].read_text(encoding="utf-8")
    schema = text.replace(f"id: {files[0].stem}", "id: 2026-01-03-schema").replace(
        "title:", "titel:", 1)
    (year / "2026-01-03-schema.yaml").write_text(schema, encoding="utf-8")
    (year / "2026-01-04-list.yml").write_text("- a\n- b\n", encoding="utf-8")
    (year / "2026-01-05-empty.yaml").write_text("", encoding="utf-8")
    (year / "2026-01-06-gone.yaml").symlink_to(dest / "nowhere.yaml")  # unreadable
    (year / "2026-01-07-big.yaml").write_text("#" * (MAX_BYTES + 1), encoding="utf-8")
    files[1].write_bytes(b"\xef\xbb\xbf" + files[1].read_bytes())  # a byte order mark
    files[2].write_bytes(files[2].read_bytes().replace(b"\n", b"\r\n"))
    (dest / "incidents" / "2019").mkdir()
    shutil.copyfile(files[3], dest / "incidents" / "2019" / files[3].name)  # duplicate id
    files[4].rename(dest / "incidents" / "2019" / files[4].name)  # wrong year folder
    (dest / "incidents" / "2026" / "2026-01-08-semantic.yaml").write_text(
        files[5].read_text(encoding="utf-8").replace(f"id: {files[5].stem}",
                                                     "id: 2026-01-08-semantic"),
        encoding="utf-8")  # its dates are not in January 2026


def broken_config(name: str) -> Callable[[Path], None]:
    def make(dest: Path) -> None:
        cases(dest, (CASES / "invalid-config" / name).read_text(encoding="utf-8"))
    return make


DATASETS: dict[str, Callable[[Path], None]] = {
    "demo": demo, "golden": golden, "cases": cases, "synthetic": synthetic,
    "config-syntax": broken_config("syntax-error.yaml"),
    "config-timezone": broken_config("unknown-timezone.yaml"),
}

Run = tuple[int, str, str]


def runs(repo: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str]) -> list[Run]:
    out = []
    for fmt, actions in FORMATS:
        monkeypatch.setenv("GITHUB_ACTIONS", actions)
        result = CliRunner().invoke(cli, ["validate", "--format", fmt, "--root", str(repo),
                                          *extra], catch_exceptions=False)
        out.append((result.exit_code, result.stdout, result.stderr))
    return out


def both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make: Callable[[Path], None],
              extra: list[str] | None = None) -> tuple[list[Run], list[Run]]:
    """The command's runs (cold first, then warm, then without caches) the former way and
    the new way, each in its own copy of the repository."""
    found = []
    for way in ("old", "new"):
        repo = tmp_path / way
        repo.mkdir()
        make(repo)
        with monkeypatch.context() as patch:
            if way == "old":
                patch.setattr("warroom.cli.validate.validate", validate_files)
            found.append([*runs(repo, patch, extra or []), *runs(repo, patch, extra or []),
                          *runs(repo, patch, [*(extra or []), "--no-cache"])])
    return found[0], found[1]


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_the_output_is_that_of_the_former_path(tmp_path: Path, name: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = both_ways(tmp_path, monkeypatch, DATASETS[name])
    assert new == old
    assert len({code for code, _, _ in new}) == 1
    if name not in ("demo", "golden"):
        assert new[0][0] == 1 and new[0][1]  # problems to report: the test can fail


def shape(result: Validation) -> tuple[Any, ...]:
    return result.problems, result.files, result.valid, result.cached


@pytest.mark.parametrize("name", ["cases", "synthetic", "demo"])
def test_the_counts_are_those_of_the_former_path(tmp_path: Path, name: str) -> None:
    for way in ("old", "new"):
        (tmp_path / way).mkdir()
        DATASETS[name](tmp_path / way)
    old = [validate_files(tmp_path / "old") for _ in range(2)]
    new = [validate(tmp_path / "new") for _ in range(2)]
    assert [shape(r) for r in new] == [shape(r) for r in old]
    assert new[0].cached == 0 and new[1].cached > 0
    assert shape(validate(tmp_path / "new", use_cache=False)) == shape(
        validate_files(tmp_path / "old", use_cache=False))


def test_the_whole_repository_fills_the_load_cache_and_not_vcache(warroom_repo: Path) -> None:
    cases(warroom_repo)
    first = validate(warroom_repo)
    top = cache_root(warroom_repo)
    assert (top / LOAD_CACHE_DIR / "load.pickle").is_file()
    assert not (top / "validate.json").exists()
    assert (top / ".gitignore").read_text(encoding="utf-8") == "*\n"  # outside git
    assert first.cached == 0 and validate(warroom_repo).cached == first.files
    subset = validate(warroom_repo, [warroom_repo / "incidents" / "2026"])
    assert subset.cached == 0 and (top / "validate.json").is_file()  # PATHS: vcache
    assert validate(warroom_repo, [warroom_repo / "incidents" / "2026"]).cached == subset.files


def test_no_cache_reads_and_writes_nothing(warroom_repo: Path) -> None:
    cases(warroom_repo)
    expected = shape(validate(warroom_repo, use_cache=False))
    assert not cache_root(warroom_repo).exists()
    validate(warroom_repo)
    assert shape(validate(warroom_repo, use_cache=False)) == expected


def test_the_worker_pool_gives_the_serial_answer(warroom_repo: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    cases(warroom_repo)
    write_incidents(warroom_repo, 30, seed=4)
    serial = validate(warroom_repo, jobs=1, use_cache=False)
    monkeypatch.setattr("warroom.site.cache.PARALLEL_MIN", 2)
    assert shape(validate(warroom_repo, jobs=2, use_cache=False)) == shape(serial)
    assert shape(validate(warroom_repo, jobs=2)) == shape(serial)


def test_the_cache_is_the_builds_own() -> None:
    assert validation.LOAD_CACHE_DIR == LOAD_CACHE_DIR == CACHE_DIR


def parsed_texts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text yamlload parses into data from now on. (Not the positions `warroom sla`
    looks up in a file it reports a problem for: `lazyrepo.FileMarks` composes that file
    once, whatever the load cache holds, and `positions.py` keeps the answers.)"""
    seen: list[str] = []
    real = yamlload.parse_text

    def record(text: str, display: str) -> Any:
        seen.append(text)
        return real(text, display)

    monkeypatch.setattr(yamlload, "parse_text", record)
    return seen


def incident_texts(repo: Path) -> set[str]:
    return {p.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
            for p in (repo / "incidents").rglob("*.yaml")}


@pytest.mark.parametrize("first", [["validate"], []])
def test_sla_and_build_after_validate_parse_no_incident_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: list[str]) -> None:
    """The CI sequence, in process. Without validate first (the control), sla parses them."""
    repo = make_git_repo(tmp_path / "repo", 25)
    texts = incident_texts(repo)
    runner = CliRunner()
    if first:
        assert runner.invoke(cli, [*first, "--root", str(repo)]).exit_code == 0
    seen = parsed_texts(monkeypatch)
    runner.invoke(cli, ["sla", "--root", str(repo)], catch_exceptions=False)
    after_sla = [t for t in seen if t.replace("\r\n", "\n") in texts]
    done = runner.invoke(cli, ["build", "--out", str(tmp_path / "site"), "--root", str(repo)],
                         catch_exceptions=False)
    assert done.exit_code == 0, done.output
    parsed = [t for t in seen if t.replace("\r\n", "\n") in texts]
    if first:
        assert parsed == []
    else:
        assert len(after_sla) == len(texts) and parsed == after_sla  # build: sla's cache
    loaded = load_incidents(repo, LoadCache(cache_root(repo) / CACHE_DIR))
    assert loaded.cached == loaded.files == len(texts)


def test_a_planted_load_cache_is_never_read_in_a_git_repository(warroom_repo: Path) -> None:
    """As for vcache (test_validate_cache): an entry forged from public inputs could claim
    an invalid file is clean, so in a git repository the cache lives inside .git."""
    cases(warroom_repo)
    expected = validate(warroom_repo).problems
    store = LoadCache(cache_root(warroom_repo) / LOAD_CACHE_DIR)
    header = code_digest() + hashlib.sha256(
        (warroom_repo / "warroom.yaml").read_bytes()).hexdigest()
    forged = {rel: (e[0], e[1], e[2], []) for rel, e in store.read(header).items()}
    store.write(header, forged)
    assert not [p for p in validate(warroom_repo).problems if p.path.startswith("incidents/")
                and p.code != "duplicate-id"]  # the forgery works on the user's own folder
    (warroom_repo / ".git").mkdir()
    assert validate(warroom_repo).problems == expected
    assert (cache_root(warroom_repo) / LOAD_CACHE_DIR / "load.pickle").is_file()
    assert os.fspath(cache_root(warroom_repo)).endswith(os.path.join(".git", "warroom-cache"))
