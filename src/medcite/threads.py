"""Follow-up threads: a question and its follow-ups, each answered in the thread's context.

A follow-up such as "what about in children?" or "and the dose?" names no topic; before
retrieval it is rewritten with the topic of the thread (the core of its first question)
unless it already mentions that topic's terms.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from medcite.answer.model import Answer
from medcite.errors import NotFoundError
from medcite.retrieve.query import understand
from medcite.store.protocols import ThreadRepository
from medcite.text.terms import stem_set


@dataclass(frozen=True)
class Turn:
    n: int
    question: str
    rewritten: str
    audience: str
    answer: Answer
    created_at: str


@dataclass(frozen=True)
class Thread:
    id: str
    topic: str
    created_at: str
    turns: tuple[Turn, ...]


_OPENER = re.compile(r"^(what about|how about|and what about|and|what of)\s+(.*)$", re.I)
_POSSESSIVE = re.compile(r"^(the|its|their|his|her|any|a|an)\b", re.I)


def rewrite_followup(question: str, topic: str) -> str:
    """The follow-up as a question of its own, from the thread's topic (the focus of its
    first question) and the new ask: "Which drugs are contraindicated?" in a thread on
    hypertension in pregnancy becomes "Which drugs are contraindicated in hypertension in
    pregnancy?". A follow-up that already names the topic is left as it is."""
    topic_terms = stem_set(topic)
    if not topic_terms or topic_terms & stem_set(question):
        return question
    ask = question.strip().rstrip(" ?.")
    opener = _OPENER.match(ask)
    if opener:
        head, rest = opener.group(1), opener.group(2)
        if _POSSESSIVE.match(rest):
            return f"{head} {rest} for {topic}?"
        return f"{head} {topic} {rest}?"
    joint = "for" if re.search(r"\bin\b", ask) else "in"
    return f"{ask} {joint} {topic}?"


class ThreadStore:
    """Threads and their turns, kept through a :class:`ThreadRepository`."""

    def __init__(self, repository: ThreadRepository) -> None:
        self.repository = repository

    def create(self, question: str) -> str:
        thread_id = secrets.token_urlsafe(9)
        self.repository.create(thread_id, understand(question).focus, _now())
        return thread_id

    def topic(self, thread_id: str) -> str:
        row = self.repository.get(thread_id)
        if row is None:
            raise NotFoundError(f"No thread {thread_id!r}.", "Start a new question instead.")
        return row.topic

    def add_turn(self, thread_id: str, question: str, rewritten: str, answer: Answer) -> int:
        return self.repository.add_turn(thread_id, question, rewritten, answer.audience,
                                        answer.model_dump_json(), _now())

    def get(self, thread_id: str) -> Thread:
        row = self.repository.get(thread_id)
        if row is None:
            raise NotFoundError(f"No thread {thread_id!r}.", "Check the link or ask again.")
        turns = tuple(Turn(t.n, t.question, t.rewritten, t.audience,
                           Answer.model_validate_json(t.answer_json), t.created_at)
                      for t in self.repository.turns(thread_id))
        return Thread(row.id, row.topic, row.created_at, turns)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
