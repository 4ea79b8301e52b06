#!/usr/bin/env python3
"""Build a git repository with a realistic, pinned history from this repository's demo data.

    .venv/bin/python scripts/make_demo_repo.py DEST

DEST is deleted and recreated. Its history replays each incident in `incidents/` the way a
team would have written it: a first commit declaring it with only its first update, the
commander a few minutes later, one commit per later update (status moved along, stated
times such as mitigated_at added once they have happened), then the postmortem as a draft
and, a few days on, the file as it is today. Every commit is dated at the stated time of
what it records plus a small deterministic delay, all in date order, by a few fictional
engineers, so the same data always gives the same commit ids. The last commit's files hold
exactly the data of this repository's files (dumped by PyYAML, so without comments).
`warroom sla` and `warroom build` then have real history to read.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

SOURCE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SOURCE / "tooling"))

from warroom.yamlload import load_file  # noqa: E402

ENGINEERS = ["Nadia Haddad <nadia@northwind.example>", "Tom Becker <tom@northwind.example>",
             "Karim Benali <karim@northwind.example>", "Ines Duarte <ines@northwind.example>",
             "Lea Martin <lea@northwind.example>", "Marc Olsen <marc@northwind.example>",
             "Sam Okafor <sam@northwind.example>"]
# Fields a first declaration would not have yet; they arrive in later commits.
LATER = ("roles", "mitigated_at", "resolved_at", "postmortem", "action_items", "regulatory",
         "pauses")
GITIGNORE = ".warroom-cache/\n_site/\n"


def _minutes(key: str, low: int, high: int) -> timedelta:
    """A delay that looks random but depends only on key."""
    digest = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
    return timedelta(minutes=low + digest % (high - low + 1))


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) \
        else None


def _who(handle: Any, key: str) -> str:
    if isinstance(handle, str) and handle.startswith("@") and "/" not in handle:
        name = handle[1:]
        for person in ENGINEERS:
            if person.lower().startswith(name.lower() + " "):
                return person
        return f"{name.capitalize()} <{name}@northwind.example>"
    return ENGINEERS[int(hashlib.sha256(key.encode()).hexdigest()[:4], 16) % len(ENGINEERS)]


def _regulatory_times(reg: Any) -> list[datetime]:
    if not isinstance(reg, dict):
        return []
    found = [_time(reg.get("aware_at")), _time(reg.get("classified_at"))]
    found += [_time(r.get("submitted_at")) for r in reg.get("reports", []) if isinstance(r, dict)]
    return [t for t in found if t is not None]


def steps(data: dict[str, Any]) -> list[tuple[datetime, str, str, dict[str, Any]]]:
    """(commit time, committer, message, file data) for one incident, oldest first."""
    ident = data["id"]
    updates = data["updates"]
    window = data.get("window") or {}
    start = (_time(updates[0].get("at")) or _time(data.get("detected_at"))
             or _time(window.get("start")) - timedelta(days=7))  # type: ignore[operator]
    base = {k: v for k, v in data.items() if k not in LATER and k != "updates"}
    commander = (data.get("roles") or {}).get("commander")
    out: list[tuple[datetime, str, str, dict[str, Any]]] = []

    def version(n: int, when: datetime, roles: bool) -> dict[str, Any]:
        step = dict(base, status=updates[n - 1]["status"], updates=updates[:n])
        if roles and "roles" in data:
            step["roles"] = data["roles"]
        for key in ("mitigated_at", "resolved_at"):
            stated = _time(data.get(key))
            if stated is not None and stated <= when:
                step[key] = data[key]
        for pause in data.get("pauses", []):
            if (_time(pause.get("start")) or when) <= when:
                step.setdefault("pauses", []).append(pause)
        reg = data.get("regulatory")
        if reg is not None and all(t <= when for t in _regulatory_times(reg)):
            step["regulatory"] = reg
        return step

    when = start + _minutes(ident + "declare", 2, 6)
    first_author = updates[0].get("author") or commander
    out.append((when, _who(first_author, ident), f"{ident}: declare", version(1, when, False)))
    if "roles" in data:
        when += _minutes(ident + "roles", 2, 6)
        out.append((when, _who(commander, ident + "c"), f"{ident}: {commander} takes command",
                    version(1, when, True)))
    for n in range(2, len(updates) + 1):
        update = updates[n - 1]
        stated = _time(update.get("at")) or when + timedelta(minutes=10)
        when = max(when + timedelta(minutes=1), stated + _minutes(f"{ident}{n}", 1, 5))
        out.append((when, _who(update.get("author"), f"{ident}{n}"),
                    f"{ident}: {update['status']} update", version(n, when, True)))
    final = version(len(updates), when, True)
    postmortem = data.get("postmortem")
    if isinstance(postmortem, dict):
        when += timedelta(days=1) + _minutes(ident + "pm", 0, 240)
        draft = dict(final, postmortem={**postmortem, "status": "draft"})
        owner = postmortem.get("owner") or commander
        out.append((when, _who(owner, ident + "pm"), f"{ident}: postmortem draft", draft))
        if postmortem.get("status") != "draft":
            when += timedelta(days=2) + _minutes(ident + "pub", 0, 240)
    if out[-1][3] != data:
        when += _minutes(ident + "final", 3, 30)
        what = f"postmortem {postmortem['status']}" if postmortem else "follow-up"
        out.append((when, _who(commander, ident + "f"), f"{ident}: {what}", data))
    return out


def _git(dest: Path, *args: str, when: datetime | None = None, who: str = ENGINEERS[0]) -> None:
    name, _, email = who.partition(" <")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(dest),
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email.rstrip(">"),
           "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email.rstrip(">")}
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when.isoformat()
    subprocess.run(["git", *args], cwd=dest, env=env, check=True, capture_output=True)


def _dump(data: dict[str, Any]) -> str:
    head = "# yaml-language-server: $schema=../../schema/incident.schema.json\n"
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=92)


def build(dest: Path, source: Path = SOURCE) -> int:
    """Replace dest by the demo repository built from source; returns the commit count."""
    source = source.resolve()
    if dest.resolve() in (source, *source.parents):
        raise SystemExit(f"refusing to replace {dest}: it holds the source repository")
    incidents = []
    for path in sorted((source / "incidents").rglob("*.yaml")):
        doc, problems = load_file(path, path.relative_to(source).as_posix())
        if doc is None or not isinstance(doc.data, dict):
            raise SystemExit(f"{path}: cannot be read: {problems}")
        incidents.append((path.relative_to(source).as_posix(), doc.data))
    events = []
    for rel, data in incidents:
        for n, (when, who, message, step) in enumerate(steps(data)):
            events.append((when, rel, n, who, message, step))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    _git(dest, "init", "-q", "-b", "main")
    shutil.copyfile(source / "warroom.yaml", dest / "warroom.yaml")
    (dest / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    first = events[0][0] - timedelta(days=30)
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "Start the incident repository", when=first)
    for when, rel, _, who, message, step in events:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_dump(step), encoding="utf-8")
        _git(dest, "add", "--", rel)
        _git(dest, "commit", "-q", "-m", message, when=when, who=who)
    for rel, data in incidents:  # the promise: the last commit holds exactly today's data
        doc, _ = load_file(dest / rel)
        assert doc is not None and doc.data == data, rel
    return len(events) + 1


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__.strip().splitlines()[2].strip())
    dest = Path(sys.argv[1])
    count = build(dest)
    print(f"{dest}: {count} commits")  # noqa: T201


if __name__ == "__main__":
    main()
