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
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

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
            report.embedded = service.embed(update)
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
              f"records/s, {report.total('passages') / seconds:,.0f} passages/s); "
              f"{report.embedded:,} passages embedded")


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


# -- ask ------------------------------------------------------------------------------

@app.command()
@click.argument("question", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True, help="How to print the answer.")
@click.option("--audience", type=click.Choice(["clinician", "patient"]), default="clinician",
              show_default=True, help="Who the answer is written for.")
@click.option("--batch", type=click.Path(path_type=Path),
              help="JSON Lines file of {id, question}; one JSON answer per line.")
@click.option("--thread", "thread_id", help="Ask a follow-up in this thread (id from an answer).")
def ask(question: str | None, fmt: str, audience: str, batch: Path | None,
        thread_id: str | None) -> None:
    """Answer a clinical question with cited evidence."""
    from medcite.answer.render import print_terminal, to_markdown

    if (question is None) == (batch is None):
        raise InvalidRequestError("Give a QUESTION or --batch FILE (not both).",
                                  "Example: medcite ask 'How is migraine treated?'")
    with open_service() as service:
        if batch is not None:
            if fmt != "json":
                raise InvalidRequestError("--batch writes JSON Lines.", "Add --format json.")
            for qid, text in read_questions(batch):
                data = service.ask(text, audience, record=False).model_dump()  # type: ignore[arg-type]
                emit_json({"id": qid, **data})
            return
        assert question is not None
        answer = service.ask(question, audience, thread_id)  # type: ignore[arg-type]
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
            out.print(f"{key}: {value}")


# -- serve ----------------------------------------------------------------------------

@app.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
def serve(host: str, port: int) -> None:
    """Start the web app and the JSON API (/api/v1) on the embedded store."""
    from medcite.web.server import run

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
    out.print(f"home: {data['home']}")
    for kind, c in data["by_kind"].items():
        out.print(f"  {kind:<11} {c['documents']:>8,} documents {c['passages']:>9,} passages")
    out.print(f"  {'total':<11} {data['documents']:>8,} documents {data['passages']:>9,} passages")


# -- bench ----------------------------------------------------------------------------

data_dir_option = click.option(
    "--data-dir", type=click.Path(path_type=Path, file_okay=False),
    help="Shared data directory (default: MEDCITE_DATA_DIR or ../shared/data).")
out_option = click.option("--out", "out_path", type=click.Path(path_type=Path),
                          help="Where to write the JSON figures (default: bench-results/).")


@app.group()
def bench() -> None:
    """Benchmarks that print figures and write them as JSON."""


def _write_figures(name: str, data: dict[str, Any], out_path: Path | None) -> Path:
    path = out_path or Path("bench-results") / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@bench.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option("--into", type=click.Path(path_type=Path, file_okay=False),
              help="Ingest into this new directory and keep it (default: a temporary one).")
@data_dir_option
@out_option
@json_option
def bench_ingest(paths: tuple[Path, ...], into: Path | None, data_dir: Path | None,
                 out_path: Path | None, as_json: bool) -> None:
    """Ingest PATHS (default: the whole shared corpus and vocabularies) into a fresh home;
    report throughput, memory and size."""
    from medcite.bench.datasets import find_data_dir
    from medcite.bench.ingest import run_ingest

    if not paths:
        root = find_data_dir(data_dir)
        paths = (root / "corpus", root / "vocab")
    with records_progress("ingest") as advance, count_progress("embed", "passages") as update:
        data = run_ingest(list(paths), into, progress=advance, embed_progress=update)
    path = _write_figures("ingest", data, out_path)
    if as_json:
        emit_json(data)
        return
    for key, value in data.items():
        if key != "by_kind":
            out.print(f"{key:<28} {value}")
    err.print(f"[dim]figures written to {path}[/]")


@bench.command("retrieval")
@click.option("--dataset", type=click.Choice(["bioasq", "pubmedqa", "evidence-inference"]),
              default="bioasq", show_default=True)
@click.option("--limit", type=click.IntRange(1), help="Use only the first N questions.")
@data_dir_option
@out_option
@json_option
def bench_retrieval(dataset: str, limit: int | None, data_dir: Path | None,
                    out_path: Path | None, as_json: bool) -> None:
    """nDCG@10, Recall@10, MRR@10 and latency of search, beside whole-document BM25."""
    from medcite.bench.datasets import find_data_dir
    from medcite.bench.retrieval import run_retrieval

    with open_service() as service:
        data = run_retrieval(service, dataset, find_data_dir(data_dir or service.settings.data_dir),
                             limit)
    path = _write_figures(f"retrieval-{dataset}", data, out_path)
    if as_json:
        emit_json(data)
        return
    _print_retrieval(data)
    err.print(f"[dim]figures written to {path}[/]")


@bench.command("tune")
@click.option("--dataset", "datasets", multiple=True, default=["bioasq", "pubmedqa",
              "evidence-inference"], show_default=True,
              type=click.Choice(["bioasq", "pubmedqa", "evidence-inference"]))
@click.option("--limit", type=click.IntRange(1), default=500, show_default=True,
              help="Questions per dataset.")
@click.option("--write/--no-write", default=True, show_default=True,
              help="Save the best settings to <home>/settings.toml.")
