"""Sentences a local LLM wrote from retrieved passages, labelled by reading: does the cited
passage support the sentence? (``bench/devsets/llm_sentences.jsonl``)

How the set was made: the LLM writer (Qwen2.5-Coder-1.5B Q4_K_M served by llama.cpp,
temperature 0) wrote answers to clinician questions of the key-fact dev set from the
evidence medcite retrieved on the whole shared corpus; every sentence of its raw draft
(before verification) was kept with the passages it cited, then labelled supported or
not by a reader comparing it with those passages only (a true statement the cited
passages do not make is unsupported; so is a weak "suggests" written as "should").

The corpus text is not copied into the repository: a sentence that reproduces a passage
is stored as that passage's span plus the model's edits to it, and rebuilt from the
store at run time; so the set needs a home with the shared corpus ingested.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcite.answer.entities import Lexicon
from medcite.answer.verify import check_sentence, reason_list
from medcite.models import Passage

DEVSET = Path(__file__).parent / "devsets" / "llm_sentences.jsonl"
COPY_RATIO = 0.8
"""A sentence this close to a span of its passage is stored as the span and the edits."""

Baseline = Callable[[str, Sequence[str]], bool]


@dataclass(frozen=True)
class LabelledSentence:
    id: str
    question_id: str
    sentence: str
    passage_ids: tuple[str, ...]
    supported: bool
    note: str


def encode(sentence: str, passages: dict[str, Passage]) -> dict[str, Any]:
    """How one sentence is stored: its text, or (when it reproduces a passage) the span of
    that passage and the edits that turn the span into the sentence."""
    best: tuple[float, str, int, int] | None = None
    for pid, passage in passages.items():
        matcher = difflib.SequenceMatcher(None, passage.text, sentence, autojunk=False)
        block = matcher.find_longest_match(0, len(passage.text), 0, len(sentence))
        if not block.size:
            continue
        start = max(0, block.a - block.b)
        end = min(len(passage.text), start + len(sentence))
        ratio = difflib.SequenceMatcher(None, passage.text[start:end], sentence,
                                        autojunk=False).ratio()
        if best is None or ratio > best[0]:
            best = (ratio, pid, start, end)
    if best is None or best[0] < COPY_RATIO:
        return {"sentence": sentence}
    _, pid, start, end = best
    span = passages[pid].text[start:end]
    edits = [[i1, i2, sentence[j1:j2]] for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, span, sentence, autojunk=False).get_opcodes() if tag != "equal"]
    return {"copy": {"passage": pid, "start": start, "end": end}, "edits": edits}


def decode(record: dict[str, Any], passages: dict[str, Passage]) -> str | None:
    """The sentence of a stored record (None when its passage is not in the store)."""
    if "sentence" in record:
        return str(record["sentence"])
    copy = record["copy"]
    passage = passages.get(copy["passage"])
    if passage is None:
        return None
    span = passage.text[copy["start"]:copy["end"]]
    out, at = [], 0
    for i1, i2, text in record["edits"]:
        out.append(span[at:i1] + text)
        at = i2
    return "".join(out) + span[at:]


def load(get_passages: Callable[[list[str]], dict[str, Passage]], path: Path = DEVSET
         ) -> tuple[list[tuple[LabelledSentence, list[str]]], int]:
    """The labelled sentences with their cited passages' texts, and how many could not be
    rebuilt (their passages are not in this home)."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    ids = sorted({pid for r in records for pid in r["passage_ids"]}
                 | {r["copy"]["passage"] for r in records if "copy" in r})
    passages = get_passages(ids)
    out, missing = [], 0
    for r in records:
        text = decode(r, passages)
        cited = [passages[pid].text for pid in r["passage_ids"] if pid in passages]
        if text is None or len(cited) < len(r["passage_ids"]):
            missing += 1
            continue
        out.append((LabelledSentence(r["id"], r["qid"], text, tuple(r["passage_ids"]),
                                     bool(r["supported"]), r.get("note", "")), cited))
    return out, missing


def run_llm_sentences(get_passages: Callable[[list[str]], dict[str, Passage]],
                      lexicon: Lexicon | None, baseline: Baseline, path: Path = DEVSET
                      ) -> dict[str, Any]:
    """Supported sentences accepted and unsupported ones rejected, by medcite and by the
    words-and-numbers baseline."""
    rows, missing = load(get_passages, path)
    tally = {"supported": [0, 0, 0], "unsupported": [0, 0, 0]}  # n, medcite, baseline right
    mistakes: list[dict[str, Any]] = []
    for item, cited in rows:
        check = check_sentence(item.sentence, cited, lexicon=lexicon)
        group = tally["supported" if item.supported else "unsupported"]
        group[0] += 1
        group[1] += check.ok == item.supported
        group[2] += baseline(item.sentence, cited) == item.supported
        if check.ok != item.supported:
            mistakes.append({"id": item.id, "supported": item.supported, "note": item.note,
                             "reasons": reason_list(check)})
    return {
        "sentences": len(rows), "not_in_this_home": missing,
        "measure": "supported: share accepted; unsupported: share rejected",
        **{label: {"n": n, "medcite": round(ok / n, 4) if n else None,
                   "baseline": round(base / n, 4) if n else None}
           for label, (n, ok, base) in tally.items()},
        "mistakes": mistakes,
    }
