"""The editorial desk: every workflow action, checked against the actor's role and the
article's state, and written together with its audit event. The CLI, the API and the
review pages call only this."""

from __future__ import annotations

import sqlite3

import numpy as np

from medcite.editorial import audit
from medcite.editorial.articles import Articles
from medcite.editorial.auth import Accounts
from medcite.editorial.editing import apply_edit, check_edit, sentence_at
from medcite.editorial.errors import VerificationError, WorkflowError
from medcite.editorial.models import Approval, Article, AuditEvent, Comment, State, User, Version
from medcite.editorial.workflow import (
    EDITABLE,
    REVIEW_ACTIONS,
    TRANSITIONS,
    VERBS,
    can,
    check_transition,
    label,
    require,
    target_of,
)
from medcite.errors import InvalidRequestError, NotFoundError
from medcite.service import Medcite, clean_question

MAX_COMMENT_CHARS = 4000
QUEUE_STATES: dict[str, tuple[str, ...]] = {
    "reviewer": ("submitted", "under_review"),
    "editor": ("draft", "submitted", "under_review", "changes_requested"),
    "admin": ("draft", "submitted", "under_review", "changes_requested"),
}


class Desk:
    """Editorial operations over one :class:`~medcite.service.Medcite`."""

    def __init__(self, service: Medcite) -> None:
        self.service = service
        self.store = service.store
        self.accounts = Accounts(service.store)
        self.articles = Articles(service.store)

    def embed(self, question: str) -> np.ndarray | None:
        dense = self.service.dense
        return None if dense is None else dense.embedder.embed([question], "query")[0]

    # -- articles ----------------------------------------------------------------------

    def create(self, user: User | None, question: str, audience: str = "clinician"
               ) -> tuple[Article, bool]:
        """The article for ``question``: an existing one it paraphrases (routed, True),
        else a new draft with the answer as version 1 (False)."""
        actor = require(user, "article.create").username
        if audience not in ("clinician", "patient"):
            raise InvalidRequestError(f"Unknown audience {audience!r}.",
                                      "Use 'clinician' or 'patient'.")
        question = clean_question(question)
        vector = self.embed(question)
        if (found := self._route(question, vector, actor)) is not None:
            return found, True
        answer = self.service.ask(question, audience, record=False)  # type: ignore[arg-type]
        with self.store.transaction() as conn:
            if (found := self._route(question, vector, actor)) is not None:
                return found, True  # created by someone else meanwhile
            article_id = self.articles.insert(conn, question, audience, actor)
            self.articles.add_question(conn, article_id, question, actor, vector)
            n = self.articles.add_version(conn, article_id, answer, "created", actor)
            audit.record(conn, actor, "create", article_id, None, "draft", n, question=question)
        return self.articles.get(article_id), False

    def _route(self, question: str, vector: np.ndarray | None, actor: str) -> Article | None:
        match = self.articles.route(question, vector)
        if match is None:
            return None
        article, sim = match
        if question not in article.questions:
            with self.store.transaction() as conn:
                self.articles.add_question(conn, article.id, question, actor, vector)
                audit.record(conn, actor, "route", article.id, version=article.current_version,
                             question=question, score=sim.score, lexical=sim.lexical,
                             semantic=sim.semantic)
        return self.articles.get(article.id)

    def view(self, user: User | None, article_id: int, n: int | None = None
             ) -> tuple[Article, Version]:
        """An article and a version of it: staff see any, everyone else only the
        published version of a published article (others are 'not found')."""
        article = self.articles.get(article_id)
        if can(user, "article.read_any"):
            return article, self.articles.version(article_id, n or article.current_version)
        if article.published_version is None or n not in (None, article.published_version):
            raise NotFoundError(f"No published article {article_id}.",
                                "Only published articles are public; see /articles.")
        return article, self.articles.version(article_id, article.published_version)

    def versions(self, user: User | None, article_id: int) -> list[Version]:
        require(user, "article.read_any")
        self.articles.get(article_id)
        return self.articles.versions(article_id)

    def queue(self, user: User | None) -> list[Article]:
        """What awaits the user: articles to review (or revise), and approved or
        published articles that new evidence has flagged for re-review."""
        user = require(user, "queue.read")
        items = self.articles.find(QUEUE_STATES[user.role])
        stale = [a for a in self.articles.find(("approved", "published")) if a.needs_review]
        return sorted(stale, key=lambda a: a.stale_since or "") + sorted(
            items, key=lambda a: a.updated_at)

    # -- workflow ----------------------------------------------------------------------

    def act(self, user: User | None, article_id: int, verb: str, note: str = "") -> Article:
        """Take the action ``verb`` (approve, request-changes, publish, ...)."""
        state = self.articles.get(article_id).state
        return self.transition(user, article_id, target_of(verb, state), note)

    def transition(self, user: User | None, article_id: int, to: State,
                   note: str = "") -> Article:
        user = require(user, "article.read_any")
        with self.store.transaction() as conn:
            article = self.articles.get(article_id)
            if article.merged_into is not None:
                raise WorkflowError(f"Article {article_id} was merged into article "
                                    f"{article.merged_into}.", "Act on that article instead.")
            steps: list[State] = [to]
            if article.state == "submitted" and to in REVIEW_ACTIONS:
                steps.insert(0, "under_review")
            version = self.articles.current(article)
            state = article.state
            for step in steps:
                check_transition(user, state, step, self.articles.submitted_by(article_id),
                                 version.created_by)
                self._apply(conn, user, article, version, state, step, note)
                state = step
        return self.articles.get(article_id)

    def _apply(self, conn: sqlite3.Connection, user: User, article: Article, version: Version,
               state: State, to: State, note: str) -> None:
        columns: dict[str, object] = {}
        if to == "approved" and state == "under_review":
            approval = Approval(username=user.username, name=user.name,
                                credentials=user.credentials, at=audit.now_iso())
            self.articles.approve_version(conn, article.id, version.n, approval)
            self.articles.set_stale(conn, article.id, [])
        if to == "published":
            columns["published_version"] = version.n
        if (state, to) == ("published", "approved"):
            columns["published_version"] = None
        self.articles.set_state(conn, article.id, to, **columns)
        audit.record(conn, user.username, VERBS[(state, to)], article.id, state, to, version.n,
                     **({"note": note} if note else {}))

    def comment(self, user: User | None, article_id: int, target: str, body: str) -> Comment:
        """A reviewer's (or editor's) comment on the article, a sentence or a reference."""
        actor = require(user, "comment.add")
        body = body.strip()
        if not body or len(body) > MAX_COMMENT_CHARS:
            raise InvalidRequestError("A comment needs text (at most "
                                      f"{MAX_COMMENT_CHARS} characters).", "Write the comment.")
        article = self.articles.get(article_id)
        self._check_target(self.articles.current(article), target)
        if article.state == "submitted" and actor.role in TRANSITIONS[("submitted",
                                                                        "under_review")]:
            self.transition(actor, article_id, "under_review")  # a reviewer starts reviewing
            article = self.articles.get(article_id)
        with self.store.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO ed_comments (article_id, version, target, body, author, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (article_id, article.current_version, target, body, actor.username,
                 audit.now_iso()))
            audit.record(conn, actor.username, "comment", article_id,
                         version=article.current_version, target=target, comment=body[:200])
        return next(c for c in self.comments(actor, article_id) if c.id == cur.lastrowid)

    @staticmethod
    def _check_target(version: Version, target: str) -> None:
        kind, _, value = target.partition(":")
        if kind == "article" and not value:
            return
        if kind == "sentence" and value.isdigit():
            sentence_at(version.answer, int(value))
            return
        if kind == "reference" and value.isdigit() and version.answer.reference(int(value)):
            return
        raise InvalidRequestError(f"Cannot comment on {target!r}.",
                                  "Target 'article', 'sentence:<i>' or 'reference:<n>'.")

    def comments(self, user: User | None, article_id: int) -> list[Comment]:
        require(user, "article.read_any")
        rows = self.store.conn.execute(
            "SELECT id, article_id, version, target, body, author, created_at FROM ed_comments "
            "WHERE article_id = ? ORDER BY id", (article_id,))
        keys = ("id", "article_id", "version", "target", "body", "author", "created_at")
        return [Comment.model_validate(dict(zip(keys, r, strict=True))) for r in rows]

    # -- revising ----------------------------------------------------------------------

    def _editable(self, user: User | None, article_id: int) -> tuple[User, Article]:
        actor = require(user, "article.edit")
        article = self.articles.get(article_id)
        if article.state not in EDITABLE:
            raise WorkflowError(
                f"The article is {label(article.state)}; it can be revised only as a Draft "
                "or when changes were requested.", "Ask a reviewer to request changes.")
        return actor, article

    def edit_sentence(self, user: User | None, article_id: int, index: int, text: str,
                      citations: list[int] | None = None, note: str = "") -> Version:
        """A new version with sentence ``index`` replaced, if the text passes verification."""
        actor, article = self._editable(user, article_id)
        old = self.articles.current(article)
        check = check_edit(old.answer, index, text, citations, self.service.lexicon)
        if not check.ok:
            raise VerificationError("The edit does not pass verification. " +
                                    " ".join(check.reasons),
                                    "Keep to what the cited passages say, or pick one of "
                                    "their sentences.")
        answer = apply_edit(old.answer, index, text, check.citations)
        before = sentence_at(old.answer, index).text
        with self.store.transaction() as conn:
            n = self.articles.add_version(conn, article_id, answer, "edited", actor.username,
                                          note or f"sentence {index}")
            audit.record(conn, actor.username, "edit", article_id, article.state,
                         article.state, n, sentence=index, before=before,
                         after=sentence_at(answer, index).text)
        return self.articles.version(article_id, n)

    def regenerate(self, user: User | None, article_id: int) -> Version:
        """A new version answered afresh from the current evidence."""
        actor, article = self._editable(user, article_id)
        answer = self.service.ask(article.question, article.audience,  # type: ignore[arg-type]
                                  record=False)
        with self.store.transaction() as conn:
            n = self.articles.add_version(conn, article_id, answer, "regenerated",
                                          actor.username)
            audit.record(conn, actor.username, "regenerate", article_id, article.state,
                         article.state, n)
        return self.articles.version(article_id, n)

    def merge(self, user: User | None, source_id: int, into_id: int) -> Article:
        """Route every question of ``source_id`` to ``into_id``; the source redirects."""
        actor = require(user, "article.merge")
        source, target = self.articles.get(source_id), self.articles.get(into_id)
        if source.id == target.id or source.merged_into or target.merged_into:
            raise WorkflowError("Merge two different articles that are not merged already.",
                                "Check the article ids.")
        with self.store.transaction() as conn:
            self.articles.move_questions(conn, source.id, target.id)
            audit.record(conn, actor.username, "merge", source.id, source.state, source.state,
                         source.current_version, into=target.id)
            audit.record(conn, actor.username, "merge", target.id, target.state, target.state,
                         target.current_version, merged=source.id, questions=source.questions)
        return self.articles.get(target.id)

    def split(self, user: User | None, article_id: int, question: str) -> Article:
        """Give a question routed to the article its own new (draft) article."""
        actor = require(user, "article.merge")
        article = self.articles.get(article_id)
        routed = [q for q in article.questions if q != article.question]
        if question not in routed:
            raise InvalidRequestError(
                "Split off one of the questions routed to the article, not its own.",
                f"Routed questions: {'; '.join(routed) or 'none'}.")
        answer = self.service.ask(question, article.audience,  # type: ignore[arg-type]
                                  record=False)
        vector = self.embed(question)
        with self.store.transaction() as conn:
            self.articles.remove_question(conn, article_id, question)
            new_id = self.articles.insert(conn, question, article.audience, actor.username)
            self.articles.add_question(conn, new_id, question, actor.username, vector)
            n = self.articles.add_version(conn, new_id, answer, "split", actor.username,
                                          f"split from article {article_id}")
            audit.record(conn, actor.username, "split", article_id, article.state,
                         article.state, article.current_version, question=question,
                         new_article=new_id)
            audit.record(conn, actor.username, "create", new_id, None, "draft", n,
                         question=question, split_from=article_id)
        return self.articles.get(new_id)

    def history(self, user: User | None, article_id: int) -> list[AuditEvent]:
        require(user, "audit.read")
        self.articles.get(article_id)
        return audit.events(self.store.conn, article_id)
