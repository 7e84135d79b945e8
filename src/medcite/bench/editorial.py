"""How well paraphrase routing works, measured on pairs built from the dev sets.

"Same" pairs are a dev question and a rewording of it made by rule: the template swap
("What is the treatment for X" <-> "How is X treated", the evidence-inference template
turned into a plain question), clauses reordered, a concept replaced by a synonym from
the store's vocabularies (``medcite.retrieve.expand``), boilerplate added or dropped.
"Different" pairs are two different dev questions: random ones, and hard negatives (for
each question, the others that share the most content terms with it — e.g. the same two
treatments compared on another outcome). Precision and recall are of "same article".
"""

from __future__ import annotations

import random
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from medcite.bench.datasets import load
from medcite.editorial import paraphrase as para
from medcite.index.embedder import Embedder
from medcite.retrieve.expand import expand
from medcite.service import Medcite
from medcite.store.sqlite import SQLiteStore

DATASETS = ("bioasq", "pubmedqa", "evidence-inference")
BOILERPLATE_PREFIXES = ("Can you tell me: ", "Please explain: ", "I would like to know: ")


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    same: bool
    kind: str


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _low(text: str) -> str:
    return text[:1].lower() + text[1:] if not text[1:2].isupper() else text


TEMPLATES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^what (?:is|are) the (?:\w+ )?(?:treatment|management|therapy) (?:for|of) "
                r"(?P<x>.+?)\s*\?*$", re.I), lambda m: f"How is {m['x']} treated?"),
    (re.compile(r"^how (?:is|are) (?P<x>.+?) (?:treated|managed)\s*\?*$", re.I),
     lambda m: f"What is the treatment for {m['x']}?"),
    (re.compile(r"^what is the role of (?P<x>.+?) in (?P<y>.+?)\s*\?*$", re.I),
     lambda m: f"What role does {m['x']} play in {m['y']}?"),
    (re.compile(r"^with respect to (?P<o>.+?), characteri[sz]e the (?:reported )?difference "
                r"between (?P<a>.+?) and (?P<b>.+?)\.?$", re.I),
     lambda m: f"How do {m['a']} and {m['b']} differ in {m['o']}?"),
    (re.compile(r"^which (?P<rest>.+)$", re.I), lambda m: f"What {m['rest']}"),
    (re.compile(r"^list (?P<rest>.+?)\.?$", re.I), lambda m: f"What are {m['rest']}?"),
    (re.compile(r"^what is (?P<x>[^?]{3,60})\?$", re.I), lambda m: f"Define {m['x']}."),
)


def swap_template(question: str) -> str | None:
    for pattern, build in TEMPLATES:
        match = pattern.match(question.strip())
        if match:
            return build(match)
    return None


_LEADING = re.compile(r"^(?P<prep>in|among|for|during|with respect to) (?P<ctx>[^,]+), "
                      r"(?P<rest>.+?)[.?]?$", re.I)
_TRAILING = re.compile(r"^(?P<main>.+?) (?P<ctx>(?:in|among) (?:patients|adults|children|women|"
                       r"men|people|infants|subjects|individuals)\b[^?,]*)\?$", re.I)
_BETWEEN = re.compile(r"\bbetween (?P<a>[^,]+?) and (?P<b>[^,]+?)(?P<end>[.?]?)$", re.I)
_TITLE = re.compile(r"^(?P<title>[^:]{8,}): (?P<q>.+\?)$")


def reorder(question: str) -> str | None:
    """The same question with its clauses in another order."""
    q = question.strip()
    if m := _TITLE.match(q):
        return f"{_cap(m['q'].rstrip('?'))} ({_low(m['title'])})?"
    if m := _LEADING.match(q):
        return f"{_cap(m['rest'])} {m['prep'].lower()} {m['ctx']}?"
    if m := _TRAILING.match(q):
        return f"{_cap(m['ctx'])}, {_low(m['main'])}?"
    if m := _BETWEEN.search(q):
        return q[:m.start()] + f"between {m['b']} and {m['a']}{m['end']}"
    return None


def synonym(question: str, store: SQLiteStore) -> str | None:
    """The question with one concept named by a synonym from the vocabularies."""
    for found in expand(store, question):
        if not para.content_terms(found.phrase):
            continue  # "patients", "respect": no concept of the question
        words = found.phrase.split()
        pattern = re.compile(r"\b" + r"[\W_]+".join(map(re.escape, words)) + r"\b", re.I)
        for alt in found.alternatives:
            new, n = pattern.subn(alt, question, count=1)
            if n and new.lower() != question.lower():
                return new
    return None


def boilerplate(question: str) -> str:
    """The question with a polite preamble added (the pair then tests dropping it)."""
    prefix = BOILERPLATE_PREFIXES[sum(map(ord, question)) % len(BOILERPLATE_PREFIXES)]
    return prefix + _low(question.strip())


