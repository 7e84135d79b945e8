"""The audit log: who did what, when, to which article, from which state to which.

Rows are only ever inserted (triggers abort UPDATE and DELETE). Each event is written in
the same transaction as the change it records.

The log is also tamper-evident, for whoever bypasses the triggers by editing the
database file itself: every entry stores the hash of the entry before it (``prev_hash``)
and its own ``hash``, SHA-256 of ``prev_hash`` and its canonical JSON
(:mod:`medcite.store.audit`). Changing, removing or inserting an entry breaks the chain
at that entry (:func:`check_chain`, ``medcite audit verify``); the first entry links to
``GENESIS``. Removing the *last* entries cannot be seen from the chain alone: keep the
head hash that ``verify`` prints somewhere else to catch that too.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from medcite.editorial.models import AuditEvent
from medcite.store import audit as rows
from medcite.store.protocols import Database, Tx

EXPORT_FORMATS = ("jsonl", "csv")
CSV_FIELDS = rows.AUDIT_COLUMNS


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def record(tx: Tx, actor: str, action: str, article_id: int | None = None,
           from_state: str | None = None, to_state: str | None = None,
           version: int | None = None, **detail: Any) -> None:
    """Append one event, chained to the one before (call inside the write transaction of
    the change itself)."""
    rows.append(tx, now_iso(), actor, action, article_id, from_state, to_state, version,
                json.dumps(detail, ensure_ascii=False, sort_keys=True))


def _event(row: Mapping[str, Any]) -> AuditEvent:
    return AuditEvent.model_validate({**row, "detail": json.loads(row["detail"])})


def events(db: Database, article_id: int | None = None,
           after: int = 0, limit: int | None = None) -> list[AuditEvent]:
    """Events in order; of one article when ``article_id`` is given."""
    log = rows.SQLiteAuditLog(db)
    if limit is not None:
        return [_event(r) for r in log.page(after, limit, article_id)]
    found: list[AuditEvent] = []
    while page := log.page(after, rows.PAGE_ROWS, article_id):
        found += [_event(r) for r in page]
        after = page[-1]["seq"]
    return found


def last_at(db: Database, article_id: int, action: str) -> str | None:
    """When ``action`` was last taken on the article."""
    return rows.SQLiteAuditLog(db).last_at(article_id, action)


@dataclass(frozen=True)
class ChainCheck:
    """The result of walking the chain: OK, or the first broken link and why; and the
    head (last entry) that a later check can be compared with."""

    ok: bool
    checked: int
    head_seq: int | None = None
    head_hash: str | None = None
    broken_seq: int | None = None
    reason: str | None = None


def check_chain(entries: Iterable[Mapping[str, Any]]) -> ChainCheck:
    """Walk entries in ``seq`` order and stop at the first that does not follow from the
    one before: a gap in ``seq`` (removed), a ``prev_hash`` that is not the previous
    entry's hash (removed, inserted or rehashed before it) or a ``hash`` its content does
    not give (changed)."""
    prev_seq, prev_hash, checked = 0, rows.GENESIS, 0
    for entry in entries:
        seq = int(entry["seq"])
        reason = None
        if seq != prev_seq + 1:
            missing = str(prev_seq + 1) if seq == prev_seq + 2 else \
                f"{prev_seq + 1} to {seq - 1}"
            reason = f"entries before it are missing (seq {missing}): they were deleted"
        elif entry["prev_hash"] != prev_hash:
            reason = ("its prev_hash is not the hash of the entry before it: an entry "
                      "before it was removed, inserted or rewritten")
        elif entry["hash"] != rows.chain_hash(prev_hash, entry):
            reason = "its content does not match its hash: the entry was changed"
        if reason is not None:
            return ChainCheck(False, checked, prev_seq or None,
                              prev_hash if prev_seq else None, seq, reason)
        prev_seq, prev_hash, checked = seq, str(entry["hash"]), checked + 1
    return ChainCheck(True, checked, prev_seq or None, prev_hash if prev_seq else None)


def verify(db: Database) -> ChainCheck:
    """Check the whole log's chain, read in pages."""
    log = rows.SQLiteAuditLog(db)

    def entries() -> Iterator[dict[str, Any]]:
        after = 0
        while page := log.page(after):
            yield from page
            after = page[-1]["seq"]

    return check_chain(entries())


def _cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula (names are user input)."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_lines(db: Database, fmt: str, article_id: int | None = None) -> Iterator[str]:
    """The log as JSON Lines or CSV (with a header row), read in pages; each entry with
    its chain link, so that a copy can be verified on its own."""
    log = rows.SQLiteAuditLog(db)
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(CSV_FIELDS)
        yield buffer.getvalue()
    after = 0
    while page := log.page(after, rows.PAGE_ROWS, article_id):
        for row in page:
            event = _event(row)
            if fmt == "csv":
                buffer = io.StringIO()
                data = event.model_dump()
                data["detail"] = json.dumps(event.detail, ensure_ascii=False, sort_keys=True)
                csv.writer(buffer, lineterminator="\n").writerow(
                    [_cell(data[f]) for f in CSV_FIELDS])
                yield buffer.getvalue()
            else:
                yield event.model_dump_json() + "\n"
        after = page[-1]["seq"]
