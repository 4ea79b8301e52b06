"""The built site in real headless Chromium: no JavaScript needed, hostile input inert,
axe-core finds no accessibility violation (light and dark), screenshots for people."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from site_support import build_here, make_golden_repo

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent / "artifacts"
AXE = HERE / "vendor" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
HOSTILE = "incidents/2026-03-15-hostile-title/"
PAGES = ["", "incidents/2026-01-20-checkout-errors/", HOSTILE, "history/", "history/page/2/",
         "components/web/", "maintenance/", "incidents/2026-03-20-payments-db-upgrade/",
         "no/such/page/"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404:
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    scratch = tmp_path_factory.mktemp("browser")
    repo = make_golden_repo(scratch / "repo")
    build_here(repo, scratch / "site", base_url="")
    handler = functools.partial(_Quiet, directory=str(scratch / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with playwright_api.sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def test_pages_render_without_javascript(browser: Any, site_url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width, name in ((390, "phone"), (1280, "desktop")):
        context = browser.new_context(java_script_enabled=False,
                                      viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(site_url)
        assert page.locator("h1").inner_text() == "Partial system outage"
        assert page.locator(".component").count() == 3
        assert page.get_by_text("Payments database upgrade").is_visible()
        page.locator("summary").first.click()  # <details> opens without any script
        assert page.locator("details[open] p").first.is_visible()
        page.screenshot(path=str(ARTIFACTS / f"home-{name}.png"), full_page=True)
        page.goto(site_url + "incidents/2026-01-20-checkout-errors/")
        assert page.locator("h1").inner_text() == "Payment errors for card customers"
        assert page.locator(".timeline > li").count() == 3
        assert page.get_by_role("heading", name="Postmortem").is_visible()
        page.screenshot(path=str(ARTIFACTS / f"incident-{name}.png"), full_page=True)
        context.close()
    assert (ARTIFACTS / "home-phone.png").stat().st_size > 10_000


def test_hostile_incident_executes_nothing(browser: Any, site_url: str) -> None:
    # bypass_csp: the page's Content-Security-Policy would block scripts anyway; this proves
    # escaping alone holds, should the policy ever be dropped by a template override.
    context = browser.new_context(java_script_enabled=True, bypass_csp=True)
    page = context.new_page()
    events: list[str] = []
    page.on("dialog", lambda dialog: (events.append(f"dialog {dialog.message}"),
                                      dialog.dismiss()))
    page.on("console", lambda message: events.append(f"console {message.text}"))
    page.on("pageerror", lambda error: events.append(f"error {error}"))
    for path in ("", HOSTILE, "history/", "components/web/"):
        page.goto(site_url + path)
        page.mouse.move(200, 200)
        for link in page.locator("main a:visible").all()[:40]:
            link.hover(timeout=5000)
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        found = page.evaluate("""() => {
            const bad = [];
            for (const el of document.querySelectorAll('*')) {
                for (const attr of el.attributes) {
                    const value = attr.value.trim().toLowerCase();
                    if (attr.name.startsWith('on')) bad.push(el.tagName + ' ' + attr.name);
                    if (['href', 'src'].includes(attr.name) &&
                        /^(javascript|vbscript|data):/.test(value)) bad.push(value);
                }
            }
            return bad.concat([...document.scripts].map(s => 'script ' + s.outerHTML));
        }""")
        assert found == [], (path, found)
    page.goto(site_url + HOSTILE)
    title = page.locator("h1").inner_text()
    assert title.startswith("<script>window.__pwned = 1</script>")  # shown as text
    assert events == []
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_accessibility_violation(browser: Any, site_url: str, scheme: str) -> None:
    context = browser.new_context(java_script_enabled=True, bypass_csp=True,
                                  color_scheme=scheme)
    page = context.new_page()
    axe = AXE.read_text(encoding="utf-8")
    problems = []
    for path in PAGES:
        page.goto(site_url + path)
        page.evaluate(axe)
        result = page.evaluate(
            "async () => { const r = await axe.run(document);"
            " return {passes: r.passes.length, violations: r.violations.map(v =>"
            " ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target)}))}; }")
        assert result["passes"] > 10, path  # axe really ran its checks
        problems += [(path or "/", v["id"], v["impact"], v["nodes"][:3])
                     for v in result["violations"]]
    context.close()
    assert problems == []
