"""What every command module shares: the options given to ``medcite`` (``--home``,
``--debug``), the service they open, JSON output and progress (a bar on a terminal, a
log line every few seconds otherwise)."""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from medcite.errors import SettingsError
from medcite.service import Medcite

# Output carries data (ids like "guideline:om:1", labels like "[jsonl]"): no emoji codes,
# and every data string printed with markup goes through rich.markup.escape.
err = Console(stderr=True, emoji=False)
out = Console(emoji=False)


class State:
    home: Path | None = None
    debug: bool = False


state = State()
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")


def open_service() -> Medcite:
    return Medcite.open(state.home)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


PROGRESS_ENV = "MEDCITE_PROGRESS_SECONDS"
DEFAULT_PROGRESS_SECONDS = 5.0


def progress_seconds() -> float:
    """Seconds between progress log lines when stderr is not a terminal
    (``MEDCITE_PROGRESS_SECONDS``, default 5; 0 logs every step)."""
    raw = os.environ.get(PROGRESS_ENV, "").strip()
    if not raw:
        return DEFAULT_PROGRESS_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (value >= 0 and math.isfinite(value)):
        raise SettingsError(f"Invalid {PROGRESS_ENV}={raw!r}.",
                            "Give the seconds between progress lines, e.g. 5.")
    return value


def duration(seconds: float) -> str:
    """'8.2 s', '45 s', '11 min 20 s', '1 h 05 min': how long, for people."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


class ProgressLog:
    """Progress as one line on stderr every ``every`` seconds, for a log file, a pipe or
    CI, where a progress bar shows nothing; a closing line only if any line was written."""

    def __init__(self, description: str, every: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.description = description
        self.every = every
        self.clock = clock
        self.started = self.last = clock()
        self.lines = 0

    @property
    def elapsed(self) -> float:
        return max(self.clock() - self.started, 1e-9)

    def due(self) -> bool:
        now = self.clock()
        if now - self.last < self.every:
            return False
        self.last = now
        return True

    def write(self, text: str) -> None:
        self.lines += 1
        err.print(f"{self.description}: {text}", markup=False, highlight=False, soft_wrap=True)


@contextmanager
def records_progress(description: str) -> Iterator[Callable[[int, int], None]]:
    """Progress of records read and passages made, with records/s, on stderr."""
    totals = {"records": 0, "passages": 0}
    if not err.is_terminal:
        log = ProgressLog(description, progress_seconds())

        def log_advance(records: int, passages: int) -> None:
            totals["records"] += records
            totals["passages"] += passages
            if log.due():
                log.write(f"{totals['records']:,} records, {totals['passages']:,} passages, "
                          f"{totals['records'] / log.elapsed:,.0f} records/s, "
                          f"{duration(log.elapsed)} so far")

        yield log_advance
        if log.lines:
            log.write(f"{totals['records']:,} records, {totals['passages']:,} passages "
                      f"in {duration(log.elapsed)}")
        return
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} records/s, {task.fields[passages]} passages"),
        TimeElapsedColumn(), console=err, transient=False,
    )
    task = progress.add_task(description, total=None, rate="0", passages=0)

    def advance(records: int, passages: int) -> None:
        totals["records"] += records
        totals["passages"] += passages
        elapsed = progress.tasks[0].elapsed or 1e-9
        progress.update(task, advance=records, passages=totals["passages"],
                        rate=f"{totals['records'] / elapsed:,.0f}")

    with progress:
        yield advance


@contextmanager
def count_progress(description: str, unit: str) -> Iterator[Callable[[int, int], None]]:
    """Progress of work of known size, ``update(done, total)``, with rate and time left."""
    if not err.is_terminal:
        log = ProgressLog(description, progress_seconds())
        final = {"done": 0}

        def log_update(done: int, total: int) -> None:
            final["done"] = done
            if not log.due():
                return
            rate = done / log.elapsed
            left = f", ~{duration((total - done) / rate)} left" if rate > 0 and total > done \
                else ""
            of = f"/{total:,}" if total else ""
            log.write(f"{done:,}{of} {unit}, {rate:,.1f}/s{left}")

        yield log_update
        if log.lines:
            log.write(f"{final['done']:,} {unit} in {duration(log.elapsed)} "
                      f"({final['done'] / log.elapsed:,.1f}/s)")
        return
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} " + unit + "/s"), TimeElapsedColumn(),
        TextColumn("eta"), TimeRemainingColumn(), console=err,
    )
    task = progress.add_task(description, total=None, rate="0")

    def update(done: int, total: int) -> None:
        elapsed = progress.tasks[0].elapsed or 1e-9
        progress.update(task, completed=done, total=total or None, rate=f"{done / elapsed:,.1f}")

    with progress:
        yield update
