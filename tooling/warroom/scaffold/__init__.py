"""The files `warroom init` writes: a working incident repository in one step.

Pure: returns {repository-relative path: text}; the command decides what to write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from warroom import __version__
from warroom.authoring import issueform as form
from warroom.authoring.roundtrip import dump, make_yaml
from warroom.authoring.values import scalar
from warroom.config import Config
from warroom.resources import data_dir

FILES = Path(__file__).resolve().parent / "files"
ISSUE_FORM = ".github/ISSUE_TEMPLATE/report-incident.yml"
TRIAGE_LABEL = "incident-report"
WORKFLOWS = ("warroom-pr.yml", "warroom-sla.yml", "warroom-pages.yml", "warroom-report.yml")


@dataclass(frozen=True)
class Options:
    title: str = "Status"
    timezone: str = "UTC"
    default_branch: str = "main"
    requirement: str = f"warroom=={__version__}"  # what the workflows pip install


@cache
def _template(name: str) -> str:
    return (FILES / name).read_text(encoding="utf-8")


def _fill(text: str, options: Options, **extra: str) -> str:
    values = {"TITLE": options.title, "TIMEZONE": options.timezone,
              "BRANCH": options.default_branch, "WARROOM": options.requirement, **extra}
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text


def files(options: Options, config: Config, day: date) -> dict[str, str]:
    """Everything a new repository needs; `config` is the one built from its warroom.yaml."""
    out = {"warroom.yaml": config_text(options)}
    for name in ("incident", "config"):
        schema = data_dir("schema") / f"{name}.schema.json"
        out[f"schema/{name}.schema.json"] = schema.read_text(encoding="utf-8")
    for workflow in WORKFLOWS:
        out[f".github/workflows/{workflow}"] = _fill(_template(f"workflows/{workflow}"), options)
    out[".github/pull_request_template.md"] = _template("pull_request_template.md")
    out[ISSUE_FORM] = issue_form(config)
    example_id = f"{day.isoformat()}-example-drill"
    out[f"incidents/{day.year}/{example_id}.yaml"] = _fill(_template("example.yaml"), options,
                                                           ID=example_id)
    out[".gitignore"] = _template("gitignore")
    out["README.md"] = _fill(_template("README.md"), options)
    return out


def config_text(options: Options) -> str:
    return _fill(_template("warroom.yaml"), options)


def _seq(*items: object) -> CommentedSeq:
    out = CommentedSeq()
    out.extend(scalar(i) if isinstance(i, str) else i for i in items)
    return out


def _map(**items: object) -> CommentedMap:
    out = CommentedMap()
    for key, value in items.items():
        out[key] = scalar(value) if isinstance(value, str) else value
    return out


def issue_form(config: Config) -> str:
    """The 'Report an incident' issue form, with this repository's components and levels."""
    components = [c.name for c in config.components.values() if not c.internal]
    severities = [form.severity_option(s.id, s.name, s.description) for s in config.severities]
    body = _seq(
        _map(type="markdown", attributes=_map(value=(
            "Something is broken or slow? Tell us here; no need to know how incidents are "
            "recorded. A maintainer turns this report into an incident, and the status page "
            "says so once it is confirmed."))),
        _map(type="dropdown", id=form.COMPONENTS.id, attributes=_map(
            label=form.COMPONENTS.label, description="Pick every part that misbehaves.",
            multiple=True, options=_seq(*components, form.SOMETHING_ELSE)),
            validations=_map(required=True)),
        _map(type="textarea", id=form.DESCRIPTION.id, attributes=_map(
            label=form.DESCRIPTION.label,
            description="What did you try, what happened, what did you expect? Error "
                        "messages and screenshots help.",
            placeholder="Payments fail with 'card declined' for every card since this "
                        "morning."),
            validations=_map(required=True)),
        _map(type="input", id=form.SINCE.id, attributes=_map(
            label=form.SINCE.label,
            description="A date and time if you know it (2026-11-20 09:00, in "
                        f"{config.site.timezone} unless you say otherwise), or your words.",
            placeholder="2026-11-20 09:00"),
            validations=_map(required=False)),
        _map(type="dropdown", id=form.WHO.id, attributes=_map(
            label=form.WHO.label, options=_seq(*form.WHO_IMPACT)),
            validations=_map(required=True)),
        _map(type="dropdown", id=form.SEVERITY.id, attributes=_map(
            label=form.SEVERITY.label, description="Your best guess; we may change it.",
            options=_seq(*severities)),
            validations=_map(required=True)),
        _map(type="checkboxes", id=form.DATA.id, attributes=_map(
            label=form.DATA.label,
            options=_seq(_map(label=form.DATA_AT_RISK, required=False)))),
        _map(type="input", id=form.CONTACT.id, attributes=_map(
            label=form.CONTACT.label,
            description="Only if we should reach you somewhere else than this issue."),
            validations=_map(required=False)),
    )
    document = _map(
        name="Report an incident",
        description="Something is broken or slow for customers. No YAML needed.",
        title=form.TITLE_PREFIX, labels=_seq(TRIAGE_LABEL), body=body,
    )
    header = ("# Written by `warroom init` from warroom.yaml; after changing components or\n"
              "# severities, refresh it with `warroom init --refresh-issue-form`.\n"
              "# `warroom new --from-issue` reads the answers by these labels: keep them.\n")
    return header + dump(make_yaml(2, 4, 2), document)
