"""``medcite bench``: the benchmark commands. Each prints its figures and writes them as
JSON (default: ``bench-results/<name>.json``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from medcite.bench.answers import PARTS
from medcite.cli.common import (
    count_progress,
    emit_json,
    err,
    json_option,
    open_service,
    out,
    records_progress,
    state,
)
from medcite.service import ENGINES

data_dir_option = click.option(
    "--data-dir", type=click.Path(path_type=Path, file_okay=False),
    help="Shared data directory (default: MEDCITE_DATA_DIR or ../shared/data).")
out_option = click.option("--out", "out_path", type=click.Path(path_type=Path),
                          help="Where to write the JSON figures (default: bench-results/).")


bench: click.Group = click.Group(
    "bench", help="Benchmarks that print figures and write them as JSON.")


def _report(name: str, data: dict[str, Any], out_path: Path | None, as_json: bool,
            show: Callable[[], None]) -> None:
    """Write the figures as JSON (default ``bench-results/<name>.json``), then print them:
    as one JSON line with ``--json``, else with ``show`` and where they were written."""
    path = out_path or Path("bench-results") / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if as_json:
        emit_json(data)
        return
    show()
    err.print(f"[dim]figures written to {escape(str(path))}[/]")


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

    def show() -> None:
        for key, value in data.items():
            if key != "by_kind":
                out.print(f"{key:<28} {value}", markup=False)

    _report("ingest", data, out_path, as_json, show)


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
    _report(f"retrieval-{dataset}", data, out_path, as_json, lambda: _print_retrieval(data))


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
    """Tune the fusion of lexical and dense retrieval on the dev sets."""
    from medcite.bench.datasets import find_data_dir
    from medcite.bench.tune import run_tune

    with open_service() as service:
        data = run_tune(service, list(datasets),
                        find_data_dir(data_dir or service.settings.data_dir), limit, write)

    def show() -> None:
        out.print(f"{data['combinations']} combinations on {data['questions']}")
        for row in data["top"]:
            figures = ", ".join(f"{n} {f['ndcg@10']:.4f}" for n, f in row["figures"].items())
            out.print(f"{row['objective']:.4f}  {row['settings']}  ({figures})", markup=False)
        if data["previous"]:
            out.print(f"previous settings: {data['previous']['objective']:.4f}")
        if data["written_to"]:
            out.print(f"best settings written to {data['written_to']}", markup=False)

    _report("tune", data, out_path, as_json, show)


@bench.command("answers")
@click.option("--limit", type=click.IntRange(1), default=500, show_default=True,
              help="Questions for citation integrity and latency (BioASQ dev).")
@click.option("--verdict-limit", type=click.IntRange(1),
              help="Questions per verdict dataset (default: all).")
@click.option("--readability-limit", type=click.IntRange(1), default=100, show_default=True,
              help="Consumer questions for the patient / clinician reading grade.")
@click.option("--keyfacts-limit", type=click.IntRange(1),
              help="Key-fact dev questions (default: all).")
@click.option("--recall-limit", type=click.IntRange(1), default=300, show_default=True,
              help="BioASQ factoid and list questions for answer recall.")
@click.option("--engine", type=click.Choice(ENGINES),
              help="The writer to measure (default: setting answer.engine).")
@click.option("--only", "parts", multiple=True, type=click.Choice(PARTS),
              help="Measure only these parts (repeatable; default: all).")
@data_dir_option
@out_option
@json_option
def bench_answers(limit: int, verdict_limit: int | None, readability_limit: int,
                  keyfacts_limit: int | None, recall_limit: int, engine: str | None,
                  parts: tuple[str, ...], data_dir: Path | None, out_path: Path | None,
                  as_json: bool) -> None:
    """Key facts stated, answer recall, readability flaws, citation integrity, verdict
    accuracy, reading grade and latency of one writer, each beside a baseline."""
    from medcite.bench.answers import run_answers
    from medcite.bench.datasets import find_data_dir

    with open_service() as service:
        data = run_answers(service, find_data_dir(data_dir or service.settings.data_dir),
                           limit, verdict_limit, readability_limit, engine=engine,
                           parts=parts or PARTS, keyfacts_limit=keyfacts_limit,
                           recall_limit=recall_limit)
    _report(f"answers-{data['engine']}", data, out_path, as_json, lambda: _print_answers(data))


def _print_answers(data: dict[str, Any]) -> None:
    out.print(f"writer: {data['engine']}")
    if "keyfacts" in data:
        k = data["keyfacts"]
        out.print(f"key facts ({k['n']} dev questions): stated in bottom line + 2 sections "
                  f"{k['stated']:.2%} (bottom line alone {k['in_bottom_line']:.2%}, anywhere "
                  f"{k['stated_anywhere']:.2%}); in the evidence "
                  f"{k['in_evidence']:.2%}; in search top 8 {k['in_search_top8']:.2%}; "
                  f"baseline (first {95} words of top passage) {k['baseline_first_95_words']:.2%}")
        for aud, v in k["by_audience"].items():
            out.print(f"  {aud:<10} n={v['n']:<3} stated {v['stated']:.2%}  bottom line "
                      f"{v['in_bottom_line']:.2%}  evidence "
                      f"{v['in_evidence']:.2%}  baseline {v['baseline_first_95_words']:.2%}")
        out.print(f"  answers with a readability flaw: {k['answers_with_flaws']:.2%}; "
                  f"latency p50 {k['latency_ms']['p50']} ms, p95 {k['latency_ms']['p95']} ms")
    if "recall" in data:
        r = data["recall"]
        out.print(f"answer recall (BioASQ factoid+list, {r['questions']} q, "
                  f"{r['exact_answers']} answers): {r['recall']:.2%} vs same-length BM25 "
                  f"{r['bm25_same_length_recall']:.2%} (ratio {r['ratio']}); answers with a "
                  f"flaw {r['answers_with_flaws']:.2%}")
    if "integrity" in data:
        integrity = data["integrity"]
        out.print(f"citation integrity over {integrity['answers']} answers "
                  f"({integrity['sentences']} sentences, {integrity['numbers']} numbers):")
        for key in ("sentences_with_citation", "citations_resolving_to_passage",
                    "numbers_in_cited_passage"):
            out.print(f"  {key:<32} {integrity[key]:.2%}")
        out.print(f"  statuses: {integrity['status']}")
        lat = data["latency_ms"]
        out.print(f"ask latency: p50 {lat['p50']} ms, p95 {lat['p95']} ms")
        w = data["writer"]
        out.print(f"writer: {w['published_sentences']} sentences published, "
                  f"{w['dropped_sentences']} dropped by verification, {w['fallbacks']} "
                  f"fallbacks, tokens/s {w['tokens_per_s_median']}")
    if "verdicts" in data:
        out.print(f"{'verdicts':<20}{'n':>6}{'acc':>8}{'macro-F1':>10}{'majority acc':>14}"
                  f"{'majority F1':>13}")
        for name, v in data["verdicts"].items():
            m, b = v["medcite"], v["majority_baseline"]
            out.print(f"{name:<20}{m['n']:>6}{m['accuracy']:>8.3f}{m['macro_f1']:>10.3f}"
                      f"{b['accuracy']:>14.3f}{b['macro_f1']:>13.3f}")
    if "readability" in data:
        r = data["readability"]
        out.print(f"reading grade (Flesch-Kincaid, median over {r['questions']} questions): "
                  f"patient {r['patient']['median_grade']}, clinician "
                  f"{r['clinician']['median_grade']}")


@bench.command("verify")
@click.option("--limit", type=click.IntRange(1), default=300, show_default=True,
              help="Trial questions, guideline sentences and abstract sentences (each).")
@click.option("--lexicon/--no-lexicon", default=True, show_default=True,
              help="Name drugs and conditions from the shared vocabularies.")
@click.option("--llm-set/--no-llm-set", default=True, show_default=True,
              help="Also the labelled sentences of a local LLM (needs the corpus in --home).")
@data_dir_option
@out_option
@json_option
def bench_verify(limit: int, lexicon: bool, llm_set: bool, data_dir: Path | None,
                 out_path: Path | None, as_json: bool) -> None:
    """Changed-meaning claims rejected and faithful ones accepted, by kind, beside the
    words-and-numbers check; claims/s; and labelled LLM-written sentences."""
    from medcite.bench.datasets import find_data_dir
    from medcite.bench.llm_sentences import run_llm_sentences
    from medcite.bench.verify import baseline_check, print_verify, run_verify

    with count_progress("verify", "claims") as update:
        data = run_verify(find_data_dir(data_dir), limit, lexicon, update)
    if llm_set:
        with open_service() as service:
            data["llm_sentences"] = run_llm_sentences(
                service.passages, service.lexicon if lexicon else None,
                baseline_check)
    _report("verify", data, out_path, as_json, lambda: print_verify(
        data, lambda line: out.print(line, markup=False, highlight=False)))


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
    from medcite.bench.loadtest import print_load, run_load

    data = run_load(state.home, list(levels), duration)
    _report("serve", data, out_path, as_json, lambda: print_load(data, out))


@bench.command("crash")
@click.option("--trials", type=click.IntRange(1), default=20, show_default=True,
              help="Ingests to kill -9 and resume.")
@click.option("--records", type=click.IntRange(1), default=50, show_default=True,
              help="Records taken from each shared corpus and vocabulary file.")
@click.option("--vectors/--no-vectors", default=None,
              help="Embed passages too (default: when the embedder setting is not none).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the kill times.")
@data_dir_option
@out_option
@json_option
def bench_crash(trials: int, records: int, vectors: bool | None, seed: int,
                data_dir: Path | None, out_path: Path | None, as_json: bool) -> None:
    """Kill `medcite ingest` at random moments; check that the store opens consistent, that
    a re-run completes, and that no record is lost or duplicated."""
    from medcite.bench.crash import print_crash, run_crash, trial_line
    from medcite.settings import load_settings

    if vectors is None:
        vectors = load_settings(state.home).embedder.kind != "none"

    def report(trial: dict[str, Any]) -> None:
        if not as_json:
            err.print(trial_line(trial), highlight=False, soft_wrap=True)

    data = run_crash(trials, records, seed, vectors, data_dir, report)
    _report("crash", data, out_path, as_json, lambda: print_crash(
        data, lambda line: out.print(line, highlight=False, soft_wrap=True)))


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
