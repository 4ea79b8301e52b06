"""warroom.yaml made into a Config once per process for the same bytes (`warroom serve`
rebuilds with the same configuration, almost always)."""

from __future__ import annotations

from pathlib import Path

from warroom import held
from warroom.config import Config
from warroom.problems import Problem
from warroom.repo import config_from_bytes

# warroom.yaml as this process last made it into a Config: (root, its bytes) -> the config
# and the problems found. Parsing and checking it took ~20 ms of every rebuild (`warroom
# serve`). The Config is shared, as every frozen value is: never changed.
_CONFIGS: dict[tuple[str, bytes], tuple[Config | None, tuple[Problem, ...]]] = {}
held.also_forget(_CONFIGS.clear)


def config_held(root: Path, raw: bytes | None, problems: list[Problem]
                ) -> tuple[Config | None, list[Problem]]:
    """config_from_bytes' config and problems, held for the same bytes."""
    if raw is None or problems:  # nothing to hold: a failed read says why
        config, _, problems = config_from_bytes(root, raw, problems)
        return config, problems
    key = (str(root), raw)
    found = _CONFIGS.get(key)
    if found is None:
        config, _, made = config_from_bytes(root, raw, [])
        found = (config, tuple(made))
        _CONFIGS.clear()  # one repository's at a time
        _CONFIGS[key] = found
    return found[0], list(found[1])
