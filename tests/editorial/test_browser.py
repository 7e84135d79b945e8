"""The whole review in a real browser (Debian's chromium via Playwright) against a real
uvicorn server: a reviewer comments and requests changes, the editor's unverifiable edit
is refused with a visible reason and a valid one is saved, a second reviewer approves, the
article is published with its badge, reviewer and date, and the audit log shows it all."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from medcite.editorial.desk import Desk
from medcite.web import create_app
from tests.browser import Browser, Page, expect, launch, needs_chromium, open_page, screenshot
from tests.editorial.conftest import PASSWORD, Q_PUBLISHED
from tests.live_server import live_server
from tests.web.conftest import open_service

pytestmark = needs_chromium
TARGET = "A blood pressure target of less than 130/80 mm Hg is recommended for most adults " \
         "with hypertension."
REWORDED = "For most adults with hypertension, a blood pressure target of less than 130/80 " \
           "mm Hg is recommended."


@pytest.fixture(scope="module")
def server(editorial_home: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, int]]:
    """A real server over a home where the editor has submitted one article."""
    home = Path(shutil.copytree(editorial_home, tmp_path_factory.mktemp("e2e") / "home"))
    with open_service(home) as service:
        desk = Desk(service)
        erin = desk.accounts.require("erin")
        article, _ = desk.create(erin, Q_PUBLISHED)
        desk.act(erin, article.id, "submit")
        with live_server(create_app(service)) as url:
            yield url, article.id


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launch()


def log_in(page: Page, username: str) -> None:
    page.goto("/review")
    expect(page).to_have_url(re.compile(r"/login\?next=/review$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Review queue", level=1)).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/$"))


def open_article(page: Page) -> None:
    page.get_by_role("link", name=Q_PUBLISHED).click()
    expect(page.get_by_role("heading", name=Q_PUBLISHED, level=1)).to_be_visible()


def test_review_edit_approve_publish(server: tuple[str, int], browser: Browser) -> None:
    base_url, article_id = server
    page, requests, errors = open_page(browser, base_url)

    # 1. a reviewer logs in, opens the queue, comments on a sentence, requests changes
    log_in(page, "rita")
    row = page.locator("tr.queue-item", has_text=Q_PUBLISHED)
    expect(row).to_contain_text("Submitted")
    screenshot(page, "editorial-queue")
    open_article(page)
    sentence = page.locator("li.ed-sentence", has_text=TARGET)
    sentence.locator("summary").click()
    sentence.get_by_label(re.compile(r"Comment on sentence \d+")).fill(
        "Please phrase the target the way the guideline does.")
    sentence.get_by_role("button", name="Add comment").click()
    expect(page.locator(".ed-comment").first).to_contain_text("Please phrase the target")
    expect(page.locator(".state-pill").first).to_have_text("Under Review")
    page.get_by_label("Note for the record (optional)").fill("See my comment on the target.")
    page.get_by_role("button", name="Request changes").click()
    expect(page.locator(".state-pill").first).to_have_text("Changes Requested")
    screenshot(page, "editorial-changes-requested")
    log_out(page)

    # 2. the editor revises: a changed dose number is refused with a visible reason
    log_in(page, "erin")
    expect(page.locator("tr.queue-item", has_text=Q_PUBLISHED)).to_contain_text(
        "Changes Requested")
    open_article(page)
    expect(page.locator(".ed-decision")).to_contain_text(
        "Changes requested by rita on")
    expect(page.locator(".ed-decision")).to_contain_text("See my comment on the target.")
    expect(page.locator(".ed-comment").first).to_contain_text("Please phrase the target")
    sentence = page.locator("li.ed-sentence", has_text=TARGET)
    sentence.locator("summary").click()
    box = sentence.get_by_label(re.compile(r"Edited sentence \d+"))
    box.fill(TARGET.replace("130/80", "120/80"))
    feedback = sentence.locator(".verify-feedback")
    expect(feedback).to_contain_text("Would be refused")
    expect(feedback).to_contain_text("120")
    screenshot(page, "editorial-edit-live-check")
    sentence.get_by_role("button", name="Save edit").click()
    refusal = page.locator(".edit-refused")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("Edit refused.")
    expect(refusal).to_contain_text("Not found in the cited passages: 120")
    screenshot(page, "editorial-edit-refused")
    sentence = page.locator("li.ed-sentence", has=page.locator(".edit-refused"))
    box = sentence.get_by_label(re.compile(r"Edited sentence \d+"))
    box.fill(REWORDED)
    expect(sentence.locator(".verify-feedback")).to_contain_text("Passes verification")
    sentence.get_by_role("button", name="Save edit").click()
    expect(page.locator("li.ed-sentence", has_text=REWORDED)).to_be_visible()
    expect(page.locator(".ed-meta")).to_contain_text("Version 2 (edited by erin")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".state-pill").first).to_have_text("Submitted")
    log_out(page)

    # 3. a second reviewer approves
    log_in(page, "ravi")
    open_article(page)
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".state-pill").first).to_have_text("Approved")
    expect(page.locator(".reviewer")).to_contain_text("Ravi Reviewer, MD, PhD")
    log_out(page)

    # 4. the editor publishes; the public page shows the badge, reviewer and date
    log_in(page, "erin")
    page.goto(f"/review/{article_id}")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".state-pill").first).to_have_text("Published")
    history_url = f"/review/{article_id}/history"
    log_out(page)
    reader, reader_requests, reader_errors = open_page(browser, base_url)
    reader.goto("/articles")
    reader.get_by_role("link", name=Q_PUBLISHED).click()
    expect(reader).to_have_url(re.compile(r"/articles/first-line-treatment-for-hypertension$"))
    steps = reader.locator(".ed-steps li")
    expect(steps).to_have_count(3)
    for i, name in enumerate(("Submitted", "Under Review", "Approved")):
        expect(steps.nth(i)).to_have_class("step-done")
        expect(steps.nth(i)).to_contain_text(name)
    expect(reader.locator(".reviewer")).to_contain_text("Ravi Reviewer, MD, PhD")
    expect(reader.locator(".reviewer time")).to_have_text(re.compile(r"\w+ \d{1,2}, \d{4}"))
    expect(reader.locator(".last-updated")).to_have_text(re.compile(r"\w+ \d{1,2}, \d{4}"))
    expect(reader.get_by_text("pending human review")).to_have_count(0)
    expect(reader.locator(".sentence-text", has_text=REWORDED)).to_be_visible()
    reader.locator("button.cite").first.click()
    expect(reader.locator("#source-dialog")).to_be_visible()
    reader.keyboard.press("Escape")
    screenshot(reader, "editorial-article-public")
    reader.context.close()
    requests += reader_requests
    errors += reader_errors

    # 5. the history page shows every step of the audit log
    log_in(page, "rita")
    page.goto(history_url)
    actions = page.locator("tr.audit-row td.audit-action").all_text_contents()
    assert actions == ["create", "submit", "start-review", "comment", "request-changes",
                       "edit", "submit", "start-review", "approve", "publish"]
    actors = page.locator("tr.audit-row td:nth-child(3)").all_text_contents()
    assert actors == ["erin", "erin", "rita", "rita", "rita", "erin", "erin", "ravi", "ravi",
                      "erin"]
    expect(page.locator(".ed-diff .diff-add")).to_contain_text(REWORDED)
    expect(page.locator(".ed-diff .diff-del")).to_contain_text(TARGET)
    screenshot(page, "editorial-history")
    page.context.close()
    assert errors == []
    assert {urlsplit(url).hostname for url in requests} == {"127.0.0.1"}
