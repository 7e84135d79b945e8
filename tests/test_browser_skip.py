"""`make test` on a machine without Chromium: the browser tests are skipped, with the
advice on how to install one, and nothing else fails on their account."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BROWSER_TESTS = ["tests/web/test_browser.py", "tests/editorial/test_browser.py"]


@pytest.mark.timeout(120)
def test_browser_tests_skip_cleanly_without_chromium(tmp_path: Path) -> None:
    pytest.importorskip("playwright.sync_api")
    env = {**os.environ, "PATH": str(Path(sys.executable).parent),
           "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "no-browsers")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *BROWSER_TESTS],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "skipped" in summary and "passed" not in summary and "error" not in summary, summary
    assert "apt-get install chromium" in result.stdout
