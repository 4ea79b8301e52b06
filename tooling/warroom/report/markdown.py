"""The report as Markdown, ready to paste into an e-mail or a wiki page."""

from __future__ import annotations

import re

from warroom.report import views
from warroom.report.model import Report
from warroom.report.views import Link, Table

# Characters that make Markdown markup: a title pasted into a wiki must stay text (no link
# to javascript:, no raw HTML, no code span), so each is escaped with a backslash.
_MARKUP = re.compile(r"([\\`\[\]<>|!])")


def _cell(cell: views.Cell) -> str:
    text = _MARKUP.sub(r"\\\1", str(cell)).replace("\n", " ")
    if isinstance(cell, Link):
        return f"[{text}]({cell.href.replace(' ', '%20').replace(')', '%29')})"
    return text


def table(found: Table, level: str = "##") -> list[str]:
    out = [f"{level} {found.caption}", ""]
    if not found.rows:
        out += ["None.", ""]
    else:
        out.append("| " + " | ".join(found.columns) + " |")
        out.append("|" + "|".join(" --- " for _ in found.columns) + "|")
        out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in found.rows]
        out.append("")
    if found.note:
        out += [f"_{found.note}_", ""]
    return out


def render(report: Report) -> str:
    link = views.file_links(report.config.site.base_url.rstrip("/"))
    metrics = report.metrics
    out = [
        f"# {report.config.site.title}: incident report, {report.label}",
        "",
        f"Incidents whose impact started from {report.since.isoformat()} to "
        f"{report.until.isoformat()} (exclusive); measured at {report.now.isoformat()}. "
        "Internal: contains SLA figures.",
        "",
    ]
    if not report.history:
        out += ["> No git history was available: recorded times are missing, so declare, "
                "acknowledge and SLA figures are empty.", ""]
    out += ["## Summary", ""] + [f"- {line}" for line in views.summary(report)] + [""]
    out += table(views.response_table(metrics.overall))
    out += table(views.compliance_table(metrics.overall))
    out += table(views.availability_table(report.availability, internal=True))
    out += table(views.repeat_table(report, link))
    for name, groups in metrics.groups.items():
        out += table(views.group_table(name, groups))
    out += table(views.incident_table(metrics.incidents, link))
    out += table(views.excluded_table(metrics.excluded, link))
    return "\n".join(out).rstrip("\n") + "\n"
