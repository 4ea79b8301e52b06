"""The only module that runs git. Everything else receives plain data from here."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import IO, NamedTuple

from warroom.errors import WarroomError

# --- reading history (issue 3) ---

# Output is parsed by history_log; these functions only run git and hand back bytes.
_READ_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
# The one fixed --format of the history log: record separator, then fields split by unit
# separators (names cannot hold control characters, so splitting on them is safe).
HISTORY_FORMAT = "%x1e%H%x1f%P%x1f%cI%x1f%cn <%ce>"


class GitTop(NamedTuple):
    top: Path  # the working tree's top folder
    prefix: str  # the warroom root relative to top, "" or "sub/dir/"
    shallow: bool  # a shallow clone: history is cut short


def _history_git(top: Path, *args: str, stdin: bytes | None = None,
                 ok: tuple[int, ...] = (0,)) -> tuple[int, bytes]:
    try:
        done = subprocess.run(["git", "-c", "core.quotepath=off", "-c", "log.showSignature=false",
                               *args], cwd=top, input=stdin, capture_output=True, check=False,
                              env={**os.environ, **_READ_ENV})
    except FileNotFoundError as exc:
        raise WarroomError("reading the history needs git, which is not installed") from exc
    if done.returncode not in ok:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise WarroomError(f"git {args[0]} failed: {detail[-1] if detail else done.returncode}")
    return done.returncode, done.stdout


def git_top(root: Path) -> GitTop | None:
    """Where the git working tree around root starts; None outside git (or without git)."""
    try:
        done = subprocess.run(["git", "rev-parse", "--is-shallow-repository",
                               "--show-toplevel", "--show-prefix"],
                              cwd=root, capture_output=True, check=False,
                              env={**os.environ, **_READ_ENV})
    except FileNotFoundError:
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
    try:
        done = subprocess.run(["git", "rev-parse", "--is-shallow-repository",
                               "--show-toplevel", "--show-prefix", "HEAD^{commit}", "HEAD^@"],
                              cwd=root, capture_output=True, check=False,
                              env={**os.environ, **_READ_ENV})
    except FileNotFoundError:
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
                      landed: bool = False) -> Started:
    """history_log as a running process, to read while git still walks."""
    return _start(top, _history_log_args(rev, folder, exclude, landed))


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
            ["git", "-c", "core.quotepath=off", "-c", "log.showSignature=false", *args],
            cwd=top, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=out if out is not None else subprocess.PIPE, stderr=errors,
            env={**os.environ, **_READ_ENV})
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


def has_branch(root: Path, branch: str) -> bool:
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
    if not has_branch(root, branch):
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

# Fields of one replayed commit; the message comes last as it may hold anything but NULs.
_REPLAY_FORMAT = "%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%cI%x1f%B%x1f"
REPLAY_TRAILER = "Warroom-Imported-From"


class SourceCommit(NamedTuple):
    id: str
    author: tuple[str, str, str]  # name, e-mail, ISO 8601 date
    committer: tuple[str, str, str]
    message: str
    changes: tuple[tuple[str, str | None], ...]  # (path from the top, blob id or None: deleted)


def _replay_git(top: Path, *args: str, stdin: bytes | None = None,
                env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)
                ) -> tuple[int, bytes]:
    try:
        done = subprocess.run(["git", "-c", "core.quotepath=off", "-c", "commit.gpgsign=false",
                               *args], cwd=top, input=stdin, capture_output=True, check=False,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})})
    except FileNotFoundError as exc:
        raise WarroomError("--with-history needs git, which is not installed") from exc
    if done.returncode not in ok:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise WarroomError(f"git {args[0]} in {top} failed: "
                           f"{detail[-1] if detail else done.returncode}")
    return done.returncode, done.stdout


def source_commits(top: Path, pathspecs: list[str]) -> list[SourceCommit]:
    """Every commit that touched pathspecs, parents first, with what each set each file to.

    Merges are diffed against their first parent: replaying "set this path to this blob"
    in this order ends on the tree of HEAD whatever the branches did.
    """
    if _replay_git(top, "rev-parse", "--verify", "--quiet", "HEAD", ok=(0, 1))[0]:
        return []
    out = _replay_git(top, "log", "--reverse", "--topo-order", "--diff-merges=first-parent",
                      "--raw", "--no-renames", "--no-abbrev", "-z", f"--format={_REPLAY_FORMAT}",
                      "HEAD", "--", *pathspecs)[1].decode("utf-8", "replace")
    commits = []
    for record in out.split("\x1e")[1:]:
        fields = record.split("\x1f")
        changes: list[tuple[str, str | None]] = []
        tokens = iter(fields[8].split("\x00"))
        for token in tokens:
            parts = token.strip().split()
            if len(parts) == 5 and parts[0].startswith(":"):
                path = next(tokens, "")
                changes.append((path, None if parts[4].startswith("D") else parts[3]))
        commits.append(SourceCommit(fields[0], (fields[1], fields[2], fields[3]),
                                    (fields[4], fields[5], fields[6]), fields[7],
                                    tuple(changes)))
    return commits


def read_blobs(top: Path, ids: list[str]) -> dict[str, bytes]:
    """The content of each blob id, through one `git cat-file --batch`."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    raw = _replay_git(top, "cat-file", "--batch", stdin="".join(i + "\n" for i in wanted)
                      .encode())[1]
    blobs: dict[str, bytes] = {}
    pos = 0
    for blob_id in wanted:
        end = raw.index(b"\n", pos)
        header = raw[pos:end].split()
        size = int(header[2]) if len(header) == 3 else 0
        blobs[blob_id] = raw[end + 1:end + 1 + size]
        pos = end + 1 + size + 1
    return blobs


