"""Articles: one canonical article per question, its versions, the questions routed to
it, comments on them, and diffs between versions. Writes take the caller's transaction so
each change lands together with its audit event; the SQL is in
:mod:`medcite.store.articles`."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from medcite.answer.model import Answer
from medcite.answer.render import cite
from medcite.editorial import audit
from medcite.editorial import paraphrase as para
from medcite.editorial.models import Approval, Article, Comment, State, Version
from medcite.errors import NotFoundError
from medcite.retrieve.query import question_type
from medcite.store.articles import SQLiteArticleRepository
from medcite.store.protocols import Tx
from medcite.store.sqlite import SQLiteStore

TOPICS: dict[str, str] = {
    "management": "Treatment and management", "dosing": "Dosing", "diagnosis": "Diagnosis",
    "screening": "Screening and prevention", "prognosis": "Prognosis and outcomes",
    "etiology": "Causes and risk factors", "comparison": "Comparisons of treatments",
    "yesno": "Clinical questions (yes or no)", "general": "General questions",
}
"""An article's topic is the type of its question (``medcite.retrieve.query``)."""
MAX_SLUG_CHARS = 80
MAX_CACHED_SIGNATURES = 20_000
_SLUG_LEAD = re.compile(r"^(?:what|which)\s+(?:is|are|was|were)\s+(?:the\s+|a\s+|an\s+)?", re.I)
_SLUG_APPROACH = re.compile(r"\b(?:approach(?:es)?|options?|strateg(?:y|ies))\s+(?:for|to|in)\b",
                            re.I)


def slugify(question: str) -> str:
    """A readable URL name: "What is the management approach for leptomeningeal
    enhancement?" -> "management-of-leptomeningeal-enhancement"."""
    text = _SLUG_APPROACH.sub("of", _SLUG_LEAD.sub("", question.strip()))
    words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text.lower())
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > MAX_SLUG_CHARS:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "article"


def topic_of(question: str) -> str:
    return TOPICS[question_type(question)]


def _article(row: Mapping[str, Any]) -> Article:
    return Article.model_validate({**row, "stale_reasons": json.loads(row["stale_reasons"])})


def _version(row: Mapping[str, Any]) -> Version:
    approval = row["approval"]
    return Version.model_validate({
        **row, "answer": Answer.model_validate_json(row["answer"]),
        "approval": Approval.model_validate_json(approval) if approval else None})


@dataclass(frozen=True)
class DiffLine:
    op: str  # " " same, "-" removed, "+" added
    text: str


def answer_lines(answer: Answer) -> list[str]:
    """The answer as lines for diffing: one per sentence (with its citations), then one
    per reference."""
    lines = [f"Bottom line: {cite(s)}" for s in answer.summary]
    for section in answer.sections:
        lines += [f"{section.title}: {cite(s)}" for s in section.sentences]
    lines += [f"[{r.n}] {r.title or r.doc_id} ({r.doc_id})" for r in answer.references]
    return lines


def diff_answers(old: Answer, new: Answer) -> list[DiffLine]:
    """Line diff of two versions' answers, unchanged lines included."""
    out: list[DiffLine] = []
    for line in difflib.ndiff(answer_lines(old), answer_lines(new)):
        if line[:1] in (" ", "-", "+"):
            out.append(DiffLine(line[0], line[2:]))
    return out


def unified_diff(old: Version, new: Version) -> str:
    return "\n".join(difflib.unified_diff(
        answer_lines(old.answer), answer_lines(new.answer), f"version {old.n}",
        f"version {new.n}", lineterm=""))


