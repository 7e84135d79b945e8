"""A question as medcite accepts it: whitespace collapsed, not empty, not over-long.

Every way in (the service, the editorial desk, the web forms' limits) checks questions
with these, so all of them reject the same questions with the same words.
"""

from __future__ import annotations

from medcite.errors import InvalidRequestError

MAX_QUESTION_CHARS = 2000


def clean_question(question: str) -> str:
    """The question with whitespace collapsed; empty or over-long questions are errors."""
    question = " ".join(question.split())
    if not question:
        raise InvalidRequestError("The question is empty.", "Ask a clinical question.")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidRequestError(
            f"The question is {len(question)} characters long; the limit is "
            f"{MAX_QUESTION_CHARS}.", "Shorten it to the clinical question itself.")
    return question
