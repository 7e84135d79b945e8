"""The JSON API under ``/api/v1``: ask (whole or streamed), threads, search, documents,
health. Every error has the shape in :mod:`medcite.web.errors`."""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from medcite.answer.model import Answer, Audience
from medcite.errors import NotFoundError
from medcite.models import Document, Hit
from medcite.service import MAX_QUESTION_CHARS, Medcite
from medcite.threads import Thread
from medcite.web.errors import ERROR_RESPONSES
from medcite.web.sse import SSE_HEADERS, event_stream

THREAD_ID = r"^[A-Za-z0-9_-]{1,64}$"
router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


def get_service(request: Request) -> Medcite:
    return request.app.state.service


Service = Annotated[Medcite, Depends(get_service)]
Question = Field(min_length=1, max_length=MAX_QUESTION_CHARS,
                 description="The clinical question.")


class AskRequest(BaseModel):
    """A question, who it is for, and (for a follow-up) the thread it continues."""

    model_config = ConfigDict(extra="forbid", strict=True)

    question: str = Question
    audience: Audience = Field(Audience.CLINICIAN, strict=False,
                               description="Who the answer is written for.")
    thread_id: str | None = Field(None, pattern=THREAD_ID,
                                  description="Continue this thread (a follow-up).")
    record: bool = Field(True, description="Keep the question and answer as a thread turn "
                         "(false for scripts and load tests).")


class TurnOut(BaseModel):
    n: int
    question: str
    rewritten: str = Field(description="The question as retrieval saw it.")
    audience: Audience
    created_at: str
    answer: Answer


class ThreadOut(BaseModel):
    id: str
    topic: str
    created_at: str
    turns: list[TurnOut]


class SearchOut(BaseModel):
    query: str
    hits: list[Hit]


class PassageOut(BaseModel):
    id: str
    part: str
    n: int
    section: str
    text: str
    start: int
    end: int


class DocumentOut(BaseModel):
    document: Document
    passages: list[PassageOut]


class HealthOut(BaseModel):
    ok: bool
    version: str
    documents: int
    passages: int
    by_kind: dict[str, dict[str, int]]


def thread_out(thread: Thread) -> ThreadOut:
    turns = [TurnOut(n=t.n, question=t.question, rewritten=t.rewritten,
                     audience=t.audience,
                     created_at=t.created_at, answer=t.answer) for t in thread.turns]
    return ThreadOut(id=thread.id, topic=thread.topic, created_at=thread.created_at, turns=turns)


@router.post("/ask", response_model=Answer, summary="Answer a question")
def ask(body: AskRequest, service: Service) -> Answer:
    """A cited answer; the question (and answer) become a turn of a new or given thread."""
    return service.ask(body.question, body.audience, body.thread_id, record=body.record)


@router.get("/ask/stream", summary="Answer a question, streamed as server-sent events",
            response_class=StreamingResponse, responses={200: {
                "content": {"text/event-stream": {}},
                "description": "Events start, summary, section (one per section), references, "
                               "done (the whole answer); error if answering fails mid-stream."}})
def ask_stream(
    service: Service,
    question: Annotated[str, Query(min_length=1, max_length=MAX_QUESTION_CHARS)],
    audience: Annotated[Audience, Query()] = Audience.CLINICIAN,
    thread_id: Annotated[str | None, Query(pattern=THREAD_ID)] = None,
) -> StreamingResponse:
    """The answer in parts as they are ready. Bad input, an empty store and an unknown thread
    are ordinary HTTP errors: they are checked before the stream starts."""
    events = service.ask_stream(question, audience, thread_id)
    first = next(events)  # validates the question
    service.require_documents()
    if thread_id is not None:
        service.threads.topic(thread_id)
    return StreamingResponse(event_stream(first, events), media_type="text/event-stream",
                             headers=SSE_HEADERS)


@router.get("/threads/{thread_id}", response_model=ThreadOut, summary="Get a thread")
def get_thread(thread_id: str, service: Service) -> ThreadOut:
    """Every turn of a thread, in order, each with its answer."""
    return thread_out(service.threads.get(thread_id))


@router.get("/threads/{thread_id}/turns/{n}", response_model=Answer, summary="Get an answer")
def get_answer(thread_id: str, n: Annotated[int, Path(ge=1)], service: Service) -> Answer:
    """The answer of turn ``n`` of a thread."""
    for turn in service.threads.get(thread_id).turns:
        if turn.n == n:
            return turn.answer
    raise NotFoundError(f"Thread {thread_id!r} has no turn {n}.",
                        "GET the thread to see its turns.")


@router.get("/search", response_model=SearchOut, summary="Search passages")
def search(
    service: Service,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUESTION_CHARS)],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> SearchOut:
    """The best passage of each of the top ``k`` documents."""
    return SearchOut(query=q, hits=service.search(q, k))


@router.get("/documents/{doc_id:path}", response_model=DocumentOut, summary="Get a document")
def get_document(doc_id: str, service: Service) -> DocumentOut:
    """A document's metadata and text, and its passages (the units citations point to)."""
    document, found = service.document(doc_id)
    passages = [PassageOut(id=p.id, part=p.part, n=p.n, section=p.section, text=p.text,
                           start=p.start, end=p.end) for p in found]
    return DocumentOut(document=document, passages=passages)


@router.get("/health", response_model=HealthOut, summary="Health and counts")
def health(service: Service) -> dict[str, Any]:
    """Whether the server is up, and how many documents it can cite."""
    stats = service.stats()
    return {"ok": True, "version": version("medcite"), "documents": stats["documents"],
            "passages": stats["passages"], "by_kind": stats["by_kind"]}
