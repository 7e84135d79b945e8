"""The editorial JSON API: ``/api/v1/auth`` (login for a Bearer token, logout, me) and
``/api/v1/articles`` (list, create, queue, get, versions, diff, comments, transitions,
sentence edits, merge, split, audit). Every endpoint checks the caller's role; errors
have the one shape of :mod:`medcite.web.errors`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from medcite.answer.audience import Audience
from medcite.editorial.articles import diff_answers
from medcite.editorial.auth import LOGIN_TOKEN_SECONDS
from medcite.editorial.editing import alternatives, check_edit
from medcite.editorial.models import (
    Article,
    AuditEvent,
    Comment,
    PublicArticle,
    State,
    User,
    Version,
)
from medcite.editorial.workflow import can, label, next_states, require
from medcite.service import MAX_QUESTION_CHARS
from medcite.web.editorial_auth import (
    CurrentUser,
    DeskDep,
    client_address,
    identify,
    logged_in,
    refuse_delegated_decision,
)
from medcite.web.errors import ERROR_RESPONSES, ErrorBody

AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "not logged in, or a bad token"},
    403: {"model": ErrorBody, "description": "the role does not allow it (or no CSRF token)"},
    429: {"model": ErrorBody, "description": "too many failed logins (see Retry-After)"},
}
router = APIRouter(prefix="/api/v1", responses={**ERROR_RESPONSES, **AUTH_ERRORS},
                   tags=["editorial"])
ANONYMOUS_TOO: dict[str, Any] = {"security": [{}]}
"""Added to the bearer/session requirement of routes that also answer anonymous callers."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    label: str = Field("", max_length=100, description="What the token is for.")


class PasswordRequest(Strict):
    current: str = Field(min_length=1, max_length=1024)
    new: str = Field(min_length=1, max_length=1024, description="At least 10 characters.")


class PasswordOut(BaseModel):
    ok: bool = True
    revoked: int = Field(description="Other sessions and tokens of yours now revoked.")


class LoginOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    user: User


class CreateRequest(Strict):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    audience: Audience = Field(Audience.CLINICIAN, strict=False)


class ArticleOut(BaseModel):
    article: Article
    url: str = Field(description="The public page (served once published).")
    state_label: str
    routed: bool | None = Field(None, description="On create: an existing article matched.")


class ArticleDetailOut(ArticleOut):
    version: Version
    next_states: list[State] = Field(default_factory=list,
                                     description="States the caller may move it to.")


class CommentRequest(Strict):
    target: str = Field("article", max_length=40,
                        description="article | sentence:<i> | reference:<n>")
    body: str = Field(min_length=1, max_length=4000)


class TransitionRequest(Strict):
    to: State
    note: str = Field("", max_length=2000)


class EditRequest(Strict):
    text: str = Field(min_length=1, max_length=2000)
    citations: list[int] | None = Field(None, description="Default: the sentence's own.")
    note: str = Field("", max_length=500)


class EditCheckOut(BaseModel):
    ok: bool
    support: float
    reasons: list[str]
    untraced: list[str]
    unsupported_terms: list[str]
    citations: list[int]


class MergeRequest(Strict):
    into: int


class SplitRequest(Strict):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)


class DiffOut(BaseModel):
    article_id: int
    from_version: int
    to_version: int
    lines: list[dict[str, str]]


def article_out(article: Article, routed: bool | None = None) -> ArticleOut:
    return ArticleOut(article=article, url=f"/articles/{article.slug}",
                      state_label=label(article.state), routed=routed)


# -- auth -------------------------------------------------------------------------------

@router.post("/auth/login", response_model=LoginOut, summary="Log in for an API token")
def login(body: LoginRequest, request: Request, desk: DeskDep) -> LoginOut:
    """A Bearer token for the API (30 days); failed logins are throttled."""
    user = desk.accounts.authenticate(body.username, body.password, client_address(request))
    token, _ = desk.accounts.new_token(user, "api", body.label or "api login",
                                       LOGIN_TOKEN_SECONDS)
    return LoginOut(token=token, expires_in=LOGIN_TOKEN_SECONDS, user=user)


@router.post("/auth/logout", summary="Revoke the token (or session) used")
def logout(request: Request, user: CurrentUser, desk: DeskDep) -> dict[str, bool]:
    actor = logged_in(user)
    desk.accounts.revoke(identify(request).token, actor.username)
    return {"ok": True}


