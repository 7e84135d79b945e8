"""What every command module shares: the options given to ``medcite`` (``--home``,
``--debug``), the service they open, JSON output and progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
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

from medcite.service import Medcite

err = Console(stderr=True)
out = Console()


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


@contextmanager
def records_progress(description: str) -> Iterator[Any]:
    """A progress display with records/s and passages/s, on stderr."""
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} records/s, {task.fields[passages]} passages"),
        TimeElapsedColumn(), console=err, transient=False, disable=not err.is_terminal,
    )
    task = progress.add_task(description, total=None, rate="0", passages=0)
    totals = {"records": 0, "passages": 0}

    def advance(records: int, passages: int) -> None:
        totals["records"] += records
        totals["passages"] += passages
        elapsed = progress.tasks[0].elapsed or 1e-9
        progress.update(task, advance=records, passages=totals["passages"],
                        rate=f"{totals['records'] / elapsed:,.0f}")

    with progress:
        yield advance


@contextmanager
def count_progress(description: str, unit: str) -> Iterator[Any]:
    """A progress bar for work of known size: update(done, total)."""
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} " + unit + "/s"), TimeElapsedColumn(),
        TextColumn("eta"), TimeRemainingColumn(), console=err, disable=not err.is_terminal,
    )
    task = progress.add_task(description, total=None, rate="0")

    def update(done: int, total: int) -> None:
        elapsed = progress.tasks[0].elapsed or 1e-9
        progress.update(task, completed=done, total=total or None, rate=f"{done / elapsed:,.1f}")

    with progress:
        yield update
