"""The ``medcite`` command. Every failure a user can cause prints one line saying what
happened and what to do, and exits non-zero; ``--debug`` shows tracebacks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.markup import escape

from medcite.answer.audience import CHOICES, DEFAULT, Audience
from medcite.cli.audit import audit
from medcite.cli.backup import backup, restore
from medcite.cli.batch import run_batch, text_field
from medcite.cli.bench import bench
from medcite.cli.check import check
from medcite.cli.common import (
    count_progress,
    duration,
    emit_json,
    err,
    json_option,
    open_service,
    out,
    records_progress,
    state,
)
from medcite.cli.review import review
from medcite.cli.settings import settings
from medcite.cli.users import users
from medcite.cli.verify import verify
from medcite.errors import InputFileError, InvalidRequestError, MedciteError
from medcite.ingest.pipeline import IngestReport
from medcite.service import ENGINES


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(path_type=Path), envvar="MEDCITE_HOME",
              help="Data directory (default: MEDCITE_HOME or the user data dir).")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.version_option(package_name="medcite")
def app(home: Path | None, debug: bool) -> None:
    """Answers clinical questions with evidence: every sentence cited to its passage."""
    state.home = home
    state.debug = debug or state.debug


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
    with open_service() as service:
        with records_progress("ingest") as advance:
            report = service.ingest_files(list(paths), force=force, progress=advance)
        with count_progress("embed", "passages") as update:
            service.embed_after(report, update)
    if as_json:
        emit_json(report.as_dict())
    else:
        _print_ingest(report)


def _print_ingest(report: IngestReport) -> None:
    for f in report.files:
        if f.skipped:
            err.print(f"[dim]skipped[/] {escape(str(f.path))}: {escape(str(f.skipped))}")
            continue
        resumed = f" (resumed after record {f.resumed_from})" if f.resumed_from else ""
        label = escape(f"{f.path} [{f.format}]")
        out.print(
            f"{label}{resumed}: {f.records} records, {f.added} added, "
            f"{f.updated} updated, {f.unchanged} unchanged, {f.older} older skipped, "
            f"{f.deleted} deleted, {f.fulltexts} full texts, {f.vocab} vocabulary terms, "
            f"{f.passages} passages, {len(f.malformed)} malformed"
        )
        for m in f.malformed[:20]:
            err.print(f"[yellow]malformed[/] {escape(str(m.where))}: {escape(str(m.reason))}")
        if len(f.malformed) > 20:
            err.print(f"[yellow]... and {len(f.malformed) - 20} more malformed records[/]")
    for warning in report.warnings:
        err.print(f"[yellow]warning[/] {escape(warning)}", highlight=False, soft_wrap=True)
    records, passages = report.total("records"), report.total("passages")
    embedded = f"{report.embedded:,} passages embedded"
    if report.embedded:
        embedded += (f" in {duration(report.embed_seconds)} "
                     f"({report.embedded / max(report.embed_seconds, 1e-9):,.1f}/s)")
    out.print(f"done in {duration(report.total_seconds)}: {records:,} records and "
              f"{passages:,} passages stored in {duration(report.seconds)} "
              f"({records / max(report.seconds, 1e-9):,.0f} records/s); {embedded}",
              highlight=False, soft_wrap=True)


# -- search ---------------------------------------------------------------------------

@app.command()
@click.argument("query", required=False)
@click.option("--k", "k", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="Results to return.")
@click.option("--batch", type=click.Path(path_type=Path),
              help="JSON Lines file of {id, question}; one JSON result line per query.")
@json_option
def search(query: str | None, k: int, batch: Path | None, as_json: bool) -> None:
    """Search passages; one best passage per document.

    With --batch, a line that cannot be read or searched gets {"id", "error": {"code",
    "message"}} and the rest go on; the exit status is then 2 (0 when every line was
    searched)."""
    if (query is None) == (batch is None):
        raise InvalidRequestError("Give a QUERY or --batch FILE (not both).",
                                  "Example: medcite search 'statins for stroke'")
    with open_service() as service:
        if batch is not None:
            service.require_documents()
            fields = {"rank", "doc_id", "passage_id", "score", "kind", "title"}
            status = run_batch(batch, lambda line: {"hits": [
                h.model_dump(include=fields)
                for h in service.search(text_field(line, "question"), k)]})
            _exit(status)
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
        out.print(f"[bold]{h.rank}.[/] {escape(h.title or h.doc_id)} [dim]({escape(h.doc_id)}, "
                  f"{escape(h.kind)}{year}, score {h.score:.2f})[/]", highlight=False)
        out.print(f"   [dim]{escape(h.section)}[/] {escape(h.text[:240])}", highlight=False)


def _exit(status: int) -> None:
    """End a batch with its status once its lines are out."""
    sys.stdout.flush()
    if status:
        sys.exit(status)


# -- ask ------------------------------------------------------------------------------

engine_option = click.option(
    "--engine", type=click.Choice(ENGINES),
    help="The writer of the answer (default: setting answer.engine).")

@app.command()
@click.argument("question", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True, help="How to print the answer.")
@click.option("--audience", type=click.Choice(CHOICES), default=DEFAULT,
              show_default=True, help="Who the answer is written for.")
@click.option("--batch", type=click.Path(path_type=Path),
              help="JSON Lines file of {id, question}; one JSON answer per line.")
@click.option("--thread", "thread_id", help="Ask a follow-up in this thread (the id the "
              "answer shows).")
@engine_option
def ask(question: str | None, fmt: str, audience: str, batch: Path | None,
        thread_id: str | None, engine: str | None) -> None:
    """Answer a clinical question with cited evidence.

    With --batch, a line that cannot be read or answered gets {"id", "error": {"code",
    "message"}} and the rest go on; the exit status is then 2 (0 when every line was
    answered)."""
    from medcite.answer.render import print_terminal, to_markdown

    if (question is None) == (batch is None):
        raise InvalidRequestError("Give a QUESTION or --batch FILE (not both).",
                                  "Example: medcite ask 'How is migraine treated?'")
    with open_service() as service:
        if batch is not None:
            if fmt != "json":
                raise InvalidRequestError("--batch writes JSON Lines.", "Add --format json.")
            service.require_documents()
            status = run_batch(batch, lambda line: service.ask(
                text_field(line, "question"), Audience(audience), record=False,
                engine=engine).model_dump())
            _exit(status)
            return
        assert question is not None
        answer = service.ask(question, Audience(audience), thread_id,
                             engine=engine)
    if fmt == "json":
        emit_json(answer.model_dump())
    elif fmt == "markdown":
        sys.stdout.write(to_markdown(answer))
    else:
        print_terminal(answer, out)


# -- index ----------------------------------------------------------------------------

@app.command()
@click.option("--rebuild", is_flag=True,
              help="Recreate the indexes from the store (e.g. after changing the embedder).")
@click.option("--only", type=click.Choice(["lexical", "dense"]), help="Only this index.")
@json_option
def index(rebuild: bool, only: str | None, as_json: bool) -> None:
    """Bring the BM25 and vector indexes up to date with the store, or rebuild them."""
    with open_service() as service, count_progress("embed", "passages") as update:
        if rebuild:
            done = service.rebuild_indexes(lexical=only != "dense", dense=only != "lexical",
                                           progress=update)
        else:
            done = {"lexical_passages": service.sync_indexes() if only != "dense" else 0,
                    "embedded_passages": service.embed(update) if only != "lexical" else 0}
        stats = service.stats()
    data = {**done, "lexical_index": stats["lexical_index"], "dense_index": stats["dense_index"]}
    if as_json:
        emit_json(data)
    else:
        for key, value in data.items():
            out.print(f"{key}: {value}", markup=False)


# -- serve ----------------------------------------------------------------------------

@app.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@engine_option
def serve(host: str, port: int, engine: str | None) -> None:
    """Start the web app and the JSON API (/api/v1) on the embedded store."""
    from medcite.web.server import run

    if engine:  # the flag outranks the settings file and the environment
        os.environ["MEDCITE_ANSWER__ENGINE"] = engine

    run(state.home, host, port)


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
    out.print(f"home: {data['home']}", markup=False)
    for kind, c in data["by_kind"].items():
        out.print(f"  {kind:<11} {c['documents']:>8,} documents {c['passages']:>9,} passages",
                  markup=False)
    out.print(f"  {'total':<11} {data['documents']:>8,} documents {data['passages']:>9,} passages")



app.add_command(audit)
app.add_command(bench)
app.add_command(review)
app.add_command(users)
app.add_command(verify)
app.add_command(settings)
app.add_command(backup)
app.add_command(restore)
app.add_command(check)


# -- entry point ----------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    """Run the CLI, turning every user-caused failure into one line and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    state.debug = "--debug" in args or bool(os.environ.get("MEDCITE_DEBUG"))
    try:
        code = app.main(args=args, prog_name="medcite", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        out.print(exc.format_message(), markup=False, highlight=False)
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
    err.print(f"[red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
