"""Reading history for `history`: one `git log` and one `git cat-file --batch`, streamed.

Output is parsed by history_log; these functions only run git and hand back bytes.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import IO, NamedTuple

from warroom.errors import WarroomError
from warroom.gitrepo.run import QUIET, probe, run

_READ_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
# The one fixed --format of the history log: record separator, then fields split by unit
# separators (names cannot hold control characters, so splitting on them is safe).
HISTORY_FORMAT = "%x1e%H%x1f%P%x1f%cI%x1f%cn <%ce>"


class GitTop(NamedTuple):
    top: Path  # the working tree's top folder
    prefix: str  # the warroom root relative to top, "" or "sub/dir/"
    shallow: bool  # a shallow clone: history is cut short


_CONFIG = ("-c", "core.quotepath=off", "-c", "log.showSignature=false")


def _history_git(top: Path, *args: str, stdin: bytes | None = None,
                 ok: tuple[int, ...] = (0,)) -> tuple[int, bytes]:
    return run(top, *args, what="reading the history", stdin=stdin, ok=ok, env=_READ_ENV,
               config=_CONFIG)


def git_top(root: Path) -> GitTop | None:
    """Where the git working tree around root starts; None outside git (or without git)."""
    done = probe(root, "rev-parse", "--is-shallow-repository", "--show-toplevel",
                 "--show-prefix", env=_READ_ENV)
    if done is None:
        return None
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    if done.returncode != 0 or len(lines) < 2:
        return None
    return GitTop(Path(lines[1]), lines[2] if len(lines) > 2 else "", lines[0] == "true")


class HeadInfo(NamedTuple):
    where: GitTop
    head: str  # HEAD's full id
    parents: tuple[str, ...]  # its parents' ids


def head_info(root: Path) -> HeadInfo | None:
    """git_top, HEAD and HEAD's parents in one process; None when that fails (no git, not
    a repository, no commit yet): ask git_top and resolve_commit then."""
    done = probe(root, "rev-parse", "--is-shallow-repository", "--show-toplevel",
                 "--show-prefix", "HEAD^{commit}", "HEAD^@", env=_READ_ENV)
    if done is None:
        return None
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    if done.returncode != 0 or len(lines) < 4:
        return None
    return HeadInfo(GitTop(Path(lines[1]), lines[2], lines[0] == "true"), lines[3],
                    tuple(lines[4:]))


def resolve_commit(top: Path, rev: str) -> str | None:
    """Full id of rev; None when rev is HEAD of a repository without commits."""
    code, out = _history_git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}",
                             ok=(0, 1))
    if code == 0:
        return out.decode().strip()
    if rev == "HEAD":
        return None
    raise WarroomError(f"{rev!r} is not a commit in this repository",
                       hint="give a branch, tag or commit id; a shallow or partial clone may "
                            "lack it (actions/checkout with fetch-depth: 0)")


def _history_log_args(rev: str, folder: str, exclude: str | None, landed: bool) -> list[str]:
    walk = (["--first-parent", "--diff-merges=first-parent"] if landed
            else ["--full-history", "--diff-merges=combined"])
    revs = [rev] + ([f"^{exclude}"] if exclude else [])
    return ["log", "-z", "--raw", "--no-abbrev", "-M", "--root", "--no-textconv",
            "--no-ext-diff", f"--format={HISTORY_FORMAT}", *walk, *revs, "--", folder]


class Started(NamedTuple):
    """A running git process and the file its stderr goes to (a pipe could fill and hang)."""

    process: subprocess.Popen[bytes]
    errors: IO[bytes]
    out: IO[bytes] | None = None  # where its stdout goes, when not to a pipe


def start_history_log(top: Path, rev: str, folder: str, *, exclude: str | None = None,
                      landed: bool = False, to_file: bool = False) -> Started:
    """history_log as a running process, to read while git still walks (or, `to_file`, to
    `collect` when it is done)."""
    return _start(top, _history_log_args(rev, folder, exclude, landed), to_file=to_file)


def start_cat_objects(top: Path) -> Started:
    """A `git cat-file --batch` process: write ids to its stdin, read objects from stdout."""
    return _start(top, ["cat-file", "--batch"], stdin=True)


def start_tree_files(top: Path, rev: str, folder: str) -> Started:
    """tree_files running in the background; `collect` its output."""
    return _start(top, ["ls-tree", "-r", "-z", "--full-tree", rev, "--", folder],
                  to_file=True)


def start_worktree_changes(top: Path, folder: str) -> Started:
    """worktree_changes running in the background; `collect` its output."""
    return _start(top, ["status", "--porcelain=v1", "-z", "--no-renames",
                        "--untracked-files=all", "--", folder], to_file=True)


def collect(started: Started) -> bytes:
    """The whole output of a process started with its stdout to a file; failure: WarroomError."""
    assert started.out is not None
    started.process.wait()
    started.out.seek(0)
    data = started.out.read()
    started.out.close()
    finish(started)
    return data


def _start(top: Path, args: list[str], stdin: bool = False, to_file: bool = False) -> Started:
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
    # Output read only at the end goes to a file, so the process never waits on a full pipe.
    out = tempfile.TemporaryFile() if to_file else None  # noqa: SIM115 - same
    try:
        process = subprocess.Popen(
            ["git", *_CONFIG, *args],
            cwd=top, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=out if out is not None else subprocess.PIPE, stderr=errors,
            env={**os.environ, **QUIET, **_READ_ENV})
    except FileNotFoundError as exc:
        errors.close()
        if out is not None:
            out.close()
        raise WarroomError("reading the history needs git, which is not installed") from exc
    return Started(process, errors, out)


def finish(started: Started, *, kill: bool = False) -> None:
    """Wait for (or kill) a started process and close its pipes; failure: WarroomError."""
    process = started.process
    if started.errors.closed:
        return
    if kill and process.poll() is None:
        process.kill()
    code = process.wait()
    for stream in (process.stdin, process.stdout, started.out):
        if stream is not None:
            stream.close()
    started.errors.seek(0)
    detail = started.errors.read().decode("utf-8", "replace").strip().splitlines()
    started.errors.close()
    if code != 0 and not kill:
        args = process.args if isinstance(process.args, list) else []
        verb = str(args[5]) if len(args) > 5 else "git"
        raise WarroomError(f"git {verb} failed: {detail[-1] if detail else code}")


def history_log(top: Path, rev: str, folder: str, *, exclude: str | None = None,
                landed: bool = False) -> bytes:
    """One `git log` of every commit under rev that touched folder, with raw diffs.

    Default: every commit on every merged branch, diffed against its parent; merges show
    only what differs from all parents (-c). landed: the first-parent chain only, each commit
    (merges included) diffed against its first parent: what reached the branch, and when.
    """
    return _history_git(top, *_history_log_args(rev, folder, exclude, landed))[1]


def first_parent_ids(top: Path, rev: str, exclude: str) -> list[tuple[str, str]]:
    """(commit, first parent) along rev's first-parent chain down to exclude, newest first."""
    out = _history_git(top, "log", "--first-parent", "--format=%H %P", rev, f"^{exclude}")[1]
    pairs = []
    for line in out.decode().splitlines():
        ids = line.split()
        pairs.append((ids[0], ids[1] if len(ids) > 1 else ""))
    return pairs


def tree_files(top: Path, rev: str, folder: str) -> bytes:
    """`git ls-tree -r -z` of folder at rev: "<mode> blob <id> TAB <path>" entries."""
    return _history_git(top, "ls-tree", "-r", "-z", "--full-tree", rev, "--", folder)[1]


def worktree_changes(top: Path, folder: str) -> bytes:
    """`git status --porcelain -z` of folder: changed, added, deleted and untracked files."""
    return _history_git(top, "status", "--porcelain=v1", "-z", "--no-renames",
                        "--untracked-files=all", "--", folder)[1]


def cat_objects(top: Path, ids: list[str]) -> bytes:
    """Every object in ids through one `git cat-file --batch`: raw batch output."""
    if not ids:
        return b""
    return _history_git(top, "cat-file", "--batch",
                        stdin="".join(i + "\n" for i in ids).encode())[1]


def is_ancestor(top: Path, ancestor: str, rev: str) -> bool:
    code = _history_git(top, "merge-base", "--is-ancestor", ancestor, rev, ok=(0, 1, 128))[0]
    return code == 0


