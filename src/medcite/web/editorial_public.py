"""The public side of the editorial workflow: published articles at stable, readable URLs
(``/articles/<slug>``), an index of them by topic, and ``/sitemap.xml``.

Everyone sees the published version of a published article, with its review status,
reviewer and dates (:meth:`~medcite.editorial.desk.Desk.public_view`: display names only);
a withdrawn article answers 410 with the date and reason. Editorial staff also see
unpublished articles (their current version, under the "pending human review" banner)."""

from __future__ import annotations

from itertools import groupby
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from medcite.answer.audience import policy
from medcite.editorial.articles import TOPICS
from medcite.editorial.errors import GoneError, UnauthorizedError
from medcite.editorial.models import Approval, Article, PublicApproval
from medcite.editorial.workflow import can
from medcite.errors import NotFoundError
from medcite.web.editorial_auth import Identity, get_desk, identify
from medcite.web.editorial_pages import page

router = APIRouter(include_in_schema=False)
STEPS = (("submitted", "Submitted"), ("under_review", "Under Review"), ("approved", "Approved"))
STEP_OF = {"draft": -1, "submitted": 0, "under_review": 1, "changes_requested": 1,
           "rejected": 1, "approved": 2, "published": 2}
PENDING_BANNER = ("Educational purpose only • Exercise caution as content is pending human "
                  "review by the Medical Advisory Board")
APPROVED_BANNER = "Reviewed and approved by the Medical Advisory Board"
REVISING = ("submitted", "under_review", "changes_requested", "draft")
"""States in which a newer version than the public one is being written or reviewed."""


def badge(state: str) -> list[tuple[str, str]]:
    """``(label, done|current|todo)`` for each review step, from the real state."""
    reached = STEP_OF.get(state, -1)
    status = []
    for i, (_, text) in enumerate(STEPS):
        status.append((text, "done" if i < reached or (i == reached == 2) else
                       "current" if i == reached else "todo"))
    return status


def published(articles: list[Article]) -> list[Article]:
    return [a for a in articles if a.published_version is not None]


@router.get("/articles", response_class=HTMLResponse)
def articles_index(request: Request) -> HTMLResponse:
    """Published articles grouped by topic (the type of their question)."""
    desk = get_desk(request)
    items = sorted(published(desk.articles.find()),
                   key=lambda a: (list(TOPICS.values()).index(a.topic)
                                  if a.topic in TOPICS.values() else 99, a.question.lower()))
    approvals = {a.id: desk.articles.version(a.id, a.published_version or 0).approval
                 for a in items}
    groups = [(topic, list(rows)) for topic, rows in groupby(items, key=lambda a: a.topic)]
    return page(request, "articles_index.html", identify(request), groups=groups,
                approvals=approvals)


@router.get("/articles/{slug}", response_class=HTMLResponse)
def article_page(request: Request, slug: str) -> Response:
    desk = get_desk(request)
    try:
        identity = identify(request)
    except UnauthorizedError:
        identity = None
    user = identity.user if identity else None
    article = desk.articles.by_slug(slug)
    if article is None:
        raise NotFoundError(f"No article at /articles/{slug}.", "See /articles for all of them.")
    if article.merged_into is not None:
        target = desk.articles.get(article.merged_into)
        return RedirectResponse(f"/articles/{target.slug}", status_code=301)
    staff = can(user, "article.read_any")
    if staff:
        version = desk.articles.current(article)
        state, answer = article.state, version.answer
        approval: Approval | PublicApproval | None = version.approval
        approved = state in ("approved", "published") and approval is not None
        n, updated, rejected = version.n, version.created_at, None
    else:
        try:
            public = desk.public_view(article)
        except GoneError as exc:
            return page(request, "article_gone.html", Identity(None), 410, article=article,
                        message=exc.message)
        state, answer, approval = "published", public.answer, public.approval
        approved = approval is not None
        n, updated, rejected = public.version, public.updated_at, public.revision_rejected_at
    if approved:
        answer = answer.model_copy(update={
            "disclaimer": policy(answer.audience).reviewed_disclaimer})
    return page(request, "article.html", identity or Identity(None), article=article,
                n=n, updated_at=updated, approval=approval, answer=answer, state=state,
                steps=badge(state), approved=approved, staff=staff,
                banner=APPROVED_BANNER if approved else PENDING_BANNER,
                revision_rejected_at=rejected,
                rereview=None if staff or rejected or article.state not in REVISING else
                "newer" if article.current_version != n else "again")


@router.get("/sitemap.xml")
def sitemap(request: Request) -> Response:
    """The home page, the policy, the index and every published article."""
    desk = get_desk(request)
    base = str(request.base_url).rstrip("/")
    urls: list[tuple[str, str | None]] = [
        (f"{base}{path}", None) for path in ("/", "/editorial-policy", "/articles")]
    for article in published(desk.articles.find()):
        urls.append((f"{base}/articles/{article.slug}", article.updated_at[:10]))
    body = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, lastmod in urls:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        body.append(f"  <url><loc>{escape(loc)}</loc>{mod}</url>")
    body.append("</urlset>")
    return Response("\n".join(body) + "\n", media_type="application/xml")
