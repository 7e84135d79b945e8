"""What the browser tests share: a Chromium driven by Playwright, pages that record their
requests, script errors and Content-Security-Policy violations, and screenshots kept as test
artifacts.

The browser is the system's (Debian: ``apt-get install chromium``; any ``chromium`` or
``chromium-browser`` on PATH), else Playwright's own build (``playwright install
chromium``); without either, every browser test is skipped with that advice."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def system_chromium() -> str | None:
    """Debian's (or any) chromium on PATH; None if there is none."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def playwright_chromium() -> bool:
    """Whether ``playwright install chromium`` has downloaded its build."""
    cache = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright"
    return any(Path(cache).glob("chromium*"))


CHROMIUM = system_chromium()
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
REPORT_CSP_VIOLATIONS = """document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
                + " at " + e.sourceFile + ":" + e.lineNumber);
});"""
"""Runs before the page's own scripts (Playwright's init scripts are exempt from the CSP)."""

playwright_api = pytest.importorskip("playwright.sync_api")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not playwright_chromium(),
    reason="needs Chromium: apt-get install chromium, or .venv/bin/playwright install chromium")
Page = playwright_api.Page
Browser = playwright_api.Browser
expect = playwright_api.expect


def launch() -> Iterator[Any]:
    """A headless chromium for the length of a module's tests (a fixture body)."""
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)  # None: Playwright's
        yield instance
        instance.close()


def is_csp_violation(text: str) -> bool:
    """A console message about something the Content-Security-Policy blocked."""
    return text.startswith("CSP violation:") or "Content Security Policy" in text


def open_page(browser: Any, base_url: str, viewport: dict[str, int] = DESKTOP,
              javascript: bool = True) -> tuple[Any, list[str], list[str]]:
    """A page in a fresh context, with the URLs it requests and the script errors and
    CSP violations (inline script, style or handler; a foreign host) it hits."""
    context = browser.new_context(viewport=viewport, base_url=base_url,
                                  java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if is_csp_violation(message.text) else None)
    return page, requests, errors


def screenshot(page: Any, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
