"""The review workflow as data: which state may follow which, and who may move it.

``TRANSITIONS`` is the whole state machine; nothing else moves an article. Two rules
apply on top of it: nobody who wrote, edited or submitted any version since the article's
last approval may approve it (``check_transition``; so another editor's edit and
resubmission cannot launder the author's own work), and a reviewer acting on a *submitted*
article (commenting, approving, requesting changes, rejecting) first takes it under
review, which the audit log records as its own step.
"""

from __future__ import annotations

from collections.abc import Collection

from medcite.editorial.errors import ForbiddenError, UnauthorizedError, WorkflowError
from medcite.editorial.models import STATE_LABELS, Role, State, User

STAFF: frozenset[Role] = frozenset({"admin", "editor", "reviewer"})
EDITORS: frozenset[Role] = frozenset({"admin", "editor"})
REVIEWERS: frozenset[Role] = frozenset({"admin", "reviewer"})

TRANSITIONS: dict[tuple[State, State], frozenset[Role]] = {
    ("draft", "submitted"): EDITORS,
    ("submitted", "draft"): EDITORS,  # withdraw
    ("submitted", "under_review"): REVIEWERS,
    ("under_review", "changes_requested"): REVIEWERS,
    ("under_review", "approved"): REVIEWERS,
    ("under_review", "rejected"): REVIEWERS,
    ("changes_requested", "submitted"): EDITORS,
    ("approved", "published"): EDITORS,
    ("approved", "under_review"): REVIEWERS,  # re-review (e.g. new evidence)
    ("published", "under_review"): REVIEWERS,  # re-review; the public keeps the last approval
    ("published", "approved"): EDITORS,  # unpublish
    ("rejected", "draft"): EDITORS,  # reopen
}
"""``(from, to) -> roles allowed``: the editorial policy page documents every row."""

VERBS: dict[tuple[State, State], str] = {
    ("draft", "submitted"): "submit", ("submitted", "draft"): "withdraw",
    ("submitted", "under_review"): "start-review",
    ("under_review", "changes_requested"): "request-changes",
    ("under_review", "approved"): "approve", ("under_review", "rejected"): "reject",
    ("changes_requested", "submitted"): "submit", ("approved", "published"): "publish",
    ("approved", "under_review"): "re-review", ("published", "under_review"): "re-review",
    ("published", "approved"): "unpublish", ("rejected", "draft"): "reopen",
}
"""The verb of each transition, as the CLI, the review page and the audit log name it."""
ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(VERBS.values()))

EDITABLE: frozenset[State] = frozenset({"draft", "changes_requested"})
"""States in which an editor may edit sentences or regenerate the answer."""
REVIEW_ACTIONS: frozenset[State] = frozenset({"changes_requested", "approved", "rejected"})
SELF_APPROVAL = ("You cannot approve an article you wrote, edited or submitted since its "
                 "last approval.")

PERMISSIONS: dict[str, frozenset[Role]] = {
    "article.read_any": STAFF,  # drafts and every version; others see published articles only
    "article.create": EDITORS,
    "article.edit": EDITORS,
    "article.merge": EDITORS,
    "comment.add": STAFF,
    "queue.read": STAFF,
    "audit.read": STAFF,
    "audit.export": EDITORS,
    "users.manage": frozenset({"admin"}),
}
"""Non-transition actions and the roles allowed to take them."""


def label(state: str) -> str:
    return STATE_LABELS.get(state, state)


def require(user: User | None, permission: str) -> User:
    """``user`` if their role grants ``permission``; else a 401 (anonymous) or 403."""
    if user is None:
        raise UnauthorizedError("You need to log in for this.",
                                "POST /api/v1/auth/login, or log in at /login.")
    if user.role not in PERMISSIONS[permission]:
        raise ForbiddenError(
            f"Your role ({user.role}) does not allow this ({permission}).",
            f"It needs one of: {', '.join(sorted(PERMISSIONS[permission]))}.")
    return user


def can(user: User | None, permission: str) -> bool:
    return user is not None and user.role in PERMISSIONS[permission]


def check_transition(user: User, state: State, to: State,
                     contributors: Collection[str] = ()) -> None:
    """Raise unless ``user`` may move an article from ``state`` to ``to``;
    ``contributors`` wrote, edited or submitted a version since the last approval."""
    roles = TRANSITIONS.get((state, to))
    if roles is None:
        allowed = [label(b) for (a, b) in TRANSITIONS if a == state]
        raise WorkflowError(
            f"An article that is {label(state)} cannot become {label(to)}.",
            f"From {label(state)} it can become: {', '.join(allowed) or 'nothing'}.")
    if user.role not in roles:
        raise ForbiddenError(
            f"Your role ({user.role}) cannot move an article from {label(state)} to "
            f"{label(to)}.", f"That needs one of: {', '.join(sorted(roles))}.")
    if (state, to) == ("under_review", "approved") and not may_approve(user, contributors):
        raise ForbiddenError(SELF_APPROVAL,
                             "Another reviewer of the Medical Advisory Board must approve it.")


def may_approve(user: User, contributors: Collection[str]) -> bool:
    """Whether ``user`` is none of ``contributors`` (usernames compare without case)."""
    return user.username.lower() not in {name.lower() for name in contributors}


def next_states(user: User | None, state: State) -> list[State]:
    """The states ``user`` may move an article to from ``state`` (before the
    self-approval rule, which also depends on who submitted it)."""
    if user is None:
        return []
    found = [b for (a, b), roles in TRANSITIONS.items() if a == state and user.role in roles]
    if state == "submitted" and user.role in TRANSITIONS[("submitted", "under_review")]:
        found += [b for (a, b), roles in TRANSITIONS.items()
                  if a == "under_review" and b in REVIEW_ACTIONS and user.role in roles]
    return found


def target_of(verb: str, state: State) -> State:
    """The state ``verb`` leads to from ``state`` (a reviewer's verb on a submitted
    article is read as acting after taking it under review)."""
    for (a, b), name in VERBS.items():
        if name == verb and (a == state or (state == "submitted" and a == "under_review"
                                            and b in REVIEW_ACTIONS)):
            return b
    if verb not in ACTIONS:
        raise WorkflowError(f"Unknown action {verb!r}.", f"Use one of: {', '.join(ACTIONS)}.")
    raise WorkflowError(f"{verb!r} is not possible on an article that is {label(state)}.",
                        f"From {label(state)} it can: "
                        f"{', '.join(VERBS[k] for k in VERBS if k[0] == state) or 'nothing'}.")
