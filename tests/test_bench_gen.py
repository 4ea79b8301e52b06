"""The benchmarks' synthetic repositories look like a real status page's history: only the
last few days can still have an open incident, and maintenance still to come is in the
future. (A first version left a tenth of all incidents open whatever their age: 743 open
incidents at 10,000 made the home page and the unresolved API twenty times their real size
and every benchmark slower than a real site would be.)"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from _gen import write_config, write_incidents

END = datetime(2026, 6, 1, tzinfo=UTC)


def test_only_recent_incidents_are_open_and_upcoming_maintenance_is_ahead(tmp_path: Path
                                                                         ) -> None:
    write_config(tmp_path)
    files = write_incidents(tmp_path, 2000, seed=7)
    docs = [yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader) for path in files]
    open_ = [d for d in docs if d["type"] != "maintenance" and d["status"] != "resolved"]
    scheduled = [d for d in docs if d["type"] == "maintenance" and d["status"] == "scheduled"]

    def started(d: dict[str, object]) -> datetime:
        raw = d["window"]["start"] if d["type"] == "maintenance" else d["impact_started_at"]
        return raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))

    assert len(open_) < 10, len(open_)
    assert all(started(d) > END - timedelta(days=3) for d in open_)
    assert all(started(d) > END for d in scheduled)
    # still a real mix: most incidents resolved, a few hundred maintenance windows done
    assert sum(d["type"] == "maintenance" and d["status"] == "completed" for d in docs) > 100
