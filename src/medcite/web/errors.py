"""One error shape for every failure: ``{"ok": false, "error": {"code", "message"}}``.

API clients (and anything that does not ask for HTML) get that JSON; a browser on a page
route gets the same code and message as an HTML page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from medcite.errors import MedciteError

log = logging.getLogger("medcite.web")

HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    500: "internal",
}


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """The body of every error response."""

    ok: bool = False
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": code.replace("_", " ")}
    for status, code in HTTP_CODES.items() if status in (400, 404, 409, 413, 422, 500)
}
"""OpenAPI documentation of the error shape, for the API routes."""


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


def wants_html(request: Request) -> bool:
    """A page route asked for by a browser (API routes always answer JSON)."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(request: Request, status: int, code: str, message: str,
                   headers: Mapping[str, str] | None = None) -> Response:
    """The error as JSON, or as an HTML page for a browser on a page route."""
    if wants_html(request):
        templates = request.app.state.templates
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "code": code, "message": message},
            status_code=status, headers=headers)
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> tuple[int, str, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "invalid_json", "The request body is not valid JSON."
    parts = []
    for e in errors:
        loc = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{loc or 'request'}: {e.get('msg', 'invalid')}")
    return 422, "invalid_request", "Invalid request. " + "; ".join(parts) + "."


def _http_message(request: Request, exc: HTTPException) -> str:
    if exc.status_code == 404 and exc.detail == "Not Found":
        return f"No page or endpoint at {request.url.path}. See /api/v1/docs for the API."
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        return f"{request.method} is not allowed on {request.url.path}; use {allowed}."
    return str(exc.detail)


def install(app: FastAPI) -> None:
    """Route every kind of failure to :func:`error_response`."""

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(request, exc.status_code, code, _http_message(request, exc),
                              exc.headers)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        status, code, message = _validation_message(exc)
        return error_response(request, status, code, message)

    async def on_medcite(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, MedciteError)
        return error_response(request, exc.http_status, exc.code, str(exc),
                              getattr(exc, "headers", None))  # e.g. a 429's Retry-After

    async def on_overflow(request: Request, exc: Exception) -> Response:
        # An id, version or index beyond 64 bits reaches SQLite as an OverflowError; no
        # stored row can have it, so it is the request that is wrong, not the server.
        log.warning("number out of range on %s %s: %s", request.method, request.url.path, exc)
        return error_response(request, 422, "invalid_request",
                              "A number in the request is too large: ids, versions and "
                              "indexes are below 2^63. Check the URL and the body.")

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "internal",
                              "Internal error. It has been logged; please try again or report it.")

    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(MedciteError, on_medcite)
    app.add_exception_handler(OverflowError, on_overflow)
    app.add_exception_handler(Exception, on_unexpected)
