"""Hand-built incidents, recorded times and clocks for the metrics and report tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from conftest import MINIMAL_CONFIG
from warroom.clock import Clock, ClockState
from warroom.config import Config, build_config
from warroom.durations import parse_time
from warroom.model import Incident, build_incident
from warroom.recorded import Change, Recorded

SLO_CONFIG = MINIMAL_CONFIG.replace(
    "      - {id: api, name: API}\n",
    "      - {id: api, name: API, slo: {target: 99.9, window: 30d}}\n",
).replace(
    "      - {id: checkout, name: Checkout}\n",
    "      - {id: checkout, name: Checkout, slo: {target: 99.5, window: 7d, "
    "maintenance: counted}}\n",
) + "repeats: {window: 30d}\n"


def config(text: str = SLO_CONFIG, root: Path = Path(".")) -> Config:
    return build_config(yaml.safe_load(text), root, {})


def t(text: str) -> datetime:
    return parse_time(text)


def incident(ident: str, **fields: Any) -> Incident:
    """An incident from schema-shaped data; times are strings, as in a file."""
    data: dict[str, Any] = {
        "id": ident, "title": f"Incident {ident}", "type": "outage", "severity": "SEV2",
        "status": "resolved", "components": [{"id": "api", "impact": "major_outage"}],
        "updates": [{"status": "investigating", "message": "Looking."}],
    }
    data.update(fields)
    return build_incident(data, f"incidents/{ident[:4]}/{ident}.yaml")


def change(at: str, commit: str = "c" * 40) -> Change:
    return Change(t(at), commit, "Alice <alice@example.com>")


def recorded(ident: str, declared: str, **moments: str) -> Recorded:
    """Recorded times: declared, and any of acknowledged/identified/monitoring/resolved/..."""
    fields: dict[str, Any] = {k: change(v) for k, v in moments.items()}
    return Recorded(ident, f"incidents/{ident[:4]}/{ident}.yaml", change(declared), **fields)


def clock(ident: str, target: str, state: ClockState, start: str = "2026-11-02T10:00:00Z",
          allowed: timedelta = timedelta(hours=1), severity: str = "SEV2") -> Clock:
    begin = t(start)
    stopped = None if state in (ClockState.RUNNING, ClockState.AT_RISK) else begin
    return Clock(ident, target, begin, begin + allowed, stopped, timedelta(minutes=10),
                 allowed, state, severity)
