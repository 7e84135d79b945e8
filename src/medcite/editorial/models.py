"""The editorial objects: users, articles and their versions, comments, audit events."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from medcite.answer.model import Answer

Role = Literal["admin", "editor", "reviewer", "reader"]
ROLES: tuple[Role, ...] = ("admin", "editor", "reviewer", "reader")
State = Literal["draft", "submitted", "under_review", "changes_requested", "approved",
                "published", "rejected"]
STATES: tuple[State, ...] = ("draft", "submitted", "under_review", "changes_requested",
                             "approved", "published", "rejected")
STATE_LABELS: dict[str, str] = {
    "draft": "Draft", "submitted": "Submitted", "under_review": "Under Review",
    "changes_requested": "Changes Requested", "approved": "Approved", "published": "Published",
    "rejected": "Rejected",
}
SYSTEM_ACTOR = "medcite"
"""The actor of events medcite itself causes (staleness flags after an ingest)."""


class User(BaseModel):
    id: int
    username: str
    name: str
    credentials: str = Field("", description="Degrees and titles shown with an approval.")
    role: Role
    disabled: bool = False
    created_at: str = ""

    @property
    def display(self) -> str:
        """'Jane Roe, MD, FACP' — how an approver is named on a published page."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class Approval(BaseModel):
    username: str
    name: str
    credentials: str = ""
    at: str


class Version(BaseModel):
    article_id: int
    n: int
    reason: str = Field(description="created | regenerated | edited | split")
    note: str = ""
    created_by: str
    created_at: str
    approval: Approval | None = None
    answer: Answer


class Article(BaseModel):
    id: int
    slug: str
    question: str
    audience: str
    topic: str
    state: State
    current_version: int
    published_version: int | None = None
    merged_into: int | None = None
    stale_reasons: list[str] = Field(default_factory=list,
                                     description="Why it needs re-review; empty when current.")
    stale_since: str | None = None
    withdrawn_at: str | None = Field(None, description="When it last left the public site.")
    withdrawn_reason: str | None = Field(None, description="Why, in words for the public.")
    created_by: str
    created_at: str
    updated_at: str
    questions: list[str] = Field(default_factory=list,
                                 description="Every question routed to this article.")

    @property
    def needs_review(self) -> bool:
        return bool(self.stale_reasons)


class PublicApproval(BaseModel):
    """Who approved a published version, as the public sees them: no login username."""

    by: str = Field(description="Display name with credentials: 'Jane Roe, MD, FACP'.")
    name: str
    credentials: str = ""
    at: str


class PublicArticle(BaseModel):
    """What everyone may read of a published article: its last approved version, the
    approver's display name and credentials, and whether a later revision was rejected.
    No login usernames, workflow states, edit notes or routed questions."""

    slug: str
    url: str
    question: str
    audience: str
    topic: str
    version: int = Field(description="The number of the version shown.")
    updated_at: str = Field(description="When the version shown was written.")
    approval: PublicApproval | None = None
    revision_rejected_at: str | None = Field(
        None, description="When the Medical Advisory Board rejected a later revision; the "
        "version shown stays the last one it approved.")
    answer: Answer


class Comment(BaseModel):
    id: int
    article_id: int
    version: int
    target: str = Field(description="article | sentence:<i> | reference:<n>")
    body: str
    author: str
    created_at: str


class AuditEvent(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    article_id: int | None = None
    from_state: str | None = None
    to_state: str | None = None
    version: int | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str = Field("", description="The hash of the entry before (the chain link).")
    hash: str = Field("", description="SHA-256 of prev_hash and this entry's canonical JSON.")
