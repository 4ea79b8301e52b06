"""The import report: what was written, what was skipped, and every guess, as text or JSON."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from warroom.importers.apply import Outcome
from warroom.importers.common import GUESS_KINDS, Plan
from warroom.repo import CONFIG_NAME

NAMES = {"cstate": "cState", "statuspage": "Statuspage"}


def as_json(plan: Plan, outcome: Outcome, source: str, into: str,
            commits: list[tuple[str, str]] | None = None) -> str:
    data: dict[str, Any] = {
        "tool": plan.tool, "source": source, "into": into,
        "incidents": len(plan.incidents),
        "written": sorted(outcome.written), "overwritten": sorted(outcome.overwritten),
        "unchanged": sorted(outcome.unchanged), "skipped": sorted(outcome.skipped),
        "config": outcome.config, "components_added": outcome.components_added,
        "guesses": [g.as_json() for g in plan.guesses],
    }
    if commits is not None:
        data["commits"] = [{"source": s, "target": t} for s, t in commits]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def as_text(plan: Plan, outcome: Outcome, into: str, *,
            commits: list[tuple[str, str]] | None = None, already: int = 0) -> str:
    name = NAMES.get(plan.tool, plan.tool)
    lines = [f"{name}: {len(plan.incidents)} incident(s) into {into}: "
             f"{len(outcome.written)} new, {len(outcome.overwritten)} overwritten, "
             f"{len(outcome.unchanged)} unchanged, {len(outcome.skipped)} skipped"]
    if commits is not None:
        lines.append(f"history: {len(commits)} commit(s) replayed"
                     + (f", {already} replayed by an earlier import" if already else ""))
    if outcome.config != "unchanged":
        lines.append(f"{CONFIG_NAME} {outcome.config}: {len(outcome.components_added)} "
                     "component(s) added")
    if outcome.skipped:
        lines.append("skipped, as they exist with other content (--force overwrites them):")
        lines += [f"  {path}" for path in sorted(outcome.skipped)]
    by_kind: dict[str, list[str]] = defaultdict(list)
    for guess in plan.guesses:
        where = f"{guess.source}: " if guess.source else ""
        by_kind[guess.kind].append(f"    {where}{guess.message}")
    if by_kind:
        lines.append(f"guesses ({len(plan.guesses)}):")
    for kind in GUESS_KINDS:
        if kind in by_kind:
            lines.append(f"  {kind} ({len(by_kind[kind])}): {GUESS_KINDS[kind]}")
            lines += by_kind[kind]
    return "\n".join(lines) + "\n"
