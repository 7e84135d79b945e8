"""The HTML pages: home, answer (streamed, or whole without JavaScript), thread, document,
editorial policy and the API reference. They call only :class:`medcite.service.Medcite`."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from medcite.answer.audience import CHOICES, DEFAULT, Audience
from medcite.errors import InvalidRequestError
from medcite.service import Medcite
from medcite.web.view import anchor

router = APIRouter(include_in_schema=False)
AUDIENCE_COOKIE = "medcite_audience"


def _service(request: Request) -> Medcite:
    return request.app.state.service


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, name, context, status_code=status)


def preferred_audience(request: Request, given: str | None = None) -> Audience:
    """The audience asked for, else the remembered one (cookie), else clinician."""
    value = given or request.cookies.get(AUDIENCE_COOKIE) or DEFAULT
    if value not in CHOICES:
        if given:
            raise InvalidRequestError(f"Unknown audience {given!r}.",
                                      "Use 'clinician' or 'patient'.")
        value = DEFAULT
    return Audience(value)


def ask_url(question: str, audience: str, nojs: bool = False) -> str:
    params = {"q": question, "audience": audience} | ({"nojs": "1"} if nojs else {})
    return "/ask?" + urlencode(params)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    documents = _service(request).stats()["documents"]
    return render(request, "home.html", audience=preferred_audience(request),
                  documents=documents)


@router.get("/ask", response_class=HTMLResponse)
def ask_page(
    request: Request,
    q: Annotated[str, Query()] = "",
    audience: Annotated[str | None, Query()] = None,
    nojs: Annotated[str, Query()] = "",
) -> Response:
    """Without ``nojs`` the page is a shell the script fills from the event stream;
    with it, the whole answer is rendered here."""
    question = " ".join(q.split())
    if not question:
        return RedirectResponse("/", status_code=303)
    chosen = preferred_audience(request, audience)
    service = _service(request)
    answer = service.ask(question, chosen) if nojs not in ("", "0") else None
    stream_url = "/api/v1/ask/stream?" + urlencode({"question": question, "audience": chosen})
    return render(request, "ask.html", question=question, audience=chosen, answer=answer,
                  stream_url=stream_url, nojs_url=ask_url(question, chosen, nojs=True))


@router.get("/threads/{thread_id}", response_class=HTMLResponse)
def thread_page(request: Request, thread_id: str) -> HTMLResponse:
    thread = _service(request).threads.get(thread_id)
    last = thread.turns[-1].audience if thread.turns else preferred_audience(request)
    return render(request, "thread.html", thread=thread, audience=last, error=None,
                  draft="")


@router.post("/threads/{thread_id}", response_class=HTMLResponse)
async def follow_up(request: Request, thread_id: str) -> Response:
    """A follow-up from the form: answered in the thread's context, then shown in it."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    question = (form.get("question") or [""])[0]
    audience = preferred_audience(request, (form.get("audience") or [""])[0] or None)
    service = _service(request)
    try:
        answer = await run_in_threadpool(service.ask, question, audience, thread_id)
    except InvalidRequestError as exc:
        thread = await run_in_threadpool(service.threads.get, thread_id)
        return render(request, "thread.html", status=exc.http_status, thread=thread,
                      audience=audience, error=str(exc), draft=question)
    return RedirectResponse(f"/threads/{thread_id}#turn-{answer.turn}", status_code=303)


@router.get("/documents/{doc_id:path}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str) -> HTMLResponse:
    document, passages = _service(request).document(doc_id)
    return render(request, "document.html", document=document, passages=passages,
                  anchor=anchor)


@router.get("/editorial-policy", response_class=HTMLResponse)
def editorial_policy(request: Request) -> HTMLResponse:
    return render(request, "policy.html")


@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The API reference, rendered here from the OpenAPI schema (no CDN assets)."""
    schema = request.app.openapi()
    return render(request, "api_docs.html", schema=schema)
