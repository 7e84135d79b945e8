"""Who is asking: a Bearer API token, or a session cookie from the login page.

Sessions are cookies (HttpOnly, SameSite=Lax, Secure when served over https, including
behind a TLS-terminating proxy when ``web.public_url`` is https) holding a random token;
a request that changes something with that cookie must also carry the session's CSRF token
(form field ``csrf_token`` or header ``X-CSRF-Token``). Bearer requests need no CSRF token:
a browser never adds that header by itself.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from medcite.editorial.auth import SESSION_SECONDS
from medcite.editorial.desk import Desk
from medcite.editorial.errors import CsrfError, UnauthorizedError
from medcite.editorial.models import User
from medcite.web.client import is_https, request_address, web_settings

SESSION_COOKIE = "medcite_session"
LOGIN_CSRF_COOKIE = "medcite_login_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_DESK_LOCK = threading.Lock()  # guards the lazy creation of each app's desk

# Declared for the OpenAPI document only (auto_error=False): :func:`identify` decides.
BEARER_SCHEME = HTTPBearer(
    scheme_name="bearerToken", auto_error=False,
    description="An API token from POST /api/v1/auth/login or `medcite users token`.")
SESSION_SCHEME = APIKeyCookie(
    name=SESSION_COOKIE, scheme_name="sessionCookie", auto_error=False,
    description="The browser session set by the login page; a change also needs the "
                "session's CSRF token in the X-CSRF-Token header.")


def get_desk(request: Request) -> Desk:
    """The app's editorial desk, created on first use (no startup hook needed)."""
    state = request.app.state
    desk: Desk | None = getattr(state, "editorial_desk", None)
    if desk is None:
        with _DESK_LOCK:
            desk = getattr(state, "editorial_desk", None)
            if desk is None:
                desk = Desk(state.service)
                state.editorial_desk = desk
    return desk


@dataclass(frozen=True)
class Identity:
    user: User | None
    via: str = ""  # "bearer" | "session" | ""
    token: str = ""
    csrf: str = ""
    minted_by: str | None = None
    """Who minted the credential: its owner, an admin (API tokens minted for someone
    else), or ``None`` (API tokens older than this record)."""


def identify(request: Request) -> Identity:
    """The identity of the request (cached on it); a bad Bearer token is an error,
    a stale session cookie is just anonymous."""
    cached: Identity | None = getattr(request.state, "identity", None)
    if cached is not None:
        return cached
    desk = get_desk(request)
    identity = Identity(None)
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        found = desk.accounts.lookup(token.strip(), "api") if scheme.lower() == "bearer" \
            else None
        if found is None:
            raise UnauthorizedError("The API token is missing, invalid, expired or revoked.",
                                    "Send 'Authorization: Bearer <token>' with a token from "
                                    "POST /api/v1/auth/login or `medcite users token`.")
        identity = Identity(found.user, "bearer", token.strip(), minted_by=found.minted_by)
    elif cookie := request.cookies.get(SESSION_COOKIE):
        session = desk.accounts.lookup(cookie, "session")
        if session is not None:
            identity = Identity(session.user, "session", cookie, session.csrf,
                                session.minted_by)
    request.state.identity = identity
    return identity


def refuse_delegated_decision(request: Request, article_id: int, to: str) -> None:
    """A 403 (audited) when a token minted by someone other than the caller tries to
    approve or reject (:meth:`~medcite.editorial.auth.Accounts.refuse_delegated_decision`)."""
    identity = identify(request)
    if identity.user is not None:
        get_desk(request).accounts.refuse_delegated_decision(
            identity.user, identity.minted_by, article_id, to)


def check_csrf(identity: Identity, sent: str | None) -> None:
    """A cookie-authenticated change must carry the session's CSRF token."""
    if identity.via != "session":
        return
    if not sent or not hmac.compare_digest(sent, identity.csrf):
        raise CsrfError("The request lacks the page's CSRF token.",
                        "Reload the page and try again.")


def api_user(
    request: Request,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER_SCHEME)],
    _session: Annotated[str | None, Depends(SESSION_SCHEME)],
) -> User | None:
    """The API's dependency: the caller, with CSRF enforced for cookie sessions. (The two
    scheme parameters only declare the API's auth schemes in its OpenAPI document.)"""
    identity = identify(request)
    if request.method not in SAFE_METHODS:
        check_csrf(identity, request.headers.get(CSRF_HEADER))
    return identity.user


def logged_in(user: User | None) -> User:
    """``user``, or a 401 for an anonymous caller."""
    if user is None:
        raise UnauthorizedError("You need to log in for this.",
                                "POST /api/v1/auth/login, or log in at /login.")
    return user


CurrentUser = Annotated[User | None, Depends(api_user)]
DeskDep = Annotated[Desk, Depends(get_desk)]


def client_address(request: Request) -> str:
    """The caller's address, believing forwarded headers only from ``web.trusted_proxies``."""
    return request_address(request)


def secure_cookies(request: Request) -> bool:
    """Cookies are Secure when the reader is on https (see :func:`is_https`)."""
    return is_https(request, web_settings(request))


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_SECONDS, path="/",
                        httponly=True, samesite="lax", secure=secure_cookies(request))


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=secure_cookies(request))


def login_csrf(request: Request) -> str:
    """The login form's double-submit token (the cookie's value, or a new one)."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def set_login_csrf_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, value, max_age=3600, path="/login", httponly=True,
                        samesite="lax", secure=secure_cookies(request))