@data_dir_option
@out_option
@json_option
def bench_tune(datasets: tuple[str, ...], limit: int, write: bool, data_dir: Path | None,
               out_path: Path | None, as_json: bool) -> None:
    """Tune fusion weights, evidence and recency weights on the dev sets."""
    from medcite.bench.datasets import find_data_dir
    from medcite.bench.tune import run_tune

    with open_service() as service:
        data = run_tune(service, list(datasets),
                        find_data_dir(data_dir or service.settings.data_dir), limit, write)
    path = _write_figures("tune", data, out_path)
    if as_json:
        emit_json(data)
        return
    out.print(f"{data['combinations']} combinations on {data['questions']}")
    for row in data["top"]:
        figures = ", ".join(f"{n} {f['ndcg@10']:.4f}" for n, f in row["figures"].items())
        out.print(f"{row['objective']:.4f}  {row['settings']}  ({figures})")
    if data["previous"]:
        out.print(f"previous settings: {data['previous']['objective']:.4f}")
    if data["written_to"]:
        out.print(f"best settings written to {data['written_to']}")
    err.print(f"[dim]figures written to {path}[/]")


@bench.command("answers")
@click.option("--limit", type=click.IntRange(1), default=500, show_default=True,
              help="Questions for citation integrity and latency (BioASQ dev).")
@click.option("--verdict-limit", type=click.IntRange(1),
              help="Questions per verdict dataset (default: all).")
@click.option("--readability-limit", type=click.IntRange(1), default=100, show_default=True,
              help="Consumer questions for the patient / clinician reading grade.")
@data_dir_option
@out_option
@json_option
def bench_answers(limit: int, verdict_limit: int | None, readability_limit: int,
                  data_dir: Path | None, out_path: Path | None, as_json: bool) -> None:
    """Citation integrity, verdict accuracy and macro-F1 beside the majority class, reading
    grade of patient and clinician answers, and ask latency."""
    from medcite.bench.answers import run_answers
    from medcite.bench.datasets import find_data_dir

    with open_service() as service:
        data = run_answers(service, find_data_dir(data_dir or service.settings.data_dir),
                           limit, verdict_limit, readability_limit)
    path = _write_figures("answers", data, out_path)
    if as_json:
        emit_json(data)
        return
    integrity = data["integrity"]
    out.print(f"citation integrity over {integrity['answers']} answers "
              f"({integrity['sentences']} sentences, {integrity['numbers']} numbers):")
    for key in ("sentences_with_citation", "citations_resolving_to_passage",
                "numbers_in_cited_passage"):
        out.print(f"  {key:<32} {integrity[key]:.2%}")
    out.print(f"  statuses: {integrity['status']}")
    lat = data["latency_ms"]
    out.print(f"ask latency: p50 {lat['p50']} ms, p95 {lat['p95']} ms")
    out.print(f"{'verdicts':<20}{'n':>6}{'acc':>8}{'macro-F1':>10}{'majority acc':>14}"
              f"{'majority F1':>13}")
    for name, v in data["verdicts"].items():
        m, b = v["medcite"], v["majority_baseline"]
        out.print(f"{name:<20}{m['n']:>6}{m['accuracy']:>8.3f}{m['macro_f1']:>10.3f}"
                  f"{b['accuracy']:>14.3f}{b['macro_f1']:>13.3f}")
    r = data["readability"]
    out.print(f"reading grade (Flesch-Kincaid, median over {r['questions']} questions): "
              f"patient {r['patient']['median_grade']}, clinician {r['clinician']['median_grade']}")
    err.print(f"[dim]figures written to {path}[/]")


@bench.command("serve")
@click.option("--duration", type=click.FloatRange(1, 3600), default=20.0, show_default=True,
              help="Seconds of load per concurrency level.")
@click.option("--concurrency", "levels", multiple=True, type=click.IntRange(1, 512),
              default=[1, 8, 32], show_default=True, help="Concurrent clients (repeatable).")
@out_option
@json_option
def bench_serve(duration: float, levels: tuple[int, ...], out_path: Path | None,
                as_json: bool) -> None:
    """Start the server on loopback and drive it with concurrent clients; report throughput,
    latency, errors and time to first section."""
    from medcite.web.loadtest import print_load, run_load

    data = run_load(state.home, list(levels), duration)
    path = _write_figures("serve", data, out_path)
    if as_json:
        emit_json(data)
    else:
        print_load(data, out)
        err.print(f"[dim]figures written to {path}[/]")


def _print_retrieval(data: dict[str, Any]) -> None:
    out.print(f"{data['dataset']}: {data['questions']} questions, "
              f"{data['documents_in_store']:,} documents in the store")
    out.print(f"{'system':<16}{'nDCG@10':>9}{'R@10':>8}{'MRR@10':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for name, s in data["systems"].items():
        out.print(f"{name:<16}{s['ndcg@10']:>9.4f}{s['recall@10']:>8.4f}{s['mrr@10']:>8.4f}"
                  f"{s['p50_ms']:>9.2f}{s['p95_ms']:>9.2f}")
    r = data["ratios"]
    out.print(f"{'ratio':<16}{r['ndcg@10']:>9.3f}{r['recall@10']:>8.3f}{r['mrr@10']:>8.3f}")
    for qtype, s in data["by_type"]["medcite"].items():
        b = data["by_type"]["bm25_documents"][qtype]
        out.print(f"  {qtype:<14}n={s['n']:<5} nDCG@10 {s['ndcg@10']:.4f} vs {b['ndcg@10']:.4f}")


from medcite.editorial.cli import review, users  # noqa: E402

app.add_command(review)
app.add_command(users)


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
