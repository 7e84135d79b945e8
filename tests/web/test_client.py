"""``client_address`` and ``is_https``: forwarded headers count only from trusted proxies."""

from __future__ import annotations

from ipaddress import ip_network
from types import SimpleNamespace

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from medcite.settings import WebSettings
from medcite.web.client import IPNetwork, client_address, is_https, request_address

PROXIES: list[IPNetwork] = [ip_network("10.0.0.0/8"), ip_network("::1")]


def request(peer: str | None = "10.0.0.2", scheme: str = "http",
            **headers: str | list[str]) -> Request:
    """A real request as a server would build it: the direct peer and the raw headers."""
    raw = []
    for name, values in headers.items():
        for value in [values] if isinstance(values, str) else values:
            raw.append((name.replace("_", "-").encode(), value.encode()))
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": b"",
                    "root_path": "", "scheme": scheme, "server": ("testserver", 80),
                    "headers": raw, "client": (peer, 40000) if peer else None})


def test_an_untrusted_peer_cannot_choose_its_address() -> None:
    spoofed = request("203.0.113.9", x_forwarded_for="198.51.100.1")
    assert client_address(spoofed, PROXIES) == "203.0.113.9"
    assert client_address(request(x_forwarded_for="198.51.100.1"), []) == "10.0.0.2"


def test_behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() -> None:
    # the client sent "6.6.6.6" itself; the proxy appended the address it saw
    assert client_address(request(x_forwarded_for="6.6.6.6, 203.0.113.7"),
                          PROXIES) == "203.0.113.7"
    # two trusted proxies in a row are skipped; repeated headers form one list
    chained = request(x_forwarded_for=["6.6.6.6, 203.0.113.7", "10.0.0.3"])
    assert client_address(chained, PROXIES) == "203.0.113.7"
    assert client_address(request(x_forwarded_for="203.0.113.7:5555"),
                          PROXIES) == "203.0.113.7"


def test_a_fully_trusted_chain_gives_its_first_hop_and_junk_stops_the_walk() -> None:
    assert client_address(request(x_forwarded_for="10.1.1.1, 10.2.2.2"),
                          PROXIES) == "10.1.1.1"
    assert client_address(request(x_forwarded_for="203.0.113.7, unknown"),
                          PROXIES) == "10.0.0.2"
    assert client_address(request(None, x_forwarded_for="203.0.113.7"), PROXIES) == ""


def test_forwarded_header_is_read_only_when_configured() -> None:
    forwarded = ('for=192.0.2.60;proto=http;by=203.0.113.43, '
                 'for="[2001:db8:cafe::17]:4711"')
    both = request("::1", forwarded=forwarded, x_forwarded_for="198.51.100.1")
    assert client_address(both, PROXIES, "forwarded") == "2001:db8:cafe::17"
    assert client_address(both, PROXIES, "x-forwarded-for") == "198.51.100.1"
    only_forwarded = request(forwarded='for="_hidden"')
    assert client_address(only_forwarded, PROXIES, "forwarded") == "10.0.0.2"
    assert client_address(only_forwarded, PROXIES) == "10.0.0.2"


@pytest.mark.parametrize(("web", "req", "expected"), [
    ({}, request(), False),
    ({}, request(scheme="https"), True),
    ({"public_url": "https://medcite.example.org"}, request(), True),
    ({"public_url": "http://medcite.example.org"}, request(), False),
    ({"trusted_proxies": ["10.0.0.0/8"]}, request(x_forwarded_proto="https"), True),
    ({}, request(x_forwarded_proto="https"), False),
    ({"trusted_proxies": ["10.0.0.0/8"]}, request("203.0.113.9", x_forwarded_proto="https"),
     False),
    ({"trusted_proxies": ["10.0.0.0/8"], "forwarded_header": "forwarded"},
     request(forwarded="for=192.0.2.60;proto=https"), True),
    ({"trusted_proxies": ["10.0.0.0/8"], "forwarded_header": "forwarded"},
     request(x_forwarded_proto="https"), False),
])
def test_is_https(web: dict[str, object], req: Request, expected: bool) -> None:
    assert is_https(req, WebSettings.model_validate(web)) is expected


def test_request_address_uses_the_apps_settings() -> None:
    app = FastAPI()
    web = WebSettings(trusted_proxies=["10.0.0.0/8"])
    app.state.service = SimpleNamespace(settings=SimpleNamespace(web=web))

    @app.get("/who")
    def who(req: Request) -> str:
        return request_address(req)

    behind = TestClient(app, client=("10.0.0.2", 40000))
    assert behind.get("/who", headers={"x-forwarded-for": "6.6.6.6, 203.0.113.7"}).json() \
        == "203.0.113.7"
    direct = TestClient(app, client=("203.0.113.9", 40000))
    assert direct.get("/who", headers={"x-forwarded-for": "6.6.6.6"}).json() == "203.0.113.9"
