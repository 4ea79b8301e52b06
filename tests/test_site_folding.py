"""t('literal') is translated when a template compiles (site/folding.py): same bytes as
calling the Translator on every page, and never where `t` could mean something else."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import StrictUndefined, UndefinedError

from site_support import NOW, make_golden_repo
from warroom.site import pages, templating
from warroom.site.build import gather
from warroom.site.folding import TranslatedEnvironment
from warroom.site.frames import Frames


def _env(strings: dict[str, str]) -> TranslatedEnvironment:
    return TranslatedEnvironment("en", strings, autoescape=True, undefined=StrictUndefined)


def test_a_literal_key_is_folded_and_escaped_like_at_run_time() -> None:
    env = _env({"k": "a & <b>"})
    # The context's own t is never called: the text was put in at compile time.
    out = env.from_string("<p title=\"{{ t('k') }}\">{{ t('k') }}</p>").render(
        t=lambda key: "called")
    assert out == "<p title=\"a &amp; &lt;b&gt;\">a &amp; &lt;b&gt;</p>"


@pytest.mark.parametrize("source", [
    "{% for t in [f] %}{{ t('k') }}{% endfor %}",
    "{% set t = f %}{{ t('k') }}",
    "{% macro m(t) %}{{ t('k') }}{% endmacro %}{{ m(f) }}",
    "{% with t = f %}{{ t('k') }}{% endwith %}",
])
def test_a_template_that_binds_t_is_not_folded(source: str) -> None:
    assert _env({"k": "folded"}).from_string(source).render(f=lambda key: "called") == "called"


def test_calls_with_values_or_unknown_keys_stay_calls() -> None:
    env = _env({"k": "folded"})
    assert env.from_string("{{ t('k', n=1) }}").render(t=lambda key, **v: "called") == "called"
    assert env.from_string("{{ t(name) }}").render(t=lambda key: key, name="k") == "k"

    def strict(key: str) -> str:
        raise KeyError(key)

    with pytest.raises(KeyError, match=r"no\.such"):
        env.from_string("{{ t('no.such') }}").render(t=strict)
    with pytest.raises(UndefinedError):
        env.from_string("{{ u('k') }}").render()


@pytest.fixture(scope="module")
def golden_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_golden_repo(tmp_path_factory.mktemp("folding") / "repo")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_is_the_same_folded_or_not(golden_repo: Path, language: str,
                                              tmp_path: Path) -> None:
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(golden_repo, repo)
    config = repo / "warroom.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "language: en", f"language: {language}"), encoding="utf-8")
    data = gather(repo, now=NOW, use_cache=False).data
    renderer = pages.Pages(data)
    assert renderer.t.language == language
    dirs = templating.theme_dirs(repo)
    plain, folded = Frames(templating.environment(dirs)), renderer.frames
    assert isinstance(folded.env, TranslatedEnvironment) and folded.env.language == language
    for job in renderer.jobs():
        context = pages.base_context(data, job.path, job.title, t=renderer.t)
        context.update(job.build())
        assert folded.render(job.template, context) == plain.render(job.template, context)
