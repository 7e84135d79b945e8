"""``medcite check`` as a user runs it: a consistent home passes, a damaged one fails with
the problems named and exit code 4."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.conftest import run
from tests.web.conftest import build_home


def test_check_passes_a_healthy_home_and_names_what_is_wrong(tmp_path: Path) -> None:
    home = build_home(tmp_path)
    healthy = run(home, "check", "--json")
    assert healthy.returncode == 0, healthy.stderr
    report = json.loads(healthy.stdout)
    assert report["ok"] and report["documents"] == 8
    assert report["indexes"][0]["entries"] == report["passages"]

    with sqlite3.connect(home / "medcite.sqlite3") as conn:  # a passage lost behind its back
        conn.execute("DELETE FROM passages WHERE id = (SELECT MIN(id) FROM passages)")
    damaged = run(home, "check")
    assert damaged.returncode == 4
    assert "INCONSISTENT" in damaged.stdout
    assert "lexical index: 1 entry(ies) for no stored passage" in damaged.stderr
    assert "medcite index --rebuild" in damaged.stderr.splitlines()[-1]

    missing = run(tmp_path / "elsewhere", "check")
    assert missing.returncode == 4 and "no medcite store" in missing.stderr
