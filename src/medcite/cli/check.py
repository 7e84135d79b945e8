"""``medcite check``: is the store whole, and do its BM25 index and vectors agree with it?"""

from __future__ import annotations

import click
from rich.markup import escape

from medcite.cli.common import emit_json, err, json_option, out, state
from medcite.errors import StoreError
from medcite.index.consistency import check_home
from medcite.settings import load_settings
from medcite.store.sqlite import DB_FILE


@click.command()
@json_option
def check(as_json: bool) -> None:
    """Check the store (SQLite's own checks, passages without documents) and that the BM25
    index and the vectors hold exactly its passages. An index that is only behind is fine:
    it catches up on the next search, ingest or `medcite index`."""
    settings = load_settings(state.home)
    if not (settings.home / DB_FILE).is_file():
        raise StoreError(f"There is no medcite store in {settings.home}.",
                         "Check --home or MEDCITE_HOME.")
    report = check_home(settings.home, settings.embedder.parts)
    if as_json:
        emit_json(report.as_dict())
    else:
        out.print(f"{report.documents:,} documents, {report.passages:,} passages, "
                  f"last change {report.last_change:,}", highlight=False, soft_wrap=True)
        for index in report.indexes:
            out.print(f"  {index.name:<8} {index.entries:>9,} entries at change {index.seq:,}"
                      f" ({index.behind_documents:,} documents to catch up); missing "
                      f"{index.missing}, extra {index.extra}, duplicates {index.duplicates}",
                      highlight=False, soft_wrap=True)
        out.print("consistent" if report.ok else "[red]INCONSISTENT[/]")
    if not report.ok:
        for problem in report.problems:
            err.print(f"[red]problem:[/] {escape(problem)}", highlight=False, soft_wrap=True)
        raise StoreError("The store and its indexes disagree.",
                         "Run `medcite index --rebuild` to rebuild the indexes from the store.")
