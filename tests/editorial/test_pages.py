"""The editorial pages over HTTP: login and sessions, the review pages, the public
article pages, the index, the sitemap and the editorial policy."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from medcite.editorial.desk import Desk
from medcite.editorial.models import STATE_LABELS
from medcite.editorial.workflow import TRANSITIONS, VERBS
from medcite.service import Medcite
from medcite.web import create_app
from tests.editorial.conftest import PASSWORD, Q_PUBLISHED, Prepared


def login(client: TestClient, username: str, next_url: str = "/review") -> TestClient:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token[1], "next": next_url},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def csrf_of(html: str) -> str:
    found = re.search(r'data-csrf="([^"]+)"', html)
    assert found is not None
    return found[1]


@pytest.fixture
def https_client(prepared_service: Medcite) -> Iterator[TestClient]:
    with TestClient(create_app(prepared_service), base_url="https://testserver") as client:
        yield client


def test_session_cookie_flags(client: TestClient, https_client: TestClient) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    done = client.post("/login", data={"username": "rita", "password": PASSWORD,
                                       "csrf_token": token[1]}, follow_redirects=False)
    cookie = done.headers["set-cookie"].lower()
    assert "medcite_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http (local use)
    page = https_client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    done = https_client.post("/login", data={"username": "rita", "password": PASSWORD,
                                             "csrf_token": token[1]}, follow_redirects=False)
    assert "secure" in done.headers["set-cookie"].lower()


def test_login_refusals_are_shown(client: TestClient) -> None:
    client.get("/login")
    forged = client.post("/login", data={"username": "rita", "password": PASSWORD,
                                         "csrf_token": "forged"})
    assert forged.status_code == 403 and "CSRF" in forged.text
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    wrong = client.post("/login", data={"username": "rita", "password": "nope",
                                        "csrf_token": token[1]})
    assert wrong.status_code == 401 and "Wrong username or password" in wrong.text
    assert 'value="rita"' in wrong.text  # the username is kept


def test_login_never_redirects_off_site(client: TestClient) -> None:
    page = client.get("/login?next=//evil.example/x")
    assert 'name="next" value="/review"' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    done = client.post("/login", data={"username": "rita", "password": PASSWORD,
                                       "csrf_token": token[1], "next": "https://evil.example"},
                       follow_redirects=False)
    assert done.headers["location"] == "/review"


def test_logout_ends_the_session(client: TestClient) -> None:
    login(client, "rita")
    queue = client.get("/review")
    assert queue.status_code == 200 and "Signed in as" in queue.text
    refused = client.post("/logout", data={}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
    done = client.post("/logout", data={"csrf_token": csrf_of(queue.text)},
                       follow_redirects=False)
    assert done.status_code == 303
    again = client.get("/review", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/login?next=/review"


def test_editors_create_articles_from_the_queue(client: TestClient) -> None:
    login(client, "erin")
    queue = client.get("/review")
    assert "New article from a question" in queue.text
    made = client.post("/review/new", data={"csrf_token": csrf_of(queue.text),
                                            "question": "How is hypertension diagnosed?"},
                       follow_redirects=False)
    assert made.status_code == 303 and re.fullmatch(r"/review/\d+", made.headers["location"])
    page = client.get(made.headers["location"])
    assert "How is hypertension diagnosed?" in page.text and "Submit for review" in page.text


def test_review_page_shows_what_each_role_may_do(client: TestClient,
                                                 prepared: Prepared) -> None:
    article = prepared.ids["changes_requested"]
    login(client, "rita")
    page = client.get(f"/review/{article}").text
    assert 'class="ed-form edit-form"' not in page  # reviewers comment, they do not edit
    assert "Comment on sentence 0" in page
    client.cookies.clear()
    login(client, "erin")
    page = client.get(f"/review/{article}").text
    assert 'class="ed-form edit-form"' in page and "Submit for review" in page
    refused = client.post(f"/review/{article}/edit", data={
        "csrf_token": csrf_of(page), "index": "0", "text": "Give 900 mg of aspirin daily."})
    assert refused.status_code == 422
    assert "Edit refused." in refused.text and "900 mg" in refused.text
    assert "Give 900 mg of aspirin daily." in refused.text  # the draft is kept


def test_history_page_lists_versions_diff_and_audit(client: TestClient,
                                                    prepared: Prepared) -> None:
    login(client, "rita")
    page = client.get(f"/review/{prepared.ids['published']}/history").text
    for action in ("create", "route", "submit", "start-review", "approve", "publish"):
        assert f'data-action="{action}"' in page
    assert "Rita Reviewer, MD, FACP" in page and "format=csv" in page


def test_public_article_page(client: TestClient, prepared_desk: Desk) -> None:
    article = prepared_desk.articles.find(["published"])[0]
    page = client.get(f"/articles/{article.slug}")
    assert page.status_code == 200
    html = page.text
    assert f"<h1 class=\"question\">{Q_PUBLISHED}</h1>" in html
    steps = re.findall(r'<li class="step-(\w+)"><span class="step"[^>]*>(?:✓ )?([\w ]+)<', html)
    assert steps == [("done", "Submitted"), ("done", "Under Review"), ("done", "Approved")]
    assert "Reviewed and approved by <strong class=\"reviewer-name\">Rita Reviewer, MD, FACP" \
        in html
    assert "pending human review" not in html and "Last updated:" in html
    assert 'href="/editorial-policy"' in html and "From the Guidelines" in html
    assert 'class="cite"' in html  # citations open their passages as on answers
    assert "reviewed by the Medical Advisory Board" in html
    assert "not necessarily been reviewed" not in html


def test_unpublished_articles_are_staff_only(client: TestClient, prepared_desk: Desk) -> None:
    draft = prepared_desk.articles.find(["under_review"])[0]
    assert client.get(f"/articles/{draft.slug}").status_code == 404
    login(client, "rita")
    html = client.get(f"/articles/{draft.slug}").text
    assert "pending human review" in html
    assert re.findall(r'<li class="step-(\w+)">', html) == ["done", "current", "todo"]
    assert "Current: <strong class=\"state-label\">Under Review</strong>" in html


def test_merged_articles_redirect(client: TestClient, prepared_desk: Desk,
                                  prepared: Prepared) -> None:
    desk = prepared_desk
    erin = desk.accounts.require("erin")
    desk.merge(erin, prepared.ids["draft"], prepared.ids["published"])
    old = desk.articles.get(prepared.ids["draft"])
    moved = client.get(f"/articles/{old.slug}", follow_redirects=False)
    target = desk.articles.get(prepared.ids["published"])
    assert moved.status_code == 301 and moved.headers["location"] == f"/articles/{target.slug}"


def test_index_and_sitemap_list_published_articles_only(client: TestClient,
                                                        prepared_desk: Desk) -> None:
    published = prepared_desk.articles.find(["published"])[0]
    hidden = prepared_desk.articles.find(["approved"])[0]
    index = client.get("/articles").text
    assert "<h2 id=\"topic-1\">Treatment and management</h2>" in index
    assert f'href="/articles/{published.slug}"' in index
    assert hidden.slug not in index
    sitemap = client.get("/sitemap.xml")
    assert sitemap.headers["content-type"].startswith("application/xml")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap.text)
    assert f"http://testserver/articles/{published.slug}" in locs
    assert not any(hidden.slug in loc for loc in locs)
    assert "http://testserver/editorial-policy" in locs


def test_the_policy_documents_every_transition(client: TestClient) -> None:
    """The policy page is written by hand: this keeps it in step with the table."""
    html = client.get("/editorial-policy").text
    rows = set(re.findall(r"<tr><td>([\w ]+)</td><td>([\w ]+)</td><td>([\w-]+)</td>"
                          r"<td>([\w, ]+)</td></tr>", html))
    expected = {(STATE_LABELS[a], STATE_LABELS[b], VERBS[(a, b)], ", ".join(
        sorted(roles, key=lambda r: ("editor", "reviewer", "admin").index(r))))
        for (a, b), roles in TRANSITIONS.items()}
    assert rows == expected
    assert "pending human review" in html and "/articles" in html


def test_a_new_login_replaces_the_old_session(client: TestClient, prepared: Prepared) -> None:
    login(client, "rita")
    first = client.cookies.get("medcite_session")
    login(client, "rita")
    second = client.cookies.get("medcite_session")
    assert first and second and first != second
    client.cookies.clear()
    stale = client.get("/review", headers={"cookie": f"medcite_session={first}"},
                       follow_redirects=False)
    assert stale.status_code == 303
    fresh = client.get("/review", headers={"cookie": f"medcite_session={second}"})
    assert fresh.status_code == 200


def test_old_versions_are_readable(client: TestClient, prepared_desk: Desk,
                                   prepared: Prepared) -> None:
    article = prepared.ids["changes_requested"]
    erin = prepared_desk.accounts.require("erin")
    first = prepared_desk.articles.version(article, 1).answer.all_sentences()[0].text
    prepared_desk.edit_sentence(erin, article, 0, first)
    login(client, "erin")
    old = client.get(f"/review/{article}?version=1").text
    assert "an old version (read only)" in old and 'class="ed-form edit-form"' not in old
    assert "Submit for review" not in old
    current = client.get(f"/review/{article}").text
    assert "Version 2" in current and 'class="ed-form edit-form"' in current
    history = client.get(f"/review/{article}/history").text
    assert f'href="/review/{article}?version=1"' in history
