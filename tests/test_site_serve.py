"""warroom serve: a real server on a free port, stopped by the test."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from site_support import EPOCH, make_golden_repo


def test_serve_builds_and_serves_the_site(tmp_path: Path) -> None:
    repo = make_golden_repo(tmp_path / "repo")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    server = subprocess.Popen(
        [sys.executable, "-m", "warroom", "serve", "--port", "0", "--root", str(repo)],
        stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert server.stderr is not None
        line = server.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        base = f"http://127.0.0.1:{match.group(1)}/"
        with urllib.request.urlopen(base, timeout=10) as reply:
            home = reply.read().decode("utf-8")
            assert reply.headers["Cache-Control"] == "no-store"
        assert "Golden status" in home and 'href="static/style.css"' in home
        try:
            urllib.request.urlopen(base + "no/such/page/", timeout=10)
            raise AssertionError("expected a 404")
        except urllib.error.HTTPError as missing:
            assert missing.code == 404
            assert "Page not found" in missing.read().decode("utf-8")
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stderr is not None:
            server.stderr.close()
