"""Batch input for ``ask --batch``, ``search --batch`` and ``verify --batch``: JSON Lines
in, one JSON line out per input line, in order.

A line that cannot be read or answered gives ``{"id", "error": {"code", "message"}}`` and
the rest go on, so one bad line costs one answer, not the batch. The command's exit status
is then :data:`EXIT_LINE_FAILED`. Problems of the whole run (no such file, an empty store)
still stop it with one error line on stderr.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcite.cli.common import emit_json
from medcite.errors import InputFileError, InvalidRequestError, NotFoundError

EXIT_LINE_FAILED = 2
"""Exit status when at least one input line could not be read or answered."""

LINE_ERRORS = (InvalidRequestError, NotFoundError)
"""Errors that belong to one line (an empty question, an unknown thread), not the run."""


class LineError(Exception):
    """One input line cannot be used: ``code`` and ``message`` go on its output line."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Line:
    """A non-blank input line: its number, its id (the record's ``id``, else the line
    number) and the parsed record, or the :class:`LineError` that reading it raised."""

    lineno: int
    id: Any
    record: dict[str, Any] | LineError


def read_lines(path: Path) -> Iterator[Line]:
    """The non-blank lines of a JSON Lines file; a line that is not a JSON object comes
    with its error instead of stopping the file."""
    if not path.is_file():
        raise InputFileError(f"No such file: {path}.", "Pass a JSON Lines file.")
    with path.open(encoding="utf-8", errors="replace") as stream:
        for lineno, text in enumerate(stream, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Line(lineno, lineno, LineError(
                    "invalid_json", f"line {lineno}: invalid JSON ({exc.msg})"))
                continue
            if not isinstance(record, dict):
                yield Line(lineno, lineno, LineError(
                    "invalid_request", f"line {lineno}: expected a JSON object"))
                continue
            yield Line(lineno, record.get("id", lineno), record)


def text_field(line: Line, name: str) -> str:
    """The string field ``name`` of a line's record, or :class:`LineError`."""
    if isinstance(line.record, LineError):
        raise line.record
    value = line.record.get(name)
    if not isinstance(value, str):
        raise LineError("invalid_request", f"line {line.lineno}: no \"{name}\" string")
    return value


def run_batch(path: Path, answer: Callable[[Line], dict[str, Any]]) -> int:
    """Write ``{"id", **answer(line)}`` for each line, or its error line; the exit status
    (0, or :data:`EXIT_LINE_FAILED` when a line failed)."""
    status = 0
    for line in read_lines(path):
        try:
            result = answer(line)
        except LineError as exc:
            error = {"code": exc.code, "message": exc.message}
        except LINE_ERRORS as exc:
            error = {"code": exc.code, "message": f"line {line.lineno}: {exc}"}
        else:
            emit_json({"id": line.id, **result})
            continue
        emit_json({"id": line.id, "error": error})
        status = EXIT_LINE_FAILED
    return status
