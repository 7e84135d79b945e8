"""Secure cookies behind a TLS-terminating proxy (``web.public_url``), no-store on
authenticated responses, and the auth schemes declared in the OpenAPI document."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from starlette.types import Receive, Scope, Send

from medcite.service import Medcite
from medcite.web import create_app
from tests.editorial.conftest import PASSWORD, Prepared, bearer


def behind_tls_proxy(app: FastAPI, peer: str = "127.0.0.1") -> TestClient:
    """A browser on https talking to a proxy that terminates TLS and forwards plain http
    to ``app`` (so the browser returns Secure cookies, and the app sees http)."""
    async def proxy(scope: Scope, receive: Receive, send: Send) -> None:
        await app({**scope, "scheme": "http"} if scope["type"] == "http" else scope,
                  receive, send)

    return TestClient(proxy, base_url="https://medcite.example.org", client=(peer, 40000))


def log_in(client: TestClient, **headers: str) -> tuple[Response, Response]:
    """The login page and the login POST (not followed)."""
    page = client.get("/login", headers=headers)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    done = client.post("/login", data={"username": "rita", "password": PASSWORD,
                                       "csrf_token": token[1]}, headers=headers,
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    return page, done


def secure(response: Response) -> bool:
    return "secure" in [part.strip().lower() for part in
                        response.headers["set-cookie"].split(";")]


def test_cookies_are_secure_behind_a_tls_terminating_proxy(
        prepared_service: Medcite) -> None:
    with behind_tls_proxy(create_app(prepared_service)) as client:
        assert not any(map(secure, log_in(client)))  # medcite cannot tell: it sees http
    prepared_service.settings.web.public_url = "https://medcite.example.org"  # type: ignore[assignment]
    with behind_tls_proxy(create_app(prepared_service)) as client:
        page, done = log_in(client)
        assert secure(page) and secure(done)
        assert done.headers["cache-control"] == "no-store"
        assert "strict-transport-security" in done.headers
        review = client.get("/review")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', review.text)
        assert csrf is not None
        out = client.post("/logout", data={"csrf_token": csrf[1]}, follow_redirects=False)
        assert 'medcite_session=""' in out.headers["set-cookie"] and secure(out)


def test_forwarded_proto_counts_only_from_a_trusted_proxy(
        prepared_service: Medcite) -> None:
    prepared_service.settings.web.trusted_proxies = ["127.0.0.1"]  # type: ignore[list-item]
    app = create_app(prepared_service)
    said = {"x-forwarded-proto": "https"}
    with behind_tls_proxy(app) as proxied:
        assert secure(log_in(proxied, **said)[1])
    with behind_tls_proxy(app, peer="203.0.113.9") as stranger:
        assert not secure(log_in(stranger, **said)[1])


def test_authenticated_responses_are_not_stored(client: TestClient,
                                                prepared: Prepared) -> None:
    me = client.get("/api/v1/auth/me", headers=bearer(prepared, "reviewer"))
    assert me.status_code == 200 and me.headers["cache-control"] == "no-store"
    public = client.get("/articles")
    assert public.status_code == 200 and public.headers.get("cache-control") != "no-store"


def test_openapi_declares_the_auth_schemes(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerToken"] == {"type": "http", "scheme": "bearer",
                                      "description": schemes["bearerToken"]["description"]}
    assert schemes["sessionCookie"]["type"] == "apiKey"
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert schemes["sessionCookie"]["name"] == "medcite_session"
    either: list[dict[str, list[str]]] = [{"bearerToken": []}, {"sessionCookie": []}]
    paths = schema["paths"]
    protected = [(path, method, op) for path, ops in paths.items() for method, op in ops.items()
                 if path.startswith(("/api/v1/articles", "/api/v1/auth/"))
                 and path != "/api/v1/auth/login"]
    assert len(protected) > 15
    for path, method, op in protected:
        assert op["security"][:2] == either, (method, path)
    # anonymous callers may read published articles; login and the answer API need no auth
    assert paths["/api/v1/articles"]["get"]["security"] == [*either, {}]
    assert paths["/api/v1/articles/{article_id}"]["get"]["security"] == [*either, {}]
    assert paths["/api/v1/auth/me"]["get"]["security"] == either
    for path in ("/api/v1/auth/login", "/api/v1/ask", "/api/v1/search", "/api/v1/health"):
        assert all("security" not in op for op in paths[path].values()), path
