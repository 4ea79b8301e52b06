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
