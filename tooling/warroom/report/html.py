"""The report as one self-contained HTML file: inline CSS, inline SVG plots, no JavaScript."""

from __future__ import annotations

from typing import Any

from warroom import __version__
from warroom.report import views
from warroom.report.model import Report
from warroom.report.plots import all_plots
from warroom.site.templating import environment, theme_dirs


def tables(report: Report, link: views.Linker | None = None) -> dict[str, Any]:
    link = link or views.file_links(report.config.site.base_url.rstrip("/"))
    metrics = report.metrics
    return {
        "response": views.response_table(metrics.overall),
        "compliance": views.compliance_table(metrics.overall),
        "availability": views.availability_table(report.availability, internal=True),
        "repeats": views.repeat_table(report, link),
        "groups": [views.group_table(name, groups) for name, groups in metrics.groups.items()],
        "incidents": views.incident_table(metrics.incidents, link),
        "excluded": views.excluded_table(metrics.excluded, link),
    }


def context(report: Report) -> dict[str, Any]:
    return {
        "title": f"{report.config.site.title}: incident report, {report.label}",
        "report": report,
        "summary": views.summary(report),
        "plots": all_plots(report),
        "tables": tables(report),
        "version": __version__,
    }


def render(report: Report) -> str:
    env = environment(theme_dirs(report.config.root))
    return env.get_template("report/report.html").render(context(report))
