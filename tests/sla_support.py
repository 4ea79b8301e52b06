"""Builders shared by the SLA tests: configs, incidents and Recorded values by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from conftest import MINIMAL_CONFIG
from warroom.config import Config, build_config
from warroom.model import Incident, build_incident
from warroom.recorded import Change, Recorded, SeverityChange
from warroom.resources import defaults_dir

T0 = datetime.fromisoformat("2026-03-02T09:00:00+00:00")  # a Monday


def at(minutes: float, base: datetime = T0) -> datetime:
    return base + timedelta(minutes=minutes)


def config(**extra: Any) -> Config:
    data = yaml.safe_load(MINIMAL_CONFIG)
    data.update(extra)
    regimes = yaml.safe_load((defaults_dir() / "regimes.yaml").read_text(encoding="utf-8"))
    return build_config(data, Path("/nonexistent"), regimes)


def incident(**fields: Any) -> Incident:
    data: dict[str, Any] = {
        "id": "2026-03-02-checkout", "title": "Checkout errors", "type": "outage",
        "severity": "SEV2", "status": "investigating",
        "components": [{"id": "checkout", "impact": "major_outage"}],
        "updates": [{"status": "investigating", "message": "Looking."}],
    }
    data.update(fields)
    return build_incident(data, "incidents/2026/2026-03-02-checkout.yaml")


def change(minutes: float, commit: str = "", base: datetime = T0) -> Change:
    return Change(at(minutes, base), commit or f"c{int(minutes * 60):08d}".ljust(40, "0"),
                  "Alice <alice@example.com>")


def recorded(declared: float = 0, **fields: Any) -> Recorded:
    """Minutes after T0 for every Change field; updates as a list of minutes."""
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "updates":
            values[name] = tuple(
                change(v) if not isinstance(v, Change) else v for v in value)
        elif name == "severity_changes":
            values[name] = tuple(SeverityChange(change(m), b, a) for m, b, a in value)
        elif value is not None and not isinstance(value, Change):
            values[name] = change(value)
        else:
            values[name] = value
    return Recorded("2026-03-02-checkout", "incidents/2026/2026-03-02-checkout.yaml",
                    change(declared), **values)
