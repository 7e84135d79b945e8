"""``medcite bench serve``: start the server on loopback, drive it with concurrent clients,
and report throughput, latency, errors, lost requests and time to first section."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.table import Table

from medcite.errors import MedciteError, MissingExtraError

QUESTIONS = (
    "What is the first-line treatment for hypertension?",
    "How should type 2 diabetes be managed initially?",
    "Should adults be screened for colorectal cancer?",
    "What are the risks of statin therapy?",
    "How is community-acquired pneumonia treated in adults?",
    "What is the recommended treatment for major depressive disorder?",
    "Does aspirin prevent cardiovascular events in older adults?",
    "How is acute migraine treated?",
    "What are the benefits of screening for breast cancer with mammography?",
    "How should atrial fibrillation be anticoagulated?",
    "What is the management of asthma exacerbations in children?",
    "Should pregnant women be screened for gestational diabetes?",
    "How effective is smoking cessation counselling?",
    "What are the treatment options for osteoporosis?",
    "How is chronic obstructive pulmonary disease managed?",
    "What is the treatment of urinary tract infection in women?",
    "Does vitamin D supplementation prevent falls?",
    "How should obesity in adults be treated?",
    "What are the signs of autism spectrum disorder in young children?",
    "How is heart failure with reduced ejection fraction treated?",
)
"""A fixed list, so that runs are comparable."""

START_TIMEOUT_S = 120.0
REQUEST_TIMEOUT_S = 120.0


@dataclass
class LevelResult:
    """What the clients of one concurrency level saw."""

    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)
    sent: int = 0
    answered: int = 0
    errors: int = 0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, latency_ms: float | None, ok: bool) -> None:
        with self.lock:
            self.sent += 1
            if latency_ms is not None:
                self.answered += 1
                self.latencies_ms.append(latency_ms)
            if not ok:
                self.errors += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "concurrency": self.concurrency, "requests": self.sent, "answered": self.answered,
            "errors": self.errors, "lost": self.sent - self.answered,
            "seconds": round(self.seconds, 3),
            "throughput_rps": round(self.answered / self.seconds, 2) if self.seconds else 0.0,
            "latency_ms": summarize(self.latencies_ms),
        }


def _httpx() -> Any:
    """httpx, from the ``bench`` extra (the load test is its only user)."""
    try:
        import httpx
    except ImportError as exc:
        raise MissingExtraError("httpx", "bench") from exc
    return httpx


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def summarize(values: list[float]) -> dict[str, float]:
    return {"p50": round(percentile(values, 50), 2), "p95": round(percentile(values, 95), 2),
            "max": round(max(values), 2) if values else 0.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(home: Path | None, log: IO[bytes]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``medcite serve`` in a subprocess; yields its base URL and health once it is up."""
    port = free_port()
    command = [sys.executable, "-m", "medcite"]
    if home is not None:
        command += ["--home", str(home)]
    command += ["serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    try:
        yield base, _wait_healthy(process, base, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(process: subprocess.Popen[bytes], base: str, log: IO[bytes]) -> dict[str, Any]:
    httpx = _httpx()
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise MedciteError(f"The server exited with code {process.returncode} before it "
                               f"was ready: {_tail(log)}", "Run `medcite serve` to see why.")
        try:
            response = httpx.get(base + "/api/v1/health", timeout=2.0)
            if response.status_code == 200:
                return response.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise MedciteError(f"The server did not become healthy in {START_TIMEOUT_S:.0f} s.",
                       "Run `medcite serve` to see why.")


def _tail(log: IO[bytes], chars: int = 800) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode("utf-8", "replace")[-chars:].strip()


def drive_level(base: str, concurrency: int, duration: float) -> LevelResult:
    httpx = _httpx()
    """``concurrency`` clients asking questions back to back for ``duration`` seconds."""
    result = LevelResult(concurrency)
    deadline = time.monotonic() + duration

    def client(worker: int) -> None:
        with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as http:
            i = worker
            while time.monotonic() < deadline:
                question = QUESTIONS[i % len(QUESTIONS)]
                i += concurrency
                started = time.perf_counter()
                try:
                    response = http.post("/api/v1/ask",
                                         json={"question": question, "record": False})
                except httpx.HTTPError:
                    result.record(None, ok=False)
                    continue
                latency = (time.perf_counter() - started) * 1000
                result.record(latency, ok=200 <= response.status_code < 300)

    threads = [threading.Thread(target=client, args=(w,), daemon=True) for w in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def time_to_first_section(base: str, questions: tuple[str, ...] = QUESTIONS) -> dict[str, Any]:
    httpx = _httpx()
    """Milliseconds from request to the first ``summary`` or ``section`` event, per question."""
    times: list[float] = []
    errors = 0
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as http:
        for question in questions:
            started = time.perf_counter()
            first: float | None = None
            try:
                with http.stream("GET", "/api/v1/ask/stream",
                                 params={"question": question}) as response:
                    if response.status_code != 200:
                        errors += 1
                        continue
                    for line in response.iter_lines():
                        if first is None and line in ("event: summary", "event: section"):
                            first = (time.perf_counter() - started) * 1000
                        if line == "event: error":
                            errors += 1
            except httpx.HTTPError:
                errors += 1
                continue
            if first is None:
                errors += 1
            else:
                times.append(first)
    return {"requests": len(questions), "errors": errors, **summarize(times)}


def run_load(home: Path | None, levels: list[int], duration: float) -> dict[str, Any]:
    """Start the server, drive it at each concurrency level, measure time to first section,
    stop it, and return the figures."""
    with tempfile.TemporaryFile() as log, running_server(home, log) as (base, health):
        results = [drive_level(base, level, duration).as_dict() for level in levels]
        ttfs = time_to_first_section(base)
    return {
        "endpoint": "POST /api/v1/ask", "stream_endpoint": "GET /api/v1/ask/stream",
        "documents": health.get("documents", 0), "duration_s": duration,
        "questions": len(QUESTIONS), "levels": results, "time_to_first_section_ms": ttfs,
    }


def print_load(data: dict[str, Any], console: Console) -> None:
    """The figures as a table."""
    table = Table(title=f"{data['endpoint']}: {data['duration_s']:g} s per level, "
                        f"{data['documents']:,} documents")
    for name in ("clients", "requests", "errors", "lost", "req/s", "p50 ms", "p95 ms", "max ms"):
        table.add_column(name, justify="right")
    for level in data["levels"]:
        latency = level["latency_ms"]
        table.add_row(str(level["concurrency"]), str(level["requests"]), str(level["errors"]),
                      str(level["lost"]), f"{level['throughput_rps']:.1f}",
                      f"{latency['p50']:.1f}", f"{latency['p95']:.1f}", f"{latency['max']:.1f}")
    console.print(table)
    ttfs = data["time_to_first_section_ms"]
    console.print(f"time to first section ({data['stream_endpoint']}, {ttfs['requests']} "
                  f"questions, one at a time): p50 {ttfs['p50']:.1f} ms, p95 {ttfs['p95']:.1f} "
                  f"ms, {ttfs['errors']} errors")
