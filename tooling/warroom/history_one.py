"""Reading the one commit between a snapshot's (history_held) and HEAD, in as few processes
as it takes.

Its log is small and read whole (to a file, so it can be started before the caller loads
the files and be left running meanwhile). A version it names that the working tree holds as
committed is read from the file, checked against its blob id (git's hash of the bytes), so
that no `git cat-file` runs at all when the parent's commit time is known too: the usual
rebuild after one edit. Anything else is asked of one `git cat-file --batch`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from warroom import gitrepo
from warroom.history_facts import FactReader, Version
from warroom.history_log import Commit, committer_time, parse_batch, parse_log
from warroom.repo import SUFFIXES


def start_log(top: Path, head: str, folder: str, since: str, landed: bool
              ) -> gitrepo.Started:
    return gitrepo.start_history_log(top, head, folder, exclude=since, landed=landed,
                                     to_file=True)


def read_one(top: Path, head: str, folder: str, since: str, since_at: datetime | None,
             versions: dict[str, Version], reader: FactReader, *, landed: bool,
             started: gitrepo.Started | None = None
             ) -> tuple[list[Commit], dict[str, datetime]]:
    """The commits of since..head (newest first) and the commit times known of them and
    their parents (`since_at`: since's, when known); the versions they name are added to
    `versions`. `started`: start_log's, with these arguments."""
    commits = parse_log(gitrepo.collect(started or start_log(top, head, folder, since,
                                                              landed)))
    times = {commit.id: commit.at for commit in commits}
    if since_at is not None:
        times.setdefault(since, since_at)
    under = folder + "/"
    need: dict[str, str | None] = {}  # blob -> where the working tree may hold it
    for commit in commits:
        for entry in commit.entries:
            new, path = entry.blob, entry.path
            if new and new not in versions and path.startswith(under) \
                    and path.endswith(SUFFIXES):
                need.setdefault(new, path)
            for old_path, old in entry.olds:
                if old and old not in versions and old_path.startswith(under) \
                        and old_path.endswith(SUFFIXES):
                    need.setdefault(old, None)
    for blob, where in need.items():
        data = _committed(top / where, blob) if where is not None else None
        if data is not None:
            versions[blob] = reader.read(data)
    ask = [blob for blob in need if blob not in versions]
    parents = sorted({p for c in commits if c.entries for p in c.parents} - times.keys())
    if ask or parents:
        objects = parse_batch(gitrepo.cat_objects(top, ask + parents))
        for blob in ask:
            if blob in objects:
                versions[blob] = reader.read(objects[blob])
        for parent in parents:
            stamp = committer_time(objects[parent]) if parent in objects else None
            if stamp is not None:
                times[parent] = stamp
    return commits, times


def _committed(file: Path, blob: str) -> bytes | None:
    """The file's bytes if they are the blob's (git hashes "blob <size>\\0" and the bytes;
    sha1, or sha256 in a repository that uses it)."""
    try:
        data = file.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha1 if len(blob) == 40 else hashlib.sha256
    found = digest(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
    return data if found == blob else None
