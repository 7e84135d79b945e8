"""The ``medcite`` command. Every failure a user can cause prints one line saying what
happened and what to do, and exits non-zero; ``--debug`` shows tracebacks."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from medcite.errors import InputFileError, InvalidRequestError, MedciteError
from medcite.ingest.pipeline import IngestReport
from medcite.service import Medcite

err = Console(stderr=True)
out = Console()


class State:
    home: Path | None = None
    debug: bool = False


state = State()
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(path_type=Path), envvar="MEDCITE_HOME",
              help="Data directory (default: MEDCITE_HOME or the user data dir).")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.version_option(package_name="medcite")
def app(home: Path | None, debug: bool) -> None:
    """Answers clinical questions with evidence: every sentence cited to its passage."""
    state.home = home
    state.debug = debug or state.debug


def open_service() -> Medcite:
    return Medcite.open(state.home)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
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


# -- ingest ---------------------------------------------------------------------------

@app.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Re-read files already ingested.")
@json_option
def ingest(paths: tuple[Path, ...], force: bool, as_json: bool) -> None:
    """Ingest documents (corpus JSON Lines, PubMed XML, PMC JATS, guidelines, drug labels)
    and vocabularies; formats are recognised by content, gzip or plain."""
    for path in paths:
        if not path.exists():
            raise InputFileError(f"No such file or directory: {path}.", "Check the path.")
    with open_service() as service, records_progress("ingest") as advance:
        report = service.ingest(list(paths), force=force, progress=advance)
    if as_json:
        emit_json(report.as_dict())
    else:
        _print_ingest(report)


def _print_ingest(report: IngestReport) -> None:
    for f in report.files:
        if f.skipped:
            err.print(f"[dim]skipped[/] {f.path}: {f.skipped}")
            continue
        resumed = f" (resumed after record {f.resumed_from})" if f.resumed_from else ""
        out.print(
            f"{f.path} [{f.format}]{resumed}: {f.records} records, {f.added} added, "
            f"{f.updated} updated, {f.unchanged} unchanged, {f.older} older skipped, "
            f"{f.deleted} deleted, {f.fulltexts} full texts, {f.vocab} vocabulary terms, "
            f"{f.passages} passages, {len(f.malformed)} malformed"
        )
        for m in f.malformed[:20]:
            err.print(f"[yellow]malformed[/] {m.where}: {m.reason}")
        if len(f.malformed) > 20:
            err.print(f"[yellow]... and {len(f.malformed) - 20} more malformed records[/]")
    seconds = max(report.seconds, 1e-9)
    out.print(f"done in {report.seconds:.1f} s ({report.total('records') / seconds:,.0f} "
              f"records/s, {report.total('passages') / seconds:,.0f} passages/s)")


# -- search ---------------------------------------------------------------------------

@app.command()
@click.argument("query", required=False)
@click.option("--k", "k", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="Results to return.")
@click.option("--batch", type=click.Path(path_type=Path),
              help="JSON Lines file of {id, question}; one JSON result line per query.")
@json_option
def search(query: str | None, k: int, batch: Path | None, as_json: bool) -> None:
    """Search passages; one best passage per document."""
    if (query is None) == (batch is None):
        raise InvalidRequestError("Give a QUERY or --batch FILE (not both).",
                                  "Example: medcite search 'statins for stroke'")
    with open_service() as service:
        if batch is not None:
            for qid, question in read_questions(batch):
                hits = service.search(question, k)
                emit_json({"id": qid, "hits": [
                    h.model_dump(include={"rank", "doc_id", "passage_id", "score", "kind", "title"})
                    for h in hits]})
            return
        assert query is not None
        hits = service.search(query, k)
    if as_json:
        emit_json({"query": query, "hits": [h.model_dump() for h in hits]})
        return
    if not hits:
        out.print("No passages match.")
    for h in hits:
        year = f", {h.year}" if h.year else ""
        out.print(f"[bold]{h.rank}.[/] {h.title or h.doc_id} [dim]({h.doc_id}, {h.kind}"
                  f"{year}, score {h.score:.2f})[/]")
        out.print(f"   [dim]{h.section}[/] {h.text[:240]}", highlight=False)


def read_questions(path: Path) -> Iterator[tuple[Any, str]]:
    """``(id, question)`` from a JSON Lines file; a bad line is a clear error."""
    if not path.is_file():
        raise InputFileError(f"No such file: {path}.", "Pass a JSON Lines file of {id, question}.")
    with path.open(encoding="utf-8") as stream:
        for lineno, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputFileError(f"{path}:{lineno}: invalid JSON ({exc.msg}).",
                                     "Each line must be {\"id\": ..., \"question\": ...}.") from exc
            if not isinstance(record, dict) or not isinstance(record.get("question"), str):
                raise InputFileError(f"{path}:{lineno}: no \"question\" string.",
                                     "Each line must be {\"id\": ..., \"question\": ...}.")
            yield record.get("id", lineno), record["question"]


# -- stats ----------------------------------------------------------------------------

@app.command()
@json_option
def stats(as_json: bool) -> None:
    """Document and passage counts by kind."""
    with open_service() as service:
        data = service.stats()
    if as_json:
        emit_json(data)
        return
    out.print(f"home: {data['home']}")
    for kind, c in data["by_kind"].items():
        out.print(f"  {kind:<11} {c['documents']:>8,} documents {c['passages']:>9,} passages")
    out.print(f"  {'total':<11} {data['documents']:>8,} documents {data['passages']:>9,} passages")


# -- entry point ----------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    """Run the CLI, turning every user-caused failure into one line and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    state.debug = "--debug" in args or bool(os.environ.get("MEDCITE_DEBUG"))
    try:
        code = app.main(args=args, prog_name="medcite", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        out.print(exc.format_message(), highlight=False)
        code = 0
    except click.UsageError as exc:
        cmd = exc.ctx.command_path if exc.ctx else "medcite"
        _fail(f"{exc.format_message()} Run `{cmd} --help` for usage.", 2)
    except (click.exceptions.Abort, KeyboardInterrupt):
        _fail("Interrupted. The store is consistent; run the same command again to finish.", 130)
    except MedciteError as exc:
        if state.debug:
            raise
        _fail(f"{exc.message} {exc.hint}".strip(), exc.exit_code)
    except BrokenPipeError:
        code = 0
    except Exception as exc:
        if state.debug:
            raise
        _fail(f"Internal error: {type(exc).__name__}: {exc}. Re-run with --debug for details "
              "and report it.", 1)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> None:
    err.print(f"[red]error:[/] {message}", highlight=False, soft_wrap=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
