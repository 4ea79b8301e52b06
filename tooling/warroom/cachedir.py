"""Where warroom keeps its caches for a repository.

Inside `.git/` when the repository has one: nothing there can be committed, so a pull
request cannot plant a cache entry that makes CI accept an invalid file, a wrong clock
or a stale page (the cache keys are computed from public inputs, so they could be
forged). Elsewhere (a folder that is not a git repository, a worktree whose `.git` is a
file) `.warroom-cache/`, which ignores itself.
"""

from __future__ import annotations

from pathlib import Path

FALLBACK = ".warroom-cache"


def cache_root(root: Path) -> Path:
    git = root / ".git"
    return git / "warroom-cache" if git.is_dir() else root / FALLBACK
