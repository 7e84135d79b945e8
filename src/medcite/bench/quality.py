"""Answer quality, per writer: do answers state what the question asks?

- *key facts*: on the project's own dev set (``bench/devsets/keyfacts.jsonl``: clinician
  and patient questions whose answer the corpus states, with the terms a correct answer
  must contain), the share whose bottom line and first two sections contain them — beside
  the share whose evidence (the passages handed to the writer) contains them, and a
  baseline: the first 95 words of the top passage of ``medcite search``;
- *answer recall* on BioASQ factoid and list questions: the share of exact answers (any
  synonym) in the answer text, beside the same number of words from the top BM25
  documents;
- *readability flaws*: the share of answers with Markup or list residue, a bottom line or
  section opening that points back, a sentence under 4 words, a sentence twice, or a
  bottom line sharing no content word with the question.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from medcite.answer.audience import CHOICES
from medcite.answer.candidates import BACK_REFERENCE
from medcite.answer.model import Answer, Audience
from medcite.bench.baseline import DocumentBM25
from medcite.bench.datasets import load
from medcite.bench.metrics import percentile
from medcite.service import Medcite
from medcite.text.terms import stem_set

KEYFACTS = "keyfacts.jsonl"
BASELINE_WORDS = 95
"""The baseline answer: this many words of the top passage of ``medcite search``."""
SECTIONS_READ = 2
"""Key facts count when stated in the bottom line or the first this many sections."""
MIN_WORDS = 4
MARKUP = re.compile(r"\*\*|__|^#|\s#{1,6}\s|\||`|^\s*[-*+•]\s|\]\(|<[a-z/][^>]*>|"
                    r"[.:;]\s+[-•*]\s+[A-Z(]", re.M)

Progress = Callable[[int], None]


@dataclass(frozen=True)
class KeyFact:
    id: str
    question: str
    audience: Audience
    type: str
    key_terms: list[list[str]]


def load_keyfacts(path: Path | None = None) -> list[KeyFact]:
    """The key-fact dev set (the packaged one unless ``path`` is given)."""
    text = (path.read_text(encoding="utf-8") if path is not None else
            resources.files("medcite.bench").joinpath("devsets", KEYFACTS)
            .read_text(encoding="utf-8"))
    facts = []
    for line in text.splitlines():
        if line.strip():
            r = json.loads(line)
            facts.append(KeyFact(r["id"], r["question"], r["audience"], r["type"],
                                 r["key_terms"]))
    return facts


def normalise(text: str) -> str:
    text = text.replace("–", "-").replace("—", "-").replace("\u2009", " ").replace("\xa0", " ")
    return " ".join(text.lower().split())


def states(text: str, groups: list[list[str]]) -> bool:
    """Whether ``text`` has an alternative of every group of key terms."""
    low = normalise(text)
    return all(any(normalise(alt) in low for alt in group) for group in groups)


def head_text(answer: Answer) -> str:
    """The bottom line and the first sections: what a reader reads first."""
    parts = [s.text for s in answer.summary]
    for section in answer.sections[:SECTIONS_READ]:
        parts.extend(s.text for s in section.sentences)
    return " ".join(parts)


IRREGULAR_PLURALS = {"children": "child", "women": "woman", "men": "man", "people": "person",
                     "feet": "foot", "teeth": "tooth", "mice": "mouse"}


def _words(text: str) -> set[str]:
    """The stems of ``text``, irregular plurals as their singular ("children" is "child")."""
    return {IRREGULAR_PLURALS.get(s, s) for s in stem_set(text)}


def flaws(answer: Answer, question: str) -> list[str]:
    """The readability flaws of one answer (empty if none)."""
    found = []
    sentences = answer.all_sentences()
    if any(MARKUP.search(s.text) for s in sentences):
        found.append("markup")
    openings = [answer.summary[0]] if answer.summary else []
    openings += [sec.sentences[0] for sec in answer.sections if sec.sentences]
    if any(BACK_REFERENCE.match(s.text) for s in openings):
        found.append("back_reference")
    if any(len(s.text.split()) < MIN_WORDS for s in sentences):
        found.append("short_sentence")
    texts = [s.text for s in sentences]
    if len(set(texts)) < len(texts):
        found.append("repeated_sentence")
    if answer.summary and not (_words(" ".join(s.text for s in answer.summary))
                               & _words(answer.asked_as or question)):
        found.append("off_topic_bottom_line")
    return found


def run_keyfacts(service: Medcite, engine: str | None, facts: list[KeyFact],
                 progress: Progress | None = None) -> dict[str, Any]:
    """Key facts stated, in the evidence, and in the search baseline; flaws; latency."""
    rows = []
    for fact in facts:
        t0 = time.perf_counter()
        answer = service.ask(fact.question, fact.audience, record=False, engine=engine)
        ms = (time.perf_counter() - t0) * 1000
        evidence = service.evidence(fact.question, fact.audience)
        hits = service.search(fact.question, 8)
        top = " ".join(hits[0].text.split()[:BASELINE_WORDS]) if hits else ""
        rows.append({
            "id": fact.id, "audience": fact.audience, "type": fact.type,
            "status": answer.status, "ms": round(ms, 1),
            "stated": states(head_text(answer), fact.key_terms),
            "in_bottom_line": states(" ".join(s.text for s in answer.summary), fact.key_terms),
            "stated_anywhere": states(" ".join(s.text for s in answer.all_sentences()),
                                      fact.key_terms),
            "in_evidence": states(" ".join(p.text for p in evidence.passages), fact.key_terms),
            "in_search_top8": states(" ".join(h.text for h in hits), fact.key_terms),
            "baseline_stated": states(top, fact.key_terms),
            "flaws": flaws(answer, fact.question) if answer.all_sentences() else [],
            "dropped": answer.dropped,
            "bottom_line": " ".join(s.text for s in answer.summary)[:300],
        })
        if progress:
            progress(1)
    return {"questions": len(rows), **_shares(rows), "by_audience": {
        aud: _shares([r for r in rows if r["audience"] == aud])
        for aud in CHOICES}, "rows": rows}


def _shares(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows) or 1
    answered = [r for r in rows if r["status"] in ("answered", "emergency")]
    ms = [r["ms"] for r in rows]
    return {
        "n": len(rows),
        "stated": round(sum(r["stated"] for r in rows) / n, 4),
        "in_bottom_line": round(sum(r["in_bottom_line"] for r in rows) / n, 4),
        "stated_anywhere": round(sum(r["stated_anywhere"] for r in rows) / n, 4),
        "in_evidence": round(sum(r["in_evidence"] for r in rows) / n, 4),
        "in_search_top8": round(sum(r["in_search_top8"] for r in rows) / n, 4),
        "baseline_first_95_words": round(sum(r["baseline_stated"] for r in rows) / n, 4),
        "answers_with_flaws": round(sum(bool(r["flaws"]) for r in answered)
                                    / (len(answered) or 1), 4),
        "dropped_sentences": sum(r["dropped"] for r in rows),
        "latency_ms": {"p50": round(percentile(ms, 50), 1) if ms else None,
                       "p95": round(percentile(ms, 95), 1) if ms else None},
    }


def run_recall(service: Medcite, engine: str | None, data_dir: Path, limit: int,
               bm25: DocumentBM25 | None = None, progress: Progress | None = None
               ) -> dict[str, Any]:
    """Exact-answer recall on BioASQ factoid and list questions, beside the same number of
    words from the top BM25 documents."""
    questions = [q for q in load("bioasq", data_dir) if q.type in ("factoid", "list")][:limit]
    bm25 = bm25 or DocumentBM25(service.store)
    found = baseline = total = 0
    flawed = answered = 0
    for q in questions:
        answer = service.ask(q.question, record=False, engine=engine)
        text = normalise(" ".join(s.text for s in answer.all_sentences()))
        words = len(text.split())
        documents = [service.store.get_document(d) for d in bm25.search(q.question, 5)]
        base_text = " ".join(f"{d.title or ''} {d.text}" for d in documents if d is not None)
        base = normalise(" ".join(base_text.split()[:words]))
        for synonyms in _exact(q.extra.get("exact_answer")):
            total += 1
            found += any(normalise(s) in text for s in synonyms if s)
            baseline += any(normalise(s) in base for s in synonyms if s)
        if answer.all_sentences():
            answered += 1
            flawed += bool(flaws(answer, q.question))
        if progress:
            progress(1)
    return {"questions": len(questions), "exact_answers": total,
            "recall": round(found / total, 4) if total else 0.0,
            "bm25_same_length_recall": round(baseline / total, 4) if total else 0.0,
            "ratio": round(found / baseline, 3) if baseline else None,
            "answers_with_flaws": round(flawed / answered, 4) if answered else 0.0}


def _exact(value: Any) -> Iterable[list[str]]:
    """BioASQ exact answers as lists of synonyms: factoid ``[["a", "b"]]``, list
    ``[["x"], ["y", "y2"]]`` (each entry one answer)."""
    if not isinstance(value, list):
        return []
    out = []
    for entry in value:
        if isinstance(entry, list):
            out.append([str(s) for s in entry])
        else:
            out.append([str(entry)])
    return out
