"""Helpers for the history tests: incident files as data, commits with pinned dates."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from conftest import run_git

ALICE = "Alice <alice@example.com>"


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def incident(ident: str, *, status: str = "investigating", updates: int = 1,
             commander: str | None = None, severity: str = "SEV1",
             postmortem: str | None = None) -> dict[str, Any]:
    flow = ["investigating", "identified", "monitoring", "resolved"]
    data: dict[str, Any] = {
        "id": ident, "title": f"Incident {ident}", "type": "outage", "severity": severity,
        "status": status, "components": [{"id": "api", "impact": "partial_outage"}],
    }
    if commander:
        data["roles"] = {"commander": commander}
    data["updates"] = [{"status": flow[min(i, 3)] if i < updates - 1 else status,
                        "message": f"Update {i}."} for i in range(updates)]
    if postmortem:
        data["postmortem"] = {"status": postmortem, "body": "What happened."}
    return data


def write(repo: Path, data: dict[str, Any], folder: str | None = None) -> Path:
    ident = data["id"]
    path = repo / "incidents" / (folder or ident[:4]) / f"{ident}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def commit(repo: Path, env: dict[str, str], date: str, message: str = "change",
           *, who: tuple[str, str] | None = None) -> str:
    full = dict(env)
    if who is not None:
        full["GIT_COMMITTER_NAME"], full["GIT_COMMITTER_EMAIL"] = who
    run_git(repo, full, "add", "-A", ".")
    run_git(repo, full, "commit", "-q", "--allow-empty", "-m", message, date=date)
    return run_git(repo, env, "rev-parse", "HEAD").strip()


def init(repo: Path, env: dict[str, str]) -> None:
    run_git(repo, env, "init", "-q", "-b", "main")
