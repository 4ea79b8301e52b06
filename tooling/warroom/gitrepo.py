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

# --- sla: what the change under review touched, a tree at a revision (issue 3, sla) ---

def _git_read(root: Path, *args: str, what: str) -> bytes:
    """Run a read-only git command for `warroom sla`; a failure is a WarroomError."""
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    except FileNotFoundError as exc:
        raise WarroomError(f"{what} needs git, which is not installed") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise WarroomError(f"{what}: git {args[0]} failed: "
                           f"{detail[-1] if detail else done.returncode}",
                           hint="check the revision, and that the clone has full history "
                                "(actions/checkout with fetch-depth: 0)")
    return done.stdout


def resolve_base(root: Path, ref: str) -> str:
    """The merge-base of HEAD and a pull request's base branch (origin/<ref>, else <ref>)."""
    for candidate in (f"origin/{ref}", ref):
        probe = subprocess.run(["git", "rev-parse", "--verify", "--quiet",
                                f"{candidate}^{{commit}}"], cwd=root, capture_output=True,
                               check=False)
        if probe.returncode == 0:
            out = _git_read(root, "merge-base", "HEAD", candidate, what="--base")
            return out.decode().strip()
    raise WarroomError(f"the base branch {ref!r} ($GITHUB_BASE_REF) is not in this clone",
                       hint="check out with full history (actions/checkout with "
                            "fetch-depth: 0), or pass --base REV")


def paths_changed(root: Path, base: str, head: str, folder: str) -> list[str]:
    """Every path under `folder` that a commit in base..head added, changed or removed."""
    out = _git_read(root, "log", "--format=", "--name-only", "--no-renames", "-z",
                    f"{base}..{head}", "--", folder, what="--base")
    return sorted({p for p in out.decode("utf-8", "replace").split("\0") if p.strip()})


def commit_time(root: Path, rev: str) -> str:
    """The committer time of a revision, strict ISO 8601 with its offset."""
    return _git_read(root, "show", "-s", "--format=%cI", f"{rev}^{{commit}}", "--",
                     what="--at").decode().strip()


def export_tree(root: Path, rev: str, dest: Path, names: tuple[str, ...]) -> None:
    """Write the files of `rev` under the top-level `names` (files or folders) into dest."""
    import io  # only --at needs these
    import tarfile

    raw = _git_read(root, "archive", "--format=tar", rev, what="--at")
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if not member.isfile() or not parts or parts[0] not in names or ".." in parts:
                continue
            data = tar.extractfile(member)
            if data is None:
                continue
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data.read())
