"""Articles: one canonical article per question, its versions, the questions routed to
it, and diffs between versions. Writes take the caller's transaction connection so each
change lands together with its audit event."""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from medcite.answer.model import Answer
from medcite.answer.render import cite
from medcite.editorial import paraphrase as para
from medcite.editorial.audit import now_iso
from medcite.editorial.models import Approval, Article, State, Version
from medcite.errors import NotFoundError
from medcite.retrieve.query import question_type
from medcite.store.editorial import (
    ARTICLE_COLUMNS,
    INSERT_ARTICLE,
    INSERT_QUESTION,
    INSERT_VERSION,
    SELECT_ARTICLE,
    SELECT_ARTICLE_BY_SLUG,
    SELECT_ARTICLES,
    SELECT_QUESTIONS,
    SELECT_VERSION,
    SELECT_VERSIONS,
    VERSION_COLUMNS,
    ensure_schema,
)
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


def _article(row: tuple[Any, ...]) -> Article:
    values = dict(zip(ARTICLE_COLUMNS.split(", "), row, strict=True))
    values["stale_reasons"] = json.loads(values["stale_reasons"])
    return Article.model_validate(values)


def _version(row: tuple[Any, ...]) -> Version:
    values = dict(zip(VERSION_COLUMNS.split(", "), row, strict=True))
    values["answer"] = Answer.model_validate_json(values["answer"])
    approval = values.pop("approval")
    values["approval"] = Approval.model_validate_json(approval) if approval else None
    return Version.model_validate(values)


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
    """Reads and writes of articles, versions and routed questions."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self._signatures: dict[str, para.Signature] = {}
        ensure_schema(store)

    # -- reads -------------------------------------------------------------------------

    def get(self, article_id: int) -> Article:
        row = self.store.conn.execute(SELECT_ARTICLE, (article_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No article {article_id}.", "See `medcite review queue` or "
                                "GET /api/v1/articles for article ids.")
        return self._with_questions(_article(row))

    def by_slug(self, slug: str) -> Article | None:
        row = self.store.conn.execute(SELECT_ARTICLE_BY_SLUG, (slug,)).fetchone()
        return self._with_questions(_article(row)) if row else None

    def find(self, states: Iterable[str] | None = None) -> list[Article]:
        """Articles not merged away, most recently updated first."""
        sql, params = SELECT_ARTICLES, []
        wanted = list(states or [])
        if wanted:
            sql += f" AND state IN ({','.join('?' for _ in wanted)})"
            params = wanted
        rows = self.store.conn.execute(sql + " ORDER BY updated_at DESC, id DESC", params)
        return [_article(r) for r in rows]

    def _with_questions(self, article: Article) -> Article:
        rows = self.store.conn.execute(
            "SELECT question FROM ed_questions WHERE article_id = ? ORDER BY added_at, question",
            (article.id,))
        article.questions = [r[0] for r in rows]
        return article

    def version(self, article_id: int, n: int) -> Version:
        row = self.store.conn.execute(SELECT_VERSION, (article_id, n)).fetchone()
        if row is None:
            raise NotFoundError(f"Article {article_id} has no version {n}.",
                                "List its versions to see which exist.")
        return _version(row)

    def versions(self, article_id: int) -> list[Version]:
        return [_version(r) for r in self.store.conn.execute(SELECT_VERSIONS, (article_id,))]

    def current(self, article: Article) -> Version:
        return self.version(article.id, article.current_version)

    def submitted_by(self, article_id: int) -> str | None:
        """Who last submitted the article (for the no-self-approval rule)."""
        row = self.store.conn.execute(
            "SELECT actor FROM ed_audit WHERE article_id = ? AND to_state = 'submitted' "
            "ORDER BY seq DESC LIMIT 1", (article_id,)).fetchone()
        return str(row[0]) if row else None

    # -- routing -----------------------------------------------------------------------

    def route(self, question: str, vector: np.ndarray | None = None
              ) -> tuple[Article, para.Similarity] | None:
        """The article whose question (or a question already routed to it) asks the same
        thing as ``question``, if any."""
        mine = para.signature(question, self.store, vector)
        candidates = [(self._signature(text, _unpack(blob)), int(article_id))
                      for text, article_id, blob in self.store.conn.execute(SELECT_QUESTIONS)]
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

    def insert(self, conn: sqlite3.Connection, question: str, audience: str, actor: str) -> int:
        now = now_iso()
        slug = self._free_slug(conn, slugify(question))
        cur = conn.execute(INSERT_ARTICLE, (slug, question, audience, topic_of(question), actor,
                                            now, now))
        return int(cur.lastrowid or 0)

    def _free_slug(self, conn: sqlite3.Connection, slug: str) -> str:
        taken = {r[0] for r in conn.execute(
            "SELECT slug FROM ed_articles WHERE slug = ? OR slug LIKE ?", (slug, f"{slug}-%"))}
        n, candidate = 1, slug
        while candidate in taken:
            n += 1
            candidate = f"{slug}-{n}"
        return candidate

    def add_question(self, conn: sqlite3.Connection, article_id: int, question: str,
                     actor: str, vector: np.ndarray | None = None) -> None:
        blob = vector.astype(np.float32).tobytes() if vector is not None else None
        conn.execute(INSERT_QUESTION, (para.normalise_question(question), question, article_id,
                                       blob, actor, now_iso()))

    def add_version(self, conn: sqlite3.Connection, article_id: int, answer: Answer,
                    reason: str, actor: str, note: str = "") -> int:
        row = conn.execute("SELECT COALESCE(MAX(n), 0) + 1 FROM ed_versions WHERE "
                           "article_id = ?", (article_id,)).fetchone()
        n = int(row[0])
        conn.execute(INSERT_VERSION, (article_id, n, reason, note, answer.model_dump_json(),
                                      actor, now_iso()))
        conn.execute("UPDATE ed_articles SET current_version = ?, updated_at = ? WHERE id = ?",
                     (n, now_iso(), article_id))
        return n

    def set_state(self, conn: sqlite3.Connection, article_id: int, state: State,
                  **columns: Any) -> None:
        sets = ", ".join(f"{name} = ?" for name in columns)
        conn.execute(f"UPDATE ed_articles SET state = ?, updated_at = ?{', ' if sets else ''}"
                     f"{sets} WHERE id = ?", (state, now_iso(), *columns.values(), article_id))

    def approve_version(self, conn: sqlite3.Connection, article_id: int, n: int,
                        approval: Approval) -> None:
        conn.execute("UPDATE ed_versions SET approval = ? WHERE article_id = ? AND n = ?",
                     (approval.model_dump_json(), article_id, n))

    def set_stale(self, conn: sqlite3.Connection, article_id: int, reasons: list[str]) -> None:
        conn.execute("UPDATE ed_articles SET stale_reasons = ?, stale_since = ? WHERE id = ?",
                     (json.dumps(reasons, ensure_ascii=False), now_iso() if reasons else None,
                      article_id))

    def move_questions(self, conn: sqlite3.Connection, source: int, target: int) -> None:
        conn.execute("UPDATE ed_questions SET article_id = ? WHERE article_id = ?",
                     (target, source))
        conn.execute("UPDATE ed_articles SET merged_into = ?, updated_at = ? WHERE id = ?",
                     (target, now_iso(), source))

    def remove_question(self, conn: sqlite3.Connection, article_id: int, question: str) -> bool:
        return conn.execute("DELETE FROM ed_questions WHERE norm = ? AND article_id = ?",
                            (para.normalise_question(question), article_id)).rowcount > 0


def _unpack(blob: bytes | None) -> np.ndarray | None:
    return np.frombuffer(blob, dtype=np.float32) if blob else None
