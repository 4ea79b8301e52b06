"""The validation cache and the worker pool never change an answer.

A whole-repository validation goes through the build's load cache (test_validate_loadcache);
the tests that look into vcache's own file validate a subset (PATHS), as pre-commit does.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from warroom import validation
from warroom.cachedir import cache_root
from warroom.validation import Validation, validate
from warroom.vcache import CACHE_DIR, CACHE_FILE

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import write_config, write_incidents

CASES = ROOT / "tests" / "cases"
VALID = CASES / "valid" / "2026-11-20-checkout-errors.yaml"
INVALID = sorted((CASES / "invalid").glob("2026-0[3-8]-*.yaml"))


def shape(result: Validation) -> tuple[list[tuple[str, int, int, str, str]], int, int]:
    return ([(p.path, p.line, p.col, p.code, p.message) for p in result.problems],
            result.files, result.valid)


def subset(repo: Path) -> Validation:
    """The files under incidents/ named as PATHS: checked through vcache."""
    return validate(repo, [repo / "incidents"])


def fill(repo: Path) -> None:
    for case in [VALID, *INVALID]:
        shutil.copyfile(case, repo / "incidents" / "2026" / case.name)


def test_a_second_run_is_answered_from_the_cache_with_the_same_result(
        warroom_repo: Path) -> None:
    fill(warroom_repo)
    cold = validate(warroom_repo)
    warm = validate(warroom_repo)
    assert cold.cached == 0 and warm.cached == warm.files == len(INVALID) + 1
    assert shape(warm) == shape(cold)
    assert shape(cold) == shape(validate(warroom_repo, use_cache=False))
    assert (warroom_repo / CACHE_DIR / ".gitignore").read_text(encoding="utf-8") == "*\n"


def test_a_changed_file_is_checked_again(warroom_repo: Path) -> None:
    fill(warroom_repo)
    validate(warroom_repo)
    target = warroom_repo / "incidents" / "2026" / VALID.name
    target.write_text(target.read_text(encoding="utf-8").replace(
        "detected_at: 2026-11-20T09:10:00+01:00", "detected_at: 2026-11-20T09:10:00"),
        encoding="utf-8")
    after = validate(warroom_repo)
    assert after.cached == after.files - 1
    assert ("incidents/2026/" + VALID.name, "naive-time") in {
        (p.path, p.code) for p in after.problems}
    assert shape(after) == shape(validate(warroom_repo, use_cache=False))


def test_a_changed_config_changes_the_answer(warroom_repo: Path) -> None:
    shutil.copyfile(VALID, warroom_repo / "incidents" / "2026" / VALID.name)
    assert validate(warroom_repo).problems == []
    config = warroom_repo / "warroom.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "      - {id: checkout, name: Checkout}\n", ""), encoding="utf-8")
    after = validate(warroom_repo)
    assert after.cached == 0
    assert [p.code for p in after.problems] == ["unknown-component"]


def test_a_moved_file_is_checked_at_its_new_place(warroom_repo: Path) -> None:
    """The id must match the folder: the path is part of the key, not only the bytes."""
    shutil.copyfile(VALID, warroom_repo / "incidents" / "2026" / VALID.name)
    assert validate(warroom_repo).problems == []
    (warroom_repo / "incidents" / "2025").mkdir()
    (warroom_repo / "incidents" / "2026" / VALID.name).rename(
        warroom_repo / "incidents" / "2025" / VALID.name)
    assert [p.code for p in validate(warroom_repo).problems] == ["wrong-year-folder"]


def test_duplicate_ids_are_found_when_every_file_comes_from_the_cache(
        warroom_repo: Path) -> None:
    shutil.copyfile(VALID, warroom_repo / "incidents" / "2026" / VALID.name)
    validate(warroom_repo)
    (warroom_repo / "incidents" / "2027").mkdir()
    shutil.copyfile(VALID, warroom_repo / "incidents" / "2027" / VALID.name)
    first = validate(warroom_repo)
    second = validate(warroom_repo)
    assert second.cached == second.files == 2
    for result in (first, second):
        assert {(p.path, p.line, p.col, p.code) for p in result.problems} == {
            ("incidents/2027/" + VALID.name, 2, 5, "duplicate-id"),
            ("incidents/2027/" + VALID.name, 2, 5, "wrong-year-folder"),
        }
        assert result.valid == 1  # the first in path order keeps its id


@pytest.mark.parametrize("damage", ["not json", '{"salt": 1}', "{}", "[]", None])
def test_a_damaged_cache_is_ignored(warroom_repo: Path, damage: str | None) -> None:
    fill(warroom_repo)
    expected = shape(subset(warroom_repo))
    path = warroom_repo / CACHE_DIR / CACHE_FILE
    if damage is None:  # right salt, entries of the wrong shape
        stored = json.loads(path.read_text(encoding="utf-8"))
        stored["entries"] = {key: ["broken"] for key in stored["entries"]}
        damage = json.dumps(stored)
    path.write_text(damage, encoding="utf-8")
    assert shape(subset(warroom_repo)) == expected


def test_no_cache_writes_nothing(warroom_repo: Path) -> None:
    fill(warroom_repo)
    validate(warroom_repo, use_cache=False)
    assert not (warroom_repo / CACHE_DIR).exists()


def test_workers_give_the_same_answer_as_one_process(
        warroom_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(warroom_repo)
    write_incidents(warroom_repo, 40, seed=3)
    serial = validate(warroom_repo, jobs=1, use_cache=False)
    monkeypatch.setattr(validation, "PARALLEL_MIN", 2)
    parallel = validate(warroom_repo, jobs=2, use_cache=False)
    assert shape(parallel) == shape(serial)
    assert serial.files == 41 + len(INVALID)


def test_the_benchmark_generator_writes_valid_incidents(tmp_path: Path) -> None:
    write_config(tmp_path)
    files = write_incidents(tmp_path, 300, seed=1)
    assert len({f.stem for f in files}) == 300
    assert {f.parent.name for f in files} >= {"2023", "2024", "2025", "2026"}
    result = validate(tmp_path, use_cache=False)
    assert result.problems == []
    assert result.valid == 300
    assert write_incidents(tmp_path / "again", 5, seed=1)[0].read_bytes() == files[0].read_bytes()



def test_a_planted_cache_is_never_read_in_a_git_repository(warroom_repo: Path) -> None:
    # The keys come from public inputs, so a cache committed in a pull request could claim
    # that an invalid file is clean. Outside git that is the user's own folder; in a git
    # repository the cache lives inside .git, where nothing can be committed.
    shutil.copyfile(INVALID[0], warroom_repo / "incidents" / "2026" / INVALID[0].name)
    assert subset(warroom_repo).problems
    planted = warroom_repo / CACHE_DIR / CACHE_FILE
    stored = json.loads(planted.read_text(encoding="utf-8"))
    stored["entries"] = {key: [True, []] for key in stored["entries"]}
    planted.write_text(json.dumps(stored), encoding="utf-8")
    assert not subset(warroom_repo).problems  # the forgery works on the user's own folder

    (warroom_repo / ".git").mkdir()
    assert subset(warroom_repo).problems
    assert cache_root(warroom_repo) == warroom_repo / ".git" / "warroom-cache"
    assert (cache_root(warroom_repo) / CACHE_FILE).is_file()
