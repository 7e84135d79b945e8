"""The editorial API: auth, article flows, one error shape, and the authorization matrix
(every endpoint x every role, anonymous included, driven from one table)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from medcite.web import create_app, editorial_api, editorial_pages
from tests.editorial.conftest import PASSWORD, Q_ROUTED, Prepared, bearer
from tests.web.conftest import open_service

ROLES = ("anonymous", "reader", "reviewer", "editor", "admin")
A, R, V, E, D = 401, 403, 200, 201, 404  # anonymous, refused, ok, created, not found
STAFF_ONLY = (A, R, V, V, V)
EDITORS_ONLY = (A, R, R, V, V)

# (method, path, body, expected status for anonymous, reader, reviewer, editor, admin).
# {published}, {draft}, ... are the prepared articles; reviewer = rita, who did not
# submit anything; editor = erin, who submitted them all.
MATRIX: list[tuple[str, str, dict[str, Any] | None, tuple[int, ...]]] = [
    ("GET", "/api/v1/articles", None, (V, V, V, V, V)),
    ("GET", "/api/v1/articles?state=draft", None, (V, V, V, V, V)),
    ("GET", "/api/v1/articles/queue", None, STAFF_ONLY),
    ("GET", "/api/v1/articles/audit", None, EDITORS_ONLY),
    ("GET", "/api/v1/articles/audit?format=csv", None, EDITORS_ONLY),
    ("GET", "/api/v1/articles/{published}", None, (V, V, V, V, V)),
    ("GET", "/api/v1/articles/{draft}", None, (D, D, V, V, V)),
    ("GET", "/api/v1/articles/{published}/versions", None, STAFF_ONLY),
    ("GET", "/api/v1/articles/{published}/versions/1", None, STAFF_ONLY),
    ("GET", "/api/v1/articles/{published}/diff?from=1", None, STAFF_ONLY),
    ("GET", "/api/v1/articles/{published}/comments", None, STAFF_ONLY),
    ("GET", "/api/v1/articles/{published}/transitions", None, STAFF_ONLY),
    ("GET", "/api/v1/articles/{published}/audit", None, STAFF_ONLY),
    ("GET", "/api/v1/articles/{published}/audit?format=jsonl", None, STAFF_ONLY),
    ("GET", "/api/v1/articles/{changes_requested}/sentences/0/alternatives", None, STAFF_ONLY),
    ("GET", "/api/v1/auth/me", None, (A, V, V, V, V)),
    ("POST", "/api/v1/articles", {"question": "How is hypertension diagnosed?"},
     (A, R, R, E, E)),
    ("POST", "/api/v1/articles/{published}/comments", {"target": "sentence:0", "body": "Ok?"},
     (A, R, E, E, E)),
    ("POST", "/api/v1/articles/{under_review}/transitions", {"to": "approved"},
     (A, R, V, R, V)),
    ("POST", "/api/v1/articles/{under_review}/transitions", {"to": "changes_requested"},
     (A, R, V, R, V)),
    ("POST", "/api/v1/articles/{under_review}/transitions", {"to": "rejected"},
     (A, R, V, R, V)),
    ("POST", "/api/v1/articles/{draft}/transitions", {"to": "submitted"}, (A, R, R, V, V)),
    ("POST", "/api/v1/articles/{approved}/transitions", {"to": "published"},
     (A, R, R, V, V)),
    ("POST", "/api/v1/articles/{published}/transitions", {"to": "under_review"},
     (A, R, V, R, V)),
    ("POST", "/api/v1/articles/{published}/transitions", {"to": "approved"}, (A, R, R, V, V)),
    ("POST", "/api/v1/articles/{changes_requested}/sentences/0", {"text": "{sentence0}"},
     (A, R, R, V, V)),
    ("POST", "/api/v1/articles/{changes_requested}/sentences/0/verify", {"text": "{sentence0}"},
     STAFF_ONLY),
    ("POST", "/api/v1/articles/{changes_requested}/regenerate", None, (A, R, R, V, V)),
    ("POST", "/api/v1/articles/{draft}/merge", {"into": "{changes_requested}"},
     (A, R, R, V, V)),
    ("POST", "/api/v1/articles/{published}/split", {"question": Q_ROUTED}, (A, R, R, E, E)),
    ("POST", "/api/v1/auth/logout", None, (A, V, V, V, V)),
    ("POST", "/api/v1/auth/password", {"current": PASSWORD, "new": "a new long passphrase"},
     (A, V, V, V, V)),
    # the review pages answer the same roles (anonymous visitors are sent to log in)
    ("GET", "/review", None, (303, R, V, V, V)),
    ("GET", "/review/{under_review}", None, (303, R, V, V, V)),
    ("GET", "/review/{under_review}/history", None, (303, R, V, V, V)),
    ("POST", "/review/{under_review}/action", {"verb": "approve"}, (303, R, 303, R, 303)),
    ("POST", "/review/{changes_requested}/edit", {"index": "0", "text": "{sentence0}"},
     (303, R, R, 303, 303)),
]
MUTATING = [row for row in MATRIX if row[0] == "POST"]
READING = [row for row in MATRIX if row[0] == "GET"]


def fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") \
            and value[1:-1] in values:
        return values[value[1:-1]]
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    return value


def call(client: TestClient, prepared: Prepared, role: str, method: str, path: str,
         body: dict[str, Any] | None, values: dict[str, Any]) -> int:
    url = fill(path, values)
    headers = bearer(prepared, role)
    if url.startswith("/review"):
        data = fill(body, values) if body else None
        response = client.request(method, url, data=data, headers=headers,
                                  follow_redirects=False)
    else:
        response = client.request(method, url, json=fill(body, values), headers=headers,
                                  follow_redirects=False)
    if response.status_code >= 400 and url.startswith("/api/"):
        error = response.json()
        assert error["ok"] is False and set(error["error"]) == {"code", "message"}
    return response.status_code


@pytest.fixture(scope="module")
def values(prepared: Prepared) -> dict[str, Any]:
    with open_service(prepared.home) as service:
        from medcite.editorial.articles import Articles

        articles = Articles(service.store)
        answer = articles.current(articles.get(prepared.ids["changes_requested"])).answer
        sentence0 = answer.all_sentences()[0].text
    return {**prepared.ids, "sentence0": sentence0}


@pytest.fixture(scope="module")
def shared_client(prepared: Prepared, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[TestClient]:
    """One app over a copy of the prepared home, for the requests that change nothing."""
    home = Path(shutil.copytree(prepared.home, tmp_path_factory.mktemp("matrix") / "home"))
    with open_service(home) as service, TestClient(create_app(service)) as client:
        yield client


@pytest.mark.parametrize(("method", "path", "body", "expected"), READING,
                         ids=[f"{m} {p}" for m, p, _, _ in READING])
def test_reading_endpoints_by_role(shared_client: TestClient, prepared: Prepared,
                                   values: dict[str, Any], method: str, path: str,
                                   body: dict[str, Any] | None, expected: tuple[int, ...]) -> None:
    got = tuple(call(shared_client, prepared, role, method, path, body, values)
                for role in ROLES)
    assert got == expected


@pytest.mark.parametrize(("method", "path", "body", "expected"), MUTATING,
                         ids=[f"{m} {p} {json.dumps(b)}" for m, p, b, _ in MUTATING])
def test_changing_endpoints_by_role(prepared: Prepared, values: dict[str, Any],
                                    tmp_path: Path, method: str, path: str,
                                    body: dict[str, Any] | None,
                                    expected: tuple[int, ...]) -> None:
    """Each role on its own fresh copy, so that one role's change cannot decide the next."""
    got = []
    for role in ROLES:
        home = Path(shutil.copytree(prepared.home, tmp_path / role))
        with open_service(home) as service, TestClient(create_app(service)) as client:
            got.append(call(client, prepared, role, method, path, body, values))
    assert tuple(got) == expected


