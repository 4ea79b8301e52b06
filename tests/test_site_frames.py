"""The shared page frame (site/frames.py) never changes a byte: every page rendered with it
equals Jinja's own render, for the default theme and for repository overrides that make the
shortcut unsafe (those must fall back, not print a wrong page)."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_support import NOW, make_golden_repo
from warroom.site import pages, templating
from warroom.site.build import gather
from warroom.site.frames import Frames


@pytest.fixture(scope="module")
def golden_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_golden_repo(tmp_path_factory.mktemp("frames") / "repo")


def _both_ways(repo: Path, audience: str = "public") -> tuple[Frames, int]:
    """Render every page with frames and plainly; assert equal; return the Frames used."""
    data = gather(repo, audience=audience, now=NOW, use_cache=False).data
    renderer = pages.Pages(data)
    env = templating.environment(templating.theme_dirs(repo))
    frames = Frames(env)
    checked = 0
    for job in renderer.jobs():
        context = pages.base_context(data, job.path, job.title,
                                     generated=data.now if job.live else None, t=renderer.t)
        context.update(job.build())
        plain = env.get_template(job.template).render(context)
        assert frames.render(job.template, context) == plain, job.path
        checked += 1
    return frames, checked


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_the_default_theme_shares_the_frame_of_incident_pages(golden_repo: Path,
                                                              audience: str) -> None:
    frames, checked = _both_ways(golden_repo, audience)
    assert checked > 10
    assert frames.fallbacks == 0
    assert frames._plan("incident.html") is not None  # the shortcut is really taken
    made = [parts for parts in frames._frames.values() if parts is not None]
    assert made and all(any(kind == "block" for kind, _ in parts) for parts in made)


def _override(repo: Path, tmp_path: Path, files: dict[str, str]) -> Path:
    """A copy of `repo` whose site/templates hold `files` (the default theme fills in)."""
    import shutil

    copy = tmp_path / "repo"
    shutil.copytree(repo, copy)
    folder = copy / "site/templates"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return copy


def _default(name: str) -> str:
    return (templating.theme_dirs(None)[0] / "templates" / name).read_text(encoding="utf-8")


def test_a_transformed_title_in_the_frame_falls_back(golden_repo: Path, tmp_path: Path) -> None:
    base = _default("base.html").replace("<head>", "<head>\n<meta name=x content=\"{{ "
                                         "page.title|upper }}|{{ page.path|length }}\">")
    repo = _override(golden_repo, tmp_path, {"base.html": base})
    frames, _ = _both_ways(repo)
    assert all(parts is None for parts in frames._frames.values())


def test_a_plain_title_and_path_in_the_frame_are_filled_per_page(golden_repo: Path,
                                                                 tmp_path: Path) -> None:
    base = _default("base.html").replace(
        "<head>", "<head>\n<link rel=\"canonical\" href=\"/{{ page.path }}\" "
        "title=\"{{ page.title }}\">")
    repo = _override(golden_repo, tmp_path, {"base.html": base})
    frames, _ = _both_ways(repo)
    assert frames.fallbacks == 0
    assert any(parts is not None for parts in frames._frames.values())


def test_child_templates_with_top_level_code_or_super_stay_exact(golden_repo: Path,
                                                                 tmp_path: Path) -> None:
    incident = _default("incident.html")
    # super() in a block, a name imported only by base.html used in a child block, and a
    # child-only block nested in content.
    incident = incident.replace(
        "{% block content %}",
        "{% block title %}[{{ super() }}]{% endblock %}\n{% block content %}"
        "{{ icon('operational') }}{% block extra %}<i>{{ incident.summary.title }}</i>"
        "{% endblock %}", 1)
    repo = _override(golden_repo, tmp_path, {"incident.html": incident})
    frames, _ = _both_ways(repo)
    assert frames.fallbacks == 0 and frames._plan("incident.html") is not None

    with_set = "{% set who = incident.summary.title %}\n" + incident
    repo2 = _override(golden_repo, tmp_path / "2", {"incident.html": with_set})
    frames2, _ = _both_ways(repo2)
    assert frames2._plan("incident.html") is None  # top-level code: rendered as usual


def test_a_frame_reading_page_variables_falls_back(golden_repo: Path, tmp_path: Path) -> None:
    base = _default("base.html").replace(
        "<body>", "<body>\n{% if incident is defined %}<p>{{ incident.summary.title }}</p>"
        "{% endif %}")
    repo = _override(golden_repo, tmp_path, {"base.html": base})
    frames, _ = _both_ways(repo)
    assert frames._plan("incident.html") is None
