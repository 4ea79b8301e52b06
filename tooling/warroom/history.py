"""Read what Git recorded about each incident, in one pass over the history.

One `git log` of the incidents folder (raw diffs, rename detection) and one
`git cat-file --batch` for every file version it names; `history_facts` reads the versions,
`history_acc` folds the commits per incident id, `history_cache` remembers the fold by commit
so that the next run only reads the commits made since.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from warroom import gitrepo
from warroom.errors import WarroomError
from warroom.history_acc import Damaged, Declared, Fold
from warroom.history_cache import Ahead, Scan, scan_history, start_ahead
from warroom.history_facts import FactReader, FactSource, Known, Version
from warroom.history_held import Owners
from warroom.history_log import parse_status
from warroom.history_view import RecordedView, strip
from warroom.problems import Level, Problem
from warroom.recorded import Change, Recorded
from warroom.repo import INCIDENTS_DIR, SUFFIXES, incident_files, relative


@dataclass(frozen=True)
class History:
    # By incident id; a read_history's makes each Recorded when first asked for.
    recorded: Mapping[str, Recorded]
    # Future-dated commits, commits older than their parent, deleted incidents (warnings);
    # uncommitted files, versions that do not parse, no git at all (notices).
    problems: list[Problem] = field(default_factory=list)
    head: str | None = None  # the commit evaluated; None outside a git repository
    # The commit of the saved fold this read started from (None: it read every commit),
    # and the ids whose fold entry the commits since and the working tree changed (None:
    # all). An id outside `touched` whose file is as it was at `since` has the Recorded
    # it had there. How a read was done, not what it found: left out of equality.
    since: str | None = field(default=None, compare=False)
    touched: frozenset[str] | None = field(default=None, compare=False)


@dataclass
class Early:
    """HEAD, and the working tree's changes asked of git before the caller loads the
    files (`warroom build`): git lists them on the other core meanwhile (~30 ms for a
    10^4-file working tree). Taken by read_history, or closed by the caller (`close`)."""

    info: gitrepo.HeadInfo | None
    status: gitrepo.Started | None
    # The log of HEAD's one commit since the last read in this process (history_cache).
    ahead: Ahead | None = None

    def close(self) -> None:
        """Stop git if read_history did not take the status (the build failed before)."""
        if self.status is not None:
            gitrepo.finish(self.status, kill=True)
            self.status = None
        if self.ahead is not None:
            self.ahead.close()
            self.ahead = None

    def take(self) -> gitrepo.Started | None:
        status, self.status = self.status, None
        return status

    def take_ahead(self) -> Ahead | None:
        ahead, self.ahead = self.ahead, None
        return ahead


def read_early(root: Path) -> Early:
    """What read_history(root) asks git first, asked now (see Early)."""
    info = gitrepo.head_info(root.resolve())
    if info is None or info.where.shallow:  # read_history takes the long way, and says why
        return Early(None, None)
    top, folder = info.where.top, info.where.prefix + INCIDENTS_DIR
    status = gitrepo.start_worktree_changes(top, folder)
    try:
        ahead = start_ahead(root.resolve(), top, folder, info.head, info.parents)
    except BaseException:
        gitrepo.finish(status, kill=True)
        raise
    return Early(info, status, ahead)


def read_history(root: Path, *, landed: bool = False, at: str | None = None,
                 now: datetime | None = None, use_cache: bool = True,
                 known: Known | None = None,
                 early: Early | None = None,
                 blobs: Mapping[str, str] | None = None) -> History:
    """What the repository at `root` recorded per incident id.

    `landed`: times are those of the first-parent commit of the evaluated revision that
    brought each change in, rather than the commit that made it. `at`: evaluate the
    repository as it was at that revision (the working tree is then ignored). `now`: the
    time given to uncommitted changes, and the limit past which a commit is future-dated.
    `known`: facts of file contents the caller parsed already, by sha256, or a function
    that makes them, asked only when more than a few versions are read (FactReader).
    `early`: read_early's, made before the caller loaded the files (without `at`).
    `blobs`: the git blob id of each file the caller read, to its sha256 (a key of
    `known`): a version of one of those is taken from `known`, not read from git.
    Raises WarroomError for a shallow clone or an unknown revision.
    """
    now = now if now is not None else datetime.now(UTC)
    root = root.resolve()
    status = early.take() if early is not None and at is None else None
    ahead = early.take_ahead() if early is not None and status is not None else None
    try:
        return _history(root, landed, at, now, use_cache, FactSource(known, blobs), early,
                        status, ahead)
    finally:
        if ahead is not None:
            ahead.close()  # unless the scan took its processes


def _history(root: Path, landed: bool, at: str | None, now: datetime, use_cache: bool,
             known: FactSource, early: Early | None, status: gitrepo.Started | None,
             ahead: Ahead | None) -> History:
    # One process for where git is, HEAD and HEAD's parents (enough to tell a saved fold
    # one commit behind is still valid); the long way when that fails or for `at`.
    if status is not None and early is not None:
        info = early.info
    else:
        info = gitrepo.head_info(root) if at is None else None
    where = info.where if info else gitrepo.git_top(root)
    if where is None:
        return _without_git(root, now)
    top, prefix = where.top, where.prefix
    if where.shallow:
        raise WarroomError(
            "this is a shallow clone: its history is cut short, so recorded times would be "
            "wrong",
            hint="fetch the full history (`git fetch --unshallow`; in GitHub Actions, "
                 "actions/checkout with `fetch-depth: 0`)")
    folder = prefix + INCIDENTS_DIR
    head = info.head if info else gitrepo.resolve_commit(top, at or "HEAD")
    parents = info.parents if info else None
    try:
        return _read(root, top, prefix, folder, head, parents, known, now, landed=landed,
                     worktree=at is None, use_cache=use_cache, resume=use_cache,
                     started=status, ahead=ahead)
    except Damaged:  # a saved fold that does not decode: read without it, save a new one
        return _read(root, top, prefix, folder, head, parents, known, now, landed=landed,
                     worktree=at is None, use_cache=use_cache, resume=False)


def _read(root: Path, top: Path, prefix: str, folder: str, head: str | None,
          parents: tuple[str, ...] | None, known: FactSource, now: datetime,
          *, landed: bool, worktree: bool, use_cache: bool, resume: bool,
          started: gitrepo.Started | None = None, ahead: Ahead | None = None) -> History:
    reader = FactReader(known.known, known.blobs)
    # The working tree's changes are asked for now (unless `started` before) and read
    # last: git looks meanwhile.
    status = (started or gitrepo.start_worktree_changes(top, folder)) if worktree else None
    try:
        scan = scan_history(root, top, folder, head, reader, landed=landed,
                            use_cache=use_cache, resume=resume, head_parents=parents,
                            ahead=ahead)
        fold, problems = scan.fold, _commit_problems(scan, prefix, now)
        present, owners = scan.tree, scan.owners
        if status is not None:
            started, status = status, None
            changes = [(code, path) for code, path in parse_status(gitrepo.collect(started))
                       if path.endswith(SUFFIXES)]
            if changes:  # the scan's may be held (history_held): changed in copies
                present, owners = dict(present), owners.copy() if owners else None
                problems += _overlay(top, prefix, changes, fold, present, owners, reader, now)
        def again() -> Mapping[str, Recorded]:
            return _read(root, top, prefix, folder, head, parents, known, now, landed=landed,
                         worktree=worktree, use_cache=use_cache, resume=False).recorded

        return _finish(fold, owners or Owners.of(present), prefix, problems, head,
                       scan.since, again if resume else None, scan.declared)
    except BaseException:
        if status is not None:
            gitrepo.finish(status, kill=True)
        raise


_rel = strip


def _commit_problems(scan: Scan, prefix: str, now: datetime) -> list[Problem]:
    out = []
    stamps = scan.stamps
    future = stamps.all() if stamps.latest is not None and stamps.latest > now else []
    for stamp in future:
        when, commit = stamp.change.at, stamp.change.commit
        if when > now:
            path = _rel(prefix, stamp.path)
            out.append(Problem(path, 1, 1, Level.WARNING, "commit-in-future",
                               f"commit {commit[:12]} is dated {when.isoformat()}, after now "
                               f"({now.isoformat()}); the times it records cannot be trusted"))
    for stamp in stamps.flagged:
        when, commit = stamp.change.at, stamp.change.commit
        if stamp.parent_at is not None and when < stamp.parent_at:
            path = _rel(prefix, stamp.path)
            out.append(Problem(path, 1, 1, Level.WARNING, "commit-before-parent",
                               f"commit {commit[:12]} is dated {when.isoformat()}, before its "
                               f"parent ({stamp.parent_at.isoformat()}); the times it records "
                               "may be too early"))
    for path, change, why in scan.fold.unreadable:
        where = f"commit {change.commit[:12]}" if change.commit else "the uncommitted file"
        out.append(Problem(_rel(prefix, path), why.line, why.col, Level.NOTICE,
                           "unparsable-version",
                           f"the version of {where} does not parse ({why.message}); skipped, "
                           "so what it changed counts from the next readable version"))
    return out


def _overlay(top: Path, prefix: str, changes: list[tuple[str, str]], fold: Fold,
             present: dict[str, Version], owners: Owners | None, reader: FactReader,
             now: datetime) -> list[Problem]:
    """Uncommitted incident files (`changes`, incident files only): recorded now, and said
    so (in `present`, and `owners` when given)."""
    now_change = Change(now, "", "")
    entries: list[tuple[str, Version | None, list[tuple[str, Version | None]]]] = []
    out = []
    for code, path in changes:
        file = top / path
        new = reader.read(file.read_bytes()) if file.is_file() else None
        old = present.pop(path, None)
        entries.append((path, new, [(path, old)]))
        if new is not None:
            present[path] = new
        if owners is not None:
            owners.change(path, old, new, present)
        what = ("is not committed yet" if code == "??" or old is None else
                "is deleted but the deletion is not committed" if new is None else
                "has changes that are not committed")
        out.append(Problem(_rel(prefix, path), 1, 1, Level.NOTICE, "uncommitted-incident",
                           f"this incident file {what}; what it adds counts as recorded now "
                           f"({now.isoformat()})"))
    if entries:
        fold.commit(now_change, entries)
    return out


def _without_git(root: Path, now: datetime) -> History:
    fold, reader = Fold(), FactReader()
    present: dict[str, Version] = {}
    for file in incident_files(root):
        path = relative(root, file)
        present[path] = reader.read(file.read_bytes())
    fold.commit(Change(now, "", ""), [(p, v, []) for p, v in present.items()])
    notice = Problem(INCIDENTS_DIR, 1, 1, Level.NOTICE, "no-git-history",
                     f"{root} is not in a git repository, so every incident counts as "
                     f"recorded now ({now.isoformat()})")
    history = _finish(fold, Owners.of(present), "", [notice], None)
    return history


def _finish(fold: Fold, owners: Owners, prefix: str, problems: list[Problem],
            head: str | None, since: str | None = None,
            again: Callable[[], Mapping[str, Recorded]] | None = None,
            declared: Declared | None = None) -> History:
    """The History; of the Recorded values only the deleted ones' are made here (for their
    warnings), the others when a consumer asks. `declared`: the fold's before the working
    tree was overlaid (Fold.declared)."""
    out = RecordedView(fold, owners.current, prefix, again, fold.declared(declared))
    for ident in out.absent():
        rec = out[ident]
        if rec.deleted is not None:
            when = rec.deleted
            how = (f"in commit {when.commit[:12]} ({when.at.isoformat()})" if when.commit
                   else "in the working tree (not committed yet)")
            problems.append(Problem(rec.path, 1, 1, Level.WARNING, "incident-deleted",
                                    f"incident {ident} was deleted {how}; its history is kept "
                                    "and still counts"))
    return History(out, sorted(problems), head, since, fold.touched() if since else None)
