"""`warroom new --from-issue`: read the Markdown body GitHub renders from the issue form.

GitHub writes each answer under a `### <label>` heading, `_No response_` for an empty
optional field, dropdown choices joined by ", ", and checkboxes as `- [X] label` lines. The
labels are defined once, here; `warroom init` writes the form from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from warroom.authoring.create import NewIncident, Note
from warroom.config import Config
from warroom.errors import WarroomError

NO_RESPONSE = "_No response_"
TITLE_PREFIX = "[Incident]: "
SOMETHING_ELSE = "Something else (say what in the description)"


@dataclass(frozen=True)
class Field:
    id: str
    label: str


COMPONENTS = Field("components", "What is broken?")
DESCRIPTION = Field("description", "What do you see?")
SINCE = Field("since", "Since when?")
WHO = Field("who", "Who is affected?")
SEVERITY = Field("severity", "How bad is it?")
DATA = Field("data", "Customer data")
CONTACT = Field("contact", "How can we reach you?")
FIELDS = (COMPONENTS, DESCRIPTION, SINCE, WHO, SEVERITY, DATA, CONTACT)

# A first guess from the reporter's answer; the commander corrects it with
# `warroom update ID --component id:impact`.
WHO_IMPACT = {
    "All customers": "major_outage",
    "Some customers": "partial_outage",
    "A few customers": "degraded_performance",
    "Only people inside the company": "degraded_performance",
}
INTERNAL_ONLY = "Only people inside the company"
DATA_AT_RISK = "Customer or personal data may have been exposed, changed or lost"

_HEADING = re.compile(r"^###[ \t]+(.+?)[ \t]*#*[ \t]*$")
_CHECKBOX = re.compile(r"^[-*][ \t]+\[([ xX])\][ \t]+(.*)$")
_FENCE = re.compile(r"^```[^\n]*\n(.*?)\n?```$", re.S)
_SINCE = re.compile(
    r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})(?::(\d{2}))?\s*"
    r"(Z|UTC|GMT|[+-]\d{2}:?\d{2}|[A-Za-z_]+/[A-Za-z_/+-]+)?"
)


def severity_option(severity_id: str, name: str, description: str) -> str:
    return f"{severity_id}: {name}" + (f" ({description.rstrip('.')})" if description else "")


def parse_body(body: str) -> dict[str, str | None]:
    """Answers by field id; None for an empty optional field. Unknown headings stay text."""
    by_label = {f.label.lower(): f.id for f in FIELDS}
    answers: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        match = _HEADING.match(line)
        field_id = by_label.get(match.group(1).strip().lower()) if match else None
        if field_id is not None:
            current = answers.setdefault(field_id, [])
            continue
        if current is not None:
            current.append(line)
    out: dict[str, str | None] = {}
    for field_id, lines in answers.items():
        value = "\n".join(lines).strip()
        fenced = _FENCE.match(value)
        if fenced:  # a textarea with `render:` comes back as a code block
            value = fenced.group(1).strip()
        out[field_id] = None if value in ("", NO_RESPONSE) else value
    return out


def checked(value: str | None) -> list[str]:
    """Labels of the ticked boxes in a checkboxes answer."""
    out = []
    for line in (value or "").split("\n"):
        match = _CHECKBOX.match(line.strip())
        if match and match.group(1) in "xX":
            out.append(match.group(2).strip())
    return out


def parse_since(text: str | None, zone: str, now: datetime) -> datetime | None:
    """A time the reporter typed, when it is one; read in the site's zone without an offset.

    Only a time in the past is kept: a stated time after the commit that records it is an
    error, and "about an hour ago" stays in the reporter's words in the internal note.
    """
    match = _SINCE.search(text or "")
    if match is None:
        return None
    day, clock, seconds, tz = match.groups()
    hour, minute = clock.split(":")
    iso = f"{day}T{int(hour):02d}:{minute}:{seconds or '00'}"
    try:
        if tz in (None, "UTC", "GMT", "Z"):
            zone_name = "UTC" if tz else zone
            value = datetime.fromisoformat(iso).replace(tzinfo=ZoneInfo(zone_name))
        elif tz[0] in "+-":
            value = datetime.fromisoformat(iso + tz[:3] + ":" + tz[-2:])
        else:
            value = datetime.fromisoformat(iso).replace(tzinfo=ZoneInfo(tz))
    except (ValueError, KeyError):
        return None
    return value if value <= now else None


def _components(value: str | None, config: Config, impact: str
                ) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    known = {c.name.lower(): c.id for c in config.components.values()}
    known.update({cid.lower(): cid for cid in config.components})
    found: list[tuple[str, str]] = []
    unknown: list[str] = []
    for item in (value or "").split(", "):
        name = item.strip()
        if not name or name == SOMETHING_ELSE:
            continue
        cid = known.get(name.lower())
        if cid is None:
            unknown.append(name)
        elif cid not in {c for c, _ in found}:
            found.append((cid, impact))
    return tuple(found), unknown


def _severity(value: str | None, config: Config) -> str:
    text = (value or "").strip()
    head = text.split(":", 1)[0].strip()
    for sev in config.severities:
        if head == sev.id or text.lower() == sev.name.lower():
            return sev.id
    choices = ", ".join(s.id for s in config.severities)
    raise WarroomError(f"issue form: 'How bad is it?' answer {text or '(empty)'!r} names no "
                       f"severity; expected one of {choices}",
                       hint="the form's options must start with a severity id from warroom.yaml")


def from_issue(body: str, config: Config, now: datetime, *, title: str | None = None,
               reporter: str | None = None, url: str | None = None,
               number: str | None = None) -> NewIncident:
    """A new incident from a rendered issue form; the reporter's words stay internal."""
    answers = parse_body(body)
    if not answers:
        raise WarroomError("issue form: no '### ' answers found in the issue body",
                           hint="was the issue opened with the 'Report an incident' form?")
    description = answers.get(DESCRIPTION.id) or ""
    if title:
        title = title.removeprefix(TITLE_PREFIX.strip()).strip() or None
    if not title:
        title = (description.split("\n", 1)[0].strip()[:80] or "Reported incident")
    who = answers.get(WHO.id)
    impact = WHO_IMPACT.get(who or "", "partial_outage")
    components, unknown = _components(answers.get(COMPONENTS.id), config, impact)
    data_at_risk = DATA_AT_RISK in checked(answers.get(DATA.id))
    since_text = answers.get(SINCE.id)
    note = [f"Reported{' by ' + reporter if reporter else ''}"
            f"{' in ' + url if url else ''} through the incident form."]
    if description:
        note += ["", description]
    extra = [("Since", since_text), ("Who is affected", who),
             ("Also broken", ", ".join(unknown) or None), ("Contact", answers.get(CONTACT.id))]
    if data_at_risk:
        extra.append(("Customer data", DATA_AT_RISK))
    lines = [f"- {name}: {value}" for name, value in extra if value]
    if lines:
        note += ["", *lines]
    source = {"tool": "github-issue"}
    if number:
        source["id"] = number
    if url:
        source["url"] = url
    return NewIncident(
        title=title,
        severity=_severity(answers.get(SEVERITY.id), config),
        type="security" if data_at_risk else "outage",
        components=components,
        internal=who == INTERNAL_ONLY,
        impact_started_at=parse_since(since_text, config.site.timezone, now),
        personal_data="suspected" if data_at_risk else None,
        notes=(Note("\n".join(note), author=reporter),),
        source=source if (number or url) else {},
    )
