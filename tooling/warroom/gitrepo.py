"""The only module that runs git. Everything else receives plain data from here."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from warroom.errors import WarroomError

# --- reading history (issue 3) ---

# --- writing: branches and commits for `warroom new/update/resolve --git` (issue 5) ---

def _git_write(root: Path, *args: str) -> str:
    """Run one git command for the authoring commands; its failure is the user's to fix."""
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              check=False, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    except FileNotFoundError as exc:
        raise WarroomError("--git needs git, which is not installed") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise WarroomError(f"git {args[0]} failed: {detail[-1] if detail else done.returncode}",
                           hint="nothing was committed; fix the repository and run again")
    return done.stdout


def _has_branch(root: Path, branch: str) -> bool:
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
                           cwd=root, capture_output=True, check=False)
    return found.returncode == 0


def current_branch(root: Path) -> str | None:
    """The checked-out branch (even before its first commit), or None on a detached HEAD."""
    probe = subprocess.run(["git", "symbolic-ref", "--quiet", "--short", "HEAD"], cwd=root,
                           capture_output=True, text=True, check=False)
    return probe.stdout.strip() or None if probe.returncode == 0 else None


def require_work_tree(root: Path) -> None:
    probe = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=root,
                           capture_output=True, text=True, check=False)
    if probe.returncode != 0 or probe.stdout.strip() != "true":
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
    if not _has_branch(root, branch):
        _git_write(root, "checkout", "-q", "-b", branch)
        return f"created branch {branch}"
    has_head = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "HEAD"], cwd=root,
                              capture_output=True, check=False).returncode == 0
    if has_head:
        merged = subprocess.run(["git", "merge-base", "--is-ancestor", branch, "HEAD"],
                                cwd=root, capture_output=True, check=False).returncode == 0
        if merged:
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


# --- writing: replaying an imported history (issue 7) ---
