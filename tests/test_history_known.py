"""A build hands history the facts of the files it loaded (by content hash), so HEAD's
versions are not parsed twice. Those facts must be exactly what parsing the file gives, and
history must come out the same with or without them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conftest import MINIMAL_CONFIG
from site_support import NOW, make_golden_repo
from warroom import history_facts
from warroom.config import Config
from warroom.history import read_history
from warroom.history_facts import FactReader, facts_of, facts_of_incident
from warroom.repo import check_incident_file, incident_files, load_config

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent


# Every valid incident file we have, with the repository whose warroom.yaml it is valid in.
FILES = ([(p, "demo") for p in sorted((PROJECT / "incidents").rglob("*.yaml"))]
         + [(p, "golden") for p in sorted((HERE / "golden/repo/incidents").rglob("*.yaml"))]
         + [(p, "minimal") for p in sorted((HERE / "cases/valid").glob("*.y*ml"))])


@pytest.fixture(scope="module")
def configs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Config]:
    minimal = tmp_path_factory.mktemp("minimal")
    (minimal / "warroom.yaml").write_text(MINIMAL_CONFIG, encoding="utf-8")
    out = {}
    for name, root in (("demo", PROJECT), ("golden", HERE / "golden/repo"),
                       ("minimal", minimal)):
        config, _, problems = load_config(root)
        assert config is not None, problems
        out[name] = config
    return out


@pytest.mark.parametrize(("path", "repo"), FILES, ids=[p.name for p, _ in FILES])
def test_facts_of_an_incident_equal_facts_of_its_file(path: Path, repo: str,
                                                      configs: dict[str, Config]) -> None:
    incident, doc, problems = check_incident_file(path, path.name, configs[repo])
    assert doc is not None and incident is not None, problems
    assert facts_of_incident(incident) == facts_of(doc.data)


def test_every_kind_of_file_is_compared() -> None:
    assert len(FILES) >= 35


def test_known_facts_are_used_and_change_nothing(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_golden_repo(tmp_path / "repo")
    config, _, _ = load_config(repo)
    known = {}
    incidents = {}
    for path in incident_files(repo):
        incident, _, _ = check_incident_file(path, path.name, config)
        assert incident is not None
        incidents[hashlib.sha256(path.read_bytes()).hexdigest()] = incident
        known[hashlib.sha256(path.read_bytes()).hexdigest()] = facts_of_incident(incident)

    parsed: list[str] = []
    real = FactReader._plain_text

    def counting(raw: bytes) -> str | None:
        parsed.append(hashlib.sha256(raw).hexdigest())
        return real(raw)

    monkeypatch.setattr(history_facts.FactReader, "_plain_text", staticmethod(counting))
    plain = read_history(repo, now=NOW, use_cache=False)
    without = list(parsed)
    parsed.clear()
    helped = read_history(repo, now=NOW, use_cache=False, known=known)
    assert helped.recorded == plain.recorded
    assert helped.problems == plain.problems
    assert not set(parsed) & known.keys()  # no known version was parsed
    assert len(parsed) < len(without)
    # the build's hand-off makes the same facts, each only when history asks for it
    from warroom.history_facts import KnownFacts

    lazy = KnownFacts(incidents)
    assert dict(lazy) == known
    parsed.clear()
    built = read_history(repo, now=NOW, use_cache=False, known=lazy)
    assert built.recorded == plain.recorded and built.problems == plain.problems
    assert not set(parsed) & known.keys()


def test_known_facts_of_a_loaded_repository(tmp_path: Path) -> None:
    """What `warroom sla` and `warroom report` hand history: keyed by the sha256 of each
    file's text, equal to what parsing the committed bytes gives; a file whose bytes are not
    its text (a byte order mark) simply has no entry that matches."""
    from conftest import known_facts
    from warroom.repo import load_repository

    repo = make_golden_repo(tmp_path / "repo")
    loaded = load_repository(repo)
    known = known_facts(loaded.incidents, loaded.documents)
    assert len(known) == len(loaded.incidents)
    for incident in loaded.incidents:
        raw = (repo / incident.path).read_bytes()
        assert known[hashlib.sha256(raw).hexdigest()] == FactReader().read(raw)
    bom = b"\xef\xbb\xbf" + (repo / loaded.incidents[0].path).read_bytes()
    assert hashlib.sha256(bom).hexdigest() not in known
    assert read_history(repo, now=NOW, use_cache=False, known=known).recorded == \
        read_history(repo, now=NOW, use_cache=False).recorded
