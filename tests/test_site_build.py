"""warroom build end to end: leaks, HTML validity, atomicity, collisions, errors, overrides."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import html5lib
import pytest
from click.testing import CliRunner

from site_support import BASE_URL, EPOCH, MARKERS, build_here, make_golden_repo, site_files
from warroom.cli import cli
from warroom.errors import WarroomError
from warroom.site import build as site_build
from warroom.site.build import BuildFailed, build, build_time
from warroom.site.data import SiteData

NOW = datetime.fromtimestamp(int(EPOCH), UTC)
INTERNAL_ID = "2026-02-10-vault-rotation-failed"


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_golden_repo(tmp_path_factory.mktemp("build") / "repo")


@pytest.fixture(scope="module")
def public_site(golden: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("public") / "site"
    build_here(golden, out)
    return site_files(out)


@pytest.fixture(scope="module")
def internal_site(golden: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("internal") / "site"
    build_here(golden, out, audience="internal")
    return site_files(out)


def test_no_internal_word_reaches_any_public_file(public_site: dict[str, bytes]) -> None:
    for path, content in public_site.items():
        text = content.decode("utf-8", "replace").upper()
        for marker in (*MARKERS, INTERNAL_ID.upper()):
            assert marker not in text, f"{marker} leaked into {path}"
    assert not any(INTERNAL_ID in path for path in public_site)
    assert "components/vault/index.html" not in public_site


def test_the_internal_build_has_every_marker(internal_site: dict[str, bytes]) -> None:
    """Proves the leak test above can fail: the words are really in the repository."""
    everything = b"\n".join(internal_site.values()).decode("utf-8").upper()
    for marker in MARKERS:
        assert marker in everything
    page = internal_site[f"incidents/{INTERNAL_ID}/index.html"].decode("utf-8")
    assert "Internal build" in page and 'name="robots" content="noindex, nofollow"' in page
    open_page = internal_site["incidents/2026-03-15-hostile-title/index.html"].decode("utf-8")
    assert '<tr class="clock-running"><th scope="row">acknowledge</th>' in open_page


@pytest.mark.parametrize("site", ["public_site", "internal_site"])
def test_every_page_is_valid_html5(site: str, request: pytest.FixtureRequest) -> None:
    files: dict[str, bytes] = request.getfixturevalue(site)
    pages = [p for p in files if p.endswith(".html")]
    assert len(pages) >= 10
    for path in pages:
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        try:
            parser.parse(files[path])
        except html5lib.html5parser.ParseError as exc:
            pytest.fail(f"{path}: {exc}")


def test_public_truth_ignores_internal_incidents(public_site: dict[str, bytes]) -> None:
    home = public_site["index.html"].decode("utf-8")
    # The hostile incident is open on the website (partial outage): that is the status.
    assert "Partial system outage" in home
    # The database upgrade starts on 20 March: payments are not under maintenance yet.
    payments = home.split('href="https://status.golden.example/components/payments/"')[1]
    assert payments.split("</li>")[0].count("Operational") == 1
    assert "Upcoming maintenance" in home and "Payments database upgrade" in home


def test_pages_show_status_as_text_and_icon(public_site: dict[str, bytes]) -> None:
    home = public_site["index.html"].decode("utf-8")
    assert '<span class="badge s-major"><svg class="icon icon-major"' in home
    assert "<span>Partial outage</span>" in home
    assert '<a class="skip" href="#main">Skip to content</a>' in home
    assert '<html lang="en">' in home and "<script" not in home.replace("&lt;script", "")


def test_incident_page_has_times_with_offsets_and_the_postmortem(
        public_site: dict[str, bytes]) -> None:
    page = public_site["incidents/2026-01-20-checkout-errors/index.html"].decode("utf-8")
    assert '<time datetime="2026-01-20T09:30:00+01:00">20 Jan 2026, 09:30 UTC+01:00</time>' in page
    assert "<dd>58\u00a0min</dd>" in page  # 09:02 to 10:00
    assert "<h3>What happened</h3>" in page  # postmortem "##" sits under its h2
    assert "<h4>Not a page heading</h4>" in page  # an update's "#" cannot make an h1
    assert "Canary configuration pushes" in page and "@carol" not in page


def test_maintenance_window_times(public_site: dict[str, bytes]) -> None:
    page = public_site["incidents/2026-03-02-website-maintenance/index.html"].decode("utf-8")
    assert ('<dd><time datetime="2026-03-03T22:00:00+01:00">3 Mar 2026, 22:00 UTC+01:00</time>'
            ' to <time datetime="2026-03-03T23:30:00+01:00">') in page


def test_history_pages_by_month(public_site: dict[str, bytes]) -> None:
    first = public_site["history/index.html"].decode("utf-8")
    assert '<h2 id="m-2026-03">March 2026</h2>' in first
    assert 'rel="next"' in first and "Page 1 of 2" in first
    second = public_site["history/page/2/index.html"].decode("utf-8")
    assert "January 2026" in second and "Payment errors for card customers" in second


def test_404_links_work_at_any_depth(golden: Path, tmp_path: Path) -> None:
    built = build(golden, tmp_path / "site", base_url="", now=NOW, use_cache=False)
    assert built.written is not None
    page = (tmp_path / "site" / "404.html").read_text(encoding="utf-8")
    assert 'href="/static/style.css"' in page
    incident = (tmp_path / "site/incidents/2026-01-20-checkout-errors/index.html").read_text(
        encoding="utf-8")
    assert 'href="../../static/style.css"' in incident and 'href="../../history/"' in incident


def _copy(golden: Path, tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(golden, repo, ignore=shutil.ignore_patterns(".warroom-cache"))
    return repo


def test_a_failing_producer_leaves_the_previous_site_untouched(
        golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    build(golden, out, now=NOW, use_cache=False)
    before = site_files(out)

    def broken(data: SiteData) -> dict[str, bytes]:
        raise RuntimeError("feeds exploded")

    real = site_build.producer
    monkeypatch.setattr(site_build, "producer",
                        lambda name: broken if name == "feeds" else real(name))
    with pytest.raises(RuntimeError, match="feeds exploded"):
        build(golden, out, now=NOW, use_cache=False)
    assert site_files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_two_producers_claiming_one_path_are_refused(
        golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = site_build.producer

    def claims_home(data: SiteData) -> dict[str, bytes]:
        return {"index.html": b"not the home page"}

    monkeypatch.setattr(site_build, "producer",
                        lambda name: claims_home if name == "badges" else real(name))
    with pytest.raises(WarroomError, match=r"two outputs claim 'index\.html': pages and badges"):
        build(golden, tmp_path / "site", now=NOW, use_cache=False)
    assert not (tmp_path / "site").exists()


def test_errors_are_reported_like_validate_and_nothing_is_written(
        golden: Path, tmp_path: Path) -> None:
    repo = _copy(golden, tmp_path)
    bad = repo / "incidents/2026/2026-03-10-api-latency.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("severity: SEV2", "severity: SEV9"),
                   encoding="utf-8")
    done = CliRunner().invoke(cli, ["build", "--root", str(repo), "--out",
                                    str(tmp_path / "site"), "--format", "text"])
    assert done.exit_code == 1
    assert ("incidents/2026/2026-03-10-api-latency.yaml:4:11: error: severity 'SEV9' is not "
            "declared") in done.stdout
    assert ("nothing was built" in done.stderr and done.exception is None) or isinstance(
        done.exception, SystemExit)
    assert not (tmp_path / "site").exists()
    with pytest.raises(BuildFailed):
        build(repo, tmp_path / "site", now=NOW)


def test_a_repository_overrides_templates_and_assets(golden: Path, tmp_path: Path) -> None:
    repo = _copy(golden, tmp_path)
    (repo / "site/templates").mkdir(parents=True)
    (repo / "site/static").mkdir(parents=True)
    (repo / "site/templates/404.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Lost? {{ t("notfound.title") }}</h1>'
        "{% endblock %}", encoding="utf-8")
    (repo / "site/static/style.css").write_text("body{color:red}", encoding="utf-8")
    build(repo, tmp_path / "site", now=NOW)
    assert "<h1>Lost? Page not found</h1>" in (tmp_path / "site/404.html").read_text(
        encoding="utf-8")
    assert (tmp_path / "site/static/style.css").read_text(encoding="utf-8") == "body{color:red}"
    assert (tmp_path / "site/static/favicon.svg").is_file()  # the default theme fills in


def test_a_template_edited_between_two_builds_in_one_process_is_used(
        golden: Path, tmp_path: Path) -> None:
    """`warroom serve` builds again in the same process after a theme edit: compiled
    templates must not outlive the theme they came from."""
    repo = _copy(golden, tmp_path)
    (repo / "site/templates").mkdir(parents=True)
    template = repo / "site/templates/404.html"
    for word in ("FIRSTWORD", "SECONDWORD"):
        template.write_text('{% extends "base.html" %}{% block content %}<h1>' + word
                            + "</h1>{% endblock %}", encoding="utf-8")
        build(repo, tmp_path / "site", now=NOW)
        assert f"<h1>{word}</h1>" in (tmp_path / "site/404.html").read_text(encoding="utf-8")


def test_french_strings_and_dates(golden: Path, tmp_path: Path) -> None:
    repo = _copy(golden, tmp_path)
    config = repo / "warroom.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: en", "language: fr"),
                      encoding="utf-8")
    build(repo, tmp_path / "site", now=NOW, use_cache=False)
    home = (tmp_path / "site/index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in home and "Panne partielle" in home
    assert "Aller au contenu" in home and "15 mars 2026, 13:00 UTC+01:00" in home
    page = (tmp_path / "site/incidents/2026-01-20-checkout-errors/index.html").read_text(
        encoding="utf-8")
    assert "20 janv. 2026, 09:30 UTC+01:00" in page and "Analyse post-incident" in page


def test_source_date_epoch() -> None:
    assert build_time({"SOURCE_DATE_EPOCH": EPOCH}) == NOW
    with pytest.raises(WarroomError, match="SOURCE_DATE_EPOCH='soon'"):
        build_time({"SOURCE_DATE_EPOCH": "soon"})


def test_cache_follows_a_changed_incident(golden: Path, tmp_path: Path) -> None:
    repo = _copy(golden, tmp_path)
    out = tmp_path / "site"
    build(repo, out, now=NOW, base_url=BASE_URL)
    path = repo / "incidents/2026/2026-01-20-checkout-errors.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Payment errors for card customers", "Card payments failed"), encoding="utf-8")
    again = build(repo, out, now=NOW, base_url=BASE_URL)
    assert "incidents/2026-01-20-checkout-errors/index.html" in again.outputs
    assert "incidents/2026-03-10-api-latency/index.html" in again.kept
    fresh = tmp_path / "fresh"
    build(repo, fresh, now=NOW, base_url=BASE_URL, use_cache=False)
    assert site_files(out) == site_files(fresh)


def test_cli_help_lists_build_and_serve() -> None:
    done = CliRunner().invoke(cli, ["--help"])
    assert "  build " in done.stdout and "  serve " in done.stdout


def test_a_kept_page_changed_on_disk_is_rendered_again(golden: Path, tmp_path: Path) -> None:
    """Kept pages keep their cache entry without a new lstat; one edited by hand after
    that build must still be caught by the next (its size, mtime or inode moved)."""
    repo = _copy(golden, tmp_path)
    out = tmp_path / "site"
    build(repo, out, now=NOW, base_url=BASE_URL)
    page = "incidents/2026-03-10-api-latency/index.html"
    path = repo / "incidents/2026/2026-01-20-checkout-errors.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Payment errors for card customers", "Card payments failed"), encoding="utf-8")
    second = build(repo, out, now=NOW, base_url=BASE_URL)
    assert page in second.kept
    with open(out / page, "ab") as handle:  # in place: same inode
        handle.write(b"<!-- tampered -->")
    third = build(repo, out, now=NOW, base_url=BASE_URL)
    assert page in third.outputs and page not in third.kept
    assert b"tampered" not in (out / page).read_bytes()


def test_an_incident_digest_does_not_depend_on_object_sharing() -> None:
    from datetime import timedelta, timezone

    from warroom.recorded import Change, Recorded
    from warroom.site.digests import Digests

    _incident_digest = Digests()

    def change() -> Change:
        return Change(datetime(2026, 3, 4, 9, 0, tzinfo=timezone(timedelta(hours=1))),
                      "a" * 40, "Alice <alice@example.com>")

    shared = change()
    one = Recorded("x", "incidents/2026/x.yaml", declared=shared, resolved=shared,
                   updates=(shared, shared))
    other = Recorded("x", "incidents/2026/x.yaml", declared=change(), resolved=change(),
                     updates=(change(), change()))
    assert one == other
    assert _incident_digest("sha", one) == _incident_digest("sha", other)
    assert _incident_digest("sha", one) != _incident_digest("sha2", one)


def test_an_incident_digest_sees_every_field_of_what_git_recorded() -> None:
    """Two records differing in any one field (or a string that would read the same if
    values were not quoted) never share a digest: a page keyed on it is never stale."""
    from dataclasses import fields, replace
    from datetime import timedelta, timezone

    from warroom.recorded import Change, Recorded, SeverityChange
    from warroom.site.digests import Digests

    at = datetime(2026, 3, 4, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    one = Change(at, "a" * 40, "Alice <alice@example.com>")
    two = Change(at + timedelta(minutes=1), "b" * 40, "Bob <bob@example.com>")
    base = Recorded("x", "incidents/2026/x.yaml", declared=one, updates=(one,))
    other = {
        "incident_id": "y", "path": "incidents/2026/y.yaml", "declared": two,
        "acknowledged": one, "identified": one, "monitoring": one, "resolved": one,
        "updates": (one, two), "postmortem_published": one,
        "severity_changes": (SeverityChange(one, "SEV2", "SEV1"),), "deleted": one,
        "paths": ("incidents/2026/old.yaml",),
    }
    assert set(other) == {f.name for f in fields(Recorded)}  # a new field needs a case here
    digest = Digests()
    seen = {digest("sha", base)}
    for name, value in other.items():
        seen.add(digest("sha", replace(base, **{name: value})))
    assert len(seen) == 1 + len(other)
    tricky = replace(base, paths=("a','b",))
    assert digest("sha", tricky) != digest("sha", replace(base, paths=("a", "b")))
