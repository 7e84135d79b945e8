"""What the browser tests share: Debian's chromium driven by Playwright, pages that record
their requests and script errors, and screenshots kept as test artifacts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

playwright_api = pytest.importorskip("playwright.sync_api")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
Page = playwright_api.Page
Browser = playwright_api.Browser
expect = playwright_api.expect


def launch() -> Iterator[Any]:
    """A headless chromium for the length of a module's tests (a fixture body)."""
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


def open_page(browser: Any, base_url: str, viewport: dict[str, int] = DESKTOP,
              javascript: bool = True) -> tuple[Any, list[str], list[str]]:
    """A page in a fresh context, with the URLs it requests and the script errors it hits."""
    context = browser.new_context(viewport=viewport, base_url=base_url,
                                  java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, requests, errors


def screenshot(page: Any, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
