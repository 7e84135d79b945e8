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
from tests.editorial.conftest import PASSWORD, Q_PUBLISHED, Q_ROUTED, Prepared


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


def published_with_rejected_revision(desk: Desk, prepared: Prepared) -> int:
    """The prepared published article (version 1, approved by Rita), re-reviewed, revised
    with an edit note, resubmitted and then rejected by Ravi."""
    article_id = prepared.ids["published"]
    people = {name: desk.accounts.require(name) for name in ("erin", "rita", "ravi")}
    desk.act(people["rita"], article_id, "re-review")
    desk.act(people["rita"], article_id, "request-changes", "Check the target.")
    first = desk.articles.version(article_id, 1).answer.all_sentences()[0].text
    desk.edit_sentence(people["erin"], article_id, 0, first, note=EDIT_NOTE)
    desk.act(people["erin"], article_id, "submit")
    desk.act(people["ravi"], article_id, "reject", "Version 1 stays.")
    return article_id


EDIT_NOTE = "internal edit note 7f3a"


def test_a_rejected_first_version_is_not_public(client: TestClient, prepared_desk: Desk,
                                                prepared: Prepared) -> None:
    article_id = prepared.ids["under_review"]
    prepared_desk.act(prepared_desk.accounts.require("rita"), article_id, "reject")
    slug = prepared_desk.articles.get(article_id).slug
    assert client.get(f"/articles/{slug}").status_code == 404
    assert client.get(f"/api/v1/articles/{article_id}").status_code == 404


def test_a_rejected_revision_leaves_the_approved_version_up(
        client: TestClient, prepared_desk: Desk, prepared: Prepared) -> None:
    article_id = published_with_rejected_revision(prepared_desk, prepared)
    article = prepared_desk.articles.get(article_id)
    approval = prepared_desk.articles.version(article_id, 1).approval
    rejected = prepared_desk.articles.last_event_at(article_id, "reject")
    assert approval is not None and rejected is not None
    page = client.get(f"/articles/{article.slug}")
    assert page.status_code == 200
    html = page.text
    assert "Reviewed and approved by <strong class=\"reviewer-name\">Rita Reviewer" in html
    assert f'<time datetime="{approval.at[:10]}">' in html  # the approval's own date
    notice = re.search(r'<p class="revision-rejected">(.*?)</p>', html)
    assert notice is not None
    assert "A revision of this article was rejected on" in notice[1]
    assert f'datetime="{rejected[:10]}"' in notice[1]
    assert "reviewing a newer version" not in html  # no mixed messages
    assert 'data-state="published"' in html and "Rejected" not in html
    data = client.get(f"/api/v1/articles/{article_id}").json()
    assert data["version"] == 1 and data["revision_rejected_at"] == rejected
    assert data["approval"]["at"] == approval.at


def test_a_withdrawn_article_answers_410(client: TestClient, prepared_desk: Desk,
                                         prepared: Prepared) -> None:
    article_id = prepared.ids["published"]
    ravi = prepared_desk.accounts.require("ravi")
    prepared_desk.act(ravi, article_id, "re-review")
    prepared_desk.act(ravi, article_id, "reject", "Outdated by the 2024 guideline.")
    article = prepared_desk.articles.get(article_id)
    assert article.withdrawn_at is not None
    page = client.get(f"/articles/{article.slug}")
    assert page.status_code == 410
    assert f"withdrawn on {article.withdrawn_at[:10]}" in page.text
    assert "withdrew its approval after a re-review" in page.text
    assert "Reviewed and approved" not in page.text
    data = client.get(f"/api/v1/articles/{article_id}")
    assert data.status_code == 410 and data.json()["error"]["code"] == "gone"
    assert article.withdrawn_at[:10] in data.json()["error"]["message"]
    assert article.slug not in client.get("/articles").text
    assert article.slug not in client.get("/sitemap.xml").text
    assert all(a["slug"] != article.slug for a in client.get("/api/v1/articles").json())
    login(client, "rita")
    assert "Withdrawn from the public site on" in client.get(f"/review/{article_id}").text


def strings_and_keys(data: object) -> tuple[set[str], set[str]]:
    """Every key and every string value anywhere in a JSON document."""
    keys: set[str] = set()
    values: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            keys.add(key)
            more_keys, more_values = strings_and_keys(value)
            keys |= more_keys
            values |= more_values
    elif isinstance(data, list):
        for item in data:
            more_keys, more_values = strings_and_keys(item)
            keys |= more_keys
            values |= more_values
    elif isinstance(data, str):
        values.add(data)
    return keys, values


INTERNAL_KEYS = {"created_by", "username", "state", "state_label", "note", "questions",
                 "current_version", "published_version", "stale_reasons", "merged_into",
                 "next_states", "withdrawn_reason", "added_by", "author"}
INTERNAL_STATES = {"draft", "submitted", "under_review", "changes_requested", "rejected"}
USERNAMES = {"ada", "erin", "rita", "ravi", "rex"}


def test_the_public_sees_display_names_only(client: TestClient, prepared_desk: Desk,
                                            prepared: Prepared) -> None:
    """No login usernames, workflow states, edit notes or routed questions in the public
    JSON (one article and the list) or page, also while a revision is being written."""
    article_id = published_with_rejected_revision(prepared_desk, prepared)
    erin = prepared_desk.accounts.require("erin")
    prepared_desk.act(erin, article_id, "reopen")
    article = prepared_desk.articles.get(article_id)
    assert Q_ROUTED in article.questions and article.state == "draft"
    for url in (f"/api/v1/articles/{article_id}", "/api/v1/articles"):
        response = client.get(url)
        assert response.status_code == 200
        keys, values = strings_and_keys(response.json())
        assert not keys & INTERNAL_KEYS, url
        assert not values & (USERNAMES | INTERNAL_STATES), url
        assert not any(Q_ROUTED in v or EDIT_NOTE in v for v in values), url
        assert "Rita Reviewer, MD, FACP" in values
    html = client.get(f"/articles/{article.slug}").text
    assert not re.findall(r"\b(?:ada|erin|rita|ravi|rex)\b", html)
    assert not re.findall(r"\b(?:under_review|changes_requested|draft)\b", html)
    assert Q_ROUTED not in html and EDIT_NOTE not in html



def test_a_re_review_keeps_the_approved_version_up(client: TestClient, prepared_desk: Desk,
                                                   prepared: Prepared) -> None:
    article_id = prepared.ids["published"]
    people = {name: prepared_desk.accounts.require(name) for name in ("erin", "rita")}
    slug = prepared_desk.articles.get(article_id).slug
    prepared_desk.act(people["rita"], article_id, "re-review")
    html = client.get(f"/articles/{slug}").text
    assert "Reviewed and approved by" in html and "reviewing this article again" in html
    prepared_desk.act(people["rita"], article_id, "request-changes")
    prepared_desk.regenerate(people["erin"], article_id)
    html = client.get(f"/articles/{slug}").text
    assert "reviewing a newer version of this article" in html
    assert 'data-state="published"' in html
