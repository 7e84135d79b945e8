"""``medcite verify``: check sentences against the passages they cite — terms, numbers and
meaning (negation, direction, comparison order, strength, entities).

* ``--batch FILE.jsonl``: lines ``{"id", "sentence", "passages": [...]}`` in, one JSON line
  out per input line; a malformed line gives ``{"id", "error": {"code", "message"}}`` and
  the rest go on.
* ``ANSWER.md``: a Markdown answer with ``[n]`` citations and a numbered reference list
  (PMID, DOI, URL or medcite document id), its references resolved from the store.

Exit status: 0 when every sentence is supported, 1 when one is not (or changed meaning),
2 when an input line or file could not be read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from medcite.answer.entities import Lexicon
from medcite.answer.pasted import PastedReport
from medcite.answer.verify import check_json, check_sentence
from medcite.cli.batch import EXIT_LINE_FAILED, Line, LineError, run_batch
from medcite.cli.common import emit_json, json_option, open_service, out
from medcite.errors import InputFileError, InvalidRequestError

MAX_SENTENCE_CHARS = 5_000
MAX_PASSAGES = 100
STATUS_LABELS = {"supported": "[green]supported[/]",
                 "not_supported": "[red]not supported[/]",
                 "changed_meaning": "[red]changed meaning[/]",
                 "no_citation": "[yellow]no citation[/]",
                 "unresolved": "[yellow]reference not found[/]"}
EXIT_UNSUPPORTED = 1
EXIT_MALFORMED = EXIT_LINE_FAILED


def claim_of(record: Any, lineno: int) -> tuple[Any, str, list[str]]:
    """``(id, sentence, passages)`` of one batch line, or :class:`LineError`."""
    if not isinstance(record, dict):
        raise LineError("invalid_request", f"line {lineno}: expected a JSON object")
    sentence, passages = record.get("sentence"), record.get("passages")
    if not isinstance(sentence, str) or not sentence.strip():
        raise LineError("invalid_request", f"line {lineno}: \"sentence\" must be a non-empty "
                                           "string")
    if len(sentence) > MAX_SENTENCE_CHARS:
        raise LineError("invalid_request", f"line {lineno}: \"sentence\" is longer than "
                                           f"{MAX_SENTENCE_CHARS} characters")
    if not isinstance(passages, list) or not passages or len(passages) > MAX_PASSAGES or \
            not all(isinstance(p, str) for p in passages):
        raise LineError("invalid_request", f"line {lineno}: \"passages\" must be a list of 1 to "
                                           f"{MAX_PASSAGES} strings")
    return record.get("id", lineno), sentence, passages


def verify_batch(path: Path, lexicon: Lexicon | None) -> int:
    """Write one result line per input line; the exit status."""
    unsupported = False

    def verify_line(line: Line) -> dict[str, Any]:
        nonlocal unsupported
        if isinstance(line.record, LineError):
            raise line.record
        _, sentence, passages = claim_of(line.record, line.lineno)
        result = check_json(check_sentence(sentence, passages, lexicon=lexicon))
        unsupported = unsupported or not result["supported"]
        return result

    status = run_batch(path, verify_line)
    return status or (EXIT_UNSUPPORTED if unsupported else 0)


def print_report(report: PastedReport) -> None:
    for result in report.sentences:
        cites = "".join(f"[{n}]" for n in result.sentence.citations)
        out.print(f"{result.sentence.index + 1:>3}. {STATUS_LABELS[result.status]} "
                  f"{escape(result.sentence.text)} {escape(cites)}".rstrip(), highlight=False)
        for code, detail in result.reasons:
            out.print(f"     [dim]{escape(code)}:[/] {escape(detail)}", highlight=False)
        if result.passage_sentence and result.status != "supported":
            out.print(f"     [dim]passage ({escape(result.doc_id or '')}):[/] "
                      f"{escape(result.passage_sentence)}", highlight=False)
    for ref in report.references:
        doc = report.resolved.get(ref.n)
        where = escape(doc) if doc else "[yellow]not found in the store[/]"
        out.print(f"[dim][{ref.n}][/] {where}", highlight=False)
    counts = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in report.counts().items())
    out.print(f"{len(report.sentences)} sentences: {counts or 'none'}", highlight=False)


@click.command("verify")
@click.argument("answer", required=False, type=click.Path(path_type=Path))
@click.option("--batch", type=click.Path(path_type=Path),
              help='JSON Lines of {"id", "sentence", "passages": [...]}; one result line each.')
@json_option
def verify(answer: Path | None, batch: Path | None, as_json: bool) -> None:
    """Check that sentences say what their cited passages say: terms, numbers, and meaning
    (negation, direction, comparison order, strength, drugs and populations)."""
    if (answer is None) == (batch is None):
        raise InvalidRequestError("Give an ANSWER.md file or --batch FILE.jsonl (not both).",
                                  "Example: medcite verify --batch claims.jsonl")
    path = answer or batch
    assert path is not None
    if not path.is_file():
        raise InputFileError(f"No such file: {path}.", "Check the path.")
    with open_service() as service:
        if batch is not None:
            status = verify_batch(batch, service.lexicon)
        else:
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise InputFileError(f"{path} is not UTF-8 text.",
                                     "Save the answer as UTF-8 Markdown.") from exc
            report = service.verify_pasted(text)
            if as_json:
                emit_json(report.as_dict())
            else:
                print_report(report)
            status = 0 if report.ok else EXIT_UNSUPPORTED
    sys.stdout.flush()
    if status:
        sys.exit(status)
