"""Server-sent events: an answer streamed as ``start``, ``summary``, each ``section``,
``references`` and ``done``; a failure after the stream began becomes an ``error`` event
carrying the API's error shape."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from medcite.answer.pipeline import AnswerEvent
from medcite.errors import MedciteError
from medcite.web.errors import error_body

log = logging.getLogger("medcite.web")

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def format_event(event: str, data: Any) -> str:
    """One event in the text/event-stream format (data on one line)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def event_stream(first: AnswerEvent, rest: Iterator[AnswerEvent]) -> Iterator[str]:
    """The events as text, ``first`` already taken (so that its errors were HTTP errors)."""
    yield format_event(first.event, first.data)
    try:
        for item in rest:
            yield format_event(item.event, item.data)
    except MedciteError as exc:
        yield format_event("error", error_body(exc.code, str(exc)))
    except Exception:
        log.exception("error while streaming an answer")
        yield format_event("error", error_body(
            "internal", "Internal error while answering. It has been logged; please retry."))