@router.post("/auth/password", response_model=PasswordOut, summary="Change your password")
def change_password(body: PasswordRequest, request: Request, user: CurrentUser,
                    desk: DeskDep) -> PasswordOut:
    """Needs the current password (wrong guesses back off like logins); every other
    session and token of yours is revoked, the one used here stays."""
    identity = identify(request)
    revoked = desk.accounts.change_password(logged_in(user), body.current, body.new,
                                            client_address(request), identity.token)
    return PasswordOut(revoked=revoked)


@router.get("/auth/me", response_model=User, summary="Who am I")
def me(user: CurrentUser) -> User:
    return logged_in(user)


# -- articles -----------------------------------------------------------------------------

@router.get("/articles", response_model=list[ArticleOut] | list[PublicArticle],
            summary="List articles", openapi_extra=ANONYMOUS_TOO)
def list_articles(user: CurrentUser, desk: DeskDep,
                  state: Annotated[State | None, Query()] = None
                  ) -> list[ArticleOut] | list[PublicArticle]:
    """Published articles as the public sees them (display names only); staff see every
    article, optionally of one ``state``."""
    if can(user, "article.read_any"):
        return [article_out(a) for a in desk.articles.find([state] if state else None)]
    return [desk.public_view(a) for a in desk.articles.find() if a.published_version is not None]


@router.post("/articles", response_model=ArticleOut, status_code=201,
             summary="Create an article (or find the one it paraphrases)")
async def create_article(body: CreateRequest, user: CurrentUser, desk: DeskDep) -> ArticleOut:
    """A new draft answered from the evidence, unless the question paraphrases an
    existing article's question: then that article (``routed: true``)."""
    article, routed = await run_in_threadpool(desk.create, user, body.question, body.audience)
    return article_out(article, routed)


@router.get("/articles/queue", response_model=list[ArticleOut], summary="Reviewers' queue")
def queue(user: CurrentUser, desk: DeskDep) -> list[ArticleOut]:
    """Articles awaiting review (or revision), and approved ones flagged for re-review."""
    return [article_out(a) for a in desk.queue(user)]


EXPORT_CONTENT: dict[str, Any] = {"application/x-ndjson": {}, "text/csv": {}}
"""The media types of an audit export (format=jsonl or csv), declared in the OpenAPI."""


@router.get("/articles/audit", summary="Export the whole audit log",
            responses={200: {"content": EXPORT_CONTENT}},
            response_class=StreamingResponse)
def export_audit(user: CurrentUser, desk: DeskDep,
                 format: Annotated[Literal["jsonl", "csv"], Query()] = "jsonl"
                 ) -> StreamingResponse:
    """Every event, oldest first, as JSON Lines or CSV, each with its hash-chain link."""
    return _export(desk.export_audit(user, format), format, None)


def _export(lines: list[str], fmt: str, article_id: int | None) -> StreamingResponse:
    media = "text/csv" if fmt == "csv" else "application/x-ndjson"
    name = f"medcite-audit{'-' + str(article_id) if article_id else ''}.{fmt}"
    return StreamingResponse(iter(lines), media_type=media,
                             headers={"content-disposition": f'attachment; filename="{name}"'})


@router.get("/articles/{article_id}", response_model=ArticleDetailOut | PublicArticle,
            summary="Get an article", openapi_extra=ANONYMOUS_TOO, responses={
                410: {"model": ErrorBody, "description": "withdrawn from the public site"}})
def get_article(article_id: int, user: CurrentUser, desk: DeskDep,
                version: Annotated[int | None, Query(ge=1)] = None
                ) -> ArticleDetailOut | PublicArticle:
    """Staff get the current (or a given) version; everyone else the published one, as
    the public sees it (410 if it was withdrawn)."""
    article, shown = desk.view(user, article_id, version)
    if not can(user, "article.read_any"):
        return desk.public_view(article)
    return ArticleDetailOut(**article_out(article).model_dump(), version=shown,
                            next_states=next_states(user, article.state))


@router.get("/articles/{article_id}/versions", response_model=list[Version],
            summary="Every version of an article")
def versions(article_id: int, user: CurrentUser, desk: DeskDep) -> list[Version]:
    return desk.versions(user, article_id)


@router.get("/articles/{article_id}/versions/{n}", response_model=Version,
            summary="One version of an article")
def version(article_id: int, n: int, user: CurrentUser, desk: DeskDep) -> Version:
    require(user, "article.read_any")
    return desk.view(user, article_id, n)[1]


