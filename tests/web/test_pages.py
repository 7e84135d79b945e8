"""The HTML pages rendered by the server (the no-JavaScript path), in-process."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medcite.answer.audience import Audience, policy
from medcite.answer.model import Answer, Reference, ReferencePassage, Section, Sentence
from tests.web.conftest import FOLLOW_UP, QUESTION

HTML = {"accept": "text/html"}


class Outline(HTMLParser):
    """Headings in order, and every URL a page would load by itself."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.loads: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self._open = tag
            self.headings.append((tag, ""))
        if tag in ("script", "img", "iframe") and values.get("src"):
            self.loads.append(values["src"] or "")
        if tag == "link" and values.get("href"):
            self.loads.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, (text + data).strip())


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def nojs_answer(client: TestClient, question: str = QUESTION, audience: str = "clinician") -> str:
    response = client.get("/ask", params={"q": question, "audience": audience, "nojs": "1"},
                          headers=HTML)
    assert response.status_code == 200
    return response.text


def test_home_has_a_labelled_search_box_and_the_role_choice(client: TestClient) -> None:
    html = client.get("/", headers=HTML).text
    assert re.search(r'<label for="q"[^>]*>Ask a clinical question</label>', html)
    assert re.search(r'<input id="q" name="q" type="search"[^>]*autofocus', html)
    assert "Which best describes you?" in html
    assert re.search(r'value="clinician" checked', html)
    assert "8 documents indexed" in html


def test_home_remembers_the_role_from_the_cookie(client: TestClient) -> None:
    client.cookies.set("medcite_audience", "patient")
    assert re.search(r'value="patient" checked', client.get("/", headers=HTML).text)


def test_home_on_an_empty_store_says_how_to_fill_it(empty_client: TestClient) -> None:
    assert "medcite ingest" in empty_client.get("/", headers=HTML).text


def test_ask_page_is_a_shell_the_stream_fills(client: TestClient) -> None:
    response = client.get("/ask", params={"q": QUESTION, "audience": "patient"}, headers=HTML)
    html = response.text
    assert outline(html).headings[0] == ("h1", QUESTION)
    assert 'role="status"' in html and "Finding and checking the evidence" in html
    assert 'data-stream-url="/api/v1/ask/stream?question=What+is' in html
    assert "audience=patient" in html
    assert re.search(r"<noscript>.*href=\"/ask\?q=What[^\"]*nojs=1", html, re.S)
    assert "From the Guidelines" not in html
    assert policy("patient").disclaimer in html  # the disclaimer is there from the start


def test_ask_page_without_javascript_renders_the_whole_answer_in_order(client: TestClient) -> None:
    html = nojs_answer(client)
    parts = [QUESTION, "Educational purpose only • pending human review by the Medical "
             "Advisory Board", "Submitted", "Under Review", "Approved", "Not yet reviewed",
             "Last updated:", 'href="/editorial-policy"', "Which best describes you?",
             "Bottom line", "From the Guidelines", "From the Research", "References",
             "Professional medical disclaimer", "Have a follow-up question?"]
    main = html[html.index("<main"):]
    positions = [main.index(part) for part in parts]
    assert positions == sorted(positions)
    headings = outline(html).headings
    assert headings[0] == ("h1", QUESTION)
    levels = [int(tag[1]) for tag, _ in headings if tag != "h1"]
    assert all(b - a <= 1 for a, b in zip([1, *levels], levels, strict=False))  # no skipped level
    assert ("h2", "From the Research") in headings and any(t == "h3" for t, _ in headings)
    assert re.search(r'<form class="follow-up-form" method="post" action="/threads/[\w-]+"', html)


def test_every_citation_is_a_button_naming_its_passages(client: TestClient) -> None:
    html = nojs_answer(client)
    buttons = re.findall(r'<button type="button" class="cite" data-n="(\d+)" '
                         r'data-passages="([^"]+)"', html)
    assert buttons
    data = re.search(r'<script type="application/json" class="references-data">(.*?)</script>',
                     html, re.S)
    assert data
    passages = {r["n"]: {p["passage_id"] for p in r["passages"]} for r in json.loads(data[1])}
    for n, ids in buttons:
        assert set(ids.split()) & passages[int(n)], (n, ids)


