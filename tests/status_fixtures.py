"""SiteData for the roll-up, uptime, feed, calendar, API and badge tests.

Incidents are written as YAML files into a tmp repository and loaded with the real loader
(so they are schema-valid by construction); what git recorded is built by hand.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from conftest import MINIMAL_CONFIG
from warroom.durations import parse_time
from warroom.recorded import Change, Recorded
from warroom.repo import load_repository
from warroom.site.data import SiteData
from warroom.status import audience_view

BASE_URL = "https://status.acme.test"
# One extra group whose only component is internal: it must never reach a public output.
CONFIG = MINIMAL_CONFIG.replace("severities:\n", """\
  - id: backoffice
    name: Back office
    components:
      - {id: ledger, name: Ledger reconciliation, internal: true}
severities:
""", 1)


def t(text: str) -> datetime:
    return parse_time(text)


def change(at: str, commit: str = "c" * 40) -> Change:
    return Change(t(at), commit, "Alice <alice@example.com>")


def recorded(ident: str, declared: str, updates: tuple[str, ...] = (), **moments: str
             ) -> Recorded:
    fields: dict[str, Any] = {k: change(v) for k, v in moments.items()}
    return Recorded(ident, f"incidents/{ident[:4]}/{ident}.yaml", change(declared),
                    updates=tuple(change(u) for u in updates), **fields)


def site(root: Path, incidents: dict[str, str], now: str, *, audience: str = "public",
         recorded_by_id: dict[str, Recorded] | None = None, base_url: str = BASE_URL,
         config: str = CONFIG) -> SiteData:
    """Write each YAML text as incidents/<year>/<id>.yaml, load, and view for `audience`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "warroom.yaml").write_text(config, encoding="utf-8")
    for ident, text in incidents.items():
        folder = root / "incidents" / ident[:4]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{ident}.yaml").write_text(f"id: {ident}\n{text}", encoding="utf-8")
    repo = load_repository(root)
    errors = [p for p in repo.problems if p.level.name == "ERROR"]
    assert not errors, errors
    assert repo.config is not None
    assert len(repo.incidents) == len(incidents)
    return SiteData(
        config=repo.config,
        incidents=audience_view(repo.incidents, repo.config, audience),
        recorded=recorded_by_id or {},
        now=t(now),
        base_url=base_url,
        audience=audience,
    )


def outage(title: str = "Checkout errors in eu-west", *, severity: str = "SEV2",
           status: str = "resolved", components: str = "{id: checkout, impact: major_outage}",
           extra: str = "", updates: str = "") -> str:
    """An incident body (without the id line) with sensible defaults."""
    if not updates:
        updates = "  - {status: investigating, message: We are looking into it.}\n"
        if status != "investigating":
            updates += f"  - {{status: {status}, message: Now {status}.}}\n"
    return (f"title: {title}\ntype: outage\nseverity: {severity}\nstatus: {status}\n"
            f"components: [{components}]\n{extra}updates:\n{updates}")


def maintenance(start: str, end: str, *, status: str = "scheduled",
                components: str = "{id: api, impact: under_maintenance}",
                title: str = "Database upgrade", extra: str = "") -> str:
    updates = "  - {status: scheduled, message: We will upgrade the database.}\n"
    if status != "scheduled":
        updates += f"  - {{status: {status}, message: Maintenance {status}.}}\n"
    return (f"title: {title}\ntype: maintenance\nseverity: SEV3\nstatus: {status}\n"
            f"components: [{components}]\nwindow: {{start: '{start}', end: '{end}'}}\n"
            f"{extra}updates:\n{updates}")


# Words that exist only in internal material: a public build must not contain any of them.
MARKERS = ("zanzibarquokka", "plinthgrackle", "vorpalmuskrat", "quillfennec", "ledger",
           "Ledger reconciliation", "oubliettewombat", "hushmarmot")
SAMPLE_NOW = "2026-11-22T12:00:00Z"


