"""``medcite bench serve`` on a tiny store: the server starts as a subprocess, takes load
at two concurrency levels without losing a request, and stops."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from rich.console import Console

from medcite.bench.loadtest import percentile, print_load, run_load, time_to_first_section
from medcite.errors import MissingExtraError
from tests.web.conftest import build_home


def test_load_report_has_every_figure_and_no_errors(tmp_path: Path) -> None:
    data = run_load(build_home(tmp_path), [1, 4], 2.0)
    assert data["documents"] == 8
    assert [level["concurrency"] for level in data["levels"]] == [1, 4]
    for level in data["levels"]:
        assert level["requests"] > 0 and level["answered"] == level["requests"]
        assert level["errors"] == 0 and level["lost"] == 0
        assert level["throughput_rps"] > 0
        latency = level["latency_ms"]
        assert 0 < latency["p50"] <= latency["p95"] <= latency["max"]
    ttfs = data["time_to_first_section_ms"]
    assert ttfs["errors"] == 0 and ttfs["requests"] == data["questions"] == 20
    assert 0 < ttfs["p50"] <= ttfs["p95"]
    out = io.StringIO()
    print_load(data, Console(file=out, width=120))
    assert "time to first section" in out.getvalue()


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50 and percentile(values, 95) == 95
    assert percentile([], 50) == 0 and percentile([7.0], 95) == 7.0


def test_without_httpx_the_load_test_names_the_bench_extra(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)
    with pytest.raises(MissingExtraError) as caught:
        time_to_first_section("http://127.0.0.1:9")
    assert "medcite[bench]" in caught.value.hint
