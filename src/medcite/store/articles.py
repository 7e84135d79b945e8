"""Articles' tables and their SQL: articles, their versions, the questions routed to them
and reviewers' comments (created by migration 6; migration 10 adds when and why an
article left the public site). :mod:`medcite.editorial.articles` holds
the logic and maps these rows to its models.

Rows come back as column -> value dicts; JSON columns (``stale_reasons``, ``answer``,
``approval``) as their text. Writes take the caller's transaction, so that each change
lands with its audit event.
"""

from __future__ import annotations

from typing import Any

from medcite.store.protocols import Database, Tx

WITHDRAWAL_MIGRATION_SQL = """
ALTER TABLE ed_articles ADD COLUMN withdrawn_at TEXT;
ALTER TABLE ed_articles ADD COLUMN withdrawn_reason TEXT;
"""

ARTICLE_COLUMNS = ("id", "slug", "question", "audience", "topic", "state", "current_version",
                   "published_version", "merged_into", "stale_reasons", "stale_since",
                   "withdrawn_at", "withdrawn_reason", "created_by", "created_at",
                   "updated_at")
VERSION_COLUMNS = ("article_id", "n", "reason", "note", "answer", "created_by", "created_at",
                   "approval")
COMMENT_COLUMNS = ("id", "article_id", "version", "target", "body", "author", "created_at")
STATE_COLUMNS = frozenset({"published_version", "withdrawn_at", "withdrawn_reason"})
"""What a change of state may also set (the names go into SQL: keep them fixed)."""

_ARTICLES = f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM ed_articles"
SELECT_ARTICLE = f"{_ARTICLES} WHERE id = ?"
SELECT_ARTICLE_BY_SLUG = f"{_ARTICLES} WHERE slug = ?"
SELECT_ARTICLES = f"{_ARTICLES} WHERE merged_into IS NULL"
ORDER_ARTICLES = " ORDER BY updated_at DESC, id DESC"
INSERT_ARTICLE = (
    "INSERT INTO ed_articles (slug, question, audience, topic, state, created_by, created_at, "
    "updated_at) VALUES (?, ?, ?, ?, 'draft', ?, ?, ?)"
)
SELECT_TAKEN_SLUGS = "SELECT slug FROM ed_articles WHERE slug = ? OR slug LIKE ?"
SET_STATE = "UPDATE ed_articles SET state = ?, updated_at = ?{sets} WHERE id = ?"
"""``{sets}``: ``, column = ?`` for each of :data:`STATE_COLUMNS` set with the state."""
SET_STALE = "UPDATE ed_articles SET stale_reasons = ?, stale_since = ? WHERE id = ?"
SET_MERGED = "UPDATE ed_articles SET merged_into = ?, updated_at = ? WHERE id = ?"
SET_CURRENT = "UPDATE ed_articles SET current_version = ?, updated_at = ? WHERE id = ?"

_VERSIONS = f"SELECT {', '.join(VERSION_COLUMNS)} FROM ed_versions"
SELECT_VERSION = f"{_VERSIONS} WHERE article_id = ? AND n = ?"
SELECT_VERSIONS = f"{_VERSIONS} WHERE article_id = ? ORDER BY n"
NEXT_VERSION = "SELECT COALESCE(MAX(n), 0) + 1 FROM ed_versions WHERE article_id = ?"
INSERT_VERSION = (f"INSERT INTO ed_versions ({', '.join(VERSION_COLUMNS)}) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, NULL)")
SET_APPROVAL = "UPDATE ed_versions SET approval = ? WHERE article_id = ? AND n = ?"
SELECT_CONTRIBUTORS = """
SELECT actor FROM ed_audit WHERE article_id = :id
   AND action IN ('create', 'edit', 'regenerate', 'submit')
   AND seq > COALESCE((SELECT MAX(seq) FROM ed_audit WHERE article_id = :id
                        AND action = 'approve'), 0)
UNION
SELECT created_by FROM ed_versions WHERE article_id = :id
   AND n > COALESCE((SELECT MAX(n) FROM ed_versions WHERE article_id = :id
                      AND approval IS NOT NULL), 0)
"""
"""Who wrote, edited, regenerated or submitted a version since the last approval: from
the audit log, and from the versions themselves should an event be missing."""

INSERT_QUESTION = (
    "INSERT OR REPLACE INTO ed_questions (norm, question, article_id, embedding, added_by, "
    "added_at) VALUES (?, ?, ?, ?, ?, ?)"
)
SELECT_ARTICLE_QUESTIONS = ("SELECT question FROM ed_questions WHERE article_id = ? "
                            "ORDER BY added_at, question")
SELECT_QUESTIONS = (
    "SELECT q.question, q.article_id, q.embedding FROM ed_questions q "
    "JOIN ed_articles a ON a.id = q.article_id WHERE a.merged_into IS NULL"
)
MOVE_QUESTIONS = "UPDATE ed_questions SET article_id = ? WHERE article_id = ?"
DELETE_QUESTION = "DELETE FROM ed_questions WHERE norm = ? AND article_id = ?"

INSERT_COMMENT = (f"INSERT INTO ed_comments ({', '.join(COMMENT_COLUMNS[1:])}) "
                  "VALUES (?, ?, ?, ?, ?, ?)")
SELECT_COMMENTS = (f"SELECT {', '.join(COMMENT_COLUMNS)} FROM ed_comments "
                   "WHERE article_id = ? ORDER BY id")


