"""The review pages: login, the reviewers' queue, an article's review page (comment on a
sentence or reference, act on the workflow, edit a sentence with live verification) and
its history (versions, diff, audit log). Forms are plain POSTs carrying the session's
CSRF token; each success redirects (post/redirect/get)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from medcite.answer.audience import DEFAULT
from medcite.editorial.articles import diff_answers
from medcite.editorial.auth import DECISIONS, SESSION_SECONDS
from medcite.editorial.editing import check_edit
from medcite.editorial.errors import ForbiddenError, ThrottledError, UnauthorizedError
from medcite.editorial.models import STATE_LABELS, State, User
from medcite.editorial.workflow import EDITABLE, VERBS, can, next_states, require
from medcite.errors import MedciteError
from medcite.web.editorial_auth import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Identity,
    check_csrf,
    clear_session_cookie,
    client_address,
    get_desk,
    identify,
    login_csrf,
    refuse_delegated_decision,
    set_login_csrf_cookie,
    set_session_cookie,
)
from medcite.web.pages import render

router = APIRouter(include_in_schema=False)
DECISION_STATES = {verb: state for state, verb in DECISIONS.items()}
VERB_LABELS = {
    "submit": "Submit for review", "withdraw": "Withdraw to draft",
    "start-review": "Start review", "request-changes": "Request changes",
    "approve": "Approve", "reject": "Reject", "publish": "Publish",
    "re-review": "Re-review", "unpublish": "Unpublish", "reopen": "Reopen as draft",
}
DONE_LABELS = {
    "submit": "Submitted", "withdraw": "Withdrawn", "start-review": "Review started",
    "request-changes": "Changes requested", "approve": "Approved", "reject": "Rejected",
    "publish": "Published", "re-review": "Re-review started", "unpublish": "Unpublished",
    "reopen": "Reopened",
}


async def read_form(request: Request) -> dict[str, str]:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    return {k: v[0] for k, v in form.items()}


def safe_next(value: str | None) -> str:
    """Only same-site paths: never redirect to another host after login."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/review"


def staff_or_login(request: Request) -> Identity | RedirectResponse:
    """The identity of a staff member, a redirect to the login page for anonymous
    visitors, or a 403 for other roles."""
    identity = identify(request)
    if identity.user is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    require(identity.user, "article.read_any")
    return identity


def page(request: Request, name: str, identity: Identity, status: int = 200,
         **context: Any) -> HTMLResponse:
    return render(request, name, status, user=identity.user, csrf=identity.csrf,
                  STATE_LABELS=STATE_LABELS, **context)


# -- login ------------------------------------------------------------------------------

@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "") -> HTMLResponse:
    token = login_csrf(request)
    response = page(request, "login.html", identify(request), next=safe_next(next),
                    login_csrf=token, error=None, username="")
    set_login_csrf_cookie(request, response, token)
    return response


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await read_form(request)
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    desk = get_desk(request)
    error, status, headers = None, 200, {}
    try:
        check_csrf(Identity(None, "session", csrf=token), form.get(CSRF_FIELD))
        user = await run_in_threadpool(desk.accounts.authenticate, form.get("username", ""),
                                       form.get("password", ""), client_address(request))
    except (UnauthorizedError, ThrottledError, ForbiddenError) as exc:
        error, status = str(exc), exc.http_status
        headers = exc.headers if isinstance(exc, ThrottledError) else {}
    if error is not None:
        fresh = login_csrf(request)
        response = page(request, "login.html", Identity(None), status,
                        next=safe_next(form.get("next")), login_csrf=fresh, error=error,
                        username=form.get("username", ""))
        response.headers.update(headers)  # a 429's Retry-After
        set_login_csrf_cookie(request, response, fresh)
        return response
    if old := request.cookies.get(SESSION_COOKIE):
        desk.accounts.revoke(old, user.username)  # no session fixation: always a new one
    session, _ = desk.accounts.new_token(user, "session", "web login", SESSION_SECONDS)
    redirect = RedirectResponse(safe_next(form.get("next")), status_code=303)
    set_session_cookie(request, redirect, session)
    return redirect


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await read_form(request)
    identity = identify(request)
    if identity.user is not None:
        check_csrf(identity, form.get(CSRF_FIELD))
        get_desk(request).accounts.revoke(identity.token, identity.user.username)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(request, response)
    return response


# -- queue ----------------------------------------------------------------------------

@router.get("/review", response_class=HTMLResponse)
def queue_page(request: Request) -> Response:
    identity = staff_or_login(request)
    if isinstance(identity, RedirectResponse):
        return identity
    items = get_desk(request).queue(identity.user)
    return page(request, "review_queue.html", identity, items=items, error=None)


@router.post("/review/new")
async def new_article(request: Request) -> Response:
    identity = staff_or_login(request)
    if isinstance(identity, RedirectResponse):
        return identity
    form = await read_form(request)
    check_csrf(identity, form.get(CSRF_FIELD))
    desk = get_desk(request)
    article, _ = await run_in_threadpool(desk.create, identity.user, form.get("question", ""),
                                         form.get("audience", DEFAULT))
    return RedirectResponse(f"/review/{article.id}", status_code=303)


