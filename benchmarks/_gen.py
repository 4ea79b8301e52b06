"""Synthetic but realistic incident repositories for benchmarks (and tests that need many files).

`write_config(root)` writes a warroom.yaml with a dozen components in groups and four
severities; `write_incidents(root, n, seed)` writes n valid incident files under
incidents/<year>/, deterministic for a given seed; `make_git_repo(root, n)` does both and
commits them (as after a clone); `git(repo, ...)` runs git with a pinned identity and
date. Files look like what a team writes: roles, stated times, several updates,
postmortems and action items on resolved incidents, regulatory blocks on security and
data-loss incidents, maintenance with windows.
"""

from __future__ import annotations

import os
import random
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

CONFIG = """\
# yaml-language-server: $schema=schema/config.schema.json
site:
  title: Northwind status
  description: Live status of the Northwind payment platform.
  base_url: https://status.northwind.example
  timezone: Europe/Paris
groups:
  - id: customer
    name: Customer facing
    components:
      - {id: web, name: Website}
      - {id: checkout, name: Checkout}
      - {id: mobile-api, name: Mobile API}
      - {id: dashboard, name: Merchant dashboard}
  - id: platform
    name: Platform
    components:
      - {id: api, name: Public API}
      - {id: payments, name: Payment processing}
      - {id: payouts, name: Payouts}
      - {id: webhooks, name: Webhooks}
      - {id: search, name: Search}
  - id: infrastructure
    name: Infrastructure
    components:
      - {id: database, name: Primary database, internal: true}
      - {id: queue, name: Message queue, internal: true}
      - {id: cdn, name: CDN}
severities:
  - id: SEV1
    name: Critical
    impact: critical
    targets: {acknowledge: 15m, identify: 1h, mitigate: 2h, resolve: 8h,
              first_update: 30m, update_every: 1h, postmortem: 5d}
  - id: SEV2
    name: Major
    impact: major
    targets: {acknowledge: 30m, identify: 2h, mitigate: 4h, resolve: 24h,
              first_update: 1h, update_every: 2h, postmortem: 10d}
  - id: SEV3
    name: Minor
    impact: minor
    targets: {acknowledge: 4h, resolve: 5d}
  - id: SEV4
    name: Low
    impact: none
    targets: {resolve: 30d}
sla:
  postmortem_for: [SEV1, SEV2]
causes:
  config-change: A configuration change
  deploy: A code deployment
  capacity: Capacity exhausted
  dependency: A third-party dependency failed
  certificate: An expired or invalid certificate
  network: A network fault
  data-migration: A data migration
"""

COMPONENTS = ["web", "checkout", "mobile-api", "dashboard", "api", "payments", "payouts",
              "webhooks", "search", "database", "queue", "cdn"]
TYPES = ["outage", "degradation", "network", "bug", "security", "data-loss", "maintenance"]
TYPE_WEIGHTS = [20, 30, 12, 20, 5, 3, 10]
SEVERITIES = ["SEV1", "SEV2", "SEV3", "SEV4"]
IMPACTS = ["degraded_performance", "partial_outage", "major_outage"]
CAUSES = ["config-change", "deploy", "capacity", "dependency", "certificate", "network",
          "data-migration"]
ACTIONS = ["Add a canary stage", "Alert on replica lag", "Automate the rollback",
           "Load test the new pool"]
PEOPLE = ["@alice", "@bob", "@carol", "@dmitri", "@erin", "@farid", "@grace", "@hiro",
          "@acme/sre", "@acme/payments"]
WORDS = ["checkout", "errors", "latency", "eu-west", "us-east", "timeouts", "webhook",
         "delays", "login", "failures", "payout", "backlog", "search", "degraded", "tls",
         "certificate", "dns", "packet-loss", "cache", "stampede", "replica", "lag"]
