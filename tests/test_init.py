"""`warroom init`: a new incident repository that validates as written."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from warroom.cli import cli
from warroom.repo import load_repository
from warroom.resources import data_dir

NOW = "2026-11-20T23:30:00Z"  # already the 21st in Europe/Paris


def init(target: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["init", str(target), "--now", NOW, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_init_writes_a_repository_that_validates(tmp_path: Path) -> None:
    target = tmp_path / "status"
    output = init(target, "--title", "Acme status", "--timezone", "Europe/Paris")
    written = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert written == [
        ".github/ISSUE_TEMPLATE/report-incident.yml",
        ".github/pull_request_template.md",
        ".github/workflows/warroom-pages.yml",
        ".github/workflows/warroom-pr.yml",
        ".github/workflows/warroom-report.yml",
        ".github/workflows/warroom-sla.yml",
        ".gitignore",
        "README.md",
        "incidents/2026/2026-11-21-example-drill.yaml",
        "schema/config.schema.json",
        "schema/incident.schema.json",
        "warroom.yaml",
    ]
    assert "wrote warroom.yaml" in output
    repo = load_repository(target)
    assert repo.problems == []
    (example,) = repo.incidents
    assert example.drill and not example.public
    assert repo.config is not None and repo.config.site.title == "Acme status"
    for name in ("incident", "config"):
        shipped = (data_dir("schema") / f"{name}.schema.json").read_bytes()
        assert (target / "schema" / f"{name}.schema.json").read_bytes() == shipped
    config_text = (target / "warroom.yaml").read_text(encoding="utf-8")
    assert config_text.count("\n#") > 10  # commented defaults
    assert "timezone: Europe/Paris" in config_text
    result = CliRunner().invoke(cli, ["validate", "--root", str(target)])
    assert result.exit_code == 0, result.output


def test_init_keeps_existing_files_and_refuses_twice(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("mine\n", encoding="utf-8")
    output = init(tmp_path)
    assert "kept the existing .gitignore" in output
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "mine\n"
    again = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert again.exit_code == 1
    assert "warroom.yaml already exists" in again.output


def test_workflows_install_the_requirement_asked_for(tmp_path: Path) -> None:
    init(tmp_path, "--requirement", "warroom==9.9.9", "--default-branch", "trunk")
    workflows = tmp_path / ".github" / "workflows"
    for name in ("warroom-pr.yml", "warroom-sla.yml", "warroom-pages.yml",
                 "warroom-report.yml"):
        text = (workflows / name).read_text(encoding="utf-8")
        assert 'python -m pip install "warroom==9.9.9"' in text, name
        assert "@" + "WARROOM@" not in text
    assert "branches: [trunk]" in (workflows / "warroom-pages.yml").read_text()


def test_bad_time_zone_writes_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "x"), "--timezone", "Mars/Base"])
    assert result.exit_code == 1
    assert "unknown-timezone" in result.output
    assert not (tmp_path / "x").exists()


def test_refresh_issue_form_follows_components(tmp_path: Path) -> None:
    init(tmp_path)
    config = tmp_path / "warroom.yaml"
    config.write_text(config.read_text().replace("name: Login", "name: Single sign-on"))
    result = CliRunner().invoke(cli, ["init", str(tmp_path), "--refresh-issue-form"])
    assert result.exit_code == 0, result.output
    form = (tmp_path / ".github" / "ISSUE_TEMPLATE" / "report-incident.yml").read_text()
    assert "        - Single sign-on\n" in form and "- Login\n" not in form
