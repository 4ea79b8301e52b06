"""What `warroom sla` asks git: the change under review, a tree at a revision."""

from __future__ import annotations

from pathlib import Path

from warroom.errors import WarroomError
from warroom.gitrepo.run import run, succeeds


def _git_read(root: Path, *args: str, what: str) -> bytes:
    """Run a read-only git command for `warroom sla`; a failure is a WarroomError."""
    return run(root, *args, what=what,
               hint="check the revision, and that the clone has full history "
                    "(actions/checkout with fetch-depth: 0)")[1]


def _revision(rev: str, option: str) -> str:
    # A revision starting with '-' would reach git as an option.
    if rev.startswith("-"):
        raise WarroomError(f"{option} {rev!r} is not a revision",
                           hint="give a branch, tag or commit id")
    return rev


def resolve_base(root: Path, ref: str) -> str:
    """The merge-base of HEAD and a pull request's base branch (origin/<ref>, else <ref>)."""
    _revision(ref, "--base")
    for candidate in (f"origin/{ref}", ref):
        if succeeds(root, "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}"):
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
    commit = f"{_revision(rev, '--at')}^{{commit}}"
    return _git_read(root, "show", "-s", "--format=%cI", commit, "--", what="--at").decode().strip()


def export_tree(root: Path, rev: str, dest: Path, names: tuple[str, ...]) -> None:
    """Write the files of `rev` under the top-level `names` (files or folders) into dest."""
    import io  # only --at needs these
    import tarfile

    raw = _git_read(root, "archive", "--format=tar", _revision(rev, "--at"), what="--at")
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
