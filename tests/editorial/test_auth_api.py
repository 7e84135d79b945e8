"""Accounts over HTTP: login backoff (atomic, per account and address, Retry-After,
forwarded headers only from trusted proxies), delegated tokens and review decisions,
and changing one's password."""

from __future__ import annotations

import re
import threading
from collections import Counter

from fastapi.testclient import TestClient

from medcite.editorial import audit
from medcite.editorial.desk import Desk
from medcite.editorial.throttle import BASE_DELAY_SECONDS, FREE_FAILURES
from medcite.service import Medcite
from medcite.web import create_app
from tests.editorial.conftest import PASSWORD, Prepared, bearer

LOGIN = "/api/v1/auth/login"
NEW_PASSWORD = "a different long passphrase"


def login(client: TestClient, password: str, username: str = "rita",
          forwarded_for: str | None = None) -> int:
    headers = {"x-forwarded-for": forwarded_for} if forwarded_for else {}
    response = client.post(LOGIN, json={"username": username, "password": password},
                           headers=headers)
    if response.status_code == 429:
        assert int(response.headers["retry-after"]) >= 1
        assert response.json()["error"]["code"] == "too_many_attempts"
    return response.status_code


def test_concurrent_wrong_passwords_are_refused_past_the_free_ones(
        prepared_service: Medcite) -> None:
    """Before: 30 concurrent wrong passwords were all checked (30 x 401, no 429)."""
    start = threading.Barrier(30)
    statuses: list[int] = []
    lock = threading.Lock()
    with TestClient(create_app(prepared_service)) as client:
        def guess(i: int) -> None:
            start.wait()
            status = login(client, f"wrong guess {i}")
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert Counter(statuses) == {401: FREE_FAILURES, 429: 30 - FREE_FAILURES}


def test_behind_a_trusted_proxy_the_owner_logs_in_while_an_attacker_hammers(
        prepared_service: Medcite) -> None:
    prepared_service.settings.web.trusted_proxies = ["10.0.0.0/8"]  # type: ignore[list-item]
    attacker, owner = "203.0.113.7", "198.51.100.2"
    with TestClient(create_app(prepared_service), client=("10.0.0.5", 40000)) as client:
        assert [login(client, f"guess {i}", forwarded_for=attacker)
                for i in range(FREE_FAILURES)] == [401] * FREE_FAILURES
        refused = client.post(LOGIN, json={"username": "rita", "password": PASSWORD},
                              headers={"x-forwarded-for": attacker})
        assert refused.status_code == 429  # even with the right password, from there
        assert refused.headers["retry-after"] == str(int(BASE_DELAY_SECONDS))
        assert login(client, PASSWORD, forwarded_for=owner) == 200
        assert login(client, PASSWORD, "erin", forwarded_for=attacker) == 200


def test_forwarded_headers_from_an_untrusted_peer_change_nothing(
        prepared_service: Medcite) -> None:
    """Without trusted proxies a client cannot pose as a new address on each guess."""
    with TestClient(create_app(prepared_service), client=("192.0.2.1", 40000)) as client:
        statuses = [login(client, f"guess {i}", forwarded_for=f"198.51.100.{i}")
                    for i in range(FREE_FAILURES + 1)]
    assert statuses == [401] * FREE_FAILURES + [429]


def test_the_login_page_says_when_to_retry(prepared_service: Medcite) -> None:
    with TestClient(create_app(prepared_service)) as client:
        statuses = []
        for i in range(FREE_FAILURES + 1):
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            response = client.post("/login", data={"username": "rita", "password": f"g{i}",
                                                   "csrf_token": token[1]})
            statuses.append(response.status_code)
    assert statuses == [401] * FREE_FAILURES + [429]
    assert response.headers["retry-after"] == str(int(BASE_DELAY_SECONDS))
    assert "Try again in 1 minute" in response.text


def test_a_token_an_admin_minted_for_a_reviewer_cannot_approve_or_reject(
        prepared: Prepared, prepared_service: Medcite) -> None:
    desk = Desk(prepared_service)
    ada, rita = desk.accounts.require("ada"), desk.accounts.require("rita")
    delegated, _ = desk.accounts.new_token(rita, "api", "minted by ada", minted_by=ada)
    article = prepared.ids["under_review"]
    url = f"/api/v1/articles/{article}/transitions"
    as_delegate = {"authorization": f"Bearer {delegated}"}
    with TestClient(create_app(prepared_service)) as client:
        for to in ("approved", "rejected"):
            refused = client.post(url, json={"to": to}, headers=as_delegate)
            assert refused.status_code == 403, to
            assert refused.json()["error"]["code"] == "forbidden"
            assert "minted by someone else" in refused.json()["error"]["message"]
            denied = audit.events(prepared_service.store)[-1]
            assert (denied.actor, denied.action, denied.article_id) == ("rita", "denied", article)
            assert denied.detail["minted_by"] == "ada"
            assert denied.detail["attempted"] == {"approved": "approve",
                                                  "rejected": "reject"}[to]
        for verb in ("approve", "reject"):  # the review pages honour Bearer tokens too
            page = client.post(f"/review/{article}/action", data={"verb": verb},
                               headers=as_delegate, follow_redirects=False)
            assert page.status_code == 403 and "minted by someone else" in page.text
        assert desk.articles.get(article).state == "under_review"
        comment = client.post(f"/api/v1/articles/{article}/comments",
                              json={"body": "Other work is fine"}, headers=as_delegate)
        assert comment.status_code == 201
        own = client.post(url, json={"to": "approved"}, headers=bearer(prepared, "reviewer"))
        assert own.status_code == 200  # rita's own token decides
    assert desk.articles.get(article).state == "approved"


def test_changing_the_password_through_the_api(prepared: Prepared,
                                                prepared_service: Medcite) -> None:
    with TestClient(create_app(prepared_service)) as client:
        token = client.post(LOGIN, json={"username": "rita", "password": PASSWORD}
                            ).json()["token"]
        headers = {"authorization": f"Bearer {token}"}
        url = "/api/v1/auth/password"
        wrong = client.post(url, json={"current": "not it", "new": NEW_PASSWORD},
                            headers=headers)
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
        short = client.post(url, json={"current": PASSWORD, "new": "short"}, headers=headers)
        assert short.status_code == 422
        assert client.post(url, json={"current": PASSWORD, "new": NEW_PASSWORD}
                           ).status_code == 401  # anonymous
        changed = client.post(url, json={"current": PASSWORD, "new": NEW_PASSWORD},
                              headers=headers)
        assert changed.status_code == 200 and changed.json() == {"ok": True, "revoked": 1}
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 200  # kept
        assert client.get("/api/v1/auth/me", headers=bearer(prepared, "reviewer")
                          ).status_code == 401  # rita's other token is revoked
        assert login(client, PASSWORD) == 401
        assert login(client, NEW_PASSWORD) == 200
