"""The security headers on every response: a CSP without inline script or style, nosniff,
no framing, HSTS only on https, and ``Cache-Control: no-store`` when private."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from medcite.service import Medcite
from medcite.web import create_app
from medcite.web.middleware import HSTS

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "medcite" / "web" / "templates"


def assert_hardened(response: Response) -> None:
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_every_kind_of_response_is_hardened(client: TestClient) -> None:
    for response in (client.get("/"), client.get("/api/v1/health"),
                     client.get("/static/app.js"), client.get("/no-such-page"),
                     client.get("/api/v1/search", params={"q": ""}),
                     client.post("/api/v1/ask", content=b"x" * 100_000,
                                 headers={"content-type": "application/json"})):
        assert_hardened(response)
        assert "strict-transport-security" not in response.headers  # plain http


@pytest.fixture
def public_https(web_service: Medcite) -> Iterator[TestClient]:
    """The app behind a TLS-terminating proxy: the proxy talks http to it."""
    web_service.settings.web.public_url = "https://medcite.example.org"  # type: ignore[assignment]
    with TestClient(create_app(web_service)) as test_client:
        yield test_client


def test_hsts_when_the_public_url_is_https(public_https: TestClient) -> None:
    for response in (public_https.get("/"), public_https.get("/api/v1/health"),
                     public_https.get("/no-such-page")):
        assert response.headers["strict-transport-security"] == HSTS
        assert_hardened(response)


def test_hsts_when_a_trusted_proxy_terminated_tls(web_service: Medcite) -> None:
    web_service.settings.web.trusted_proxies = ["10.0.0.0/8"]  # type: ignore[list-item]
    app = create_app(web_service)
    proxied = TestClient(app, client=("10.0.0.2", 40000))
    said = {"x-forwarded-proto": "https"}
    assert "strict-transport-security" in proxied.get("/", headers=said).headers
    assert "strict-transport-security" not in proxied.get("/").headers
    stranger = TestClient(app, client=("203.0.113.9", 40000))
    assert "strict-transport-security" not in stranger.get("/", headers=said).headers


def test_private_responses_are_never_stored(client: TestClient) -> None:
    public = [client.get("/"), client.get("/api/v1/health"), client.get("/editorial-policy")]
    assert all(r.headers.get("cache-control") != "no-store" for r in public)
    credentials = [
        client.get("/api/v1/health", headers={"authorization": "Bearer not-a-token"}),
        client.get("/", headers={"cookie": "medcite_session=stale"}),
    ]
    editorial = [client.get(path, follow_redirects=False) for path in
                 ("/login", "/review", "/review/1", "/api/v1/articles", "/api/v1/auth/me",
                  "/api/v1/articles/queue")]
    for response in credentials + editorial:
        assert response.headers["cache-control"] == "no-store", response.url
        assert_hardened(response)


def test_a_response_that_sets_a_cookie_is_never_stored(client: TestClient) -> None:
    response = client.get("/login")
    assert "set-cookie" in response.headers
    assert response.headers["cache-control"] == "no-store"


def test_templates_have_no_inline_script_style_or_handler() -> None:
    """What the CSP would block: every script is a file under /static (a JSON data block
    is not script), no style attribute or element, no on* handler, no javascript: URL."""
    for template in TEMPLATES.glob("*.html"):
        html = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html, re.I):
            assert 'src="/static/' in tag or 'type="application/json"' in tag, \
                (template.name, tag)
        assert not re.search(r"<style\b|\sstyle\s*=", html, re.I), template.name
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html, re.I), template.name
        assert "javascript:" not in html.lower(), template.name
