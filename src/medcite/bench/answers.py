"""``medcite bench answers``: citation integrity, verdicts, readability and latency of
``ask`` on the dev sets, each beside a simple baseline computed in the same run."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

from medcite.answer.model import Answer, Audience
from medcite.answer.numbers import facts, untraced
from medcite.answer.readability import grade
from medcite.bench.datasets import Question, load
from medcite.bench.metrics import percentile
from medcite.service import Medcite

VERDICT_LABELS: dict[str, dict[str, str]] = {
    "pubmedqa": {"yes": "yes", "no": "no", "maybe": "maybe"},
    "bioasq": {"yes": "yes", "no": "no"},
    "evidence-inference": {"significantly increased": "increased",
                           "significantly decreased": "decreased",
                           "no significant difference": "no_difference"},
}
Progress = Callable[[int], None]


def integrity(answers: list[Answer]) -> dict[str, Any]:
    """Shares of sentences with a citation, citations that resolve to a reference holding
    the sentence's passage, and numbers found in a cited passage."""
    sentences = cited = citations = resolved = numbers = traced = 0
    for answer in answers:
        texts = {p.passage_id: p.text for r in answer.references for p in r.passages}
        by_n = {r.n: r for r in answer.references}
        for s in answer.all_sentences():
            sentences += 1
            cited += bool(s.citations)
            for n in s.citations:
                citations += 1
                ref = by_n.get(n)
                ids = {p.passage_id for p in ref.passages} if ref else set()
                resolved += bool(ref and any(pid in ids for pid in s.passage_ids))
            cited_texts = [texts[pid] for pid in s.passage_ids if pid in texts]
            found = [f for f in facts(s.text) if f.kind == "quantity"]
            numbers += len(found)
            missing = {f.text for f in untraced(s.text, cited_texts) if f.kind == "quantity"}
            traced += sum(1 for f in found if f.text not in missing)
    return {
        "answers": len(answers), "sentences": sentences, "numbers": numbers,
        "sentences_with_citation": _share(cited, sentences),
        "citations_resolving_to_passage": _share(resolved, citations),
        "numbers_in_cited_passage": _share(traced, numbers),
        "status": dict(Counter(a.status for a in answers)),
    }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def verdicts(gold: list[str], predicted: list[str | None], labels: list[str]) -> dict[str, Any]:
    """Accuracy and macro-F1; no verdict counts as wrong (and as 'maybe' for yes/no/maybe)."""
    n = len(gold)
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / n if n else 0.0
    f1s = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return {"n": n, "accuracy": round(accuracy, 4), "macro_f1": round(sum(f1s) / len(f1s), 4),
            "predicted": dict(Counter(p or "none" for p in predicted))}


def majority(gold: list[str], labels: list[str]) -> dict[str, Any]:
    most = Counter(gold).most_common(1)[0][0]
    return {**verdicts(gold, [most] * len(gold), labels), "label": most}


def run_verdicts(service: Medcite, dataset: str, data_dir: Path, limit: int | None,
                 progress: Progress | None = None, engine: str | None = None
                 ) -> dict[str, Any]:
    mapping = VERDICT_LABELS[dataset]
    questions = [q for q in load(dataset, data_dir, limit)
                 if q.answer.lower() in mapping or q.answer in mapping]
    if dataset == "bioasq":
        questions = [q for q in questions if q.type == "yesno"]
    gold = [mapping.get(q.answer, mapping.get(q.answer.lower(), "")) for q in questions]
    predicted: list[str | None] = []
    for q in questions:
        predicted.append(service.ask(q.question, record=False, engine=engine).verdict)
        if progress:
            progress(1)
    labels = list(dict.fromkeys(mapping.values()))
    return {"dataset": dataset, "medcite": verdicts(gold, predicted, labels),
            "majority_baseline": majority(gold, labels)}


PARTS = ("integrity", "verdicts", "readability", "keyfacts", "recall")


def run_answers(service: Medcite, data_dir: Path, limit: int = 500,
                verdict_limit: int | None = None, readability_limit: int = 100,
                progress: Progress | None = None, engine: str | None = None,
                parts: tuple[str, ...] = PARTS, keyfacts_limit: int | None = None,
                recall_limit: int = 300) -> dict[str, Any]:
    """Every answer figure of the issues, in one run, for one writer (``engine``)."""
    from medcite.bench.quality import load_keyfacts, run_keyfacts, run_recall

    service.require_documents()
    writer = service.writer(engine).name
    result: dict[str, Any] = {"engine": writer}
    if "integrity" in parts:
        questions = load("bioasq", data_dir, limit)
        for q in questions[:5]:  # warm up
            service.ask(q.question, record=False, engine=engine)
        answers, ms = [], []
        for q in questions:
            t0 = time.perf_counter()
            answers.append(service.ask(q.question, record=False, engine=engine))
            ms.append((time.perf_counter() - t0) * 1000)
            if progress:
                progress(1)
        result["integrity"] = integrity(answers)
        result["latency_ms"] = {"p50": round(percentile(ms, 50), 1),
                                "p95": round(percentile(ms, 95), 1), "questions": len(ms)}
        result["writer"] = writer_figures(answers, writer)
    if "verdicts" in parts:
        result["verdicts"] = {d: run_verdicts(service, d, data_dir, verdict_limit, progress,
                                              engine)
                              for d in ("pubmedqa", "bioasq", "evidence-inference")}
    if "readability" in parts:
        result["readability"] = run_readability(service, data_dir, readability_limit, progress,
                                                engine)
    if "keyfacts" in parts:
        result["keyfacts"] = run_keyfacts(service, engine, load_keyfacts()[:keyfacts_limit],
                                          progress)
    if "recall" in parts:
        result["recall"] = run_recall(service, engine, data_dir, recall_limit,
                                      progress=progress)
    return result


def writer_figures(answers: list[Answer], writer: str) -> dict[str, Any]:
    """Sentences dropped by verification and, for LLM writers, token rates."""
    rates = [a.writer_stats["tokens_per_s"] for a in answers if "tokens_per_s" in a.writer_stats]
    return {"answers": len(answers), "dropped_sentences": sum(a.dropped for a in answers),
            "published_sentences": sum(len(a.all_sentences()) for a in answers),
            "fallbacks": sum(1 for a in answers if a.engine != writer),
            "tokens_per_s_median": round(median(rates), 1) if rates else None}


def answer_text(answer: Answer) -> str:
    return " ".join(s.text for s in answer.all_sentences())


def run_readability(service: Medcite, data_dir: Path, limit: int,
                    progress: Progress | None = None, engine: str | None = None
                    ) -> dict[str, Any]:
    """Median Flesch-Kincaid grade of patient and clinician answers to consumer questions."""
    questions: list[Question] = load("mediqa", data_dir, limit)
    grades: dict[str, list[float]] = {a.value: [] for a in Audience}
    for q in questions:
        audiences = (Audience.PATIENT, Audience.CLINICIAN)
        for audience in audiences:
            answer = service.ask(q.question, audience, record=False, engine=engine)
            text = answer_text(answer)
            if text:
                grades[audience].append(grade(text))
        if progress:
            progress(1)
    return {aud: {"answers_with_text": len(g), "median_grade": round(median(g), 2) if g else None}
            for aud, g in grades.items()} | {"questions": len(questions)}