class SQLiteArticleRepository:
    """Articles, versions, routed questions and comments in the store's SQLite database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reads -------------------------------------------------------------------------

    def get(self, article_id: int) -> dict[str, Any] | None:
        row = self.db.conn.execute(SELECT_ARTICLE, (article_id,)).fetchone()
        return dict(zip(ARTICLE_COLUMNS, row, strict=True)) if row else None

    def by_slug(self, slug: str) -> dict[str, Any] | None:
        row = self.db.conn.execute(SELECT_ARTICLE_BY_SLUG, (slug,)).fetchone()
        return dict(zip(ARTICLE_COLUMNS, row, strict=True)) if row else None

    def find(self, states: list[str]) -> list[dict[str, Any]]:
        """Articles not merged away (in ``states``, if any), most recently updated first."""
        sql = SELECT_ARTICLES
        if states:
            sql += f" AND state IN ({','.join('?' for _ in states)})"
        rows = self.db.conn.execute(sql + ORDER_ARTICLES, states)
        return [dict(zip(ARTICLE_COLUMNS, row, strict=True)) for row in rows]

    def questions(self, article_id: int) -> list[str]:
        return [r[0] for r in self.db.conn.execute(SELECT_ARTICLE_QUESTIONS, (article_id,))]

    def routed_questions(self) -> list[tuple[str, int, bytes | None]]:
        """``(question, article id, embedding)`` of every question of a live article."""
        return [(str(q), int(a), blob) for q, a, blob in self.db.conn.execute(SELECT_QUESTIONS)]

    def version(self, article_id: int, n: int) -> dict[str, Any] | None:
        row = self.db.conn.execute(SELECT_VERSION, (article_id, n)).fetchone()
        return dict(zip(VERSION_COLUMNS, row, strict=True)) if row else None

    def versions(self, article_id: int) -> list[dict[str, Any]]:
        return [dict(zip(VERSION_COLUMNS, row, strict=True))
                for row in self.db.conn.execute(SELECT_VERSIONS, (article_id,))]

    def contributors_since_approval(self, article_id: int) -> set[str]:
        return {str(r[0]) for r in self.db.conn.execute(SELECT_CONTRIBUTORS,
                                                        {"id": article_id})}

    def comments(self, article_id: int) -> list[dict[str, Any]]:
        return [dict(zip(COMMENT_COLUMNS, row, strict=True))
                for row in self.db.conn.execute(SELECT_COMMENTS, (article_id,))]

    # -- writes (inside the caller's transaction) --------------------------------------

    def insert(self, tx: Tx, slug: str, question: str, audience: str, topic: str,
               actor: str, now: str) -> int:
        cur = tx.execute(INSERT_ARTICLE, (slug, question, audience, topic, actor, now, now))
        return int(cur.lastrowid or 0)

    def taken_slugs(self, tx: Tx, slug: str) -> set[str]:
        """``slug`` and ``slug-*`` where taken."""
        return {r[0] for r in tx.execute(SELECT_TAKEN_SLUGS, (slug, f"{slug}-%"))}

    def add_question(self, tx: Tx, norm: str, question: str, article_id: int,
                     embedding: bytes | None, actor: str, now: str) -> None:
        tx.execute(INSERT_QUESTION, (norm, question, article_id, embedding, actor, now))

    def add_version(self, tx: Tx, article_id: int, reason: str, note: str, answer_json: str,
                    actor: str, now: str) -> int:
        """A new version, made the article's current one; its number."""
        n = int(tx.execute(NEXT_VERSION, (article_id,)).fetchone()[0])
        tx.execute(INSERT_VERSION, (article_id, n, reason, note, answer_json, actor, now))
        tx.execute(SET_CURRENT, (n, now, article_id))
        return n

    def set_state(self, tx: Tx, article_id: int, state: str, now: str,
                  columns: dict[str, Any]) -> None:
        """Move the article to ``state``, setting ``columns`` (of :data:`STATE_COLUMNS`)."""
        unknown = set(columns) - STATE_COLUMNS
        if unknown:
            raise ValueError(f"not a column a change of state sets: {sorted(unknown)}")
        sets = "".join(f", {name} = ?" for name in columns)
        tx.execute(SET_STATE.format(sets=sets), (state, now, *columns.values(), article_id))

    def approve_version(self, tx: Tx, article_id: int, n: int, approval_json: str) -> None:
        tx.execute(SET_APPROVAL, (approval_json, article_id, n))

    def set_stale(self, tx: Tx, article_id: int, reasons_json: str, since: str | None) -> None:
        tx.execute(SET_STALE, (reasons_json, since, article_id))

    def move_questions(self, tx: Tx, source: int, target: int, now: str) -> None:
        """Route ``source``'s questions to ``target`` and mark ``source`` merged into it."""
        tx.execute(MOVE_QUESTIONS, (target, source))
        tx.execute(SET_MERGED, (target, now, source))

    def remove_question(self, tx: Tx, norm: str, article_id: int) -> bool:
        return int(tx.execute(DELETE_QUESTION, (norm, article_id)).rowcount) > 0

    def add_comment(self, tx: Tx, article_id: int, version: int, target: str, body: str,
                    author: str, now: str) -> int:
        cur = tx.execute(INSERT_COMMENT, (article_id, version, target, body, author, now))
        return int(cur.lastrowid or 0)
