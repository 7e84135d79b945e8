"""The audit log: append-only in SQLite itself, chained by hash so that editing the file
behind SQLite's back shows (``medcite audit verify``), and exportable."""

from __future__ import annotations

import csv
import io
import itertools
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from medcite.editorial import audit
from medcite.editorial.desk import Desk
from medcite.editorial.errors import UnauthorizedError
from medcite.store import audit as audit_rows
from medcite.store.migrations import VERSION_KEY
from medcite.store.sqlite import DB_FILE
from tests.cli.conftest import run_cli
from tests.editorial.conftest import Prepared
from tests.web.conftest import open_service


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
    store = prepared_desk.store
    events = audit.events(store)
    lines = list(audit.export_lines(store, "jsonl"))
    assert [json.loads(line)["seq"] for line in lines] == [e.seq for e in events]
    first = json.loads(lines[0])
    assert set(first) == {"seq", "at", "actor", "action", "article_id", "from_state",
                          "to_state", "version", "detail", "prev_hash", "hash"}
    rows = list(csv.DictReader(io.StringIO("".join(audit.export_lines(store, "csv")))))
    assert len(rows) == len(events)
    approvals = [r for r in rows if r["action"] == "approve"]
    assert approvals and approvals[0]["from_state"] == "under_review"
    assert approvals[0]["to_state"] == "approved"


def test_csv_export_defuses_spreadsheet_formulas(prepared_desk: Desk) -> None:
    """A failed login records the username as typed: it must not become a formula."""
    with pytest.raises(UnauthorizedError):
        prepared_desk.accounts.authenticate('=HYPERLINK("http://evil")', "x")
    rows = list(csv.reader(io.StringIO("".join(
        audit.export_lines(prepared_desk.store, "csv")))))
    assert rows[-1][2].lower() == '\'=hyperlink("http://evil")'  # (names are case-blind)


def tamper(home: Path, *statements: str) -> None:
    """Edit the database file as an intruder would: triggers dropped, rows changed."""
    conn = sqlite3.connect(home / DB_FILE, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS ed_audit_no_update")
    conn.execute("DROP TRIGGER IF EXISTS ed_audit_no_delete")
    for statement in statements:
        conn.execute(statement)
    conn.close()


@pytest.fixture
def home(prepared: Prepared, tmp_path: Path) -> Path:
    return Path(shutil.copytree(prepared.home, tmp_path / "home"))


def test_every_entry_links_to_the_one_before(prepared_desk: Desk) -> None:
    events = audit.events(prepared_desk.store)
    assert events[0].prev_hash == audit_rows.GENESIS
    for before, entry in itertools.pairwise(events):
        assert entry.seq == before.seq + 1 and entry.prev_hash == before.hash
    check = prepared_desk.verify_audit()
    assert (check.ok, check.checked, check.head_seq, check.head_hash) == (
        True, len(events), events[-1].seq, events[-1].hash)
    exported = [json.loads(line) for line in audit.export_lines(prepared_desk.store, "jsonl")]
    assert audit.check_chain(exported).ok  # an export can be checked on its own


def test_verify_finds_a_changed_entry_at_its_seq(home: Path) -> None:
    code, out, _ = run_cli(home, "audit", "verify")
    assert code == 0 and out.startswith("OK:") and "head: seq" in out
    tamper(home, "UPDATE ed_audit SET actor = 'mallory' WHERE seq = 5")
    code, _, err = run_cli(home, "audit", "verify")
    assert code == 1
    assert "Broken at seq 5: its content does not match its hash" in err
    code, out, _ = run_cli(home, "audit", "verify", "--json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    assert (data["broken_seq"], data["checked"]) == (5, 4)
    assert "was changed" in data["reason"]


def test_verify_finds_a_removed_or_rehashed_entry(prepared: Prepared, tmp_path: Path) -> None:
    removed = Path(shutil.copytree(prepared.home, tmp_path / "removed"))
    tamper(removed, "DELETE FROM ed_audit WHERE seq = 7")
    code, out, _ = run_cli(removed, "audit", "verify", "--json")
    data = json.loads(out)
    assert code == 1 and data["broken_seq"] == 8 and "seq 7" in data["reason"]
    # an intruder who also recomputes the changed entry's hash breaks the next link
    rehashed = Path(shutil.copytree(prepared.home, tmp_path / "rehashed"))
    with open_service(rehashed) as service:
        row = audit_rows.SQLiteAuditLog(service.store).page(2, 1)[0]
    forged = audit_rows.chain_hash(row["prev_hash"], {**row, "actor": "mallory"})
    tamper(rehashed, f"UPDATE ed_audit SET actor = 'mallory', hash = '{forged}' WHERE seq = 3")
    with open_service(rehashed) as service:
        check = audit.verify(service.store)
    assert (check.ok, check.broken_seq, check.checked) == (False, 4, 3)
    assert "prev_hash is not the hash of the entry before" in (check.reason or "")


def test_an_older_store_gets_its_audit_log_chained(home: Path) -> None:
    """A home written before the chain: its entries are chained on upgrade, the append-only
    triggers stay, and new entries follow on."""
    with open_service(home) as service:
        before = [e.model_dump(exclude={"prev_hash", "hash"})
                  for e in audit.events(service.store)]
    tamper(home, "ALTER TABLE ed_audit DROP COLUMN prev_hash",
           "ALTER TABLE ed_audit DROP COLUMN hash",
           "ALTER TABLE ed_articles DROP COLUMN withdrawn_at",
           "ALTER TABLE ed_articles DROP COLUMN withdrawn_reason",
           f"DELETE FROM meta WHERE key = '{VERSION_KEY}'", "PRAGMA user_version = 8")
    with open_service(home) as service:
        desk = Desk(service)
        events = audit.events(service.store)
        assert [e.model_dump(exclude={"prev_hash", "hash"}) for e in events] == before
        assert desk.verify_audit().ok and desk.verify_audit().checked == len(before)
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            service.store.conn.execute("UPDATE ed_audit SET actor = 'mallory' WHERE seq = 1")
        with pytest.raises(UnauthorizedError):
            desk.accounts.authenticate("nobody", "x")  # appends a login.failed entry
        check = desk.verify_audit()
        assert check.ok and check.checked == len(before) + 1

