"""``medcite review ...`` and ``medcite users ...``: the editorial workflow from the
terminal. The CLI is a trusted local tool, but every action still names its actor
(``--as USERNAME``) and is checked against that user's role, as on the web."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from medcite.answer.audience import CHOICES, DEFAULT
from medcite.cli.common import emit_json as emit
from medcite.cli.common import json_option, open_service, out
from medcite.cli.editorial import acting, as_option, open_desk, print_article
from medcite.cli.users import users
from medcite.editorial.articles import diff_answers
from medcite.editorial.workflow import ACTIONS, can

__all__ = ["review", "users"]

# -- review -----------------------------------------------------------------------------

@click.group()
def review() -> None:
    """Articles and their review by the Medical Advisory Board."""


@review.command("queue")
@as_option
@json_option
def review_queue(actor: str, as_json: bool) -> None:
    """What awaits review (or revision), and approved articles flagged for re-review."""
    with open_desk() as desk:
        items = desk.queue(acting(desk, actor))
    if as_json:
        emit([a.model_dump() for a in items])
    elif not items:
        out.print("Nothing is waiting for review.")
    for article in items if not as_json else []:
        print_article(article)


@review.command("new")
@click.argument("question")
@as_option
@click.option("--audience", type=click.Choice(CHOICES), default=DEFAULT)
@json_option
def review_new(question: str, actor: str, audience: str, as_json: bool) -> None:
    """Save QUESTION and its answer as a draft article (or find the article it
    paraphrases)."""
    with open_desk() as desk:
        article, routed = desk.create(acting(desk, actor), question, audience)
    if as_json:
        emit({"article": article.model_dump(), "routed": routed})
        return
    out.print("routed to the existing article:" if routed else "created:", end=" ")
    print_article(article)


@review.command("show")
@click.argument("article_id", type=int)
@as_option
@click.option("--version", "n", type=click.IntRange(1), help="Show this version.")
@json_option
def review_show(article_id: int, actor: str, n: int | None, as_json: bool) -> None:
    """An article: state, numbered sentences with citations, references, comments."""
    with open_desk() as desk:
        user = acting(desk, actor)
        article, version = desk.view(user, article_id, n)
        comments = desk.comments(user, article_id) if can(user, "article.read_any") else []
    if as_json:
        emit({"article": article.model_dump(), "version": version.model_dump(),
              "comments": [c.model_dump() for c in comments]})
        return
    print_article(article)
    if version.approval:
        a = version.approval
        out.print(f"approved by {a.name}{', ' + a.credentials if a.credentials else ''} "
                  f"on {a.at[:10]}", markup=False, highlight=False)
    for i, s in enumerate(version.answer.all_sentences()):
        out.print(f"{i:>5} {s.text} " + "".join(f"[{c}]" for c in s.citations),
                  markup=False, highlight=False)
    for r in version.answer.references:
        out.print(f"  [{r.n}] {r.title or r.doc_id} ({r.doc_id})", markup=False,
                  highlight=False)
    for c in comments:
        out.print(f"  comment by {c.author} on {c.target} (v{c.version}): {c.body}",
                  markup=False, highlight=False)


VERB_HELP = {
    "submit": "Submit an article for review (editors).",
    "withdraw": "Withdraw a submitted article to draft (editors).",
    "start-review": "Take a submitted article under review (reviewers).",
    "request-changes": "Send an article back to its editors with a note (reviewers).",
    "approve": "Approve an article; records your name and credentials (reviewers).",
    "reject": "Reject an article (reviewers).",
    "publish": "Publish an approved article at /articles/<slug> (editors).",
    "re-review": "Take an approved or published article under review again (reviewers).",
    "unpublish": "Take a published article off the public site (editors).",
    "reopen": "Reopen a rejected article as a draft (editors).",
}


def _verb_command(verb: str) -> Callable[..., None]:
    @as_option
    @click.argument("article_id", type=int)
    @click.option("--note", default="", help="A note for the audit log.")
    def command(article_id: int, actor: str, note: str) -> None:
        with open_desk() as desk:
            article = desk.act(acting(desk, actor), article_id, verb, note)
        print_article(article)

    command.__doc__ = VERB_HELP[verb]
    return command


for _verb in ACTIONS:
    review.command(_verb)(_verb_command(_verb))


@review.command("comment")
@click.argument("article_id", type=int)
@click.argument("body")
@as_option
@click.option("--sentence", type=click.IntRange(0), help="Comment on this sentence.")
@click.option("--reference", type=click.IntRange(1), help="Comment on this reference.")
def review_comment(article_id: int, body: str, actor: str, sentence: int | None,
                   reference: int | None) -> None:
    """Comment on an article, one of its sentences or one of its references."""
    target = f"sentence:{sentence}" if sentence is not None else \
        f"reference:{reference}" if reference is not None else "article"
    with open_desk() as desk:
        comment = desk.comment(acting(desk, actor), article_id, target, body)
    out.print(f"comment {comment.id} on {comment.target} of article {article_id}", markup=False)


@review.command("edit")
@click.argument("article_id", type=int)
@click.argument("index", type=click.IntRange(0))
@click.argument("text")
@as_option
def review_edit(article_id: int, index: int, text: str, actor: str) -> None:
    """Replace sentence INDEX (a new version); refused unless it passes verification."""
    with open_desk() as desk:
        version = desk.edit_sentence(acting(desk, actor), article_id, index, text)
    out.print(f"article {article_id}: version {version.n} saved")


@review.command("history")
@click.argument("article_id", type=int, required=False)
@as_option
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]), default="table")
@click.option("--out", "out_path", type=click.Path(path_type=Path), help="Write to this file.")
def review_history(article_id: int | None, actor: str, fmt: str, out_path: Path | None) -> None:
    """The audit log of an article (or, without ARTICLE_ID, the whole log: editors)."""
    with open_desk() as desk:
        lines = desk.export_audit(acting(desk, actor), "jsonl" if fmt == "table" else fmt,
                                  article_id)
    if fmt == "table":
        rows = [json.loads(line) for line in lines]
        lines = [f"{r['seq']:>5} {r['at']} {r['actor']:<12} {r['action']:<16} "
                 f"{r['from_state'] or '':>17} -> {r['to_state'] or '':<17} "
                 f"v{r['version'] or '-'} {json.dumps(r['detail'], ensure_ascii=False)}\n"
                 for r in rows]
    if out_path is not None:
        out_path.write_text("".join(lines), encoding="utf-8")
        out.print(f"{len(lines)} lines written to {out_path}", markup=False)
    else:
        sys.stdout.write("".join(lines))


@review.command("diff")
@click.argument("article_id", type=int)
@click.argument("old", type=click.IntRange(1))
@click.argument("new", type=click.IntRange(1))
@as_option
def review_diff(article_id: int, old: int, new: int, actor: str) -> None:
    """What changed between two versions, sentence by sentence."""
    with open_desk() as desk:
        desk.versions(acting(desk, actor), article_id)
        a, b = desk.articles.version(article_id, old), desk.articles.version(article_id, new)
    for line in diff_answers(a.answer, b.answer):
        if line.op != " ":
            click.echo(f"{line.op} {line.text}")


@review.command("merge")
@click.argument("article_id", type=int)
@click.argument("into", type=int)
@as_option
def review_merge(article_id: int, into: int, actor: str) -> None:
    """Merge ARTICLE_ID into INTO: its questions are routed there from now on."""
    with open_desk() as desk:
        print_article(desk.merge(acting(desk, actor), article_id, into))


@review.command("split")
@click.argument("article_id", type=int)
@click.argument("question")
@as_option
def review_split(article_id: int, question: str, actor: str) -> None:
    """Give QUESTION, routed to ARTICLE_ID, its own new draft article."""
    with open_desk() as desk:
        print_article(desk.split(acting(desk, actor), article_id, question))


@review.command("bench-paraphrase")
@click.option("--limit", type=click.IntRange(1), default=300, show_default=True,
              help="Questions per dev set.")
@click.option("--lexical-only", is_flag=True, help="Do not use the embedding model.")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--out", "out_path", type=click.Path(path_type=Path),
              help="JSON figures (default: bench-results/paraphrase.json).")
@json_option
def bench_paraphrase(limit: int, lexical_only: bool, data_dir: Path | None,
                     out_path: Path | None, as_json: bool) -> None:
    """Precision and recall of paraphrase routing on pairs built from the dev sets."""
    from medcite.bench.datasets import find_data_dir
    from medcite.bench.editorial import bench_routing

    with open_service() as service:
        data = bench_routing(service, find_data_dir(data_dir), limit, lexical_only)
    path = out_path or Path("bench-results") / "paraphrase.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if as_json:
        emit(data)
        return
    out.print(f"{data['pairs']} pairs ({data['same_pairs']} same, {data['different_pairs']} "
              f"different) from {data['questions']} questions; {data['similarity']}, "
              f"threshold {data['threshold']}")
    out.print(f"precision {data['precision']:.4f}  recall {data['recall']:.4f}")
    for kind, acc in data["accuracy_by_kind"].items():
        out.print(f"  {kind:<12} accuracy {acc:.4f} ({data['pairs_by_kind'][kind]} pairs)")
    Console(stderr=True).print(f"[dim]figures written to {escape(str(path))}[/]")