def test_references_show_type_level_source_year_outdated_and_links(client: TestClient) -> None:
    html = nojs_answer(client)
    references = html[html.index('<ol class="reference-list">'):]
    for text in ("Guideline", "Research", "Consumer", "Randomized trial", "JAMA, 2002",
                 "American College of Physicians, 2008", "may be outdated",
                 'href="https://guidelines.example.org/htn-screening"',
                 'href="https://pubmed.ncbi.nlm.nih.gov/1001/"',
                 'href="/documents/pmid%3A1001"'):
        assert text in references, text


def test_patient_answer_is_in_plain_language_with_the_patient_disclaimer(
        client: TestClient) -> None:
    html = nojs_answer(client, audience="patient")
    assert policy("patient").disclaimer in html and policy("clinician").disclaimer not in html
    assert re.search(r'value="patient" checked', html)


def test_ask_page_input_errors(client: TestClient, empty_client: TestClient) -> None:
    empty = client.get("/ask", params={"q": "  "}, headers=HTML, follow_redirects=False)
    assert empty.status_code == 303 and empty.headers["location"] == "/"
    robot = client.get("/ask", params={"q": QUESTION, "audience": "robot"}, headers=HTML)
    assert robot.status_code == 422 and "Unknown audience" in robot.text
    long = client.get("/ask", params={"q": "x " * 1500, "nojs": "1"}, headers=HTML)
    assert long.status_code == 422 and "limit is 2000" in long.text
    store = empty_client.get("/ask", params={"q": QUESTION, "nojs": "1"}, headers=HTML)
    assert store.status_code == 409 and "medcite ingest" in store.text


