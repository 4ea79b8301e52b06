"""`--with-history`: replay a cState site's git history into the target, commit by commit.

Each source commit that touched the issues (or config.yml) becomes one target commit with
the converted files, the original author, author date, committer and committer date, and
the message prefixed `import(cstate): `. The history reader then sees each incident
declared and resolved when it really was. A trailer names the source commit, so running the
import again replays only what is new, and nothing when nothing is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from warroom import gitrepo
from warroom.atomic import write_text
from warroom.errors import WarroomError
from warroom.importers.apply import Outcome, config_text
from warroom.importers.common import Draft, Guess, Plan, format_time, read_target
from warroom.importers.cstate import TOOL, Importer, Options, find_layout
from warroom.importers.emit import render_incident
from warroom.repo import CONFIG_NAME, INCIDENTS_DIR, incident_files

_STATED = ("impact_started_at", "resolved_at")


@dataclass
class Replay:
    plan: Plan
    outcome: Outcome
    commits: list[tuple[str, str]] = field(default_factory=list)  # (source id, target id)
    already: int = 0  # source commits replayed by an earlier run


class _State:
    """The source files as of the commit being replayed, and their conversions."""

    def __init__(self, importer: Importer, prefix: str, issues_dir: str, config: str) -> None:
        self.importer = importer
        self.issues = f"{prefix}{issues_dir}/"
        self.config = f"{prefix}{config}" if config else ""
        self.files: dict[str, str] = {}  # path under the issues folder -> text
        self.first_seen: dict[str, datetime] = {}
        self.drafts: dict[tuple[str, str], Draft] = {}
        self.rendered: dict[tuple[str, str, str], str] = {}
        self.version = importer.config_version

    def apply(self, commit: gitrepo.SourceCommit, blobs: dict[str, bytes]) -> bool:
        touched = False
        for path, blob in commit.changes:
            text = blobs[blob].decode("utf-8-sig", "replace") if blob else None
            if path == self.config and text is not None:
                self.importer.read_config(text, self.config)
                touched = True
            elif path.startswith(self.issues) and path.endswith(".md"):
                rel = path[len(self.issues):]
                if PurePosixPath(rel).name == "_index.md":
                    continue
                touched = True
                if text is None:
                    self.files.pop(rel, None)
                else:
                    self.files[rel] = text
                    self.first_seen.setdefault(rel, datetime.fromisoformat(commit.author[2]))
        return touched

    def wanted(self) -> tuple[Plan, dict[str, str]]:
        if self.importer.config_version != self.version:
            # Another config.yml may map names to other components: convert afresh.
            self.version = self.importer.config_version
            self.drafts.clear()
            self.rendered.clear()
        drafts = []
        by_source: dict[str, tuple[str, str]] = {}
        for rel, text in sorted(self.files.items()):
            key = (rel, text)
            if key not in self.drafts:
                self.drafts[key] = self.importer.convert(rel, text, self.first_seen[rel])
            drafts.append(self.drafts[key])
            by_source[self.drafts[key].source] = key
        plan = self.importer.plan(drafts)
        files = {}
        for incident in plan.incidents:
            cache = (*by_source[incident.source], incident.id)
            if cache not in self.rendered:
                self.rendered[cache] = render_incident(incident.data)
            files[incident.path] = self.rendered[cache]
        return plan, files


def _late_statements(plan: Plan, changed: list[str], when: datetime) -> list[Guess]:
    """Stated times later than the commit recording them: the history check will flag them."""
    out = []
    for incident in plan.incidents:
        if incident.path not in changed:
            continue
        stated = [(k, incident.data.get(k)) for k in _STATED]
        stated += [(f"updates[{i}].at", u.get("at"))
                   for i, u in enumerate(incident.data["updates"])]
        for name, value in stated:
            if isinstance(value, str) and datetime.fromisoformat(value) > when:
                out.append(Guess(incident.source, "stated-after-commit",
                                 f"{name} {value} is later than the commit recording it "
                                 f"({format_time(when)})"))
    return out


def replay_cstate(site: Path, into: Path, options: Options, *, force: bool) -> Replay:
    top = gitrepo.git_top(site)
    if top is None:
        raise WarroomError(f"{site} is not in a git repository, so it has no history to replay",
                           hint="leave out --with-history to import the files as they are")
    config, issues_dir = find_layout(site)
    prefix = top.prefix
    specs = [f"{prefix}{issues_dir}"] + ([f"{prefix}{config}"] if config else [])
    commits = gitrepo.source_commits(top.top, specs)
    gitrepo.init_target(into)
    dirty = gitrepo.dirty_paths(into, [CONFIG_NAME, INCIDENTS_DIR])
    if dirty:
        raise WarroomError(f"{into} has uncommitted changes in {', '.join(dirty[:5])}",
                           hint="commit or discard them first: the replay commits these paths")
    done = gitrepo.replayed_sources(into, TOOL)
    importer = Importer(read_target(into), options, issues_dir)
    state = _State(importer, prefix, issues_dir, config)
    result = Replay(importer.plan([]), Outcome())
    expected: dict[str, str] = {}  # what earlier runs wrote
    protected: set[str] | None = None
    late: list[Guess] = []
    for commit in commits:
        blobs = gitrepo.read_blobs(top.top, [b for _, b in commit.changes if b])
        if not state.apply(commit, blobs):
            continue
        plan, files = state.wanted()
        result.plan = plan
        if commit.id in done:
            result.already += 1
            expected = files
            continue
        if protected is None:
            protected = set() if force else _foreign(into, expected)
        changed = _write(into, plan, files, expected, protected, result.outcome)
        expected = files
        if not changed:
            continue
        late += _late_statements(plan, changed, datetime.fromisoformat(commit.committer[2]))
        subject = commit.message.split("\n", 1)[0].strip()
        body = commit.message.split("\n", 1)[1] if "\n" in commit.message else ""
        made = gitrepo.commit_replayed(into, changed, commit, f"import({TOOL}): {subject}",
                                       body, TOOL)
        if made:
            result.commits.append((commit.id, made))
    result.plan.guesses = sorted(set(result.plan.guesses + late))
    touched = set(result.outcome.written + result.outcome.overwritten + result.outcome.skipped)
    result.outcome.unchanged = [i.path for i in result.plan.incidents if i.path not in touched]
    return result


def _foreign(into: Path, expected: dict[str, str]) -> set[str]:
    """Incident files already in the target that an earlier replay did not write as they are."""
    out = set()
    for path in incident_files(into):
        rel = path.relative_to(into).as_posix()
        if expected.get(rel) != path.read_text(encoding="utf-8"):
            out.add(rel)
    return out


def _write(into: Path, plan: Plan, files: dict[str, str], before: dict[str, str],
           protected: set[str], outcome: Outcome) -> list[str]:
    changed = []
    current, wanted, added = config_text(plan, into)
    if wanted != current:
        write_text(into / CONFIG_NAME, wanted)
        changed.append(CONFIG_NAME)
        if outcome.config != "created":
            outcome.config = "created" if current is None else "updated"
        outcome.components_added += [c for c in added if c not in outcome.components_added]
    for rel, text in files.items():
        path = into / rel
        on_disk = path.read_text(encoding="utf-8") if path.exists() else None
        if on_disk == text:
            continue
        if rel in protected:
            if rel not in outcome.skipped:
                outcome.skipped.append(rel)
            continue
        if on_disk is None:
            outcome.written.append(rel)
        elif rel not in outcome.written and rel not in outcome.overwritten:
            outcome.overwritten.append(rel)
        write_text(path, text)
        changed.append(rel)
    for rel in before.keys() - files.keys():
        if rel not in protected and (into / rel).exists():
            (into / rel).unlink()
            changed.append(rel)
    return sorted(changed)
