"""How long the report and the availability pages take, for N incidents.

    .venv/bin/python benchmarks/bench_report.py            # N = 1,000 and 10,000
    .venv/bin/python benchmarks/bench_report.py 500 2000   # any N

For each N: generate N incident files (benchmarks/_gen.py) with SLOs on three components,
load them once, give each incident recorded times derived from its stated ones (no git, so
the figures are the computation alone), evaluate every SLA clock, then time, best of
--repeat runs:
- metrics: build_report for the last 365 days (per-incident metrics, aggregates,
  availability with budgets, repeats);
- markdown / json / html: each renderer on that report;
- site: the availability producer, public and internal (internal adds the metrics page).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gen import write_config, write_incidents

from warroom.model import Incident
from warroom.recorded import Change, Recorded
from warroom.repo import load_repository
from warroom.report import build_report, renderer
from warroom.site.availability import produce
from warroom.site.data import SiteData
from warroom.sla import evaluate
from warroom.status import audience_view

SLOS = {
    "{id: api, name: Public API}": "{id: api, name: Public API, slo: {target: 99.9}}",
    "{id: checkout, name: Checkout}":
        "{id: checkout, name: Checkout, slo: {target: 99.95, window: 7d}}",
    "{id: payments, name: Payment processing}":
        "{id: payments, name: Payment processing, slo: {target: 99.99, maintenance: counted}}",
}


def fake_recorded(incident: Incident) -> Recorded | None:
    """Recorded times a team would plausibly have committed, from the stated ones."""
    base = incident.detected_at or incident.impact_started_at
    if base is None:
        return None

    def at(moment: datetime | None) -> Change:
        assert moment is not None
        return Change(moment + timedelta(minutes=5), "0" * 40, "Bench <b@example.com>")

    resolved = incident.resolved_at
    return Recorded(
        incident.id, incident.path, at(base),
        acknowledged=at(base) if incident.commander else None,
        monitoring=at(incident.mitigated_at or resolved) if (incident.mitigated_at or resolved)
        else None,
        resolved=at(resolved) if resolved else None,
        updates=tuple(at(u.at or base) for u in incident.updates),
    )


def best(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(n: int, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"warroom-bench-report-{n}-") as tmp:
        root = Path(tmp)
        config_path = write_config(root)
        text = config_path.read_text(encoding="utf-8")
        for old, new in SLOS.items():
            text = text.replace(old, new)
        config_path.write_text(text, encoding="utf-8")
        write_incidents(root, n)
        repo = load_repository(root)
        assert repo.config is not None, repo.problems[:5]
        config = repo.config
        recorded = {i.id: r for i in repo.incidents if (r := fake_recorded(i)) is not None}
        now = max(r.declared.at for r in recorded.values()) + timedelta(days=1)
        clocks = {i.id: evaluate(i, recorded[i.id], config, now)
                  for i in repo.incidents if i.id in recorded}
        since = now - timedelta(days=365)
        report = build_report(config, repo.incidents, recorded, clocks, now, since, now)
        out = {"incidents": float(len(repo.incidents)),
               "metrics": best(repeat, lambda: build_report(
                   config, repo.incidents, recorded, clocks, now, since, now))}
        for fmt in ("markdown", "json", "html"):
            out[fmt] = best(repeat, lambda fmt=fmt: renderer(fmt)(report))  # type: ignore[misc]
        for audience in ("public", "internal"):
            shown = audience_view(repo.incidents, config, audience)
            data = SiteData(config, shown, recorded, now, "", audience,
                            clocks=clocks if audience == "internal" else {})
            out[f"site {audience}"] = best(repeat, lambda data=data: produce(data))  # type: ignore[misc]
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    columns = ("metrics", "markdown", "json", "html", "site public", "site internal")
    print("| incidents | " + " | ".join(f"{c} (s)" for c in columns) + " |")
    print("|" + "---:|" * (len(columns) + 1))
    for n in options.sizes:
        found = measure(n, options.repeat)
        print(f"| {int(found['incidents']):,} | "
              + " | ".join(f"{found[c]:.3f}" for c in columns) + " |")


if __name__ == "__main__":
    main()
