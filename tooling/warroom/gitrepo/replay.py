"""Replaying an imported history (`warroom import ... --with-history`)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from warroom.errors import WarroomError
from warroom.gitrepo.run import run

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
    # Replayed commits carry someone else's authorship and dates: never sign them.
    return run(top, *args, what=f"--with-history in {top}", stdin=stdin, env=env, ok=ok,
               config=("-c", "core.quotepath=off", "-c", "commit.gpgsign=false"))


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