def rewordings(question: str, store: SQLiteStore) -> list[tuple[str, str]]:
    """``(rule, rewording)`` for every rule that changes ``question``."""
    found: list[tuple[str, str]] = []
    for rule, make in (("template", swap_template), ("reorder", reorder),
                       ("synonym", lambda q: synonym(q, store))):
        new = make(question)
        if new and para.normalise_question(new) != para.normalise_question(question):
            found.append((rule, new))
    found.append(("boilerplate", boilerplate(question)))
    if len(found) >= 3:  # two rules at once: synonym on top of the template swap
        combined = synonym(found[0][1], store)
        if combined:
            found.append(("combined", combined))
    return found


def build_pairs(questions: list[str], store: SQLiteStore, seed: int = 7,
                random_negatives: int = 1) -> list[Pair]:
    """Same pairs (rewordings) and different pairs (random and hard negatives)."""
    rng = random.Random(seed)
    unique = list(dict.fromkeys(questions, None))
    keys = [para.normalise_question(q) for q in unique]
    pairs = [Pair(q, new, True, rule) for q in unique for rule, new in rewordings(q, store)]
    terms = [para.content_terms(q) for q in unique]
    index: dict[str, list[int]] = defaultdict(list)
    for i, ts in enumerate(terms):
        for t in ts:
            index[t].append(i)
    seen: set[tuple[int, int]] = set()
    for i, ts in enumerate(terms):
        shared: dict[int, int] = defaultdict(int)
        for t in ts:
            for j in index[t]:
                if j != i:
                    shared[j] += 1
        hard = sorted(shared, key=lambda j: (-shared[j], j))[:2]
        others = [rng.randrange(len(unique)) for _ in range(random_negatives)]
        for j, kind in [(j, "hard") for j in hard] + [(j, "random") for j in others]:
            key = (min(i, j), max(i, j))
            if j == i or key in seen or keys[i] == keys[j]:
                continue
            seen.add(key)
            pairs.append(Pair(unique[i], unique[j], False, kind))
    return pairs


def evaluate(pairs: list[Pair], store: SQLiteStore | None,
             embedder: Embedder | None = None) -> dict[str, Any]:
    """Precision and recall of "same article" over ``pairs``."""
    texts = list(dict.fromkeys(t for p in pairs for t in (p.a, p.b)))
    vectors: dict[str, np.ndarray] = {}
    if embedder is not None:
        for start in range(0, len(texts), 256):
            chunk = texts[start:start + 256]
            vectors.update(zip(chunk, embedder.embed(chunk, "query"), strict=True))
    sigs = {t: para.signature(t, store, vectors.get(t)) for t in texts}
    tp = fp = fn = tn = 0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    errors: list[dict[str, Any]] = []
    for p in pairs:
        sim = para.similarity(sigs[p.a], sigs[p.b])
        by_kind[p.kind][0] += int(sim.same == p.same)
        by_kind[p.kind][1] += 1
        tp += sim.same and p.same
        fp += sim.same and not p.same
        fn += (not sim.same) and p.same
        tn += (not sim.same) and not p.same
        if sim.same != p.same and len(errors) < 40:
            errors.append({"a": p.a, "b": p.b, "same": p.same, "kind": p.kind,
                           "lexical": sim.lexical, "semantic": sim.semantic,
                           "missing": sim.missing})
    return {
        "pairs": len(pairs), "same_pairs": tp + fn, "different_pairs": fp + tn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
        "true_positives": tp, "false_positives": fp, "false_negatives": fn,
        "true_negatives": tn,
        "accuracy_by_kind": {k: round(ok / n, 4) for k, (ok, n) in sorted(by_kind.items())},
        "pairs_by_kind": {k: n for k, (_, n) in sorted(by_kind.items())},
        "errors": errors,
    }


def bench_routing(service: Medcite, data_dir: Path, limit: int, lexical_only: bool = False
                  ) -> dict[str, Any]:
    """:func:`run_bench` on a medcite home, with its embedding model unless ``lexical_only``."""
    dense = None if lexical_only else service.dense
    return run_bench(service.store, data_dir, limit,
                     dense.embedder if dense is not None else None)


def run_bench(store: SQLiteStore, data_dir: Path, limit: int, embedder: Embedder | None,
              seed: int = 7) -> dict[str, Any]:
    """Build pairs from ``limit`` questions of each dev set and evaluate routing."""
    started = time.perf_counter()
    questions = [q.question for name in DATASETS for q in load(name, data_dir, limit)]
    pairs = build_pairs(questions, store, seed)
    figures = evaluate(pairs, store, embedder)
    threshold = para.SAME_THRESHOLD if embedder is None else para.SAME_THRESHOLD_DENSE
    return {"questions": len(questions), "datasets": list(DATASETS),
            "similarity": "lexical" if embedder is None else f"lexical+{embedder.name}",
            "threshold": threshold, "vocabulary": store.vocab_count(), **figures,
            "seconds": round(time.perf_counter() - started, 2)}
