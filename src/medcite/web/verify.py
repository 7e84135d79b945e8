"""Verification on the web: ``POST /api/v1/verify`` checks sentences against the passages
given with them (the shape of ``medcite verify --batch``), and the ``/verify`` page checks
a pasted answer against the documents its references name."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from medcite.answer.entities import Lexicon
from medcite.answer.pasted import MAX_ANSWER_CHARS
from medcite.answer.verify import check_json, check_sentence
from medcite.service import Medcite
from medcite.web.errors import ERROR_RESPONSES

MAX_ITEMS = 1000
MAX_SENTENCE_CHARS = 5_000
MAX_PASSAGES = 100
MAX_PASSAGE_CHARS = 50_000

api = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
pages = APIRouter(include_in_schema=False)


class VerifyItem(BaseModel):
    """One sentence and the passages it cites."""

    model_config = ConfigDict(extra="forbid", strict=True)  # an id of true is not 1

    id: str | int | None = Field(None, description="Echoed back with the result.")
    sentence: str = Field(min_length=1, max_length=MAX_SENTENCE_CHARS)
    passages: list[Annotated[str, Field(max_length=MAX_PASSAGE_CHARS)]] = Field(
        min_length=1, max_length=MAX_PASSAGES)


class VerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    items: list[VerifyItem] = Field(min_length=1, max_length=MAX_ITEMS)


class ReasonOut(BaseModel):
    code: str = Field(description="negation, direction, comparison_order, strength, entity, "
                                  "number, unsupported (or judge, with a model judge).")
    detail: str


class VerifyResult(BaseModel):
    id: str | int | None
    supported: bool
    status: str = Field(description="supported, not_supported or changed_meaning.")
    reasons: list[ReasonOut]
    passage_sentence: str | None = Field(description="The passage sentence the sentence was "
                                                     "aligned to.")
    passage_index: int | None = Field(description="Which of the given passages it is in.")
    support: float = Field(description="Share of the sentence's terms in the passages.")


class VerifyOut(BaseModel):
    ok: bool = True
    results: list[VerifyResult]


def _service(request: Request) -> Medcite:
    return request.app.state.service


def lexicon_of(request: Request) -> Lexicon:
    """The store's drug and condition names (built once, by the service)."""
    return _service(request).lexicon


@api.post("/verify", response_model=VerifyOut, summary="Verify sentences against passages")
def verify(body: VerifyRequest, request: Request) -> VerifyOut:
    """For each item, whether its passages support its sentence — terms, numbers, and
    meaning (negation, direction, comparison order, strength, entities) — with the reasons
    and the passage sentence it was aligned to."""
    lexicon = lexicon_of(request)
    results = [VerifyResult.model_validate(
        {"id": item.id, **check_json(check_sentence(item.sentence, item.passages,
                                                    lexicon=lexicon))})
        for item in body.items]
    return VerifyOut(results=results)


def _render(request: Request, status: int = 200, **context: object) -> HTMLResponse:
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, "verify.html", {"answer": "", "report": None, "error": None,
                                 "max_chars": MAX_ANSWER_CHARS, **context},
        status_code=status)
    return response


@pages.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request) -> HTMLResponse:
    return _render(request)


@pages.post("/verify", response_class=HTMLResponse)
async def verify_pasted_page(request: Request) -> HTMLResponse:
    """The pasted answer, each sentence marked supported, not supported or changed
    meaning, with the passage sentence it was compared with."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    answer = (form.get("answer") or [""])[0]
    if not answer.strip():
        return _render(request, 422, error="Paste an answer with [n] citations and its "
                                           "numbered references.")
    report = await run_in_threadpool(_service(request).verify_pasted, answer)
    return _render(request, answer=answer, report=report)
