from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

from warroom.history_facts import Facts, facts_of_incident
from warroom.model import Incident
from warroom.yamlload import Document

# Any problem raised with a code missing from warroom/codes.py fails the test that raised it.
os.environ["WARROOM_STRICT_CODES"] = "1"
# Compiled schemas are cached per user (warroom.schemacode); keep the tests' copy out of ~.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="warroom-test-cache-")

ROOT = Path(__file__).resolve().parent.parent
# A copy of ../shared/data (third-party data, MIT and public domain; see tests/data/README.md)
# kept in the repository so that CI on a bare clone runs the real-data tests too.
SHARED_DATA = ROOT / "tests" / "data"

MINIMAL_CONFIG = """\
site:
  title: Acme status
  timezone: Europe/Paris
groups:
  - id: core
    name: Core
    components:
      - {id: api, name: API}
      - {id: checkout, name: Checkout}
      - {id: web, name: Website}
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
causes:
  config-change: A configuration change
  capacity: Capacity exhausted
  dependency: A third-party dependency failed
"""


@pytest.fixture
def warroom_repo(tmp_path: Path) -> Path:
    """An empty incident repository (no git) with a small, valid warroom.yaml."""
    (tmp_path / "warroom.yaml").write_text(MINIMAL_CONFIG, encoding="utf-8")
    (tmp_path / "incidents" / "2026").mkdir(parents=True)
    return tmp_path


def pinned_git_env() -> dict[str, str]:
    """An environment with a pinned identity and no user or system git config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Alice", "GIT_AUTHOR_EMAIL": "alice@example.com",
        "GIT_COMMITTER_NAME": "Alice", "GIT_COMMITTER_EMAIL": "alice@example.com",
    })
    return env


@pytest.fixture
def git_env() -> dict[str, str]:
    return pinned_git_env()


def run_git(repo: Path, env: dict[str, str], *args: str, date: str | None = None) -> str:
    """Run git in repo; `date` pins both author and committer time (ISO 8601 with offset)."""
    full = dict(env)
    if date is not None:
        full["GIT_AUTHOR_DATE"] = date
        full["GIT_COMMITTER_DATE"] = date
    done = subprocess.run(["git", *args], cwd=repo, env=full, check=True,
                          capture_output=True, text=True)
    return done.stdout


def known_facts(incidents: Iterable[Incident], documents: Mapping[str, Document]
                ) -> dict[str, Facts]:
    """The history hand-off as `warroom sla` and `report` made it before they loaded
    through the build's cache (now history_facts.KnownFacts): facts of each loaded file by
    the sha256 of its text; a file whose bytes differ from its text (a byte order mark)
    gets no entry. Kept as the old path's oracle."""
    out: dict[str, Facts] = {}
    for incident in incidents:
        doc = documents.get(incident.path)
        if doc is not None:
            out[hashlib.sha256(doc.text.encode("utf-8")).hexdigest()] = facts_of_incident(
                incident)
    return out
