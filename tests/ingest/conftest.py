"""Shared fixtures for the ingest tests: the real sample files under ../shared/data/samples."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "samples"


@pytest.fixture
def samples() -> Path:
    """The shared sample directory; tests that need it are skipped when it is absent."""
    if not SAMPLES.is_dir():
        pytest.skip("shared sample files (../shared/data/samples) are not available")
    return SAMPLES
