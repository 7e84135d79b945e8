"""The audit log: append-only in SQLite itself, and exportable."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from medcite.editorial import audit
from medcite.editorial.desk import Desk
from medcite.editorial.errors import UnauthorizedError


def test_the_database_refuses_to_rewrite_history(prepared_desk: Desk) -> None:
    conn = prepared_desk.store.conn
    before = conn.execute("SELECT COUNT(*) FROM ed_audit").fetchone()[0]
    assert before > 10
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE ed_audit SET actor = 'mallory' WHERE seq = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM ed_audit")
    assert conn.execute("SELECT COUNT(*) FROM ed_audit").fetchone()[0] == before
    assert conn.execute("SELECT actor FROM ed_audit WHERE seq = 1").fetchone()[0] != "mallory"


def test_exports_hold_every_event(prepared_desk: Desk) -> None:
    conn = prepared_desk.store.conn
    events = audit.events(conn)
    lines = list(audit.export_lines(conn, "jsonl"))
    assert [json.loads(line)["seq"] for line in lines] == [e.seq for e in events]
    first = json.loads(lines[0])
    assert set(first) == {"seq", "at", "actor", "action", "article_id", "from_state",
                          "to_state", "version", "detail"}
    rows = list(csv.DictReader(io.StringIO("".join(audit.export_lines(conn, "csv")))))
    assert len(rows) == len(events)
    approvals = [r for r in rows if r["action"] == "approve"]
    assert approvals and approvals[0]["from_state"] == "under_review"
    assert approvals[0]["to_state"] == "approved"


def test_csv_export_defuses_spreadsheet_formulas(prepared_desk: Desk) -> None:
    """A failed login records the username as typed: it must not become a formula."""
    with pytest.raises(UnauthorizedError):
        prepared_desk.accounts.authenticate('=HYPERLINK("http://evil")', "x")
    rows = list(csv.reader(io.StringIO("".join(
        audit.export_lines(prepared_desk.store.conn, "csv")))))
    assert rows[-1][2] == '\'=HYPERLINK("http://evil")'
