"""Running ``medcite`` in tests: as a user does (a real process) or in this process through
the real entry point (faster, same exit codes and output); and the editorial fixtures the
``review`` and ``users`` tests share with ``tests/editorial``."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

from medcite.cli.main import main
from tests.editorial.conftest import editorial_home, prepared

__all__ = ["editorial_home", "one_error_line", "prepared", "run", "run_cli"]


def run(home: Path, *args: str,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``medcite --home HOME ARGS`` in a new process."""
    return subprocess.run(
        [sys.executable, "-m", "medcite", "--home", str(home), *args],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one ``error: ...`` line a user error prints, after checking it is the only one."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def run_cli(home: Path, *args: str) -> tuple[int, str, str]:
    """Run ``medcite --home HOME ARGS`` in this process: (exit code, stdout, stderr).

    The ``rich`` consoles in ``medcite.cli.common`` write to whatever ``sys.stdout`` and
    ``sys.stderr`` are at the time, so redirecting those captures them; setting their
    ``file`` instead would pin them to one stream for every later test."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            main(["--home", str(home), *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, stdout.getvalue(), stderr.getvalue()