@router.get("/articles/{article_id}/diff", response_model=DiffOut, summary="Diff two versions")
def diff(article_id: int, user: CurrentUser, desk: DeskDep,
         from_: Annotated[int, Query(alias="from", ge=1)],
         to: Annotated[int | None, Query(ge=1)] = None) -> DiffOut:
    """Sentence by sentence (then references): ``-`` removed, ``+`` added, `` `` same."""
    require(user, "article.read_any")
    article = desk.articles.get(article_id)
    old = desk.articles.version(article_id, from_)
    new = desk.articles.version(article_id, to or article.current_version)
    lines = [{"op": d.op, "text": d.text} for d in diff_answers(old.answer, new.answer)]
    return DiffOut(article_id=article_id, from_version=old.n, to_version=new.n, lines=lines)


@router.get("/articles/{article_id}/comments", response_model=list[Comment],
            summary="Comments on an article")
def comments(article_id: int, user: CurrentUser, desk: DeskDep) -> list[Comment]:
    desk.articles.get(article_id)
    return desk.comments(user, article_id)


@router.post("/articles/{article_id}/comments", response_model=Comment, status_code=201,
             summary="Comment on the article, a sentence or a reference")
def add_comment(article_id: int, body: CommentRequest, user: CurrentUser,
                desk: DeskDep) -> Comment:
    return desk.comment(user, article_id, body.target, body.body)


@router.get("/articles/{article_id}/transitions", response_model=list[State],
            summary="States the caller may move the article to")
def transitions(article_id: int, user: CurrentUser, desk: DeskDep) -> list[State]:
    require(user, "article.read_any")
    return next_states(user, desk.articles.get(article_id).state)


@router.post("/articles/{article_id}/transitions", response_model=ArticleOut,
             summary="Move the article to another state")
def transition(article_id: int, body: TransitionRequest, request: Request, user: CurrentUser,
               desk: DeskDep) -> ArticleOut:
    """Allowed moves and roles: see the editorial policy; nobody approves their own
    submission, and approving or rejecting needs a token the reviewer minted."""
    refuse_delegated_decision(request, article_id, body.to)
    return article_out(desk.transition(user, article_id, body.to, body.note))


@router.post("/articles/{article_id}/sentences/{index}/verify", response_model=EditCheckOut,
             summary="Check an edited sentence without saving it")
def verify_sentence(article_id: int, index: int, body: EditRequest, user: CurrentUser,
                    desk: DeskDep) -> EditCheckOut:
    _, shown = desk.view(require(user, "comment.add"), article_id)
    check = check_edit(shown.answer, index, body.text, body.citations)
    return EditCheckOut(**check.__dict__)


@router.get("/articles/{article_id}/sentences/{index}/alternatives", response_model=list[str],
            summary="Verified sentences of the cited passages to choose instead")
def sentence_alternatives(article_id: int, index: int, user: CurrentUser,
                          desk: DeskDep) -> list[str]:
    _, shown = desk.view(require(user, "comment.add"), article_id)
    return alternatives(shown.answer, index)


@router.post("/articles/{article_id}/sentences/{index}", response_model=Version,
             summary="Edit a sentence (a new version; refused unless it verifies)")
def edit_sentence(article_id: int, index: int, body: EditRequest, user: CurrentUser,
                  desk: DeskDep) -> Version:
    return desk.edit_sentence(user, article_id, index, body.text, body.citations, body.note)


@router.post("/articles/{article_id}/regenerate", response_model=Version,
             summary="Answer again from the current evidence (a new version)")
async def regenerate(article_id: int, user: CurrentUser, desk: DeskDep) -> Version:
    return await run_in_threadpool(desk.regenerate, user, article_id)


@router.post("/articles/{article_id}/merge", response_model=ArticleOut,
             summary="Merge this article into another")
def merge(article_id: int, body: MergeRequest, user: CurrentUser, desk: DeskDep) -> ArticleOut:
    return article_out(desk.merge(user, article_id, body.into))


@router.post("/articles/{article_id}/split", response_model=ArticleOut, status_code=201,
             summary="Give a routed question its own article")
async def split(article_id: int, body: SplitRequest, user: CurrentUser,
                desk: DeskDep) -> ArticleOut:
    return article_out(await run_in_threadpool(desk.split, user, article_id, body.question))


@router.get("/articles/{article_id}/audit", summary="An article's audit events",
            response_model=list[AuditEvent], responses={200: {"content": EXPORT_CONTENT}})
def article_audit(article_id: int, user: CurrentUser, desk: DeskDep,
                  format: Annotated[Literal["json", "jsonl", "csv"], Query()] = "json"
                  ) -> Any:
    """As a JSON array, or exported as JSON Lines or CSV."""
    if format == "json":
        return desk.history(user, article_id)
    return _export(desk.export_audit(user, format, article_id), format, article_id)
