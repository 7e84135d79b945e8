"""Editing a sentence of an answer: the new text must still pass verification against
the passages it cites — its content terms found there, every number, dose, unit, route
and frequency traced, and its meaning unchanged: no negation added or dropped, no
direction, comparison or strength reversed, no drug or population the passages lack
(``medcite.answer.verify``). Editors may also pick a ready sentence from those passages
(:func:`alternatives`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from medcite.answer.entities import Lexicon
from medcite.answer.model import Answer, Sentence
from medcite.answer.verify import MIN_SUPPORT, check_sentence
from medcite.errors import InvalidRequestError, NotFoundError
from medcite.text.sentences import split_sentences
from medcite.text.terms import stems

MAX_SENTENCE_CHARS = 600
MAX_ALTERNATIVES = 8


@dataclass(frozen=True)
class EditCheck:
    """Whether an edited sentence may replace the old one, and if not, why."""

    ok: bool
    support: float
    reasons: list[str] = field(default_factory=list)
    untraced: list[str] = field(default_factory=list)
    unsupported_terms: list[str] = field(default_factory=list)
    citations: list[int] = field(default_factory=list)


def sentence_at(answer: Answer, index: int) -> Sentence:
    """Sentence ``index`` in reading order (bottom line, then each section)."""
    sentences = answer.all_sentences()
    if not 0 <= index < len(sentences):
        raise NotFoundError(f"The answer has no sentence {index}.",
                            f"Sentences are numbered 0 to {len(sentences) - 1}.")
    return sentences[index]


def cited_passages(answer: Answer, citations: list[int]) -> dict[str, str]:
    """Passage id -> text, of every passage the answer holds for the cited references."""
    found: dict[str, str] = {}
    for n in citations:
        ref = answer.reference(n)
        if ref is None:
            raise InvalidRequestError(
                f"The answer has no reference [{n}].",
                f"Cite one of: {', '.join(str(r.n) for r in answer.references) or 'none'}.")
        found.update({p.passage_id: p.text for p in ref.passages})
    return found


def check_edit(answer: Answer, index: int, text: str,
               citations: list[int] | None = None, lexicon: Lexicon | None = None) -> EditCheck:
    """Verify ``text`` as sentence ``index`` citing ``citations`` (default: the old ones);
    ``lexicon`` lets a brand name stand for its generic."""
    old = sentence_at(answer, index)
    text = " ".join(text.split())
    cites = list(dict.fromkeys(citations if citations else old.citations))
    if not text:
        return EditCheck(False, 0.0, ["The sentence is empty."], citations=cites)
    if len(text) > MAX_SENTENCE_CHARS:
        return EditCheck(False, 0.0, [f"The sentence is longer than {MAX_SENTENCE_CHARS} "
                                      "characters; split it."], citations=cites)
    if not cites:
        return EditCheck(False, 0.0, ["The sentence cites no reference."], citations=cites)
    passages = list(cited_passages(answer, cites).values())
    check = check_sentence(text, passages, lexicon=lexicon)
    available = {t for p in passages for t in stems(p)}
    missing = sorted({t for t in stems(text) if t not in available})
    reasons: list[str] = []
    untraced = [f.text for f in check.untraced]
    if untraced:
        reasons.append("Not found in the cited passages: " + ", ".join(untraced) +
                       ". Every number, dose, unit, route and frequency must be traced to a "
                       "cited passage.")
    if not check.supported:
        reasons.append(f"Only {check.support:.0%} of its terms occur in the cited passages "
                       f"({MIN_SUPPORT:.0%} needed); not found: {', '.join(missing)}.")
    if check.reasons:
        said = f" The passage says: \"{check.passage_sentence}\"" if check.passage_sentence \
            else ""
        reasons.append("It changes the meaning of the cited passage — " + "; ".join(
            f"{code}: {detail}" for code, detail in check.reasons) + "." + said)
    return EditCheck(check.ok, check.support, reasons, untraced, missing, cites)


def apply_edit(answer: Answer, index: int, text: str, citations: list[int]) -> Answer:
    """A copy of ``answer`` with sentence ``index`` replaced (call after :func:`check_edit`)."""
    edited = answer.model_copy(deep=True)
    sentence = sentence_at(edited, index)
    sentence.text = " ".join(text.split())
    sentence.citations = list(citations)
    sentence.passage_ids = list(cited_passages(edited, citations))
    return edited


def alternatives(answer: Answer, index: int) -> list[str]:
    """Sentences of the cited passages that pass verification, to choose instead."""
    old = sentence_at(answer, index)
    passages = cited_passages(answer, old.citations)
    texts = list(passages.values())
    found: list[str] = []
    for passage in texts:
        for candidate in split_sentences(passage):
            candidate = " ".join(candidate.split())
            if (candidate != old.text and candidate not in found and len(candidate) > 20
                    and check_sentence(candidate, texts).ok):
                found.append(candidate)
    return found[:MAX_ALTERNATIVES]
