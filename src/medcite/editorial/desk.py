"""The editorial desk: every workflow action, checked against the actor's role and the
article's state, and written together with its audit event. The CLI, the API and the
review pages call only this.

An action refused for lack of the right (a 403, e.g. approving one's own work) is audited
too, as a ``denied`` event naming the action attempted and the reason.

What the public sees (:meth:`Desk.public_view`): the published version, which is always
one the Medical Advisory Board approved. A re-review that ends in rejection keeps the
last approved version public, with its approval date and "a revision was rejected on
...", when the rejected content is a later revision; when the board rejects the very
version that is public, or the editors unpublish it, the article is *withdrawn*: its
public URL answers 410 Gone with the date and a reason for the public (the reviewer's
note stays in the audit log), until a newly approved version is published."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import numpy as np

from medcite.answer.audience import CHOICES, Audience
from medcite.answer.lexicon import Lexicon
from medcite.answer.model import Answer
from medcite.answer.question import clean_question
from medcite.editorial import audit
from medcite.editorial.articles import Articles
from medcite.editorial.auth import Accounts
from medcite.editorial.editing import apply_edit, check_edit, sentence_at
from medcite.editorial.errors import ForbiddenError, GoneError, VerificationError, WorkflowError
from medcite.editorial.models import (
    Approval,
    Article,
    AuditEvent,
    Comment,
    PublicApproval,
    PublicArticle,
    State,
    User,
    Version,
)
from medcite.editorial.workflow import (
    EDITABLE,
    REVIEW_ACTIONS,
    TRANSITIONS,
    VERBS,
    can,
    check_transition,
    label,
    may_approve,
    require,
    target_of,
)
from medcite.errors import InvalidRequestError, NotFoundError
from medcite.index.dense import DenseIndex
from medcite.settings import Settings
from medcite.store.protocols import Tx
from medcite.store.sqlite import SQLiteStore

MAX_COMMENT_CHARS = 4000
QUEUE_STATES: dict[str, tuple[str, ...]] = {
    "reviewer": ("submitted", "under_review"),
    "editor": ("draft", "submitted", "under_review", "changes_requested"),
    "admin": ("draft", "submitted", "under_review", "changes_requested"),
}
WITHDRAWN_BY_BOARD = "The Medical Advisory Board withdrew its approval after a re-review."
WITHDRAWN_BY_EDITORS = "The editors took it off the site."
"""Public reasons for a withdrawal (a reviewer's note is written for editors, not readers)."""


class Engine(Protocol):
    """What the desk needs of :class:`medcite.service.Medcite`: its store, its embedder
    (to route paraphrases), its lexicon (to verify edits) and its answers."""

    store: SQLiteStore
    settings: Settings

    @property
    def dense(self) -> DenseIndex | None: ...

    @property
    def lexicon(self) -> Lexicon: ...

    def ask(self, question: str, audience: Audience = ..., thread_id: str | None = ...,
            record: bool = ..., engine: str | None = ...) -> Answer: ...


class Desk:
    """Editorial operations over one :class:`Engine` (a :class:`~medcite.service.Medcite`)."""

    def __init__(self, service: Engine) -> None:
        self.service = service
        self.store = service.store
        self.accounts = Accounts(service.store,
                                 token_days=service.settings.accounts.token_days)
        self.articles = Articles(service.store)

    def embed(self, question: str) -> np.ndarray | None:
        dense = self.service.dense
        return None if dense is None else dense.embedder.embed([question], "query")[0]

    # -- articles ----------------------------------------------------------------------

    def create(self, user: User | None, question: str, audience: str = Audience.CLINICIAN
               ) -> tuple[Article, bool]:
        """The article for ``question``: an existing one it paraphrases (routed, True),
        else a new draft with the answer as version 1 (False)."""
        with self._denials(user, "create"):
            actor = require(user, "article.create").username
        if audience not in CHOICES:
            raise InvalidRequestError(f"Unknown audience {audience!r}.",
                                      "Use 'clinician' or 'patient'.")
        question = clean_question(question)
        vector = self.embed(question)
        if (found := self._route(question, vector, actor)) is not None:
            return found, True
        answer = self.service.ask(question, Audience(audience), record=False)
        with self.store.transaction() as tx:
            if (found := self._route(question, vector, actor)) is not None:
                return found, True  # created by someone else meanwhile
            article_id = self.articles.insert(tx, question, audience, actor)
            self.articles.add_question(tx, article_id, question, actor, vector)
            n = self.articles.add_version(tx, article_id, answer, "created", actor)
            audit.record(tx, actor, "create", article_id, None, "draft", n, question=question)
        return self.articles.get(article_id), False

    def _route(self, question: str, vector: np.ndarray | None, actor: str) -> Article | None:
        match = self.articles.route(question, vector)
        if match is None:
            return None
        article, sim = match
        if question not in article.questions:
            with self.store.transaction() as tx:
                self.articles.add_question(tx, article.id, question, actor, vector)
                audit.record(tx, actor, "route", article.id, version=article.current_version,
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
            if n is None:
                self._public_or_raise(article)
            raise NotFoundError(f"No published article {article_id}.",
                                "Only published articles are public; see /articles.")
        return article, self.articles.version(article_id, article.published_version)

    @staticmethod
    def _public_or_raise(article: Article) -> int:
        """The published version of ``article``; else 410 if it was withdrawn, 404 if it
        was never published."""
        if article.published_version is not None:
            return article.published_version
        if article.withdrawn_at:
            raise GoneError(f"This article was withdrawn on {article.withdrawn_at[:10]}: "
                            f"{article.withdrawn_reason or WITHDRAWN_BY_EDITORS}",
                            "See /articles for the published articles.")
        raise NotFoundError(f"No published article at /articles/{article.slug}.",
                            "Only published articles are public; see /articles.")

    def public_view(self, article: Article) -> PublicArticle:
        """What everyone may read of ``article`` (410 if withdrawn, 404 if never
        published): the last approved version, display names only."""
        version = self.articles.version(article.id, self._public_or_raise(article))
        approval = version.approval
        rejected = self.articles.last_event_at(article.id, "reject") \
            if article.state == "rejected" else None
        return PublicArticle(
            slug=article.slug, url=f"/articles/{article.slug}", question=article.question,
            audience=article.audience, topic=article.topic, version=version.n,
            updated_at=version.created_at, revision_rejected_at=rejected,
            approval=PublicApproval(
                by=f"{approval.name}, {approval.credentials}" if approval.credentials
                else approval.name, name=approval.name, credentials=approval.credentials,
                at=approval.at) if approval else None,
            answer=version.answer)

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
        state = self.articles.get(article_id).state
        attempted = VERBS.get((state, to)) or VERBS.get(("under_review", to)) or to
        with self._denials(user, attempted, article_id):
            actor = require(user, "article.read_any")
            with self.store.transaction() as tx:
                article = self.articles.get(article_id)
                if article.merged_into is not None:
                    raise WorkflowError(f"Article {article_id} was merged into article "
                                        f"{article.merged_into}.",
                                        "Act on that article instead.")
                steps: list[State] = [to]
                if article.state == "submitted" and to in REVIEW_ACTIONS:
                    steps.insert(0, "under_review")
                version = self.articles.current(article)
                contributors = self.articles.contributors_since_approval(article_id)
                state = article.state
                for step in steps:
                    check_transition(actor, state, step, contributors)
                    self._apply(tx, actor, article, version, state, step, note)
                    state = step
        return self.articles.get(article_id)

    def may_approve(self, user: User | None, article_id: int) -> bool:
        """Whether ``user`` wrote, edited and submitted nothing of the article since its
        last approval (the rest of the rules: :func:`check_transition`)."""
        return user is not None and may_approve(
            user, self.articles.contributors_since_approval(article_id))

    @contextmanager
    def _denials(self, user: User | None, attempted: str,
                 article_id: int | None = None) -> Iterator[None]:
        """Audit a known user's refused action (403) before the refusal goes on."""
        try:
            yield
        except ForbiddenError as exc:
            if user is not None:
                with self.store.transaction() as tx:
                    audit.record(tx, user.username, "denied", article_id,
                                 attempted=attempted, reason=exc.message)
            raise

    def _apply(self, tx: Tx, user: User, article: Article, version: Version,
               state: State, to: State, note: str) -> None:
        columns: dict[str, object] = {}
        if to == "approved" and state == "under_review":
            approval = Approval(username=user.username, name=user.name,
                                credentials=user.credentials, at=audit.now_iso())
            self.articles.approve_version(tx, article.id, version.n, approval)
            self.articles.set_stale(tx, article.id, [])
        if to == "published":
            columns.update(published_version=version.n, withdrawn_at=None,
                           withdrawn_reason=None)
        withdrawn = WITHDRAWN_BY_EDITORS if (state, to) == ("published", "approved") else \
            WITHDRAWN_BY_BOARD if to == "rejected" and article.published_version == version.n \
            else None
        if withdrawn is not None:
            columns.update(published_version=None, withdrawn_at=audit.now_iso(),
                           withdrawn_reason=withdrawn)
        self.articles.set_state(tx, article.id, to, **columns)
        audit.record(tx, user.username, VERBS[(state, to)], article.id, state, to, version.n,
                     **({"note": note} if note else {}))

    def comment(self, user: User | None, article_id: int, target: str, body: str) -> Comment:
        """A reviewer's (or editor's) comment on the article, a sentence or a reference."""
        with self._denials(user, "comment", article_id):
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
        with self.store.transaction() as tx:
            comment_id = self.articles.add_comment(tx, article_id, article.current_version,
                                                   target, body, actor.username)
            audit.record(tx, actor.username, "comment", article_id,
                         version=article.current_version, target=target, comment=body[:200])
        return next(c for c in self.comments(actor, article_id) if c.id == comment_id)

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
        return self.articles.comments(article_id)

    # -- revising ----------------------------------------------------------------------

    def _editable(self, user: User | None, article_id: int, attempted: str
                  ) -> tuple[User, Article]:
        with self._denials(user, attempted, article_id):
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
        actor, article = self._editable(user, article_id, "edit")
        old = self.articles.current(article)
        check = check_edit(old.answer, index, text, citations, self.service.lexicon)
        if not check.ok:
            raise VerificationError("The edit does not pass verification. " +
                                    " ".join(check.reasons),
                                    "Keep to what the cited passages say, or pick one of "
                                    "their sentences.")
        answer = apply_edit(old.answer, index, text, check.citations)
        before = sentence_at(old.answer, index).text
        with self.store.transaction() as tx:
            n = self.articles.add_version(tx, article_id, answer, "edited", actor.username,
                                          note or f"sentence {index}")
            audit.record(tx, actor.username, "edit", article_id, article.state,
                         article.state, n, sentence=index, before=before,
                         after=sentence_at(answer, index).text)
        return self.articles.version(article_id, n)

    def regenerate(self, user: User | None, article_id: int) -> Version:
        """A new version answered afresh from the current evidence."""
        actor, article = self._editable(user, article_id, "regenerate")
        answer = self.service.ask(article.question, Audience(article.audience),
                                  record=False)
        with self.store.transaction() as tx:
            n = self.articles.add_version(tx, article_id, answer, "regenerated",
                                          actor.username)
            audit.record(tx, actor.username, "regenerate", article_id, article.state,
                         article.state, n)
        return self.articles.version(article_id, n)

    def merge(self, user: User | None, source_id: int, into_id: int) -> Article:
        """Route every question of ``source_id`` to ``into_id``; the source redirects."""
        with self._denials(user, "merge", source_id):
            actor = require(user, "article.merge")
        source, target = self.articles.get(source_id), self.articles.get(into_id)
        if source.id == target.id or source.merged_into or target.merged_into:
            raise WorkflowError("Merge two different articles that are not merged already.",
                                "Check the article ids.")
        with self.store.transaction() as tx:
            self.articles.move_questions(tx, source.id, target.id)
            audit.record(tx, actor.username, "merge", source.id, source.state, source.state,
                         source.current_version, into=target.id)
            audit.record(tx, actor.username, "merge", target.id, target.state, target.state,
                         target.current_version, merged=source.id, questions=source.questions)
        return self.articles.get(target.id)

    def split(self, user: User | None, article_id: int, question: str) -> Article:
        """Give a question routed to the article its own new (draft) article."""
        with self._denials(user, "split", article_id):
            actor = require(user, "article.merge")
        article = self.articles.get(article_id)
        routed = [q for q in article.questions if q != article.question]
        if question not in routed:
            raise InvalidRequestError(
                "Split off one of the questions routed to the article, not its own.",
                f"Routed questions: {'; '.join(routed) or 'none'}.")
        answer = self.service.ask(question, Audience(article.audience),
                                  record=False)
        vector = self.embed(question)
        with self.store.transaction() as tx:
            self.articles.remove_question(tx, article_id, question)
            new_id = self.articles.insert(tx, question, article.audience, actor.username)
            self.articles.add_question(tx, new_id, question, actor.username, vector)
            n = self.articles.add_version(tx, new_id, answer, "split", actor.username,
                                          f"split from article {article_id}")
            audit.record(tx, actor.username, "split", article_id, article.state,
                         article.state, article.current_version, question=question,
                         new_article=new_id)
            audit.record(tx, actor.username, "create", new_id, None, "draft", n,
                         question=question, split_from=article_id)
        return self.articles.get(new_id)

    def history(self, user: User | None, article_id: int) -> list[AuditEvent]:
        require(user, "audit.read")
        self.articles.get(article_id)
        return audit.events(self.store, article_id)

    def export_audit(self, user: User | None, fmt: str, article_id: int | None = None
                     ) -> list[str]:
        """The audit log as JSON Lines or CSV lines: of one article (staff), or the whole
        log (editors; the export itself is recorded)."""
        if fmt not in audit.EXPORT_FORMATS:
            raise InvalidRequestError(f"Unknown audit format {fmt!r}.",
                                      f"Use one of: {', '.join(audit.EXPORT_FORMATS)}.")
        if article_id is None:
            actor = require(user, "audit.export")
            with self.store.transaction() as tx:
                audit.record(tx, actor.username, "audit.export", format=fmt)
        else:
            self.history(user, article_id)
        return list(audit.export_lines(self.store, fmt, article_id))

    def verify_audit(self) -> audit.ChainCheck:
        """Whether the audit log's hash chain is whole (``medcite audit verify``)."""
        return audit.verify(self.store)
