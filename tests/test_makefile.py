"""The Makefile as a newcomer meets it: `make demo` without the shared data fails at once,
saying where the data is expected and how to point at it, before it builds anything."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def make(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("MEDCITE_DATA_DIR", "DATA")}
    # Should the venv be built after all, pip fails at once instead of reaching for an index.
    return subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), *args],
                          capture_output=True, text=True, timeout=120,
                          env={**base, "PIP_NO_INDEX": "1", **(env or {})})


def demo_data(root: Path) -> Path:
    (root / "corpus").mkdir(parents=True)
    (root / "vocab").mkdir()
    for name in ("guidelines.jsonl.gz", "uspstf_recommendations.jsonl",
                 "bioasq_abstracts.jsonl.gz"):
        (root / "corpus" / name).touch()
    return root


def test_data_check_without_data_fails_fast_saying_where_and_how(tmp_path: Path) -> None:
    missing = tmp_path / "no-data"
    started = time.perf_counter()
    result = make("data-check", f"DATA={missing}")
    assert time.perf_counter() - started < 10
    assert result.returncode != 0
    assert f"the shared data is not at {missing}" in result.stderr
    assert "../shared/data" in result.stderr
    assert "MEDCITE_DATA_DIR=" in result.stderr and "DATA=" in result.stderr

    from_env = make("data-check", env={"MEDCITE_DATA_DIR": str(missing)})
    assert from_env.returncode != 0 and f"not at {missing}" in from_env.stderr


def test_demo_checks_the_data_before_building_the_venv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    result = make("demo", f"DATA={tmp_path / 'no-data'}", f"VENV={venv}",
                  f"HOME_DIR={tmp_path / 'home'}", f"PYTHON={sys.executable}")
    assert result.returncode != 0
    assert "the shared data is not at" in result.stderr
    assert not venv.exists()


def test_data_check_passes_where_the_demo_files_are(tmp_path: Path) -> None:
    data = demo_data(tmp_path / "data")
    assert make("data-check", env={"MEDCITE_DATA_DIR": str(data)}).returncode == 0
    (data / "corpus" / "guidelines.jsonl.gz").unlink()
    result = make("data-check", env={"MEDCITE_DATA_DIR": str(data)})
    assert result.returncode != 0 and "guidelines.jsonl.gz" in result.stderr