def sample(root: Path, audience: str = "public", base_url: str = BASE_URL) -> SiteData:
    """A small history: open and resolved incidents, maintenance past, present and future,
    hostile text, and internal material carrying MARKERS."""
    incidents = {
        "2026-11-22-checkout-errors": outage(
            status="identified", severity="SEV2",
            components="{id: checkout, impact: major_outage}, {id: api, impact: partial_outage}",
            extra="impact_started_at: '2026-11-22T09:02:00+01:00'\n"
                  "related: [2026-11-21-zanzibarquokka-outage]\n"
                  "roles: {commander: '@hushmarmot'}\n",
            updates="  - {status: investigating, message: 'Payments fail in **Europe**.'}\n"
                    "  - {status: investigating, visibility: internal,\n"
                    "     message: 'plinthgrackle config push by vorpalmuskrat'}\n"
                    "  - {status: identified, at: '2026-11-22T09:41:00+01:00',\n"
                    "     message: 'A <script>alert(1)</script> [link](javascript:alert(1))'}\n"),
        "2026-11-21-zanzibarquokka-outage": outage(
            title="zanzibarquokka cluster down", status="investigating", severity="SEV1",
            extra="visibility: internal\n"),
        "2026-11-20-statements": outage(
            title="Statements delayed", severity="SEV3",
            components="{id: ledger, impact: major_outage}, "
                       "{id: web, impact: degraded_performance}",
            extra="postmortem: {status: published, visibility: internal, body: oubliettewombat}\n"
                  "action_items: [{title: Tame quillfennec, owner: '@bob', due: 2026-12-01,"
                  " status: open}]\n"),
        "2026-11-18-cdn": outage(
            title="Website slow, \"Ünïcode\" & commas; semicolons", severity="SEV3",
            components="{id: web, impact: partial_outage}",
            extra="impact_started_at: '2026-11-18T22:30:00Z'\n"
                  "resolved_at: '2026-11-19T00:15:00Z'\n"
                  "postmortem: {status: published, body: The CDN purged its cache.}\n"),
        "2026-11-10-db-upgrade": maintenance("2026-11-12T01:00:00Z", "2026-11-12T03:00:00Z",
                                             status="completed"),
        "2026-11-21-network": maintenance("2026-11-22T11:00:00Z", "2026-11-22T13:00:00Z",
                                          components="{id: web, impact: under_maintenance}",
                                          title="Network maintenance"),
        "2026-11-21-storage": maintenance(
            "2026-11-25T22:00:00+01:00", "2026-11-26T02:00:00+01:00", title="Storage move " * 8),
        "2026-11-21-canceled": maintenance("2026-11-27T01:00:00Z", "2026-11-27T02:00:00Z",
                                           status="canceled", title="Canceled work"),
        "2026-11-19-secret-maint": maintenance(
            "2026-11-28T01:00:00Z", "2026-11-28T02:00:00Z", title="quillfennec rotation",
            extra="visibility: internal\n"),
    }
    rec = {
        "2026-11-22-checkout-errors": recorded(
            "2026-11-22-checkout-errors", "2026-11-22T08:10:00Z",
            updates=("2026-11-22T08:10:00Z", "2026-11-22T08:30:00Z", "2026-11-22T08:45:00Z"),
            identified="2026-11-22T08:45:00Z"),
        "2026-11-18-cdn": recorded("2026-11-18-cdn", "2026-11-18T22:40:00Z",
                                   updates=("2026-11-18T22:40:00Z", "2026-11-19T00:20:00Z"),
                                   resolved="2026-11-19T00:20:00Z"),
        "2026-11-10-db-upgrade": recorded("2026-11-10-db-upgrade", "2026-11-10T10:00:00Z",
                                          resolved="2026-11-12T03:05:00Z"),
    }
    return site(root, incidents, SAMPLE_NOW, audience=audience, recorded_by_id=rec,
                base_url=base_url)
