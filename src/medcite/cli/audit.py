"""``medcite audit ...``: checks on the editorial audit log.

``verify`` walks the log's hash chain (:mod:`medcite.editorial.audit`) and reports OK
with the head (last entry and its hash, worth keeping elsewhere: it catches entries
removed from the end), or the first broken link with its ``seq`` and why, exiting 1.
"""

from __future__ import annotations

import sys
from dataclasses import asdict

import click

from medcite.cli.common import emit_json, err, json_option, out
from medcite.cli.editorial import open_desk

BROKEN_EXIT = 1


@click.group()
def audit() -> None:
    """The editorial audit log: check that nobody rewrote it."""


@audit.command("verify")
@json_option
def audit_verify(as_json: bool) -> None:
    """Check the audit log's hash chain: OK, or the first broken entry (exit 1)."""
    with open_desk() as desk:
        check = desk.verify_audit()
    if as_json:
        emit_json({"ok": check.ok, **{k: v for k, v in asdict(check).items() if k != "ok"}})
    elif check.ok:
        head = f"; head: seq {check.head_seq}, hash {check.head_hash}" if check.head_seq \
            else ""
        out.print(f"OK: {check.checked} audit entries, the chain is whole{head}",
                  markup=False, highlight=False)
    else:
        err.print(f"Broken at seq {check.broken_seq}: {check.reason}. {check.checked} "
                  "entries before it are intact. Restore the database from a backup and "
                  "find out who had write access to it.", markup=False, highlight=False)
    if not check.ok:
        sys.exit(BROKEN_EXIT)
