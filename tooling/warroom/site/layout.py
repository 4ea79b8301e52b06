"""What base.html needs on every page: the `page`, `t` and `url` of its context.

Shared by the pages producer and by producers of other pages extending base.html (the
availability and metrics pages).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from warroom.site import markdown, templating
from warroom.site.context import NavItem, Page, Urls
from warroom.site.data import SiteData
from warroom.site.i18n import Translator

NAV = (("nav.status", ""), ("nav.history", "history/"), ("nav.maintenance", "maintenance/"),
       ("nav.availability", "availability/"))
INTERNAL_NAV = (("nav.metrics", "internal/metrics/"),)


def translator(data: SiteData) -> Translator:
    return Translator(data.config.site.language, ZoneInfo(data.config.site.timezone))


def _nav(t: Translator, path: str, internal: bool) -> tuple[NavItem, ...]:
    items = NAV + (INTERNAL_NAV if internal else ())
    return tuple(NavItem(t(label), target, path == "index.html" if target == ""
                         else path.startswith(target)) for label, target in items)


def _contact(contact: str) -> str | None:
    if not contact:
        return None
    if "@" in contact and "://" not in contact and not contact.startswith("mailto:"):
        contact = f"mailto:{contact}"
    return markdown.safe_url(contact)


def base_context(data: SiteData, path: str, title: str, *, generated: datetime | None = None,
                 t: Translator | None = None) -> dict[str, Any]:
    """The context base.html needs, for the page at output `path` (producers of other
    pages extending base.html use this too): `page` (a context.Page), `t`, `url`."""
    t = t or translator(data)
    weights = data.config.weights
    root_absolute = path == "404.html" and not data.base_url
    urls = Urls(data.base_url, -1 if root_absolute else path.count("/"))
    page = Page(
        site=data.config.site, language=t.language, title=title, path=path,
        nav=_nav(t, path, data.internal), internal=data.internal,
        generated=t.datetime(generated) if generated is not None else None,
        method=t("uptime.method", major=t.percent(100 * weights.get("major_outage", 1), 0),
                 partial=t.percent(100 * weights.get("partial_outage", 0.5), 0),
                 degraded=t.percent(100 * weights.get("degraded_performance", 0), 0)),
        contact=_contact(data.config.site.contact),
    )
    return {"page": page, "t": t, "url": urls}


def render_page(data: SiteData, template: str, path: str, title: str, *,
                generated: datetime | None = None, **views: Any) -> bytes:
    """Render one page of the theme (or of a repository override) to bytes."""
    env = templating.environment(templating.theme_dirs(data.config.root))
    context = base_context(data, path, title, generated=generated)
    context.update(views)
    return env.get_template(template).render(context).encode("utf-8")