def test_thread_page_and_a_follow_up_posted_into_it(client: TestClient) -> None:
    first = client.post("/api/v1/ask", json={"question": QUESTION}).json()
    url = f"/threads/{first['thread_id']}"
    posted = client.post(url, data={"question": FOLLOW_UP, "audience": "clinician"},
                         headers=HTML, follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["location"] == f"{url}#turn-2"
    html = client.get(url, headers=HTML).text
    assert 'id="turn-1"' in html and 'id="turn-2"' in html
    assert html.index(QUESTION) < html.index(FOLLOW_UP)
    assert "searched as" in html and "for hypertension?" in html
    assert html.count('class="references"') == 2
    assert f'action="{url}"' in html


def test_empty_follow_up_is_shown_next_to_the_form(client: TestClient) -> None:
    first = client.post("/api/v1/ask", json={"question": QUESTION}).json()
    url = f"/threads/{first['thread_id']}"
    response = client.post(url, data={"question": "  "}, headers=HTML)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text and "The question is empty" in response.text
    assert len(client.get(f"/api/v1/threads/{first['thread_id']}").json()["turns"]) == 1


def test_follow_up_body_over_the_limit_is_413(client: TestClient) -> None:
    first = client.post("/api/v1/ask", json={"question": QUESTION}).json()
    response = client.post(f"/threads/{first['thread_id']}", data={"question": "x" * 70_000})
    assert response.status_code == 413


def test_unknown_pages_are_html_404s_for_browsers(client: TestClient) -> None:
    for path in ("/threads/nosuchthread", "/documents/pmid:0", "/no/such/page"):
        response = client.get(path, headers=HTML)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Error 404" in response.text


def test_document_page_has_an_anchor_per_passage(client: TestClient) -> None:
    html = client.get("/documents/guideline:htn-1", headers=HTML).text
    assert outline(html).headings[0] == ("h1", "Hypertension in Adults: Treatment")
    assert 'id="p-guideline-htn-1-t0"' in html and "American Heart Association" in html


def test_editorial_policy_describes_the_review_states(client: TestClient) -> None:
    html = client.get("/editorial-policy", headers=HTML).text
    assert outline(html).headings[0] == ("h1", "Editorial policy")
    assert "Under Review" in html and "Approved" in html


@pytest.mark.parametrize("path", ["/", "/ask?q=hypertension", "/ask?q=hypertension&nojs=1",
                                  "/editorial-policy", "/documents/pmid:1001", "/api/v1/docs"])
def test_pages_load_nothing_from_other_hosts(client: TestClient, path: str) -> None:
    html = client.get(path, headers=HTML).text
    loads = outline(html).loads
    assert loads and all(url.startswith(("/static/", "data:")) for url in loads), loads


def test_static_assets_name_no_other_host(client: TestClient) -> None:
    for asset in ("/static/app.css", "/static/app.js"):
        text = client.get(asset).text
        assert not re.search(r"(url\(|import|fetch\()\s*['\"]?https?://", text), asset


def emergency_answer() -> Answer:
    sentence = Sentence(text="Chest pain with sweating needs urgent assessment.",
                        citations=[1], passage_ids=["guideline:x#t0"])
    return Answer(
        question="My father has crushing chest pain and is sweating right now",
        status="emergency", summary=[sentence],
        sections=[Section(title="From the Guidelines", kind="guidelines", sentences=[sentence])],
        references=[Reference(n=1, doc_id="guideline:x", kind="guideline",
                              evidence_level="guideline", evidence_label="Guideline",
                              passages=[ReferencePassage(passage_id="guideline:x#t0",
                                                         text=sentence.text)])],
        missing=["No dose found."], disclaimer=policy("patient").disclaimer, audience="patient",
        generated_at="2026-01-02T00:00:00+00:00")


def test_emergency_is_an_alert_at_the_top(app: FastAPI) -> None:
    answer = emergency_answer()
    html = app.state.templates.env.get_template("ask.html").render(
        question=answer.question, audience="patient", answer=answer, stream_url="",
        nojs_url="")
    alert = html.index('role="alert"')
    assert "Emergency: seek care now" in html[alert:alert + 300]
    assert alert < html.index("Educational purpose only") < html.index("Bottom line")
    assert "What the evidence does not cover" in html and "No dose found." in html
    assert "January 2, 2026" in html


def test_an_unanswered_question_says_why_at_the_top(client: TestClient) -> None:
    question = "What is the best pizza topping?"
    status = client.post("/api/v1/ask", json={"question": question}).json()["status"]
    assert status != "answered"
    html = nojs_answer(client, question)
    main = html[html.index("<main"):]
    note = main.index(f'class="status-note status-{status}"')
    assert note < main.index("Educational purpose only")
    assert "What the evidence does not cover" in main or status == "out_of_scope"


def test_an_emergency_shows_its_instruction_first(client: TestClient) -> None:
    from medcite.answer.safety import EMERGENCY_NOTICE

    html = nojs_answer(client, "I have crushing chest pain and I am sweating right now")
    assert 'class="status-note status-emergency" role="alert"' in html
    assert EMERGENCY_NOTICE in html
    assert html.index("<h1") < html.index(EMERGENCY_NOTICE) < html.index("This information is")


def test_an_emergency_page_is_the_instruction_and_the_disclaimer(client: TestClient) -> None:
    from medcite.answer.safety import EMERGENCY_NOTICE
    from medcite.web.view import STATUS_TEXT

    # "first-line treatment for hypertension" finds evidence; none of it may be shown
    html = nojs_answer(client, "I have crushing chest pain and I am sweating right now, is it "
                               "my first-line treatment for hypertension?")
    main = html[html.index("<main"):]
    assert main.count(EMERGENCY_NOTICE) == 1 and STATUS_TEXT["emergency"] not in main
    assert "Bottom line" not in main and "reference-list" not in main
    assert 'class="cite"' not in main and "What the evidence does not cover" not in main
    assert main.index(EMERGENCY_NOTICE) < main.index('class="disclaimer"')


def test_out_of_scope_page_explains_once_without_a_disclaimer(app: FastAPI) -> None:
    from medcite.answer.safety import OUT_OF_SCOPE_NOTICE
    from medcite.service import notice_answer
    from medcite.web.view import STATUS_TEXT

    answer = notice_answer("What will the weather be in Paris tomorrow?", Audience.CLINICIAN,
                           "out_of_scope", OUT_OF_SCOPE_NOTICE, "extractive")
    html = app.state.templates.env.get_template("ask.html").render(
        question=answer.question, audience="clinician", answer=answer, stream_url="",
        nojs_url="")
    main = html[html.index("<main"):]  # the head carries every label for the script
    assert 'class="status-note status-out_of_scope"' in main
    assert main.count(OUT_OF_SCOPE_NOTICE) == 1 and STATUS_TEXT["out_of_scope"] not in main
    assert 'class="disclaimer"' not in main and policy("clinician").disclaimer not in main
