"""A home medcite cannot use (not writable, not a directory, a damaged database) is a user
error: one line that names the path and what to do, exit code 4, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcite.errors import StoreError
from medcite.store.sqlite import DB_FILE


def run(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "medcite", "--home", str(home), *args],
                          capture_output=True, text=True, timeout=120, env=dict(os.environ))


def error_line(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr
    assert "Internal error" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert result.returncode == StoreError.exit_code
    return lines[0]


@pytest.fixture
def unwritable_home(tmp_path: Path) -> Iterator[Path]:
    """A home this user cannot write: a read-only directory; as root (whom permissions do
    not stop) a file where the directory should be."""
    home = tmp_path / "home"
    if os.geteuid() == 0:
        home.write_text("not a directory\n")
        yield home
        return
    home.mkdir()
    home.chmod(0o555)
    yield home
    home.chmod(0o755)


def test_an_unwritable_home(unwritable_home: Path) -> None:
    line = error_line(run(unwritable_home, "stats"))
    assert str(unwritable_home) in line
    assert "--home or MEDCITE_HOME" in line


def test_a_damaged_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / DB_FILE).write_bytes(b"this is not SQLite\n" * 500)
    line = error_line(run(home, "stats"))
    assert f"{home / DB_FILE} is not a medcite database, or it is damaged" in line
    assert "Move the file aside" in line


def test_a_directory_where_the_database_should_be(tmp_path: Path) -> None:
    (tmp_path / "home" / DB_FILE).mkdir(parents=True)
    line = error_line(run(tmp_path / "home", "stats"))
    assert "is a directory, not a database file" in line
