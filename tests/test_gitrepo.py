from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_git
from warroom import gitrepo
from warroom.errors import WarroomError
from warroom.gitrepo.run import run


def test_a_revision_starting_with_a_dash_never_reaches_git_as_an_option(
        tmp_path: Path, git_env: dict[str, str]) -> None:
    run_git(tmp_path, git_env, "init", "-q")
    out = tmp_path / "written-by-git"
    for call in (lambda: gitrepo.resolve_base(tmp_path, f"--output={out}"),
                 lambda: gitrepo.commit_time(tmp_path, f"--output={out}"),
                 lambda: gitrepo.export_tree(tmp_path, f"--output={out}", tmp_path, ("x",))):
        with pytest.raises(WarroomError, match="is not a revision"):
            call()
    assert not out.exists()


def test_a_failing_git_command_names_what_the_user_was_doing(tmp_path: Path) -> None:
    with pytest.raises(WarroomError) as caught:
        run(tmp_path, "log", what="--at", hint="check the revision")
    assert str(caught.value).startswith("--at: git log failed: ")
    assert caught.value.hint == "check the revision"
