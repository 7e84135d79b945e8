"""Who is on the other end of a request, and whether they reached us over https.

Behind a reverse proxy the direct peer is the proxy, and the client's address is in a
forwarded header the proxy appends to. Anyone can send that header, so it is read only when
the direct peer is one of ``web.trusted_proxies``, and then walked right to left, skipping
trusted hops: the first untrusted address is the one a trusted proxy saw, the client.
Everything left of it was written by the client and is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Literal

from starlette.requests import HTTPConnection

from medcite.settings import WebSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
ForwardedHeader = Literal["x-forwarded-for", "forwarded"]


def web_settings(conn: HTTPConnection) -> WebSettings:
    """The serving settings of the app handling ``conn``."""
    settings: WebSettings = conn.app.state.service.settings.web
    return settings


def parse_address(value: str) -> IPAddress | None:
    """An IP address from a forwarded-header node: ``1.2.3.4``, ``1.2.3.4:80``, ``::1``,
    ``[::1]:80``, optionally quoted; ``None`` for ``unknown``, obfuscated names or junk."""
    text = value.strip().strip('"').strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]  # IPv4 with a port
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: IPAddress | None, trusted: Sequence[IPNetwork]) -> bool:
    return address is not None and any(address in network for network in trusted)


def forwarded_chain(conn: HTTPConnection, header: ForwardedHeader) -> list[str]:
    """The client-side hops a forwarded header lists, leftmost (furthest) first."""
    values = conn.headers.getlist(header)
    if header == "x-forwarded-for":
        return [hop.strip() for value in values for hop in value.split(",") if hop.strip()]
    hops: list[str] = []
    for value in values:
        for element in value.split(","):
            for pair in element.split(";"):
                name, _, found = pair.partition("=")
                if name.strip().lower() == "for":
                    hops.append(found.strip())
    return hops


def client_address(conn: HTTPConnection, trusted_proxies: Sequence[IPNetwork],
                   header: ForwardedHeader = "x-forwarded-for") -> str:
    """The client's IP address: the direct peer, or, when that peer is a trusted proxy, the
    rightmost untrusted hop of the forwarded ``header`` (the leftmost hop when every hop is
    trusted). An unreadable hop stops the walk at the last trusted one."""
    peer = conn.client.host if conn.client else ""
    current = parse_address(peer)
    if not _trusted(current, trusted_proxies):
        return peer
    address = peer
    for hop in reversed(forwarded_chain(conn, header)):
        parsed = parse_address(hop)
        if parsed is None:
            break
        address = str(parsed)
        if not _trusted(parsed, trusted_proxies):
            break
    return address


def request_address(conn: HTTPConnection) -> str:
    """:func:`client_address` with the app's own settings: the address to throttle and log."""
    web = web_settings(conn)
    return client_address(conn, web.trusted_proxies, web.forwarded_header)


def forwarded_proto(conn: HTTPConnection, header: ForwardedHeader) -> str:
    """The scheme the client used, as the proxy nearest to us reports it ("" if none)."""
    if header == "x-forwarded-for":
        values = [v.strip() for value in conn.headers.getlist("x-forwarded-proto")
                  for v in value.split(",")]
    else:
        values = [found.strip().strip('"') for value in conn.headers.getlist("forwarded")
                  for element in value.split(",") for pair in element.split(";")
                  for name, _, found in [pair.partition("=")]
                  if name.strip().lower() == "proto"]
    return values[-1].lower() if values else ""


def is_https(conn: HTTPConnection, web: WebSettings) -> bool:
    """Whether the client reached us over https: the public URL is https, the request
    itself is, or a trusted proxy says it terminated TLS."""
    if web.public_url is not None and web.public_url.scheme == "https":
        return True
    if conn.url.scheme in ("https", "wss"):
        return True
    peer = parse_address(conn.client.host) if conn.client else None
    return _trusted(peer, web.trusted_proxies) and \
        forwarded_proto(conn, web.forwarded_header) == "https"
