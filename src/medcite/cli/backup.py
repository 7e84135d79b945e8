"""``medcite backup PATH`` and ``medcite restore PATH``: a consistent copy of the store and
its indexes, taken while the server answers, and putting one back into a home."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from medcite.cli.common import count_progress, emit_json, err, json_option, open_service, out, state
from medcite.errors import StoreError
from medcite.index.backup import backup_home, restore_home
from medcite.index.consistency import check_home
from medcite.settings import load_settings


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@json_option
def backup(path: Path, as_json: bool) -> None:
    """Back up the store, its indexes and settings into PATH, a new directory. Safe while
    the server answers or an ingest writes."""
    home = load_settings(state.home).home
    report = backup_home(home, path)
    if as_json:
        emit_json(report.as_dict())
        return
    out.print(f"backed up {escape(str(home))} to {escape(str(path))}: "
              f"{report.documents:,} documents, {report.passages:,} passages, "
              f"{len(report.files)} files, {report.bytes / 2**20:,.1f} MB in "
              f"{report.seconds:.1f} s", highlight=False)


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace the store, indexes and settings of a home that is not empty "
              "(stop its server first).")
@json_option
def restore(path: Path, force: bool, as_json: bool) -> None:
    """Restore the backup in PATH into the home (a new or empty directory unless --force),
    then bring its indexes up to date and check that they agree with the store."""
    settings = load_settings(state.home)
    manifest = restore_home(path, settings.home, force)
    with open_service() as service:
        replayed = service.sync_indexes()
        with count_progress("embed", "passages") as update:
            embedded = service.embed(update)
        parts = service.settings.embedder.parts
    report = check_home(settings.home, parts)
    data = {"home": str(settings.home), "from": str(path), "created_at": manifest["created_at"],
            "documents": report.documents, "passages": report.passages,
            "lexical_passages_replayed": replayed, "embedded_passages": embedded,
            "consistent": report.ok, "problems": report.problems}
    if as_json:
        emit_json(data)
    else:
        out.print(f"restored {escape(str(path))} (taken {manifest['created_at']}) into "
                  f"{escape(str(settings.home))}: {report.documents:,} documents, "
                  f"{report.passages:,} passages; {replayed:,} passages re-indexed, "
                  f"{embedded:,} embedded", highlight=False)
    if not report.ok:
        for problem in report.problems:
            err.print(f"[red]inconsistent:[/] {escape(problem)}", highlight=False)
        raise StoreError("The restored store and its indexes disagree.",
                         "Run `medcite index --rebuild` to rebuild the indexes from the store.")
