from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from warroom.recorded import Change, Recorded
from warroom.repo import load_repository
from warroom.sla import backfilled, evaluate

INCIDENT = """\
id: 2026-03-02-old-outage
title: An outage written down a week later
type: security
severity: SEV1
status: resolved
components: [{id: api, impact: major_outage}]
resolved_at: 2026-03-02T12:00:00Z
regulatory:
  personal_data: "yes"
  aware_at: 2026-03-02T11:00:00Z
  decided_by: "@dpo"
  regimes: [gdpr]
updates:
  - {status: investigating, at: 2026-03-02T10:00:00Z, message: Investigating.}
  - {status: resolved, at: 2026-03-02T12:00:00Z, message: Resolved.}
"""


def _change(text: str) -> Change:
    return Change(datetime.fromisoformat(text), "c" * 40, "Alice <alice@example.com>")


def test_an_incident_committed_after_it_ended_gets_no_response_clocks(
        warroom_repo: Path) -> None:
    path = warroom_repo / "incidents" / "2026" / "2026-03-02-old-outage.yaml"
    path.write_text(INCIDENT, encoding="utf-8")
    repo = load_repository(warroom_repo)
    assert repo.config is not None and repo.problems == []
    (incident,) = repo.incidents
    now = datetime(2026, 3, 20, tzinfo=UTC)
    late = Recorded(incident.id, incident.path, declared=_change("2026-03-09T09:00:00+00:00"),
                    resolved=_change("2026-03-09T09:00:00+00:00"))
    clocks = evaluate(incident, late, repo.config, now)
    # Only the regulatory clock, which runs on the stated awareness decision, remains.
    assert [c.target for c in clocks] == ["gdpr:notification"]
    assert backfilled(incident, late)

    live = Recorded(incident.id, incident.path, declared=_change("2026-03-02T10:05:00+00:00"),
                    resolved=_change("2026-03-02T12:05:00+00:00"))
    assert not backfilled(incident, live)
    targets = [c.target for c in evaluate(incident, live, repo.config, now)]
    assert "resolve" in targets and "postmortem" in targets
