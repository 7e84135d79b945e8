"""Errors a user can cause, each with what happened and what to do next.

The CLI prints ``message`` and ``hint`` on one line and exits with ``exit_code``;
the web API maps ``code`` and ``http_status`` to its single error shape.
"""

from __future__ import annotations


class MedciteError(Exception):
    """Base class: a problem the user can fix, described in plain words."""

    code = "error"
    exit_code = 1
    http_status = 400

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class InputFileError(MedciteError):
    """A file to read is missing, unreadable or not in a format we know."""

    code = "input_file"
    exit_code = 2


class UnknownFormatError(InputFileError):
    code = "unknown_format"


class EmptyStoreError(MedciteError):
    """The store holds no documents yet, so there is nothing to search."""

    code = "empty_store"
    exit_code = 3
    http_status = 409


class StoreError(MedciteError):
    """The data directory cannot be opened or is in an unexpected state."""

    code = "store"
    exit_code = 4
    http_status = 500


class SettingsError(MedciteError):
    code = "settings"
    exit_code = 2


class NotFoundError(MedciteError):
    code = "not_found"
    exit_code = 5
    http_status = 404


class InvalidRequestError(MedciteError):
    code = "invalid_request"
    exit_code = 2
    http_status = 422


class MissingExtraError(MedciteError):
    """A package is missing. The hint names the extra that installs it (``llm``, ``bench``),
    or, for a package of the default install (``extra=None``), says to reinstall."""

    code = "missing_extra"
    exit_code = 6
    http_status = 500

    def __init__(self, package: str, extra: str | None = None) -> None:
        if extra is None:
            super().__init__(
                f"The package '{package}' of medcite's default install is missing or broken.",
                "Reinstall it: pip install --force-reinstall medcite (in a checkout: make setup).",
            )
            return
        super().__init__(
            f"This feature needs the optional package '{package}'.",
            f"Install it with: pip install 'medcite[{extra}]'",
        )
