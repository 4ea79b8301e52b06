"""`warroom report`: metrics, SLA compliance, availability and repeats for a period.

`model.build_report` gathers; `markdown`, `jsonout` and `html` render. Internal only: the
report carries SLA figures, which never reach the public site.
"""

from __future__ import annotations

from collections.abc import Callable

from warroom.report.model import Report, build_report

FORMATS = ("markdown", "json", "html")


def renderer(fmt: str) -> Callable[[Report], str]:
    if fmt == "markdown":
        from warroom.report.markdown import render
    elif fmt == "json":
        from warroom.report.jsonout import render
    elif fmt == "html":
        from warroom.report.html import render
    else:
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    return render


__all__ = ["FORMATS", "Report", "build_report", "renderer"]
