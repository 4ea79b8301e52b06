"""Find a warroom repository and load its configuration and incidents, collecting problems."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
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
from warroom.yamlload import Document, Position, load_bytes, load_file, read_bytes

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
    """The repository-relative POSIX path shown in problems (absolute when outside)."""
    text = os.fspath(path)
    if not os.path.isabs(text):
        text = os.path.join(os.getcwd(), text)
    prefix = os.path.join(os.fspath(root), "")
    # String arithmetic first: pathlib's resolve costs a system call per path component,
    # and this runs for every file of the repository.
    if text.startswith(prefix) and ".." not in text.split(os.sep):
        return text[len(prefix):].replace(os.sep, "/")
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def incident_files(root: Path) -> list[Path]:
    base = os.path.join(root, INCIDENTS_DIR)
    if not os.path.isdir(base):
        return []
    found: list[str] = []
    for folder, dirs, names in os.walk(base):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [os.path.join(folder, name) for name in names
                  if name.endswith(SUFFIXES) and not name.startswith(".")]
    return [Path(p) for p in sorted(found)]


def _default_regimes() -> dict[str, Any]:
    doc, problems = load_file(defaults_dir() / "regimes.yaml")
    assert doc is not None and not problems, problems
    data: dict[str, Any] = doc.data
    return data


def read_config(root: Path) -> tuple[bytes | None, list[Problem]]:
    """The bytes of warroom.yaml (read once: they also key the validation cache)."""
    return read_bytes(root / CONFIG_NAME, CONFIG_NAME)


def config_from_bytes(root: Path, raw: bytes | None, problems: list[Problem]
                      ) -> tuple[Config | None, Document | None, list[Problem]]:
    if raw is None:
        return None, None, problems
    doc, found = load_bytes(raw, CONFIG_NAME)
    problems = problems + found
    if doc is None:
        return None, None, problems
    problems += check(doc, "config")
    if has_errors(problems):
        return None, doc, problems
    config = build_config(doc.data, root, _default_regimes())
    problems += check_config(doc, config)
    return (None if has_errors(problems) else config), doc, problems


def load_config(root: Path) -> tuple[Config | None, Document | None, list[Problem]]:
    raw, problems = read_config(root)
    return config_from_bytes(root, raw, problems)


def check_document(doc: Document | None, problems: list[Problem], display: str,
                   config: Config | None
                   ) -> tuple[Incident | None, Document | None, list[Problem]]:
    """Schema, then semantic rules, for one loaded incident document."""
    if doc is None:
        return None, None, problems
    if not isinstance(doc.data, dict):
        kind = "a list" if isinstance(doc.data, list) else "a single value"
        hint = ("; if the whole incident is one list item, remove its leading '- '"
                if kind == "a list" else "")
        found = Problem(display, *doc.marks.at(()), Level.ERROR, "not-a-mapping",
                        "an incident file must be a mapping of fields (id: ..., title: ..., "
                        f"...), not {kind}{hint}")
        return None, doc, [*problems, found]
    problems = problems + check(doc, "incident")
    if has_errors(problems):
        return None, doc, problems
    incident = build_incident(doc.data, display)
    problems += check_incident(doc, incident, config)
    return (None if has_errors(problems) else incident), doc, problems


def check_incident_file(path: Path, display: str, config: Config | None
                        ) -> tuple[Incident | None, Document | None, list[Problem]]:
    doc, problems = load_file(path, display)
    return check_document(doc, problems, display, config)


def check_incident_bytes(raw: bytes, display: str, config: Config | None
                         ) -> tuple[Incident | None, Document | None, list[Problem]]:
    doc, problems = load_bytes(raw, display)
    return check_document(doc, problems, display, config)


def duplicate_ids(everything: list[str], checked: set[str],
                  id_position: Callable[[str], Position]) -> list[Problem]:
    """Ids equal file stems, so two files with one stem anywhere in the repository clash.

    `everything` is every incident file's display path (the repository's and those checked),
    `checked` those checked in this run. Each clashing file checked is reported, except the
    first of its group (in path order) when another member was checked too: that one keeps
    its id.
    """
    by_stem: dict[str, set[str]] = defaultdict(set)
    for rel in everything:
        name = rel.rpartition("/")[2]
        by_stem[name.rsplit(".", 1)[0] if "." in name else name].add(rel)
    out = []
    for stem, members in by_stem.items():
        if len(members) < 2:
            continue
        group = sorted(members)
        reported = [rel for rel in group if rel in checked]
        if len(reported) > 1 and reported[0] == group[0]:
            reported = reported[1:]
        for rel in reported:
            line, col = id_position(rel)
            others = ", ".join(p for p in group if p != rel)
            out.append(Problem(rel, line, col, Level.ERROR, "duplicate-id",
                               f"id {stem!r} is also used by {others}; ids must be unique: "
                               "give one of them another slug (and rename its file)"))
    return out


def id_position(documents: dict[str, Document], display: str) -> Position:
    doc = documents.get(display)
    return doc.marks.at(("id",)) if doc is not None else (1, 1)


def all_displays(root: Path, checked: list[str], whole: bool) -> list[str]:
    """Display paths of the repository's incident files plus those checked."""
    if whole:
        return checked
    return [*(relative(root, p) for p in incident_files(root)), *checked]


def load_repository(root: Path, paths: list[Path] | None = None) -> Repository:
    """Load warroom.yaml and incident files (all of them, or those under `paths`)."""
    config, _, problems = load_config(root)
    repo = Repository(root, config, problems=problems)
    files = incident_files(root) if paths is None else expand_paths(paths, root)
    for path in files:
        display = relative(root, path)
        incident, doc, found = check_incident_file(path, display, config)
        repo.problems += found
        if doc is not None:
            repo.documents[display] = doc
        if incident is not None:
            repo.incidents.append(incident)
    checked = [relative(root, p) for p in files]
    everything = all_displays(root, checked, paths is None)
    repo.problems += duplicate_ids(everything, set(checked), partial(id_position, repo.documents))
    dup_paths = {p.path for p in repo.problems if p.code == "duplicate-id"}
    repo.incidents = [i for i in repo.incidents if i.path not in dup_paths]
    repo.incidents.sort(key=lambda i: i.id)
    repo.problems.sort()
    return repo


def expand_paths(paths: list[Path], root: Path | None = None) -> list[Path]:
    """Files to check: each file given, and the .yaml/.yml files under each folder.

    A folder that holds the repository's incidents folder (`warroom validate .` at the
    root) means the repository's incidents, not every YAML file below it.
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            here = path.resolve()
            if root is not None and (here == root or here in root.parents):
                out += incident_files(root)
            else:
                out += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        elif path.exists():
            out.append(path)
        else:
            raise WarroomError(f"{path}: no such file or folder")
    seen: set[Path] = set()
    unique: list[Path] = []
    for p in out:
        key = p.resolve()
        # warroom.yaml is checked on its own; naming it must not treat it as an incident.
        if key not in seen and p.name != CONFIG_NAME:
            seen.add(key)
            unique.append(p)
    return unique
