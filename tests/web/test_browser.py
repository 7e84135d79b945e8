"""The pages in a real browser (Debian's chromium via Playwright) against a real uvicorn
server on a free port: ask, stream, cite, switch role, follow up, keyboard, print, phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from medcite.web import create_app
from tests.browser import (
    PHONE,
    Browser,
    Page,
    expect,
    launch,
    needs_chromium,
    open_page,
    screenshot,
)
from tests.live_server import live_server
from tests.web.conftest import FOLLOW_UP, QUESTION, build_home, open_service
from tests.web.test_verify import ANSWER as VERIFY_ANSWER

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server over the tiny corpus, in a background thread."""
    home = build_home(tmp_path_factory.mktemp("browser"))
    with open_service(home) as service, live_server(create_app(service)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launch()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh desktop page; afterwards, no request went to another host and no script
    failed."""
    tab, requests, errors = open_page(browser, base_url)
    yield tab
    tab.context.close()
    hosts = {urlsplit(url).hostname for url in requests}
    assert requests and hosts <= {"127.0.0.1", "localhost"}, hosts
    assert errors == []


def ask_from_home(page: Page, question: str = QUESTION) -> None:
    page.goto("/")
    expect(page.locator("#q")).to_be_focused()  # autofocus
    page.get_by_label("Ask a clinical question").fill(question)
    page.keyboard.press("Enter")
    expect(page.locator(".answer-body")).to_have_attribute("aria-busy", "false")


def headings(page: Page) -> list[str]:
    return page.locator("main h1, main h2, main h3").evaluate_all(
        "els => els.map(e => e.tagName + ' ' + e.textContent.trim())")


def test_ask_streams_the_answer_then_takes_the_thread_url(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Ask a clinical question").fill(QUESTION)
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(QUESTION)
    expect(page.get_by_role("heading", name="From the Guidelines", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="From the Research", level=2)).to_be_visible()
    assert page.locator(".section-research-group h3").count() >= 1
    assert page.locator(".reference-list > li").count() >= 3
    expect(page.locator(".progress")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/threads/[\w-]+#turn-1$"))
    expect(page.locator(".follow-up-form button[type=submit]")).to_be_enabled()
    expect(page.locator(".disclaimer")).to_contain_text("healthcare professionals")
    # every citation points at a listed reference
    listed = set(page.locator(".reference-list > li").evaluate_all(
        "els => els.map(e => e.dataset.n)"))
    cited = set(page.locator("button.cite").evaluate_all("els => els.map(e => e.dataset.n)"))
    assert cited and cited <= listed
    screenshot(page, "answer-desktop")


def test_streamed_page_has_the_same_anatomy_as_the_server_rendered_one(
        page: Page, browser: Browser, base_url: str) -> None:
    ask_from_home(page)
    streamed = headings(page)
    streamed_cites = page.locator("button.cite").count()
    nojs, requests, _ = open_page(browser, base_url, javascript=False)
    nojs.goto("/")
    nojs.get_by_label("Ask a clinical question").fill(QUESTION)
    nojs.get_by_role("button", name="Ask", exact=True).click()
    expect(nojs).to_have_url(re.compile(r"nojs=1"))
    assert headings(nojs) == streamed
    assert nojs.locator("button.cite").count() == streamed_cites
    assert "From the Guidelines" in " ".join(streamed)
    nojs.context.close()
    assert {urlsplit(url).hostname for url in requests} == {"127.0.0.1"}


def test_citation_shows_its_passage_with_the_sentence_highlighted(page: Page) -> None:
    ask_from_home(page)
    button = page.locator(".section-guidelines button.cite").first
    sentence = button.locator("xpath=../span[@class='sentence-text']")
    sentence_text = sentence.inner_text()
    button.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text(f"Source [{button.get_attribute('data-n')}]")
    mark = dialog.locator("mark")
    expect(mark).to_have_count(1)
    assert " ".join(mark.inner_text().split()) == " ".join(sentence_text.split())
    passage_id = dialog.locator(".source-passage").first.get_attribute("data-passage-id")
    assert passage_id in (button.get_attribute("data-passages") or "").split()
    assert dialog.locator(".source-passage").inner_text().strip() != mark.inner_text().strip()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()
    assert "/threads/" in page.url  # the page was not left


def test_keyboard_tab_to_a_citation_enter_opens_escape_closes(page: Page) -> None:
    ask_from_home(page)
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('cite')"):
            break
    else:
        pytest.fail("Tab never reached a citation")
    focused = page.evaluate_handle("document.activeElement")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("mark")).to_have_count(1)
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("el => document.activeElement === el", focused)


def test_switching_to_patient_reloads_the_answer_for_patients(page: Page) -> None:
    ask_from_home(page)
    expect(page.locator(".disclaimer")).to_contain_text("healthcare professionals")
    with page.expect_navigation(url=re.compile(r"/ask\?.*audience=patient")):
        page.get_by_label("Patient or caregiver").check()
    expect(page.locator(".answer-body")).to_have_attribute("aria-busy", "false")
    expect(page.locator(".disclaimer")).to_contain_text("not medical advice")
    expect(page.get_by_label("Patient or caregiver")).to_be_checked()
    expect(page).to_have_url(re.compile(r"/threads/[\w-]+#turn-1$"))
    thread_id = page.url.split("/threads/")[1].split("#")[0]
    turn = httpx.get(f"{page.url.split('/threads/')[0]}/api/v1/threads/{thread_id}").json()
    assert turn["turns"][0]["audience"] == "patient"
    # the choice is remembered for the next question
    assert page.evaluate("localStorage.getItem('medcite.audience')") == "patient"
    page.goto("/")
    expect(page.get_by_label("Patient or caregiver")).to_be_checked()


def test_follow_up_lands_as_the_second_turn_of_the_thread(page: Page) -> None:
    ask_from_home(page)
    expect(page).to_have_url(re.compile(r"#turn-1$"))
    thread_url = page.url.split("#")[0]
    page.get_by_label("Your follow-up question").fill(FOLLOW_UP)
    page.get_by_label("Your follow-up question").press("Enter")
    expect(page).to_have_url(f"{thread_url}#turn-2")
    second = page.locator("#turn-2")
    expect(second.get_by_role("heading", level=2)).to_contain_text(FOLLOW_UP)
    expect(second).to_contain_text("searched as")
    expect(page.locator("#turn-1").get_by_role("heading", level=2)).to_contain_text(QUESTION)
    expect(second.locator(".reference-list > li").first).to_be_visible()
    # citations of the second turn open the second turn's passages
    button = second.locator("button.cite").first
    button.click()
    expect(page.get_by_role("dialog").locator("mark")).to_have_count(1)
    page.keyboard.press("Escape")
    # the thread's address is stable
    page.goto(thread_url)
    expect(page.locator(".turn")).to_have_count(2)
    screenshot(page, "thread-desktop")


def test_print_shows_the_article_without_controls(page: Page) -> None:
    ask_from_home(page)
    page.emulate_media(media="print")
    expect(page.locator(".follow-up")).to_be_hidden()
    expect(page.locator(".audience-switch")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".references")).to_be_visible()
    expect(page.locator(".disclaimer")).to_be_visible()
    expect(page.locator("button.cite").first).to_be_visible()  # the [n] markers stay in the text


def test_the_csp_blocks_inline_code_and_the_page_check_reports_it(
        browser: Browser, base_url: str) -> None:
    csp = httpx.get(base_url + "/").headers["content-security-policy"]
    html = ('<!doctype html><title>probe</title><p style="color: red" onclick="go()">x</p>'
            '<script>document.title = "ran"</script>')
    probe, _, errors = open_page(browser, base_url)
    probe.route("**/csp-probe", lambda route: route.fulfill(
        status=200, body=html, headers={"content-type": "text/html",
                                        "content-security-policy": csp}))
    probe.goto("/csp-probe")
    for _ in range(50):
        if any("script-src" in e for e in errors) and any("style-src" in e for e in errors):
            break
        probe.wait_for_timeout(100)
    assert probe.title() == "probe"  # the inline script did not run
    assert any("script-src" in e for e in errors), errors
    assert any("style-src" in e for e in errors), errors
    probe.context.close()


def test_the_other_pages_work_under_the_csp(page: Page) -> None:
    """Verify, document, policy, API reference, articles, login: no CSP violation (the
    page fixture fails the test on any)."""
    page.goto("/verify")
    page.get_by_label("Answer with references").fill(VERIFY_ANSWER)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".verify-results")).to_be_visible()
    expect(page.locator(".verify-supported").first).to_be_visible()
    box, form = (page.locator(s).bounding_box() for s in ("#answer", ".verify-form"))
    assert box is not None and form is not None and box["width"] >= 0.9 * form["width"]
    page.get_by_role("link", name="pmid:1001").first.click()
    expect(page).to_have_url(re.compile(r"/documents/pmid:1001$"))
    for path in ("/editorial-policy", "/api/v1/docs", "/articles", "/login"):
        response = page.goto(path)
        assert response is not None and response.ok, path
        expect(page.get_by_role("heading", level=1).first).to_be_visible()


def test_phone_layout_fits_the_screen(browser: Browser, base_url: str) -> None:
    phone, requests, errors = open_page(browser, base_url, viewport=PHONE)
    ask_from_home(phone)
    expect(phone.get_by_role("heading", name="From the Guidelines")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "answer-phone")
    phone.locator("button.cite").first.click()
    dialog = phone.get_by_role("dialog")
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    screenshot(phone, "citation-phone", full_page=False)
    phone.keyboard.press("Escape")
    phone.goto("/")
    screenshot(phone, "home-phone")
    phone.context.close()
    assert {urlsplit(url).hostname for url in requests} <= {"127.0.0.1"}
    assert errors == []


def test_a_streamed_emergency_shows_its_instruction_once_and_no_evidence(page: Page) -> None:
    from medcite.answer.safety import EMERGENCY_NOTICE

    # the corpus covers hypertension treatment: none of that evidence may follow
    ask_from_home(page, "I have crushing chest pain and I am sweating right now, is it my "
                        "first-line treatment for hypertension?")
    alert = page.locator(".slot-status .status-emergency[role=alert]")
    expect(alert).to_have_text(f"Emergency: seek care now. {EMERGENCY_NOTICE}")
    assert page.locator("main").inner_text().count("Call your local emergency number") == 1
    expect(page.locator(".bottom-line, .reference-list, button.cite")).to_have_count(0)
    expect(page.locator(".disclaimer")).to_contain_text("healthcare professionals")


def test_a_streamed_out_of_scope_answer_explains_once_without_a_disclaimer(
        browser: Browser, tmp_path: Path) -> None:
    from medcite.answer.safety import OUT_OF_SCOPE_NOTICE
    from tests.conftest import write_jsonl

    weather = {"ui": "D014887", "name": "Weather", "entry_terms": [], "permuted": [],
               "tree_numbers": ["G16.500.275"], "categories": [], "pharm_actions": []}
    home = build_home(tmp_path)  # with a vocabulary, medcite can tell what is not medical
    with open_service(home) as service:
        service.ingest([write_jsonl(tmp_path / "mesh.jsonl", [weather])])
        with live_server(create_app(service)) as url:
            page, _, errors = open_page(browser, url)
            ask_from_home(page, "What will the weather be in Paris tomorrow?")
            expect(page.locator(".slot-status .status-out_of_scope")).to_have_text(
                f"Out of scope. {OUT_OF_SCOPE_NOTICE}")
            main = page.locator("main").inner_text()
            assert main.count("does not appear to be a medical one") == 1
            expect(page.locator(".disclaimer")).to_have_count(0)
            page.context.close()
    assert errors == []