def test_matrix_covers_every_editorial_route() -> None:
    """A new endpoint fails this test until the matrix says who may call it."""
    routes = {(m, r.path) for module in (editorial_api, editorial_pages)
              for r in module.router.routes for m in r.methods}
    covered = set()
    for method, path, _, _ in MATRIX:
        path = path.split("?")[0]
        for key in ("published", "draft", "under_review", "changes_requested", "approved"):
            path = path.replace("{" + key + "}", "{article_id}")
        path = path.replace("/sentences/0", "/sentences/{index}").replace("/versions/1",
                                                                            "/versions/{n}")
        covered.add((method, path.replace("/action", "/{what}").replace("/edit", "/{what}")))
    elsewhere = {("POST", "/api/v1/auth/login"), ("GET", "/login"), ("POST", "/login"),
                 ("POST", "/logout"), ("POST", "/review/new")}  # tested on their own
    assert routes - covered - elsewhere == set()
    assert covered <= routes


def test_login_gives_a_token_that_works(client: TestClient) -> None:
    response = client.post("/api/v1/auth/login", json={"username": "rita",
                                                        "password": PASSWORD})
    assert response.status_code == 200
    data = response.json()
    assert data["token_type"] == "bearer" and data["user"]["role"] == "reviewer"
    headers = {"authorization": f"Bearer {data['token']}"}
    assert client.get("/api/v1/auth/me", headers=headers).json()["username"] == "rita"
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 200
    revoked = client.get("/api/v1/auth/me", headers=headers)
    assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "unauthorized"


def test_login_failures_are_throttled(client: TestClient) -> None:
    for _ in range(5):
        bad = client.post("/api/v1/auth/login", json={"username": "erin", "password": "x"})
        assert bad.status_code == 401
    locked = client.post("/api/v1/auth/login", json={"username": "erin",
                                                      "password": PASSWORD})
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "too_many_attempts"


