"""Whether two questions ask the same thing, so that paraphrases land on one article.

Lexical similarity is *symmetric coverage*: the share of each question's content terms
(stems, minus question boilerplate) found in the other, taking the smaller of the two.
A term is found if the other question has it, has a longer or shorter form of it
("treat"/"treatment"), or names it by a synonym the store's vocabularies know (MeSH
entry terms, drug brand/generic names, abbreviations: ``medcite.retrieve.expand``).
Taking the smaller share means an added qualifier lowers the score however long the
questions are. Two hard rules sit on top: a number or ordinal ("12 hours" vs "24 hours",
"first" vs "second stage") or a medical concept ("in dementia") that only one question
has makes them different, and at most ``MAX_MISSING`` term may lack a match at all.

With an embedder, the score is the mean of the lexical similarity and the cosine of the
two questions' embeddings, so a borderline lexical match also needs a close meaning.
Two questions are one article when the score reaches ``SAME_THRESHOLD`` (lexical only)
or ``SAME_THRESHOLD_DENSE`` (lexical + embedding). Both were chosen with
``medcite review bench-paraphrase`` (900 dev questions, 5,096 pairs: lexical precision
0.9989 / recall 1.0; with MiniLM precision 0.9989 / recall 0.9923).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from medcite.retrieve.expand import expand
from medcite.store.sqlite import SQLiteStore
from medcite.text.terms import stem_set

SAME_THRESHOLD = 0.8
"""Lexical score at or above which two questions are one article (no embedder)."""
SAME_THRESHOLD_DENSE = 0.8
"""Mean of lexical and cosine similarity at or above which two questions are one article."""
MAX_MISSING = 1
"""At most this many content terms (of both questions together) may lack a match."""
MIN_FOLD_CHARS = 5
"""Stems this long match their own prefixes ("treat" ~ "treatment", "diagnos" ~ "diagnosi")."""

BOILERPLATE_WORDS = """i me my we us you your define list name give show please tell explain
describe know like want wonder need kindly current
currently recommended recommendation usual standard preferred optimal best appropriate
approach approaches option options strategy characterize characterise difference different
differ respect regard regarding reported report role play information question answer
evidence based way ways""".split()
_BOILERPLATE = frozenset().union(*(stem_set(w) for w in BOILERPLATE_WORDS))
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Signature:
    """What a question is compared by."""

    text: str
    terms: frozenset[str]
    synonyms: tuple[tuple[frozenset[str], tuple[frozenset[str], ...]], ...]
    medical: frozenset[str] = frozenset()
    vector: np.ndarray | None = None


@dataclass(frozen=True)
class Similarity:
    lexical: float
    semantic: float | None
    score: float
    missing: int
    same: bool


def normalise_question(question: str) -> str:
    """The key a question is stored under: lower case, single spaces, no final mark."""
    return _SPACE.sub(" ", question.strip().lower()).rstrip(" ?.!")


def content_terms(text: str) -> frozenset[str]:
    return stem_set(text) - _BOILERPLATE


def signature(question: str, store: SQLiteStore | None = None,
              vector: np.ndarray | None = None) -> Signature:
    """A question's terms, its vocabulary synonyms and medical terms (when a store is
    given), and its embedding (when there is an embedder)."""
    synonyms: list[tuple[frozenset[str], tuple[frozenset[str], ...]]] = []
    if store is not None:
        for found in expand(store, question):
            phrase = content_terms(found.phrase)
            alts = tuple(a for a in (content_terms(x) for x in found.alternatives) if a)
            if phrase and alts:
                synonyms.append((phrase, alts))
    terms = content_terms(question)
    medical = frozenset(store.medical_stems(terms)) if store is not None else frozenset()
    return Signature(question, terms, tuple(synonyms), medical,
                     vector)


def _found(term: str, terms: frozenset[str]) -> bool:
    if term in terms:
        return True
    if len(term) < MIN_FOLD_CHARS:
        return False
    return any(len(u) >= MIN_FOLD_CHARS and (u.startswith(term) or term.startswith(u))
               for u in terms)


def _covered(a: Signature, b: Signature) -> tuple[set[str], set[str]]:
    """Terms of ``a`` and of ``b`` that the other question also asks about."""
    in_a = {t for t in a.terms if _found(t, b.terms)}
    in_b = {t for t in b.terms if _found(t, a.terms)}
    for x, y, cx, cy in ((a, b, in_a, in_b), (b, a, in_b, in_a)):
        for phrase, alternatives in x.synonyms:
            for alt in alternatives:
                if all(_found(t, y.terms) for t in alt):
                    cx.update(phrase)
                    cy.update(t for t in y.terms if any(_found(t, frozenset([s])) for s in alt))
    return in_a, in_b


def lexical_similarity(a: Signature, b: Signature) -> tuple[float, int]:
    """Symmetric coverage of content terms (0 when either question has none), and how
    many terms of the two questions the other lacks."""
    if not a.terms or not b.terms:
        return (1.0, 0) if a.text.lower() == b.text.lower() else (0.0, 99)
    in_a, in_b = _covered(a, b)
    lacking = (a.terms - in_a) | (b.terms - in_b)
    if any(_is_number(t) for t in lacking) or lacking & (a.medical | b.medical):
        return 0.0, len(lacking)  # "within 12 hours" vs "24 hours"; "in dementia" vs "all"
    found_a, found_b = len(a.terms) - len(a.terms - in_a), len(b.terms) - len(b.terms - in_b)
    return min(found_a / len(a.terms), found_b / len(b.terms)), len(lacking)


ORDINALS = frozenset(stem_set("first second third fourth fifth sixth once twice"))


def _is_number(term: str) -> bool:
    return term.isdigit() or term in ORDINALS


def similarity(a: Signature, b: Signature) -> Similarity:
    lexical, missing = lexical_similarity(a, b)
    if a.vector is None or b.vector is None or a.vector.shape != b.vector.shape:
        return Similarity(round(lexical, 4), None, round(lexical, 4), missing,
                          lexical >= SAME_THRESHOLD and missing <= MAX_MISSING)
    semantic = float(np.dot(a.vector, b.vector))
    score = (lexical + semantic) / 2
    return Similarity(round(lexical, 4), round(semantic, 4), round(score, 4), missing,
                      score >= SAME_THRESHOLD_DENSE and missing <= MAX_MISSING)


def best_match(question: Signature, candidates: Sequence[tuple[Signature, int]]
               ) -> tuple[int, Similarity] | None:
    """The article id of the most similar candidate question that counts as the same."""
    best: tuple[int, Similarity] | None = None
    for candidate, article_id in candidates:
        sim = similarity(question, candidate)
        if sim.same and (best is None or sim.score > best[1].score):
            best = (article_id, sim)
    return best