OPENERS = [
    "We are investigating elevated error rates on {c}.",
    "Some customers report failures when using {c}; we are looking into it.",
    "Alerts fired for {c} latency above 2 seconds at p99; the on-call engineer is on it.",
]
MIDDLES = [
    "The cause is a configuration change rolled out at {t}. We are rolling it back.",
    "A database replica fell behind after a failover; traffic is being moved to a healthy one.",
    "An upstream provider is dropping connections in one region. We have routed around it.",
    "A deploy introduced a regression in request validation. A fix is being deployed.",
]
CLOSERS = [
    "Error rates are back to normal. We will keep monitoring for the next hour.",
    "This incident is resolved. A postmortem will follow within five working days.",
]
POSTMORTEM = """\
## Summary

Between {start} and {end}, {pct}% of requests to {c} failed.

## Root cause

{cause}

## What went well

- The alert fired within two minutes.
- The rollback was scripted and took four minutes.

## What went wrong

- The change skipped the canary stage.
- The status page was first updated 25 minutes after detection.
"""


def write_config(root: Path) -> Path:
    """Write the benchmark warroom.yaml at root and return its path."""
    path = root / "warroom.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def _ts(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _q(text: str) -> str:
    """A double-quoted YAML scalar (safe for any message)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _incident(rng: random.Random, index: int, start: datetime, age: timedelta
              ) -> tuple[str, str]:
    """One incident file (id, text). `age`: how long before the end of the generated span it
    started. As on real status pages, only recent incidents can still be open and only
    maintenance planned near the end is still to come (moved a month ahead)."""
    kind = rng.choices(TYPES, TYPE_WEIGHTS)[0]
    if kind == "maintenance":
        done = rng.random() < 0.8 or age > timedelta(days=30)
        if not done:
            start += timedelta(days=30)
    slug = "-".join(rng.sample(WORDS, 2)) + f"-{index}"
    ident = f"{start:%Y-%m-%d}-{slug}"
    comps = rng.sample(COMPONENTS, rng.randint(1, 3))
    main = comps[0]
    sev = rng.choice(SEVERITIES)
    lines = ["# yaml-language-server: $schema=../../schema/incident.schema.json",
             f"id: {ident}",
             f"title: {_q(slug.replace('-', ' ').capitalize() + ' on ' + main)}",
             f"type: {kind}", f"severity: {sev}"]
    if kind == "maintenance":
        status = "completed" if done else "scheduled"
        lines.append(f"status: {status}")
        lines.append("components:")
        lines += [f"  - id: {c}\n    impact: under_maintenance" for c in comps]
        end = start + timedelta(hours=rng.choice([1, 2, 4]))
        lines += ["window:", f"  start: {_ts(start)}", f"  end: {_ts(end)}"]
        lines += ["updates:", "  - status: scheduled",
                  "    message: " + _q(f"Planned maintenance of {main}; short interruptions "
                                    "possible.")]
        if done:
            lines += ["  - status: in_progress", f"    at: {_ts(start)}",
                      "    message: Maintenance has started.",
                      "  - status: completed", f"    at: {_ts(end)}",
                      "    message: Maintenance is complete; everything is operating normally."]
        return ident, "\n".join(lines) + "\n"
    resolved = rng.random() < 0.9 or age > timedelta(days=3)
    status = "resolved" if resolved else rng.choice(["investigating", "identified", "monitoring"])
    internal = rng.random() < 0.1
    lines.append(f"status: {status}")
    if internal:
        lines.append("visibility: internal")
    lines.append(f"summary: {_q(f'Customers using {main} saw errors and slow responses.')}")
    lines.append("components:")
    lines += [f"  - id: {c}\n    impact: {rng.choice(IMPACTS)}" for c in comps]
    cmd, comms = rng.sample(PEOPLE[:8], 2)
    lines.append(f'roles: {{commander: "{cmd}", communications: "{comms}"}}')
    detected = start + timedelta(minutes=rng.randint(1, 20))
    identified = detected + timedelta(minutes=rng.randint(10, 60))
    mitigated = identified + timedelta(minutes=rng.randint(10, 180))
    done_at = mitigated + timedelta(minutes=rng.randint(5, 240))
    lines += [f"impact_started_at: {_ts(start)}", f"detected_at: {_ts(detected)}"]
    if resolved:
        lines += [f"mitigated_at: {_ts(mitigated)}", f"resolved_at: {_ts(done_at)}"]
    lines.append(f"causes: [{', '.join(rng.sample(CAUSES, rng.randint(1, 2)))}]")
    flow = ["investigating", "identified", "monitoring", "resolved"]
    stop = flow.index(status) + 1
    times = [detected + timedelta(minutes=5), identified, mitigated, done_at]
    texts = [rng.choice(OPENERS).format(c=main), rng.choice(MIDDLES).format(t=_ts(start)),
             CLOSERS[0], CLOSERS[1]]
    lines.append("updates:")
    for step in range(stop):
        lines += [f"  - status: {flow[step]}", f"    at: {_ts(times[step])}",
                  f'    author: "{comms}"', f"    message: {_q(texts[step])}"]
        if step == 1 and rng.random() < 0.3:
            later = times[step] + timedelta(minutes=5)
            lines += [f"  - status: {flow[step]}", f"    at: {_ts(later)}",
                      "    visibility: internal",
                      "    message: Rollback blocked by a stuck deploy lock; paging the owner."]
    if resolved and sev in ("SEV1", "SEV2"):
        body = POSTMORTEM.format(start=_ts(start), end=_ts(mitigated), pct=rng.randint(2, 60),
                                 c=main, cause=rng.choice(MIDDLES).format(t=_ts(start)))
        pm_status = rng.choice(["draft", "in_review", "published"])
        lines += ["postmortem:", f"  status: {pm_status}", f'  owner: "{cmd}"', "  body: |"]
        lines += [f"    {row}" if row else "" for row in body.splitlines()]
        lines.append("action_items:")
        for n in range(rng.randint(1, 3)):
            due = (done_at + timedelta(days=14 + 7 * n)).date().isoformat()
            title = f"{rng.choice(ACTIONS)} ({n + 1})"
            lines += [f"  - title: {_q(title)}",
                      f'    owner: "{rng.choice(PEOPLE)}"', f"    due: {due}",
                      f"    status: {rng.choice(['open', 'in_progress', 'done'])}",
                      f"    url: https://tracker.example/INC-{index}-{n}"]
    if kind in ("security", "data-loss"):
        personal = rng.choice(["yes", "no", "suspected"])
        lines += ["regulatory:", f'  personal_data: "{personal}"']
        if personal == "yes":
            aware = detected + timedelta(hours=2)
            lines += [f"  aware_at: {_ts(aware)}", '  decided_by: "@dpo"',
                      "  regimes: [gdpr]", "  reports:",
                      "    - regime: gdpr", "      kind: notification",
                      f"      submitted_at: {_ts(aware + timedelta(hours=30))}",
                      f"      reference: CNIL-{index}"]
    lines += ["links:", "  - title: Grafana dashboard",
              f"    url: https://grafana.example/d/{main}"]
    return ident, "\n".join(lines) + "\n"


def write_incidents(root: Path, n: int, seed: int = 0) -> list[Path]:
    """Write n valid incident files under root/incidents/<year>/ and return their paths."""
    rng = random.Random(seed)
    base = datetime(2023, 1, 1, tzinfo=UTC)
    end = datetime(2026, 6, 1, tzinfo=UTC)
    span = (end - base).total_seconds()
    out: list[Path] = []
    for index in range(n):
        start = base + timedelta(seconds=int(rng.random() * span) // 60 * 60)
        ident, text = _incident(rng, index, start, end - start)
        folder = root / "incidents" / ident[:4]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{ident}.yaml"
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
           "GIT_AUTHOR_DATE": "2026-06-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-06-01T00:00:00Z"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def make_git_repo(root: Path, n: int) -> Path:
    """A repository of n incidents (seed n) in one commit, at `root` (created)."""
    root.mkdir(parents=True, exist_ok=True)
    write_config(root)
    write_incidents(root, n, seed=n)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "incidents")
    return root


if __name__ == "__main__":  # pragma: no cover - handy for a look at the output
    import sys
    import tempfile

    where = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    write_config(where)
    print(len(write_incidents(where, int(sys.argv[2]) if len(sys.argv) > 2 else 20)), where)