def test_bad_tokens_and_bodies_have_the_one_error_shape(client: TestClient,
                                                        prepared: Prepared) -> None:
    for headers in ({"authorization": "Bearer nope"}, {"authorization": "Basic abc"}):
        response = client.get("/api/v1/articles", headers=headers)
        assert response.status_code == 401 and response.json()["ok"] is False
    unknown = client.post("/api/v1/articles", json={"question": "x", "extra": 1},
                          headers=bearer(prepared, "editor"))
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "invalid_request"
    bad_state = client.post(f"/api/v1/articles/{prepared.ids['draft']}/transitions",
                            json={"to": "published"}, headers=bearer(prepared, "admin"))
    assert bad_state.status_code == 409 and "cannot become" in bad_state.json()["error"][
        "message"]


def test_cookie_sessions_need_the_csrf_token(client: TestClient, prepared: Prepared) -> None:
    login = client.get("/login")
    token = login.text.split('name="csrf_token" value="')[1].split('"')[0]
    done = client.post("/login", data={"username": "rita", "password": PASSWORD,
                                       "csrf_token": token, "next": "/review"},
                       follow_redirects=False)
    assert done.status_code == 303
    url = f"/api/v1/articles/{prepared.ids['published']}/comments"
    refused = client.post(url, json={"body": "From a forged form"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf"
    page = client.get(f"/review/{prepared.ids['published']}").text
    csrf = page.split('data-csrf="')[1].split('"')[0]
    ok = client.post(url, json={"body": "With the token"}, headers={"x-csrf-token": csrf})
    assert ok.status_code == 201


def test_create_routes_paraphrases_and_edits_verify(client: TestClient,
                                                    prepared: Prepared) -> None:
    editor = bearer(prepared, "editor")
    routed = client.post("/api/v1/articles", json={"question": "How is hypertension treated "
                                                   "first-line?"}, headers=editor).json()
    assert routed["routed"] is True and routed["article"]["id"] == prepared.ids["published"]
    article = prepared.ids["changes_requested"]
    detail = client.get(f"/api/v1/articles/{article}", headers=editor).json()
    sentences = [s for s in detail["version"]["answer"]["summary"]] + [
        s for sec in detail["version"]["answer"]["sections"] for s in sec["sentences"]]
    text = sentences[0]["text"]
    check = client.post(f"/api/v1/articles/{article}/sentences/0/verify",
                        json={"text": text + " Give 75 mg daily."}, headers=editor).json()
    assert check["ok"] is False and check["untraced"] == ["75 mg", "daily"]
    refused = client.post(f"/api/v1/articles/{article}/sentences/0",
                          json={"text": text + " Give 75 mg daily."}, headers=editor)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "unverified"
    saved = client.post(f"/api/v1/articles/{article}/sentences/0", json={"text": text},
                        headers=editor)
    assert saved.status_code == 200 and saved.json()["n"] == 2
    diff = client.get(f"/api/v1/articles/{article}/diff?from=1&to=2", headers=editor).json()
    assert diff["from_version"] == 1 and all(line["op"] == " " for line in diff["lines"])


def test_audit_export_formats(client: TestClient, prepared: Prepared) -> None:
    editor = bearer(prepared, "editor")
    jsonl = client.get("/api/v1/articles/audit?format=jsonl", headers=editor)
    assert jsonl.headers["content-type"].startswith("application/x-ndjson")
    events = [json.loads(line) for line in jsonl.text.splitlines()]
    assert {"create", "submit", "approve", "publish"} <= {e["action"] for e in events}
    one = client.get(f"/api/v1/articles/{prepared.ids['published']}/audit?format=csv",
                     headers=editor)
    rows = list(csv.DictReader(io.StringIO(one.text)))
    assert rows and {r["article_id"] for r in rows} == {str(prepared.ids["published"])}
    assert "attachment" in one.headers["content-disposition"]


def test_no_self_approval_by_the_back_door(client: TestClient, prepared: Prepared) -> None:
    """Ada writes and submits; Erin saves a no-op edit and resubmits; Ada's approval is
    refused (403) and the refusal is in the audit log."""
    admin, editor, reviewer = (bearer(prepared, role) for role in ("admin", "editor",
                                                                    "reviewer"))
    made = client.post("/api/v1/articles", json={"question": "How is hypertension diagnosed?"},
                       headers=admin).json()["article"]
    url = f"/api/v1/articles/{made['id']}"

    def move(to: str, headers: dict[str, str]) -> int:
        return client.post(f"{url}/transitions", json={"to": to}, headers=headers).status_code

    assert move("submitted", admin) == 200
    assert move("changes_requested", reviewer) == 200
    answer = client.get(url, headers=editor).json()["version"]["answer"]
    text = [*answer["summary"], *[s for sec in answer["sections"] for s in sec["sentences"]]
            ][0]["text"]
    assert client.post(f"{url}/sentences/0", json={"text": text},
                       headers=editor).status_code == 200
    assert move("submitted", editor) == 200
    refused = client.post(f"{url}/transitions", json={"to": "approved"}, headers=admin)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert "since its last approval" in refused.json()["error"]["message"]
    events = client.get(f"{url}/audit", headers=reviewer).json()
    denied = [e for e in events if e["action"] == "denied"]
    assert [(e["actor"], e["detail"]["attempted"]) for e in denied] == [("ada", "approve")]
    assert "since its last approval" in denied[0]["detail"]["reason"]
    assert move("approved", reviewer) == 200
