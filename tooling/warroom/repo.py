"""Find a warroom repository and load its configuration and incidents, collecting problems."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warroom.config import Config, build_config
from warroom.config_rules import check_config
from warroom.errors import WarroomError
from warroom.model import Incident, build_incident
from warroom.problems import Level, Problem, has_errors
from warroom.resources import defaults_dir
from warroom.rules import check_incident
from warroom.schemas import check
from warroom.yamlload import Document, load_file

CONFIG_NAME = "warroom.yaml"
INCIDENTS_DIR = "incidents"
SUFFIXES = (".yaml", ".yml")


@dataclass
class Repository:
    root: Path
    config: Config | None
    incidents: list[Incident] = field(default_factory=list)  # only those without errors
    documents: dict[str, Document] = field(default_factory=dict)  # by repo-relative path
    problems: list[Problem] = field(default_factory=list)

    def by_id(self) -> dict[str, Incident]:
        return {i.id: i for i in self.incidents}


def find_root(start: Path) -> Path:
    here = start.resolve()
    for candidate in (here, *here.parents):
        if (candidate / CONFIG_NAME).is_file():
            return candidate
    raise WarroomError(
        f"no {CONFIG_NAME} found in {here} or any folder above it",
        hint="run warroom inside an incident repository, or create one with `warroom init`",
    )


def relative(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def incident_files(root: Path) -> list[Path]:
    base = root / INCIDENTS_DIR
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def _default_regimes() -> dict[str, Any]:
    doc, problems = load_file(defaults_dir() / "regimes.yaml")
    assert doc is not None and not problems, problems
    data: dict[str, Any] = doc.data
    return data


def load_config(root: Path) -> tuple[Config | None, Document | None, list[Problem]]:
    doc, problems = load_file(root / CONFIG_NAME, CONFIG_NAME)
    if doc is None:
        return None, None, problems
    problems += check(doc, "config")
    if has_errors(problems):
        return None, doc, problems
    config = build_config(doc.data, root, _default_regimes())
    problems += check_config(doc, config)
    return (None if has_errors(problems) else config), doc, problems


def check_incident_file(path: Path, display: str, config: Config | None
                        ) -> tuple[Incident | None, Document | None, list[Problem]]:
    doc, problems = load_file(path, display)
    if doc is None:
        return None, None, problems
    if not isinstance(doc.data, dict):
        kind = "a list" if isinstance(doc.data, list) else "a single value"
        found = Problem(display, 1, 1, Level.ERROR, "not-a-mapping",
                        f"an incident file must be a mapping of fields, not {kind}")
        return None, doc, [*problems, found]
    problems += check(doc, "incident")
    if has_errors(problems):
        return None, doc, problems
    incident = build_incident(doc.data, display)
    problems += check_incident(doc, incident, config)
    return (None if has_errors(problems) else incident), doc, problems


def _duplicates(root: Path, files: list[Path], docs: dict[str, Document]) -> list[Problem]:
    """Ids equal file stems, so two files with one stem anywhere in the repository clash."""
    by_stem: dict[str, list[str]] = defaultdict(list)
    for path in incident_files(root) + files:
        rel = relative(root, path)
        if rel not in by_stem[path.stem]:
            by_stem[path.stem].append(rel)
    out = []
    for stem, paths in by_stem.items():
        for rel in sorted(paths)[1:]:
            doc = docs.get(rel)
            line, col = doc.marks.at(("id",)) if doc else (1, 1)
            others = ", ".join(p for p in sorted(paths) if p != rel)
            out.append(Problem(rel, line, col, Level.ERROR, "duplicate-id",
                               f"id {stem!r} is already used by {others}; ids must be unique"))
    return out


def load_repository(root: Path, paths: list[Path] | None = None) -> Repository:
    """Load warroom.yaml and incident files (all of them, or those under `paths`)."""
    config, _, problems = load_config(root)
    repo = Repository(root, config, problems=problems)
    files = incident_files(root) if paths is None else _expand(paths)
    for path in files:
        display = relative(root, path)
        incident, doc, found = check_incident_file(path, display, config)
        repo.problems += found
        if doc is not None:
            repo.documents[display] = doc
        if incident is not None:
            repo.incidents.append(incident)
    repo.problems += _duplicates(root, files, repo.documents)
    dup_paths = {p.path for p in repo.problems if p.code == "duplicate-id"}
    repo.incidents = [i for i in repo.incidents if i.path not in dup_paths]
    repo.incidents.sort(key=lambda i: i.id)
    repo.problems.sort()
    return repo


def _expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        elif path.exists():
            out.append(path)
        else:
            raise WarroomError(f"{path}: no such file or folder")
    # warroom.yaml is checked on its own; passing it explicitly must not treat it as an incident.
    return [p for p in dict.fromkeys(out) if p.name != CONFIG_NAME]
