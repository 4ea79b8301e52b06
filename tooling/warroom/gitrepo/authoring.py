"""Branches and commits for `warroom new/update/resolve --git`."""

from __future__ import annotations

import os
from pathlib import Path

from warroom.errors import WarroomError
from warroom.gitrepo.run import probe, run, succeeds


def _git_write(root: Path, *args: str) -> str:
    """Run one git command for the authoring commands; its failure is the user's to fix."""
    return run(root, *args, what="--git",
               hint="nothing was committed; fix the repository and run again")[1].decode()


def has_branch(root: Path, branch: str) -> bool:
    return succeeds(root, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")


def current_branch(root: Path) -> str | None:
    """The checked-out branch (even before its first commit), or None on a detached HEAD."""
    done = probe(root, "symbolic-ref", "--quiet", "--short", "HEAD")
    if done is None or done.returncode != 0:
        return None
    return done.stdout.decode().strip() or None


def require_work_tree(root: Path) -> None:
    done = probe(root, "rev-parse", "--is-inside-work-tree")
    if done is None or done.returncode != 0 or done.stdout.decode().strip() != "true":
        raise WarroomError(f"--git: {root} is not inside a git repository",
                           hint="run `git init` first, or leave out --git")


def switch_to_branch(root: Path, branch: str) -> str:
    """Check out `branch`, creating it from HEAD; says what it did.

    A branch that the current HEAD already contains (merged earlier) is moved forward to
    HEAD first: a fast-forward, so no commit is lost, and the edit starts from today's file.
    """
    require_work_tree(root)
    if current_branch(root) == branch:
        return f"on branch {branch}"
    if not has_branch(root, branch):
        _git_write(root, "checkout", "-q", "-b", branch)
        return f"created branch {branch}"
    if (succeeds(root, "rev-parse", "--verify", "--quiet", "HEAD")
            and succeeds(root, "merge-base", "--is-ancestor", branch, "HEAD")):
        _git_write(root, "branch", "-f", branch, "HEAD")
    _git_write(root, "checkout", "-q", branch)
    return f"switched to branch {branch}"


def commit_file(root: Path, path: Path, subject: str, body: str = "") -> str:
    """Commit `path` alone (whatever else is staged stays staged); return the commit id."""
    rel = os.path.relpath(path, root)
    _git_write(root, "add", "--", rel)
    message = subject + (f"\n\n{body.strip()}\n" if body.strip() else "\n")
    # whitespace cleanup keeps lines starting with '#': a Markdown heading in a message.
    _git_write(root, "commit", "-q", "--only", "--cleanup=whitespace", "-m", message, "--", rel)
    return _git_write(root, "rev-parse", "HEAD").strip()


