"""From a built wheel in a fresh virtual environment (not the source tree): `warroom init`
in an empty folder, then git, then validate, sla and build all pass."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_git

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
         timeout: int = 300) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False, timeout=timeout)
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with warroom installed from a wheel built from this checkout."""
    work = tmp_path_factory.mktemp("wheel")
    # Building in an isolated environment installs hatchling first; reuse it when present.
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-isolation"]
    _run(sys.executable, "-m", "build", "--wheel", *isolation, "--outdir", work / "dist", ROOT)
    (wheel,) = (work / "dist").glob("warroom-*.whl")
    venv = work / "venv"
    # No pip of its own: this test's pip installs into it (--python), which saves seconds.
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install",
         "--quiet", "--disable-pip-version-check", wheel)
    return venv


def test_init_validate_sla_build_from_a_wheel(installed: Path, tmp_path: Path,
                                              git_env: dict[str, str]) -> None:
    python = installed / "bin" / "python"
    where = _run(python, "-c", "import warroom, sys; print(warroom.__file__)", cwd=tmp_path)
    assert where.strip().startswith(str(installed)), where  # not the source tree
    warroom = installed / "bin" / "warroom"
    site = tmp_path / "status"
    site.mkdir()
    _run(warroom, "init", "--title", "Acme status", cwd=site, env=git_env)
    run_git(site, git_env, "init", "-q", "-b", "main")
    run_git(site, git_env, "add", "-A")
    run_git(site, git_env, "commit", "-q", "-m", "warroom init", date="2026-11-20T08:00:00Z")
    assert "valid" in _run(warroom, "validate", cwd=site, env=git_env)
    _run(warroom, "new", "Website is slow", "--severity", "SEV3", "--component",
         "website:degraded_performance", "--now", "2026-11-20T09:00:00Z", "--git", cwd=site,
         env={**git_env, "GIT_AUTHOR_DATE": "2026-11-20T09:00:00Z",
              "GIT_COMMITTER_DATE": "2026-11-20T09:00:00Z"})
    _run(warroom, "validate", cwd=site, env=git_env)
    sla = _run(warroom, "sla", "--format", "text", "--now", "2026-11-20T09:30:00Z", cwd=site,
               env=git_env)
    assert "website-is-slow" in sla or "Website is slow" in sla, sla
    _run(warroom, "build", "--out", site / "_site", cwd=site,
         env={**git_env, "SOURCE_DATE_EPOCH": "1795683600"})
    index = (site / "_site" / "index.html").read_text(encoding="utf-8")
    assert "Acme status" in index and "Website is slow" in index
    assert "example drill" not in index.lower()  # internal: never on the public page
