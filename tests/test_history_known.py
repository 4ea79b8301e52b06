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


def test_a_cold_build_reads_from_git_no_version_it_loaded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold build hands history the git blob id of every file it read (Loaded.blobs):
    HEAD's version of a file unchanged in the working tree is not read from git at all; an
    older version, and HEAD's version of a file edited but not committed, still are. The
    site is the very one built without the shortcut."""
    import shutil
    import subprocess
    import sys

    from site_support import clone
    from warroom import held
    from warroom.cachedir import cache_root
    from warroom.site.build import build
    from warroom.site.cache import blob_id

    sys.path.insert(0, str(PROJECT / "benchmarks"))
    from _gen import git, make_git_repo

    repo = make_git_repo(tmp_path / "origin", 40)
    files = sorted((repo / "incidents").rglob("*.yaml"))
    committed, uncommitted = files[5], files[20]
    before = committed.read_bytes()
    committed.write_bytes(before.replace(b'title: "', b'title: "Edited: ', 1))
    git(repo, "commit", "-q", "-am", "edit one")
    head_of = uncommitted.read_bytes()
    uncommitted.write_bytes(head_of.replace(b'title: "', b'title: "Not committed: ', 1))
    assert subprocess.run(["git", "hash-object", str(committed)], capture_output=True,
                          text=True, check=True).stdout.strip() == blob_id(committed.read_bytes())

    from_git: list[str] = []
    real = FactReader.read

    def counted(self: FactReader, raw: bytes) -> object:
        from_git.append(blob_id(raw))
        return real(self, raw)

    monkeypatch.setattr(FactReader, "read", counted)
    held.forget()
    build(repo, tmp_path / "site", now=NOW)
    loaded = {blob_id(path.read_bytes()) for path in files}
    assert blob_id(before) in from_git and blob_id(head_of) in from_git
    assert not loaded & set(from_git) - {blob_id(uncommitted.read_bytes())}, from_git
    assert len(from_git) <= 3  # the older version, HEAD's of the uncommitted, its edit

    other = clone(repo, tmp_path / "plain")
    shutil.copy(uncommitted, other / uncommitted.relative_to(repo))
    monkeypatch.setattr(FactReader, "known_versions", lambda self, ids: {})
    from_git.clear()
    held.forget()
    shutil.rmtree(cache_root(other), ignore_errors=True)
    build(other, tmp_path / "plain-site", now=NOW)
    assert len(from_git) > len(files)  # every version read from git, as before
    for path in sorted((tmp_path / "site").rglob("*")):
        if path.is_file():
            twin = tmp_path / "plain-site" / path.relative_to(tmp_path / "site")
            assert twin.read_bytes() == path.read_bytes(), path
