"""ASGI middleware: a request body size limit enforced before any parsing, and the
security headers every response carries (CSP, HSTS on https, no-store when private)."""

from __future__ import annotations

import json

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medcite.settings import WebSettings
from medcite.web.client import is_https
from medcite.web.editorial_auth import SESSION_COOKIE

MAX_BODY_BYTES = 64 * 1024

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""Nothing is loaded from another host: no fonts, scripts or styles from a CDN; no inline
script or style (every script is a file under /static); no framing by other sites."""

HSTS = "max-age=31536000"
"""A year of https-only, sent only over https (browsers ignore it on http anyway)."""

PRIVATE_PATHS = ("/login", "/logout", "/review", "/editorial", "/api/v1/auth",
                 "/api/v1/articles", "/api/v1/editorial")
"""Editorial pages and API: never stored by a browser or a shared cache."""


def is_private(conn: HTTPConnection) -> bool:
    """A request that carries credentials, or one to the editorial side."""
    if "authorization" in conn.headers or SESSION_COOKIE in conn.cookies:
        return True
    path = conn.url.path
    return any(path == p or path.startswith(p + "/") for p in PRIVATE_PATHS)


async def send_error(send: Send, status: int, code: str, message: str) -> None:
    """Send the API's one error shape from below the app (no request object needed)."""
    body = json.dumps({"ok": False, "error": {"code": code, "message": message}}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def _too_large(limit: int) -> str:
    return (f"The request body is larger than the limit of {limit // 1024} KB. "
            "Send only the question, the audience and the thread id.")


class BodyLimitMiddleware:
    """Reject bodies over ``max_bytes`` with 413, by Content-Length when given, else while
    reading (chunked uploads); the buffered body is then replayed to the app."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if length is None and not chunked:
            await self.app(scope, receive, send)
            return
        if length is not None:
            if not length.isdigit():
                await send_error(send, 400, "bad_request", "Content-Length is not a number.")
                return
            if int(length) > self.max_bytes:
                await send_error(send, 413, "payload_too_large", _too_large(self.max_bytes))
                return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_error(send, 413, "payload_too_large", _too_large(self.max_bytes))
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        await self.app(scope, _replay(b"".join(chunks), receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that returns the buffered body once, then defers to the server."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class SecurityHeadersMiddleware:
    """Add a strict Content-Security-Policy and related headers to every response; HSTS
    when the reader is on https (``web.public_url``); ``Cache-Control: no-store`` on
    private responses (see :func:`is_private`) and on any that sets a cookie."""

    HEADERS = (
        ("content-security-policy", CONTENT_SECURITY_POLICY),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
    )

    def __init__(self, app: ASGIApp, web: WebSettings | None = None) -> None:
        self.app = app
        self.web = web or WebSettings()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        https = is_https(conn, self.web)
        private = is_private(conn)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.HEADERS:
                    headers.setdefault(name, value)
                if https:
                    headers.setdefault("strict-transport-security", HSTS)
                if private or "set-cookie" in headers:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
