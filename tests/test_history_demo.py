"""scripts/make_demo_repo.py: a pinned, deterministic history that read_history reads back."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from types import ModuleType

from conftest import MINIMAL_CONFIG, ROOT
from history_support import when
from warroom.history import read_history
from warroom.yamlload import load_bytes, load_file

INCIDENT = """\
id: 2026-03-02-api-errors
title: API errors
type: outage
severity: SEV1
status: resolved
components: [{id: api, impact: partial_outage}]
roles: {commander: "@karim", communications: "@ines"}
detected_at: 2026-03-02T09:58:00+01:00
mitigated_at: 2026-03-02T10:40:00+01:00
resolved_at: 2026-03-02T11:00:00+01:00
updates:
  - {status: investigating, at: 2026-03-02T10:02:00+01:00, author: "@ines", message: Looking.}
  - {status: identified, at: 2026-03-02T10:20:00+01:00, message: Found it.}
  - {status: resolved, at: 2026-03-02T11:00:00+01:00, message: Fixed.}
postmortem: {status: published, body: What happened.}
"""


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_demo_repo",
                                                  ROOT / "scripts" / "make_demo_repo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_demo_history_is_pinned_and_read_back(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "incidents" / "2026").mkdir(parents=True)
    (source / "warroom.yaml").write_text(MINIMAL_CONFIG, encoding="utf-8")
    (source / "incidents" / "2026" / "2026-03-02-api-errors.yaml").write_text(
        INCIDENT, encoding="utf-8")
    script = _script()
    assert script.build(tmp_path / "one", source) == script.build(tmp_path / "two", source) == 7

    def log(repo: Path) -> list[str]:
        return subprocess.run(["git", "log", "--reverse", "--format=%H %cI %cn"], cwd=repo,
                              capture_output=True, text=True, check=True).stdout.splitlines()

    lines = log(tmp_path / "one")
    assert lines == log(tmp_path / "two")  # same data, same commit ids
    dates = [when(line.split()[1]) for line in lines]
    assert dates == sorted(dates)
    assert lines[1].endswith("Ines Duarte") and lines[2].endswith("Karim Benali")
    final, _ = load_file(tmp_path / "one" / "incidents" / "2026" / "2026-03-02-api-errors.yaml")
    source_doc, _ = load_bytes(INCIDENT.encode(), "source")
    assert final is not None and source_doc is not None and final.data == source_doc.data

    history = read_history(tmp_path / "one", now=when("2026-04-01T00:00:00+00:00"))
    rec = history.recorded["2026-03-02-api-errors"]
    assert history.problems == []
    declared = rec.declared.at
    assert when("2026-03-02T10:02:00+01:00") < declared <= when("2026-03-02T10:08:00+01:00")
    assert rec.acknowledged is not None and declared < rec.acknowledged.at
    assert [u.at > s for u, s in zip(rec.updates, (when("2026-03-02T10:02:00+01:00"),
                                                   when("2026-03-02T10:20:00+01:00"),
                                                   when("2026-03-02T11:00:00+01:00")),
                                     strict=True)] == [True] * 3
    assert rec.postmortem_published is not None and rec.resolved is not None
    assert rec.postmortem_published.at - rec.resolved.at > when(
        "2026-01-04T00:00:00+00:00") - when("2026-01-01T00:00:00+00:00")