class Articles:
    """Reads and writes of articles, versions, routed questions and comments."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self.rows = SQLiteArticleRepository(store)
        self._signatures: dict[str, para.Signature] = {}

    # -- reads -------------------------------------------------------------------------

    def get(self, article_id: int) -> Article:
        row = self.rows.get(article_id)
        if row is None:
            raise NotFoundError(f"No article {article_id}.", "See `medcite review queue` or "
                                "GET /api/v1/articles for article ids.")
        return self._with_questions(_article(row))

    def by_slug(self, slug: str) -> Article | None:
        row = self.rows.by_slug(slug)
        return self._with_questions(_article(row)) if row else None

    def find(self, states: Iterable[str] | None = None) -> list[Article]:
        """Articles not merged away, most recently updated first."""
        return [_article(r) for r in self.rows.find(list(states or []))]

    def _with_questions(self, article: Article) -> Article:
        article.questions = self.rows.questions(article.id)
        return article

    def version(self, article_id: int, n: int) -> Version:
        row = self.rows.version(article_id, n)
        if row is None:
            raise NotFoundError(f"Article {article_id} has no version {n}.",
                                "List its versions to see which exist.")
        return _version(row)

    def versions(self, article_id: int) -> list[Version]:
        return [_version(r) for r in self.rows.versions(article_id)]

    def current(self, article: Article) -> Version:
        return self.version(article.id, article.current_version)

    def contributors_since_approval(self, article_id: int) -> set[str]:
        """Who created, edited, regenerated or submitted any version since the last
        approval (none of them may approve it: ``workflow.check_transition``)."""
        return self.rows.contributors_since_approval(article_id)

    def last_event_at(self, article_id: int, action: str) -> str | None:
        """When ``action`` was last taken on the article, from the audit log."""
        return audit.last_at(self.store, article_id, action)

    def comments(self, article_id: int) -> list[Comment]:
        return [Comment.model_validate(r) for r in self.rows.comments(article_id)]

    # -- routing -----------------------------------------------------------------------

    def route(self, question: str, vector: np.ndarray | None = None
              ) -> tuple[Article, para.Similarity] | None:
        """The article whose question (or a question already routed to it) asks the same
        thing as ``question``, if any."""
        mine = para.signature(question, self.store, vector)
        candidates = [(self._signature(text, _unpack(blob)), article_id)
                      for text, article_id, blob in self.rows.routed_questions()]
        match = para.best_match(mine, candidates)
        return (self.get(match[0]), match[1]) if match else None

    def _signature(self, text: str, vector: np.ndarray | None) -> para.Signature:
        """A routed question's signature; the lexical part is computed once per process."""
        found = self._signatures.get(text)
        if found is None:
            if len(self._signatures) >= MAX_CACHED_SIGNATURES:
                self._signatures.clear()
            found = self._signatures[text] = para.signature(text, self.store)
        return replace(found, vector=vector) if vector is not None else found

    # -- writes (inside the caller's transaction) --------------------------------------

    def insert(self, tx: Tx, question: str, audience: str, actor: str) -> int:
        slug = self._free_slug(tx, slugify(question))
        return self.rows.insert(tx, slug, question, audience, topic_of(question), actor,
                                audit.now_iso())

    def _free_slug(self, tx: Tx, slug: str) -> str:
        taken = self.rows.taken_slugs(tx, slug)
        n, candidate = 1, slug
        while candidate in taken:
            n += 1
            candidate = f"{slug}-{n}"
        return candidate

    def add_question(self, tx: Tx, article_id: int, question: str, actor: str,
                     vector: np.ndarray | None = None) -> None:
        blob = vector.astype(np.float32).tobytes() if vector is not None else None
        self.rows.add_question(tx, para.normalise_question(question), question, article_id,
                               blob, actor, audit.now_iso())

    def add_version(self, tx: Tx, article_id: int, answer: Answer, reason: str, actor: str,
                    note: str = "") -> int:
        return self.rows.add_version(tx, article_id, reason, note, answer.model_dump_json(),
                                     actor, audit.now_iso())

    def set_state(self, tx: Tx, article_id: int, state: State, **columns: Any) -> None:
        """Move to ``state``; ``columns``: published_version, withdrawn_at/_reason."""
        self.rows.set_state(tx, article_id, state, audit.now_iso(), columns)

    def approve_version(self, tx: Tx, article_id: int, n: int, approval: Approval) -> None:
        self.rows.approve_version(tx, article_id, n, approval.model_dump_json())

    def set_stale(self, tx: Tx, article_id: int, reasons: list[str]) -> None:
        self.rows.set_stale(tx, article_id, json.dumps(reasons, ensure_ascii=False),
                            audit.now_iso() if reasons else None)

    def move_questions(self, tx: Tx, source: int, target: int) -> None:
        self.rows.move_questions(tx, source, target, audit.now_iso())

    def remove_question(self, tx: Tx, article_id: int, question: str) -> bool:
        return self.rows.remove_question(tx, para.normalise_question(question), article_id)

    def add_comment(self, tx: Tx, article_id: int, version: int, target: str, body: str,
                    author: str) -> int:
        return self.rows.add_comment(tx, article_id, version, target, body, author,
                                     audit.now_iso())


def _unpack(blob: bytes | None) -> np.ndarray | None:
    return np.frombuffer(blob, dtype=np.float32) if blob else None
