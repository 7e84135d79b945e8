"""The audit log: who did what, when, to which article, from which state to which.

Rows are only ever inserted (triggers in :mod:`medcite.store.editorial` abort UPDATE and
DELETE). Each event is written in the same transaction as the change it records.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from medcite.editorial.models import AuditEvent
from medcite.store.editorial import AUDIT_COLUMNS, INSERT_AUDIT

EXPORT_FORMATS = ("jsonl", "csv")
CSV_FIELDS = ("seq", "at", "actor", "action", "article_id", "from_state", "to_state",
              "version", "detail")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def record(conn: sqlite3.Connection, actor: str, action: str, article_id: int | None = None,
           from_state: str | None = None, to_state: str | None = None,
           version: int | None = None, **detail: Any) -> None:
    """Append one event (call inside the write transaction of the change itself)."""
    conn.execute(INSERT_AUDIT, (now_iso(), actor, action, article_id, from_state, to_state,
                                version, json.dumps(detail, ensure_ascii=False, sort_keys=True)))


def _event(row: tuple[Any, ...]) -> AuditEvent:
    values = dict(zip(AUDIT_COLUMNS.split(", "), row, strict=True))
    values["detail"] = json.loads(values["detail"])
    return AuditEvent.model_validate(values)


def events(conn: sqlite3.Connection, article_id: int | None = None,
           after: int = 0, limit: int | None = None) -> list[AuditEvent]:
    """Events in order; of one article when ``article_id`` is given."""
    sql = f"SELECT {AUDIT_COLUMNS} FROM ed_audit WHERE seq > ?"
    params: list[Any] = [after]
    if article_id is not None:
        sql += " AND article_id = ?"
        params.append(article_id)
    sql += " ORDER BY seq"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_event(row) for row in conn.execute(sql, params)]


def _cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula (names are user input)."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_lines(conn: sqlite3.Connection, fmt: str, article_id: int | None = None
                 ) -> Iterator[str]:
    """The log as JSON Lines or CSV (with a header row), read in pages."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_FIELDS)
        yield buffer.getvalue()
    last = 0
    while True:
        page = events(conn, article_id, after=last, limit=1000)
        if not page:
            return
        for event in page:
            if fmt == "csv":
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\n")
                data = event.model_dump()
                data["detail"] = json.dumps(event.detail, ensure_ascii=False, sort_keys=True)
                writer.writerow([_cell(data[f]) for f in CSV_FIELDS])
                yield buffer.getvalue()
            else:
                yield event.model_dump_json() + "\n"
        last = page[-1].seq
