"""Verification, for every engine: a sentence is published only if the passages it cites
support it — its content terms are found there, every number, dose, unit, route and
frequency it states appears in a cited passage, and it does not change what the passage
sentence it aligns to says (negation, direction, comparison order, strength, entities:
``answer/meaning.py``)."""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from typing import Any

from medcite.answer.comparison import without_arms, without_defined_figures
from medcite.answer.entities import Lexicon
from medcite.answer.meaning import Judge, assess
from medcite.answer.model import Answer, Sentence
from medcite.answer.numbers import Fact, untraced
from medcite.text.terms import stems

MIN_SUPPORT = 0.8
"""Share of a sentence's content terms that must occur in its cited passages."""


@dataclass(frozen=True)
class Check:
    supported: bool
    support: float
    untraced: tuple[Fact, ...]
    reasons: tuple[tuple[str, str], ...] = ()
    """(code, detail) of every check of meaning that failed."""
    passage_index: int | None = None
    """Which of the given passages supports the sentence best."""
    passage_sentence: str | None = None
    """The sentence of that passage the sentence was aligned to."""

    @property
    def ok(self) -> bool:
        return self.supported and not self.untraced and not self.reasons

    @property
    def reason(self) -> str:
        """Why the sentence failed, in words (empty when it passed)."""
        if self.reasons:
            return "; ".join(f"{code}: {detail}" for code, detail in self.reasons)
        if self.untraced:
            return "not in the cited passages: " + ", ".join(f.text for f in self.untraced)
        if not self.supported:
            return f"only {self.support:.0%} of its terms are in the cited passages"
        return ""


def check_sentence(text: str, passages: list[str], *, lexicon: Lexicon | None = None,
                   judge: Judge | None = None) -> Check:
    """How well ``passages`` support ``text``: its terms (:func:`meaning.term_support`),
    its numbers (``answer/numbers.py``) and its meaning against the passage sentence it
    aligns to (:func:`meaning.assess`). ``lexicon`` names drugs and conditions, so a brand
    matches its generic and a drug the passages lack is found; ``judge`` is an optional
    second tier, ``judge(claim, passage_sentence) -> bool | None`` (off by default)."""
    text, passages = plain_text(text), [plain_text(p) for p in passages]
    if not passages or not stems(text):
        return Check(False, 0.0, ())
    found = assess(text, passages, lexicon, judge)
    at = found.alignment
    return Check(found.support >= MIN_SUPPORT, found.support,
                 tuple(untraced(without_defined_figures(without_arms(text, passages), passages),
                                  passages)),
                 found.reasons, at.passage_index if at else None, at.sentence if at else None)


def plain_text(text: str) -> str:
    """``text`` with HTML character references resolved, escaped more than once too
    ("6&amp;nbsp;months" is "6 months"): text copied from web pages and article XML carries
    them, and their ";" would end a clause."""
    for _ in range(4):  # "&amp;amp;nbsp;": escaped more than once
        if "&" not in text:
            break
        text = html.unescape(text)
    return text.replace("\u00a0", " ")


def reason_list(check: Check) -> list[tuple[str, str]]:
    """Every reason a sentence failed as ``(code, detail)``: the checks of meaning, then
    ``number`` for each untraced number and ``unsupported`` for missing terms."""
    reasons = list(check.reasons)
    reasons += [("number", f"\"{f.text}\" is not in the cited passages") for f in check.untraced]
    if not check.supported:
        reasons.append(("unsupported", f"only {check.support:.0%} of its terms are in the "
                                       f"cited passages ({MIN_SUPPORT:.0%} needed)"))
    return reasons


def verdict(check: Check) -> str:
    """``supported``, ``changed_meaning`` (the passage is about the same thing — the terms
    are there — but a check of meaning or a number failed: it says something else) or
    ``not_supported`` (the passage does not say it)."""
    if check.ok:
        return "supported"
    return "changed_meaning" if check.supported and (check.reasons or check.untraced) else \
        "not_supported"


def check_json(check: Check) -> dict[str, Any]:
    """A check as scripts and the API read it."""
    return {"supported": check.ok, "status": verdict(check),
            "reasons": [{"code": c, "detail": d} for c, d in reason_list(check)],
            "passage_sentence": check.passage_sentence, "passage_index": check.passage_index,
            "support": check.support}


def verify_answer(answer: Answer) -> list[tuple[Sentence, Check]]:
    """Drop every sentence that fails its check; return what was dropped and why.

    A sentence must cite at least one reference, and each citation must resolve to a
    reference holding the passage the sentence stands on.
    """
    texts = {p.passage_id: p.text for r in answer.references for p in r.passages}
    dropped: list[tuple[Sentence, Check]] = []

    def keep(sentence: Sentence) -> bool:
        refs = [answer.reference(n) for n in sentence.citations]
        if not sentence.citations or any(r is None for r in refs):
            dropped.append((sentence, Check(False, 0.0, ())))
            return False
        cited = {p.passage_id for r in refs if r is not None for p in r.passages}
        ids = [pid for pid in sentence.passage_ids if pid in cited] or sorted(cited)
        check = check_sentence(sentence.text, [texts[pid] for pid in ids if pid in texts])
        if not check.ok:
            dropped.append((sentence, check))
        return check.ok

    answer.summary = [s for s in answer.summary if keep(s)]
    for section in answer.sections:
        section.sentences = [s for s in section.sentences if keep(s)]
    answer.sections = [s for s in answer.sections if s.sentences]
    return dropped


def publishable(answer: Answer) -> list[tuple[Sentence, Check]]:
    """Verify an engine's answer before anyone sees it (:func:`verify_answer`). A verdict
    whose sentence was dropped goes with it; an answer left without a sentence is
    ``insufficient_evidence``. Returns what was dropped and why."""
    start = time.perf_counter()
    dropped = verify_answer(answer)
    if dropped:
        kept = answer.all_sentences()
        if answer.verdict_sentence is not None and answer.verdict_sentence not in kept:
            answer.verdict, answer.verdict_sentence = None, None
        if not kept and answer.status == "answered":
            answer.status = "insufficient_evidence"
    spent = round((time.perf_counter() - start) * 1000, 2)
    answer.timings_ms["verify"] = spent
    answer.timings_ms["total"] = round(answer.timings_ms.get("total", 0.0) + spent, 2)
    return dropped
