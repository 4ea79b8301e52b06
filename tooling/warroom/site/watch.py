"""What `warroom serve` watches to rebuild the preview: everything a build reads.

A build reads warroom.yaml, the incident files (the working tree, committed or not), the
repository's own theme folder, and what Git recorded, which moves with HEAD. A snapshot
holds the size, modification time and inode of each of those files, and HEAD's commit id;
two snapshots differ exactly when a rebuild could give another site.

Polled rather than watched through inotify: a look at 10,000 files costs 0.05-0.2 s (a
stat each; measured on 2 busy cores), a commit shows only through HEAD (one git process,
~10 ms), and editors that save by renaming a temporary over the file are seen like any
other write. A dependency such as watchfiles would save neither the debounce below nor the
HEAD check.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from warroom import gitrepo
from warroom.repo import CONFIG_NAME, INCIDENTS_DIR
from warroom.site import templating
from warroom.site.files import incident_paths
from warroom.site.templating import THEME_DIR

Stat = tuple[int, int, int, int]  # size, mtime_ns, inode, ctime_ns (the load cache's Signature)


@dataclass(frozen=True)
class Snapshot:
    files: dict[str, Stat] = field(default_factory=dict)  # by path relative to the root
    head: str | None = None  # HEAD's commit id; None outside git or before a commit

    def changes(self, later: Snapshot) -> list[str]:
        """What differs in `later`, as paths (and "HEAD"), sorted; empty when nothing."""
        names = {path for path in self.files.keys() | later.files.keys()
                 if self.files.get(path) != later.files.get(path)}
        if self.head != later.head:
            names.add("HEAD")
        return sorted(names)


def snapshot(root: Path) -> Snapshot:
    """The files a build of `root` reads (the very lists the loader and the theme use, so
    the two cannot drift apart), and HEAD."""
    prefix = os.path.join(os.fspath(root), "")
    theme = root / THEME_DIR
    names = [CONFIG_NAME, *incident_paths(root),
             *(f"{THEME_DIR}/{rel}" for rel, _ in templating.theme_files(theme))]
    files: dict[str, Stat] = {}
    for name in names:  # strings, not Paths: 10^4 Path objects cost 0.4 s a look
        try:
            info = os.stat(prefix + name)
        except OSError:  # gone meanwhile: absent, as the next snapshot will say too
            continue
        files[name] = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
    info_head = gitrepo.head_info(root)
    return Snapshot(files, info_head.head if info_head else None)


def incident_stats(seen: Snapshot) -> dict[str, Stat]:
    """The incident files of the snapshot and their signatures, as the build's loader
    would find them (a build right after the snapshot need not look at 10^4 files again:
    a file changed meanwhile makes the next snapshot differ, and so another build)."""
    return {name: stat for name, stat in seen.files.items()
            if name.startswith(f"{INCIDENTS_DIR}/")}


def settled(take: Callable[[], Snapshot], first: Snapshot, pause: Callable[[], None],
            tries: int = 10) -> Snapshot:
    """The snapshot once two in a row agree: an editor or `git checkout` writing many
    files is let finish, so one rebuild follows a save instead of several. Gives up
    waiting after `tries` pauses (something keeps writing) and returns the latest."""
    current = first
    for _ in range(tries):
        pause()
        again = take()
        if again == current:
            return again
        current = again
    return current
