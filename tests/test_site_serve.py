"""warroom serve: a real server on a free port, stopped by the test."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from site_support import EPOCH, _git, make_golden_repo
from warroom.cachedir import cache_root
from warroom.site.build import CACHE_DIR


class _Serving:
    """`warroom serve --port 0` on a repository, its stderr read line by line meanwhile."""

    def __init__(self, repo: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "warroom", "serve", "--port", "0", "--root", str(repo),
             *extra], stderr=subprocess.PIPE, text=True,
            env={**os.environ, "TMPDIR": str(repo.parent), **(env or {})})
        self.lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", self.wait_for("serving the"))
        assert match
        self.base = f"http://127.0.0.1:{match.group(1)}/"

    def stop(self, how: int = signal.SIGTERM) -> int:
        """Signal the server, wait for it, and close its pipe: its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(how)
        code = self.process.wait(timeout=30)
        self._reader.join(timeout=30)
        assert self.process.stderr is not None
        self.process.stderr.close()
        return code

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_for(self, text: str, limit: float = 60) -> str:
        """The stderr line holding `text`, with every line before it (a liveness limit, not
        a speed check: the test fails only if the server never says it)."""
        seen = ""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            seen += line
            if text in line:
                return seen
        raise AssertionError(f"never said {text!r}; said:\n{seen}")

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.base + path, timeout=10) as reply:
            body: str = reply.read().decode("utf-8")
            return body


def test_serve_builds_and_serves_the_site(tmp_path: Path) -> None:
    repo = make_golden_repo(tmp_path / "repo")
    serving = _Serving(repo, env={"SOURCE_DATE_EPOCH": EPOCH})
    try:
        with urllib.request.urlopen(serving.base, timeout=10) as reply:
            home = reply.read().decode("utf-8")
            assert reply.headers["Cache-Control"] == "no-store"
        assert "Golden status" in home and 'href="static/style.css"' in home
        try:
            urllib.request.urlopen(serving.base + "no/such/page/", timeout=10)
            raise AssertionError("expected a 404")
        except urllib.error.HTTPError as missing:
            assert missing.code == 404
            assert "Page not found" in missing.read().decode("utf-8")
    finally:
        serving.stop()


def test_serve_rebuilds_on_each_change_and_keeps_the_last_good_site(tmp_path: Path) -> None:
    repo = make_golden_repo(tmp_path / "repo")
    incident = repo / "incidents" / "2026" / "2026-01-20-checkout-errors.yaml"
    page = "incidents/2026-01-20-checkout-errors/"
    serving = _Serving(repo, "--interval", "0.1")
    try:
        assert "Payment errors for card customers" in serving.get(page)
        text = incident.read_text(encoding="utf-8")
        incident.write_text(text.replace("Payment errors for card customers",
                                         "Card payments failing WATCHEDIT"), encoding="utf-8")
        said = serving.wait_for("built in")
        assert "2026-01-20-checkout-errors.yaml changed; rebuilding" in said
        assert "Card payments failing WATCHEDIT" in serving.get(page)
        # broken YAML: the error with its position, and the last good site still served
        incident.write_text(text + "extra: [\n", encoding="utf-8")
        said = serving.wait_for("the last good site is still served")
        assert re.search(r"2026-01-20-checkout-errors\.yaml:\d+:\d+: error", said), said
        assert "Card payments failing WATCHEDIT" in serving.get(page)
        # fixed and committed: what git recorded moves too, and the page follows
        incident.write_text(text.replace("Payment errors for card customers",
                                         "Committed title ZEBRAWATCH"), encoding="utf-8")
        _git(repo, "commit", "-q", "-am", "retitle", date="2026-03-01T10:00:00+00:00")
        serving.wait_for("built in")
        deadline = time.monotonic() + 60
        while "Committed title ZEBRAWATCH" not in serving.get(page):
            assert time.monotonic() < deadline, "the committed title never showed"
            serving.wait_for("built in")
        folders = list(tmp_path.glob("warroom-serve-*"))
        assert len(folders) == 1
    finally:
        code = serving.stop()
    assert code == 0
    serving.wait_for("stopped")
    # the preview's temporary site and its record in the page cache are gone
    assert not list(tmp_path.glob("warroom-serve-*"))
    assert not list((cache_root(repo) / CACHE_DIR).glob("pages-*.pickle"))
    assert not list((cache_root(repo) / CACHE_DIR).glob("catalogue-*.pickle"))


def test_serve_without_watch_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    repo = make_golden_repo(tmp_path / "repo")
    serving = _Serving(repo, "--no-watch")
    assert "Golden status" in serving.get("")
    assert serving.stop() == 0
    assert not list(tmp_path.glob("warroom-serve-*"))


def test_serve_builds_in_a_single_threaded_process_and_its_server_dies_with_it(
        tmp_path: Path) -> None:
    """The HTTP server runs in a process of its own: the watching process keeps one thread,
    so a rebuild may fork its page workers; and a server whose parent is killed outright
    stops listening instead of holding the port."""
    repo = make_golden_repo(tmp_path / "repo")
    serving = _Serving(repo, "--interval", "0.1")
    try:
        assert "Golden status" in serving.get("")
        assert len(os.listdir(f"/proc/{serving.process.pid}/task")) == 1
        serving.process.kill()
        serving.process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while True:
            try:
                serving.get("")
            except (urllib.error.URLError, ConnectionError):
                break
            assert time.monotonic() < deadline, "the server outlived its parent"
            time.sleep(0.1)
    finally:
        serving.stop()


def test_serve_on_a_port_in_use_says_so(tmp_path: Path) -> None:
    repo = make_golden_repo(tmp_path / "repo")
    first = _Serving(repo, "--no-watch")
    try:
        port = first.base.rsplit(":", 1)[1].strip("/")
        done = subprocess.run(
            [sys.executable, "-m", "warroom", "serve", "--port", port, "--root", str(repo)],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "TMPDIR": str(tmp_path)})
        assert done.returncode == 1, done.stderr
        assert f"cannot serve on 127.0.0.1:{port}" in done.stderr
        assert "Traceback" not in done.stderr
        assert len(list(tmp_path.glob("warroom-serve-*"))) == 1  # the first one's only
    finally:
        first.stop()


def test_serve_on_a_broken_repository_says_where_and_leaves_nothing(tmp_path: Path) -> None:
    repo = make_golden_repo(tmp_path / "repo")
    incident = repo / "incidents" / "2026" / "2026-01-20-checkout-errors.yaml"
    incident.write_text(incident.read_text(encoding="utf-8") + "extra: [\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "warroom", "serve", "--port", "0", "--root", str(repo)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert done.returncode == 1
    assert re.search(r"2026-01-20-checkout-errors\.yaml:\d+:\d+: error", done.stderr)
    assert "nothing to serve; fix the errors above" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.glob("warroom-serve-*"))
