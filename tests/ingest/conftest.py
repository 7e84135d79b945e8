"""Shared fixtures for the ingest tests: the real sample files under ../shared/data/samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED

SAMPLES = SHARED / "samples"


@pytest.fixture(scope="session")
def samples() -> Path:
    """The real NCBI/FDA/CDC sample files (skipped only where ../shared is absent)."""
    if not SAMPLES.is_dir():
        pytest.skip("shared sample files (../shared/data/samples) are not available")
    return SAMPLES.resolve()
