"""`warroom import cstate`: a cState site (Hugo) into warroom incidents and components.

cState keeps one Markdown file per incident with YAML front matter (title, date, resolved,
resolvedWhen, severity, affected, informational) and declares its systems and categories
in config.yml. Sites keep issues in content/issues/; a bare export has issues/ at the top.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from warroom.errors import WarroomError
from warroom.importers.common import (
    OTHER_GROUP,
    Draft,
    Guess,
    Plan,
    SiteInfo,
    Target,
    assign_ids,
    format_time,
    utc_day,
)
from warroom.importers.components import Components
from warroom.importers.cstimes import file_date, read_time
from warroom.importers.htmltext import neutralise_html
from warroom.slugs import slugify
from warroom.yamlload import parse_text

TOOL = "cstate"
CONFIG_NAMES = ("config.yml", "config.yaml", "hugo.yml", "hugo.yaml")
ISSUE_DIRS = ("content/issues", "issues")
# cState severity -> (impact level for the severity, component impact, incident type)
SEVERITIES = {
    "down": ("critical", "major_outage", "outage"),
    "disrupted": ("major", "partial_outage", "degradation"),
    "notice": ("minor", "degraded_performance", "degradation"),
}
_SYNONYMS = {
    "down": ("critical", "major", "major_outage", "outage", "high", "red", "severe"),
    "notice": ("minor", "low", "info", "information", "informational", "degraded",
               "degraded_performance", "warning", "maintenance", "none", "ok"),
    "disrupted": ("partial", "partial_outage", "medium", "moderate", "disruption",
                  "disrupt", "disruptive", "degradation"),
}
KNOWN_FIELDS = {"title", "date", "resolved", "resolvedWhen", "severity", "affected",
                "informational", "draft"}
SILENT_FIELDS = {"section", "pin", "lastmod", "slug", "layout", "type", "weight"}
_MAINTENANCE = re.compile(r"\bmaint[ae]nance\b", re.IGNORECASE)
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)",
                    re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Options:
    assume_offset: timedelta = timedelta(0)
    detect_maintenance: bool = True


@dataclass
class Site:
    root: Path
    config_name: str  # "" when the site has no config file
    issues_dir: str  # relative to root, POSIX
    config_text: str = ""
    issues: dict[str, str] = field(default_factory=dict)  # path under issues_dir -> text


def find_layout(root: Path) -> tuple[str, str]:
    """(config file name, issues folder) of a cState site, both relative to root."""
    if not root.is_dir():
        raise WarroomError(f"{root}: no such folder", hint="give the folder of the cState site")
    issues = next((d for d in ISSUE_DIRS if (root / d).is_dir()), None)
    if issues is None:
        raise WarroomError(f"{root}: not a cState site: neither content/issues/ nor issues/",
                           hint="give the folder holding config.yml and content/issues/")
    config = next((c for c in CONFIG_NAMES if (root / c).is_file()), "")
    return config, issues


def read_site(root: Path) -> Site:
    config, issues_dir = find_layout(root)
    site = Site(root, config, issues_dir)
    if config:
        site.config_text = _read(root / config)
    base = root / issues_dir
    for path in sorted(base.rglob("*.md")):
        if path.is_file() and path.name != "_index.md":
            site.issues[path.relative_to(base).as_posix()] = _read(path)
    return site


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise WarroomError(f"{path}: cannot be read: {exc}",
                           hint="cState files are UTF-8 text") from exc


class Importer:
    """Converts one cState file at a time; kept across commits when replaying a history."""

    def __init__(self, target: Target, options: Options, issues_dir: str = "issues") -> None:
        self.target = target
        self.options = options
        self.issues_dir = issues_dir
        self.components = Components(target, "config.yml")
        self.site = SiteInfo("Status")
        self.guesses: list[Guess] = []  # about the configuration, not one incident
        self._seen_config: str | None = None
        self.config_version = 0  # bumped when another configuration is read

    def read_config(self, text: str, name: str = "config.yml") -> None:
        if text == self._seen_config:
            return
        self._seen_config = text
        self.config_version += 1
        doc, problems = parse_text(text, name)
        if doc is None or not isinstance(doc.data, dict):
            where = problems[0].location() + ": " + problems[0].message if problems else name
            raise WarroomError(f"cannot read the cState configuration: {where}")
        data: dict[str, Any] = doc.data
        params = data.get("params") if isinstance(data.get("params"), dict) else {}
        assert isinstance(params, dict)
        self.site = SiteInfo(str(data.get("title") or "Status").strip(),
                             str(params.get("description") or "").strip(),
                             str(data.get("baseURL") or data.get("baseurl") or "").strip())
        groups: dict[str, tuple[str, str]] = {}
        for raw in params.get("categories") or []:
            if isinstance(raw, dict) and raw.get("name"):
                gname = str(raw["name"])
                groups[gname] = (slugify(gname) or f"group-{len(groups) + 1}", gname)
        for raw in params.get("systems") or []:
            if not isinstance(raw, dict) or not raw.get("name"):
                continue
            category = str(raw.get("category") or "")
            if category and category not in groups:
                groups[category] = (slugify(category) or f"group-{len(groups) + 1}", category)
            group = groups[category] if category else OTHER_GROUP
            self.components.declare(group, str(raw["name"]),
                                    " ".join(str(raw.get("description") or "").split()))

    def convert(self, path: str, text: str, fallback: datetime) -> Draft:
        """One issue file (path relative to the issues folder) as a draft incident."""
        return _Conversion(self, path, text, fallback).run()

    def plan(self, drafts: list[Draft]) -> Plan:
        incidents, guesses = assign_ids(drafts, self.target.previous_ids(TOOL))
        every = [g for d in drafts for g in d.guesses] + guesses + self.guesses
        return Plan(TOOL, self.site, self.components.all(), incidents, sorted(set(every)))

    def url(self, stem: str) -> str:
        if not self.site.base_url:
            return ""
        return f"{self.site.base_url.rstrip('/')}/issues/{quote(stem.lower().replace(' ', '-'))}/"


class _Conversion:
    def __init__(self, importer: Importer, path: str, text: str, fallback: datetime) -> None:
        self.imp, self.path, self.fallback = importer, path, fallback
        self.text = text.replace("\r\n", "\n")
        self.source = f"{importer.issues_dir}/{path}"
        self.guesses: list[Guess] = []

    def guess(self, kind: str, message: str) -> None:
        self.guesses.append(Guess(self.source, kind, message))

    def run(self) -> Draft:
        front, body, commented = self.split()
        stem = PurePosixPath(self.path).with_suffix("").as_posix()
        named = file_date(PurePosixPath(stem).name)
        title = self.title(front.get("title"), stem)
        start, end, resolved = self.times(front, named)
        level, impact, kind = self.severity(front)
        if self.imp.options.detect_maintenance and _MAINTENANCE.search(title):
            kind, impact = "maintenance", "under_maintenance"
            self.guess("maintenance-from-title",
                       f"title {title!r} says maintenance: imported as scheduled maintenance")
        data: dict[str, Any] = {
            "title": title, "type": kind,
            "severity": self.imp.target.severity_for(level, self.guesses),
            "status": ("completed" if resolved else "scheduled") if kind == "maintenance"
            else ("resolved" if resolved else "investigating"),
        }
        if front.get("draft") is True:
            data["visibility"] = "internal"
            self.guess("draft", "draft: true; imported as internal so it stays off the site")
        data["components"] = [{"id": cid, "impact": impact}
                              for cid in self.components(front, commented)]
        message = self.message(body, title)
        if kind == "maintenance":
            data["window"] = self.window(start, end)
            data["updates"] = [{"status": "scheduled", "message": message}]
            if resolved:
                data["updates"].append(self.closing("completed", end,
                                                    "This maintenance has been completed."))
        else:
            data["impact_started_at"] = format_time(start)
            if resolved and end is not None:
                data["resolved_at"] = format_time(end)
            data["updates"] = [{"status": "investigating", "at": format_time(start),
                                "message": message}]
            if resolved:
                data["updates"].append(self.closing("resolved", end,
                                                    "This incident has been resolved."))
        source = {"tool": TOOL, "id": stem}
        if url := self.imp.url(PurePosixPath(stem).name):
            source["url"] = url
        data["source"] = source
        return Draft(self.source, stem, self.base_id(stem, named, title, start),
                     (stem,), data, tuple(self.guesses))

    def split(self) -> tuple[dict[str, Any], str, bool]:
        match = _FRONT.match(self.text)
        if match is None:
            self.guess("front-matter", "no YAML front matter (--- ... ---); title and date "
                                       "come from the file name")
            return {}, self.text, False
        doc, problems = parse_text(match.group(1), self.source)
        body = self.text[match.end():]
        commented = bool(re.search(r"^\s*#\s*affected\s*:", match.group(1), re.MULTILINE))
        if doc is None or not isinstance(doc.data, dict):
            why = problems[0].message if problems else "it is not a mapping"
            self.guess("front-matter", f"front matter unreadable ({why}); title and date "
                                       "come from the file name")
            return {}, body, commented
        front: dict[str, Any] = doc.data
        ignored = sorted(k for k in front if k not in KNOWN_FIELDS | SILENT_FIELDS)
        if ignored:
            self.guess("ignored-field", f"no warroom equivalent for {', '.join(ignored)}")
        return front, body, commented

    def title(self, raw: Any, stem: str) -> str:
        title = " ".join(str(raw).split()) if raw is not None else ""
        fixed = title
        if not fixed:
            named = file_date(PurePosixPath(stem).name)
            words = (named[1] if named else PurePosixPath(stem).name).replace("-", " ")
            fixed = " ".join(words.replace("_", " ").split()).capitalize() or "Incident"
        if len(fixed) < 3:
            fixed = f"{fixed} (imported)"
        if len(fixed) > 200:
            fixed = fixed[:199].rstrip() + "…"
        if fixed != title:
            self.guess("title-fixed", f"title {title!r} became {fixed!r}")
        return fixed

    def times(self, front: dict[str, Any], named: tuple[str, str] | None
              ) -> tuple[datetime, datetime | None, bool]:
        assume = self.imp.options.assume_offset
        start = read_time(front.get("date"), "date", self.source, assume, self.guesses)
        end = read_time(front.get("resolvedWhen"), "resolvedWhen", self.source, assume,
                        self.guesses)
        raw_resolved = front.get("resolved")
        resolved = raw_resolved is True or str(raw_resolved).lower() in ("true", "yes")
        if start is None:
            if named is not None:
                start = datetime.fromisoformat(named[0]).replace(tzinfo=UTC)
                origin = "the file name"
            elif end is not None:
                start, origin = end, "resolvedWhen"
            else:
                start, origin = self.fallback, "the file's last change"
            self.guess("no-date", f"no usable date: used {format_time(start)} from {origin}")
        if end is not None and end < start:
            self.guess("swapped-dates", f"resolvedWhen {format_time(end)} is before date "
                                        f"{format_time(start)}: swapped")
            start, end = end, start
        if resolved and end is None:
            self.guess("resolved-without-time", "resolved: true without resolvedWhen; the "
                                                "resolving update has no stated time")
        return start, end, resolved

    def severity(self, front: dict[str, Any]) -> tuple[str, str, str]:
        raw = front.get("severity")
        name = str(raw).strip().lower() if raw is not None else ""
        if name not in SEVERITIES:
            mapped = next((sev for sev, words in _SYNONYMS.items() if name in words),
                          "disrupted")
            self.guess("unknown-severity", f"severity {raw!r} is not one of cState's "
                                           f"(notice, disrupted, down): read as {mapped}")
            name = mapped
        level, impact, kind = SEVERITIES[name]
        if front.get("informational") is True:
            # cState shows informational issues without changing any system's status.
            level, impact = "none", "degraded_performance"
        return level, impact, kind

    def components(self, front: dict[str, Any], commented: bool) -> list[str]:
        raw = front.get("affected")
        names = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
        names = [" ".join(str(n).split()) for n in names if n is not None and str(n).strip()]
        if not names:
            why = ("affected is commented out" if commented and "affected" not in front
                   else "affected is missing" if "affected" not in front
                   else "affected is null" if raw is None else f"affected is {raw!r}")
            self.guess("missing-affected", f"{why}: used the placeholder component "
                                           f"{self.imp.components.placeholder()}")
            return [self.imp.components.placeholder()]
        ids = [self.imp.components.resolve(n, self.source, self.guesses) for n in names]
        return list(dict.fromkeys(ids))

    def message(self, body: str, title: str) -> str:
        text, escaped = neutralise_html(body.strip("\n").rstrip())
        if escaped:
            self.guess("raw-html", f"{escaped} raw HTML tag(s) escaped so they show as text")
        if not text.strip():
            self.guess("empty-body", "no text under the front matter; the title is the "
                                     "first update")
            return title
        return text

    def window(self, start: datetime, end: datetime | None) -> dict[str, str]:
        if end is None or end <= start:
            fixed = start + timedelta(hours=1)
            self.guess("window-fixed", f"maintenance window end "
                                       f"{format_time(end) if end else 'missing'}: "
                                       f"ends at {format_time(fixed)} instead")
            end = fixed
        return {"start": format_time(start), "end": format_time(end)}

    @staticmethod
    def closing(status: str, at: datetime | None, message: str) -> dict[str, str]:
        update = {"status": status}
        if at is not None:
            update["at"] = format_time(at)
        update["message"] = message
        return update

    def base_id(self, stem: str, named: tuple[str, str] | None, title: str,
                start: datetime) -> str:
        name = PurePosixPath(stem).name
        if named is not None:
            return f"{named[0]}-{slugify(named[1], 80) or slugify(title) or 'incident'}"
        day = utc_day(start)
        self.guess("id-from-title", f"file name {name!r} has no date: id starts with the "
                                    f"start date {day}")
        return f"{day}-{slugify(name, 80) or slugify(title) or 'incident'}"


def plan_site(site: Site, target: Target, options: Options) -> Plan:
    """Convert a whole cState site as it is on disk."""
    importer = Importer(target, options, site.issues_dir)
    if site.config_text:
        importer.read_config(site.config_text, site.config_name)
    drafts = []
    for path, text in site.issues.items():
        mtime = (site.root / site.issues_dir / path).stat().st_mtime
        fallback = datetime.fromtimestamp(int(mtime), UTC)
        drafts.append(importer.convert(path, text, fallback))
    return importer.plan(drafts)