# -- one article ----------------------------------------------------------------------

def action_buttons(user: User | None, state: State, blocked: set[str]
                   ) -> list[tuple[str, str]]:
    """``(verb, label)`` of what ``user`` may do from ``state``."""
    found: list[tuple[str, str]] = []
    for to in next_states(user, state):
        verb = VERBS.get((state, to)) or VERBS[("under_review", to)]
        if verb not in blocked and (verb, VERB_LABELS[verb]) not in found:
            found.append((verb, VERB_LABELS[verb]))
    return found


def review_context(request: Request, identity: Identity, article_id: int,
                   n: int | None = None) -> dict[str, Any]:
    desk = get_desk(request)
    article, version = desk.view(identity.user, article_id, n)
    old = version.n != article.current_version  # an old version: read only
    user = identity.user
    blocked = set()
    if user is not None and not desk.may_approve(user, article_id):
        blocked.add("approve")  # nobody approves what they wrote, edited or submitted
    sections = [("Bottom line", version.answer.summary)] + [
        (s.title, s.sentences) for s in version.answer.sections]
    numbered, i = [], 0
    for title, sentences in sections:
        rows = []
        for sentence in sentences:
            rows.append((i, sentence))
            i += 1
        if rows:
            numbered.append((title, rows))
    comments = desk.comments(user, article_id)
    moves = [e for e in desk.history(user, article_id)
             if e.to_state == article.state and e.from_state != e.to_state]
    return {"article": article, "version": version, "sections": numbered,
            "decision": moves[-1] if moves else None, "DONE_LABELS": DONE_LABELS,
            "comments": comments, "old_version": old,
            "actions": [] if old else action_buttons(user, article.state, blocked),
            "self_blocked": "approve" in blocked and article.state in ("submitted",
                                                                       "under_review"),
            "can_edit": not old and can(user, "article.edit") and article.state in EDITABLE,
            "can_comment": not old and can(user, "comment.add"), "edit_error": None,
            "error": None}


@router.get("/review/{article_id}", response_class=HTMLResponse)
def review_page(request: Request, article_id: int, version: int | None = None) -> Response:
    """The current version to review, or (``?version=n``) an old one, read only."""
    identity = staff_or_login(request)
    if isinstance(identity, RedirectResponse):
        return identity
    return page(request, "review_article.html", identity,
                **review_context(request, identity, article_id, version))


@router.post("/review/{article_id}/{what}", response_class=HTMLResponse)
async def review_post(request: Request, article_id: int, what: str) -> Response:
    """The review page's forms: comment, action, edit, regenerate."""
    identity = staff_or_login(request)
    if isinstance(identity, RedirectResponse):
        return identity
    form = await read_form(request)
    check_csrf(identity, form.get(CSRF_FIELD))
    desk, user = get_desk(request), identity.user
    anchor = ""
    try:
        if what == "comment":
            await run_in_threadpool(desk.comment, user, article_id, form.get("target", "article"),
                                    form.get("body", ""))
            anchor = "#comments"
        elif what == "action":
            verb = form.get("verb", "")
            if verb in DECISION_STATES:  # a Bearer token works here too
                refuse_delegated_decision(request, article_id, DECISION_STATES[verb])
            await run_in_threadpool(desk.act, user, article_id, verb, form.get("note", ""))
        elif what == "edit":
            index = int(form.get("index", "-1") or -1)
            await run_in_threadpool(desk.edit_sentence, user, article_id, index,
                                    form.get("text", ""))
            anchor = f"#s{index}"
        elif what == "regenerate":
            await run_in_threadpool(desk.regenerate, user, article_id)
        else:
            return RedirectResponse(f"/review/{article_id}", status_code=303)
    except MedciteError as exc:
        context = review_context(request, identity, article_id)
        if what == "edit":
            index = int(form.get("index", "-1") or -1)
            check = check_edit(context["version"].answer, index, form.get("text", ""))
            context["edit_error"] = {"index": index, "text": form.get("text", ""),
                                     "reasons": check.reasons or [exc.message]}
        context["error"] = str(exc) if what != "edit" else \
            "The edit was not saved: see the reason under the sentence."
        return page(request, "review_article.html", identity, exc.http_status, **context)
    return RedirectResponse(f"/review/{article_id}{anchor}", status_code=303)


@router.get("/review/{article_id}/history", response_class=HTMLResponse)
def history_page(request: Request, article_id: int, a: int | None = None,
                 b: int | None = None) -> Response:
    identity = staff_or_login(request)
    if isinstance(identity, RedirectResponse):
        return identity
    desk = get_desk(request)
    article = desk.articles.get(article_id)
    versions = desk.versions(identity.user, article_id)
    new = b or article.current_version
    old = a or max(1, new - 1)
    by_n = {v.n: v for v in versions}
    lines = diff_answers(by_n[old].answer, by_n[new].answer) if old in by_n and new in by_n \
        else []
    return page(request, "history.html", identity, article=article, versions=versions,
                events=desk.history(identity.user, article_id), diff=lines, a=old, b=new)