def init_target(root: Path) -> None:
    """Make root the top of a git repository (a new one when it is in none)."""
    root.mkdir(parents=True, exist_ok=True)
    code, out = _replay_git(root, "rev-parse", "--show-toplevel", ok=(0, 128))
    if code == 0 and Path(out.decode().strip()).resolve() != root.resolve():
        raise WarroomError(f"{root} is inside the git repository {out.decode().strip()}",
                           hint="import into the top folder of a repository")
    if code != 0:
        _replay_git(root, "init", "-q")


def dirty_paths(root: Path, paths: list[str]) -> list[str]:
    """Files under paths that differ from HEAD or the index (untracked included)."""
    out = _replay_git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--",
                      *paths)[1].decode("utf-8", "replace")
    return [entry[3:] for entry in out.split("\x00") if len(entry) > 3]


def replayed_sources(root: Path, tool: str) -> set[str]:
    """Ids of the source commits already replayed into root (from the commit trailers)."""
    if _replay_git(root, "rev-parse", "--verify", "--quiet", "HEAD", ok=(0, 1))[0]:
        return set()
    out = _replay_git(root, "log", "-z", "--format=%B", f"--grep=^{REPLAY_TRAILER}: {tool} ",
                      "HEAD")[1].decode("utf-8", "replace")
    prefix = f"{REPLAY_TRAILER}: {tool} "
    return {line[len(prefix):].strip() for line in out.splitlines() if line.startswith(prefix)}


def commit_replayed(root: Path, paths: list[str], source: SourceCommit, subject: str,
                    body: str, tool: str) -> str | None:
    """Commit paths (added, changed or deleted) as source was: author, dates and message.

    Returns the new commit id, or None when the paths did not change.
    """
    _replay_git(root, "add", "-A", "--", *paths)
    if _replay_git(root, "diff", "--cached", "--quiet", "--", *paths, ok=(0, 1))[0] == 0:
        return None
    message = subject + (f"\n\n{body.strip()}" if body.strip() else "")
    message += f"\n\n{REPLAY_TRAILER}: {tool} {source.id}\n"
    env = {"GIT_AUTHOR_NAME": source.author[0], "GIT_AUTHOR_EMAIL": source.author[1],
           "GIT_AUTHOR_DATE": source.author[2], "GIT_COMMITTER_NAME": source.committer[0],
           "GIT_COMMITTER_EMAIL": source.committer[1], "GIT_COMMITTER_DATE": source.committer[2]}
    _replay_git(root, "commit", "-q", "--no-verify", "--allow-empty-message",
                "--cleanup=verbatim", "-F", "-", "--only", "--", *paths,
                stdin=message.encode("utf-8"), env=env)
    return _replay_git(root, "rev-parse", "HEAD")[1].decode().strip()


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
