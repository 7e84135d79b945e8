"""Errors of the editorial workflow: who may do what, and in which state."""

from __future__ import annotations

from medcite.errors import MedciteError


class UnauthorizedError(MedciteError):
    """No valid identity: not logged in, a bad password, or an unknown token."""

    code = "unauthorized"
    exit_code = 7
    http_status = 401


class ForbiddenError(MedciteError):
    """The user is known but their role does not allow the action."""

    code = "forbidden"
    exit_code = 7
    http_status = 403


class CsrfError(ForbiddenError):
    """A form or script sent with the session cookie lacks the page's CSRF token."""

    code = "csrf"


class WorkflowError(MedciteError):
    """The action is not possible from the article's current state."""

    code = "conflict"
    exit_code = 8
    http_status = 409


class GoneError(MedciteError):
    """A public article was withdrawn: the message says when and why."""

    code = "gone"
    exit_code = 5
    http_status = 410


class ThrottledError(MedciteError):
    """Too many failed logins: wait ``retry_after`` seconds before trying again."""

    code = "too_many_attempts"
    exit_code = 7
    http_status = 429

    def __init__(self, message: str, hint: str = "", retry_after: int = 60) -> None:
        super().__init__(message, hint)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers of the 429 response."""
        return {"Retry-After": str(self.retry_after)}


class VerificationError(MedciteError):
    """An edited sentence is not supported by the passages it cites."""

    code = "unverified"
    exit_code = 2
    http_status = 422
