"""The JSON API in-process, over a real store: every endpoint, good and bad input, and one
error shape everywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medcite.answer.writer import DraftPart, DraftSection
from tests.web.conftest import FOLLOW_UP, QUESTION


def assert_error(response: httpx2.Response, status: int, code: str) -> dict[str, Any]:
    """The one error shape: exactly ``ok`` and ``error`` with exactly ``code`` and ``message``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"ok", "error"} and body["ok"] is False
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def sse_events(text: str) -> list[tuple[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


# -- ask ----------------------------------------------------------------------------------

def test_ask_returns_a_cited_answer_in_a_new_thread(client: TestClient) -> None:
    response = client.post("/api/v1/ask", json={"question": QUESTION})
    assert response.status_code == 200
    answer = response.json()
    assert answer["question"] == QUESTION and answer["audience"] == "clinician"
    assert answer["thread_id"] and answer["turn"] == 1
    kinds = {s["kind"] for s in answer["sections"]}
    assert "guidelines" in kinds and "research" in kinds
    numbers = {r["n"] for r in answer["references"]}
    assert numbers == set(range(1, len(numbers) + 1))
    passages = {p["passage_id"] for r in answer["references"] for p in r["passages"]}
    for sentence in answer["summary"] + [s for sec in answer["sections"] for s in sec["sentences"]]:
        assert sentence["citations"] and set(sentence["citations"]) <= numbers
        assert set(sentence["passage_ids"]) <= passages


def test_patient_audience_gets_the_patient_disclaimer(client: TestClient) -> None:
    answer = client.post("/api/v1/ask", json={"question": QUESTION, "audience": "patient"}).json()
    assert answer["audience"] == "patient"
    assert "not medical advice" in answer["disclaimer"]


def test_follow_up_is_rewritten_with_the_thread_topic_and_is_turn_two(client: TestClient) -> None:
    first = client.post("/api/v1/ask", json={"question": QUESTION}).json()
    second = client.post("/api/v1/ask", json={"question": FOLLOW_UP,
                                              "thread_id": first["thread_id"]}).json()
    assert second["thread_id"] == first["thread_id"] and second["turn"] == 2
    assert second["question"] == FOLLOW_UP
    assert second["asked_as"] and "hypertension" in second["asked_as"]


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"question": ""}, 422, "invalid_request"),
    ({"question": "   "}, 422, "invalid_request"),
    ({"question": "x" * 2001}, 422, "invalid_request"),
    ({"question": 42}, 422, "invalid_request"),
    ({"question": ["a list"]}, 422, "invalid_request"),
    ({}, 422, "invalid_request"),
    ({"question": QUESTION, "audience": "robot"}, 422, "invalid_request"),
    ({"question": QUESTION, "audience": 1}, 422, "invalid_request"),
    ({"question": QUESTION, "thread_id": 7}, 422, "invalid_request"),
    ({"question": QUESTION, "thread_id": "../../etc"}, 422, "invalid_request"),
    ({"question": QUESTION, "unknown": True}, 422, "invalid_request"),
    ({"question": QUESTION, "thread_id": "nosuchthread"}, 404, "not_found"),
])
def test_ask_rejects_bad_input(client: TestClient, body: dict[str, Any], status: int,
                               code: str) -> None:
    assert_error(client.post("/api/v1/ask", json=body), status, code)


def test_over_long_question_says_where_the_limit_is(client: TestClient) -> None:
    error = assert_error(client.post("/api/v1/ask", json={"question": "x" * 2001}), 422,
                         "invalid_request")
    assert "question" in error["message"] and "2000" in error["message"]


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post("/api/v1/ask", content=b'{"question": ',
                           headers={"content-type": "application/json"})
    assert_error(response, 400, "invalid_json")


def test_body_over_the_limit_is_413_before_parsing(client: TestClient) -> None:
    big = b'{"question": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    response = client.post("/api/v1/ask", content=big,
                           headers={"content-type": "application/json"})
    assert_error(response, 413, "payload_too_large")


def test_chunked_body_over_the_limit_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(40):
            yield b"x" * 4096
        yield b'"}'

    request = client.build_request("POST", "/api/v1/ask", content=chunks(),
                                   headers={"content-type": "application/json"})
    assert "content-length" not in request.headers
    assert request.headers["transfer-encoding"] == "chunked"
    assert_error(client.send(request), 413, "payload_too_large")


def test_chunked_body_under_the_limit_is_read(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": '
        yield json.dumps(QUESTION).encode()
        yield b"}"

    request = client.build_request("POST", "/api/v1/ask", content=chunks(),
                                   headers={"content-type": "application/json"})
    response = client.send(request)
    assert response.status_code == 200 and response.json()["question"] == QUESTION


def test_empty_store_is_409(empty_client: TestClient) -> None:
    error = assert_error(empty_client.post("/api/v1/ask", json={"question": QUESTION}), 409,
                         "empty_store")
    assert "medcite ingest" in error["message"]
    assert_error(empty_client.get("/api/v1/search", params={"q": "x"}), 409, "empty_store")
    assert_error(empty_client.get("/api/v1/ask/stream", params={"question": QUESTION}), 409,
                 "empty_store")
    health = empty_client.get("/api/v1/health").json()
    assert health["ok"] is True and health["documents"] == 0


# -- stream -------------------------------------------------------------------------------

def test_stream_sends_events_in_order(client: TestClient) -> None:
    response = client.get("/api/v1/ask/stream", params={"question": QUESTION})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    names = [name for name, _ in events]
    assert names[0] == "start" and names[1] == "summary"
    assert names[-2:] == ["references", "done"]
    assert set(names[2:-2]) == {"section"} and len(names) >= 5
    start, summary, done = events[0][1], events[1][1], events[-1][1]
    assert start["question"] == QUESTION
    assert summary["status"] == "answered" and summary["summary"]
    assert [data["title"] for name, data in events if name == "section"] == [
        s["title"] for s in done["sections"]]
    assert events[-2][1] == done["references"]
    assert done["thread_id"] and done["turn"] == 1


def test_stream_continues_a_thread(client: TestClient) -> None:
    first = client.post("/api/v1/ask", json={"question": QUESTION}).json()
    response = client.get("/api/v1/ask/stream", params={
        "question": FOLLOW_UP, "audience": "patient", "thread_id": first["thread_id"]})
    done = sse_events(response.text)[-1][1]
    assert done["turn"] == 2 and done["audience"] == "patient" and done["asked_as"]


@pytest.mark.parametrize(("params", "status", "code"), [
    ({}, 422, "invalid_request"),
    ({"question": ""}, 422, "invalid_request"),
    ({"question": "   "}, 422, "invalid_request"),
    ({"question": "x" * 2001}, 422, "invalid_request"),
    ({"question": QUESTION, "audience": "robot"}, 422, "invalid_request"),
    ({"question": QUESTION, "thread_id": "nosuchthread"}, 404, "not_found"),
])
def test_stream_rejects_bad_input_before_streaming(client: TestClient, params: dict[str, str],
                                                   status: int, code: str) -> None:
    assert_error(client.get("/api/v1/ask/stream", params=params), status, code)


def test_stream_failure_mid_answer_is_an_error_event(app: FastAPI, client: TestClient,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        """A writer that fails after its bottom line reached the reader."""

        name = "broken"

        def write(self, evidence: Any) -> Iterator[DraftPart]:
            yield DraftSection("summary", "", [])
            raise RuntimeError("engine broke")

    monkeypatch.setattr(app.state.service, "writer", lambda engine=None: Broken())
    events = sse_events(client.get("/api/v1/ask/stream", params={"question": QUESTION}).text)
    assert [name for name, _ in events] == ["start", "summary", "error"]
    error = events[2][1]
    assert error["ok"] is False and error["error"]["code"] == "internal"
    assert "engine broke" not in error["error"]["message"]


# -- threads and answers ------------------------------------------------------------------

def test_thread_lists_every_turn_in_order(client: TestClient) -> None:
    first = client.post("/api/v1/ask", json={"question": QUESTION}).json()
    client.post("/api/v1/ask", json={"question": FOLLOW_UP, "thread_id": first["thread_id"],
                                     "audience": "patient"})
    thread = client.get(f"/api/v1/threads/{first['thread_id']}").json()
    assert set(thread) == {"id", "topic", "created_at", "turns"}
    assert thread["id"] == first["thread_id"] and "hypertension" in thread["topic"]
    assert [t["n"] for t in thread["turns"]] == [1, 2]
    assert [t["question"] for t in thread["turns"]] == [QUESTION, FOLLOW_UP]
    assert thread["turns"][1]["rewritten"] != FOLLOW_UP
    assert [t["audience"] for t in thread["turns"]] == ["clinician", "patient"]
    assert thread["turns"][0]["answer"]["references"] == first["references"]


def test_get_answer_of_a_turn(client: TestClient) -> None:
    first = client.post("/api/v1/ask", json={"question": QUESTION}).json()
    answer = client.get(f"/api/v1/threads/{first['thread_id']}/turns/1").json()
    assert answer["question"] == QUESTION and answer["sections"] == first["sections"]
    assert_error(client.get(f"/api/v1/threads/{first['thread_id']}/turns/2"), 404, "not_found")
    assert_error(client.get(f"/api/v1/threads/{first['thread_id']}/turns/0"), 422,
                 "invalid_request")
    assert_error(client.get(f"/api/v1/threads/{first['thread_id']}/turns/one"), 422,
                 "invalid_request")


def test_unknown_thread_is_404(client: TestClient) -> None:
    assert_error(client.get("/api/v1/threads/nosuchthread"), 404, "not_found")
    assert_error(client.get("/api/v1/threads/nosuchthread/turns/1"), 404, "not_found")


# -- search, documents, health ------------------------------------------------------------

def test_search_returns_hits(client: TestClient) -> None:
    body = client.get("/api/v1/search", params={"q": "thiazide diuretics", "k": 3}).json()
    assert body["query"] == "thiazide diuretics"
    assert 1 <= len(body["hits"]) <= 3
    assert [h["rank"] for h in body["hits"]] == list(range(1, len(body["hits"]) + 1))
    assert all({"doc_id", "passage_id", "score", "kind", "text"} <= set(h) for h in body["hits"])


@pytest.mark.parametrize("params", [
    {"q": "x", "k": 0}, {"q": "x", "k": 101}, {"q": "x", "k": "ten"}, {"q": ""}, {},
    {"q": "x" * 2001},
])
def test_search_rejects_bad_input(client: TestClient, params: dict[str, Any]) -> None:
    assert_error(client.get("/api/v1/search", params=params), 422, "invalid_request")


def test_document_with_its_passages(client: TestClient) -> None:
    body = client.get("/api/v1/documents/pmid:1001").json()
    assert body["document"]["id"] == "pmid:1001" and body["document"]["journal"] == "JAMA"
    assert body["passages"] and body["passages"][0]["id"].startswith("pmid:1001")
    assert "chlorthalidone" in " ".join(p["text"] for p in body["passages"])


def test_unknown_document_is_404(client: TestClient) -> None:
    assert_error(client.get("/api/v1/documents/pmid:0"), 404, "not_found")


def test_health_counts_documents(client: TestClient) -> None:
    health = client.get("/api/v1/health").json()
    assert health["ok"] is True and health["documents"] == 8
    assert health["by_kind"]["guideline"]["documents"] == 3


# -- the error shape everywhere -----------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v1/nope"), ("POST", "/api/v1/nope"), ("GET", "/nope"),
    ("DELETE", "/api/v2/ask"),
])
def test_unknown_route_is_404(client: TestClient, method: str, path: str) -> None:
    assert_error(client.request(method, path), 404, "not_found")


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("GET", "/api/v1/ask", "POST"), ("PUT", "/api/v1/ask", "POST"),
    ("POST", "/api/v1/search", "GET"), ("DELETE", "/api/v1/threads/abc", "GET"),
    ("POST", "/api/v1/health", "GET"),
])
def test_wrong_method_is_405(client: TestClient, method: str, path: str, allowed: str) -> None:
    response = client.request(method, path)
    assert_error(response, 405, "method_not_allowed")
    assert allowed in response.headers["allow"]


def test_unexpected_failure_is_500_in_the_same_shape(app: FastAPI,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.state.service, "search", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        error = assert_error(client.get("/api/v1/search", params={"q": "x"}), 500, "internal")
    assert "secret" not in error["message"]


# -- schema and headers -------------------------------------------------------------------

def test_openapi_schema_describes_the_api(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/ask", "/api/v1/ask/stream", "/api/v1/threads/{thread_id}",
            "/api/v1/threads/{thread_id}/turns/{n}", "/api/v1/search",
            "/api/v1/documents/{doc_id}", "/api/v1/health"} <= set(schema["paths"])
    assert not any(not p.startswith("/api/v1/") for p in schema["paths"])
    assert "ErrorBody" in schema["components"]["schemas"]
    assert "Answer" in schema["components"]["schemas"]


def test_api_docs_are_served_without_external_assets(client: TestClient) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "/api/v1/ask/stream" in response.text
    assert "cdn" not in response.text.lower()
    assert "<script src=\"http" not in response.text


def test_every_response_forbids_foreign_content(client: TestClient) -> None:
    csp = client.get("/api/v1/health").headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp


def test_stream_summary_carries_the_emergency_notice(client: TestClient) -> None:
    from medcite.answer.safety import EMERGENCY_NOTICE

    response = client.get("/api/v1/ask/stream",
                          params={"question": "My husband suddenly has slurred speech and a "
                                              "drooping face"})
    summary = sse_events(response.text)[1][1]
    assert summary["status"] == "emergency" and summary["notice"] == EMERGENCY_NOTICE


def test_an_emergency_streams_its_instruction_first_and_no_evidence(client: TestClient) -> None:
    from medcite.answer.safety import EMERGENCY_NOTICE

    # the question names a topic the corpus covers: its evidence must still not be streamed
    response = client.get("/api/v1/ask/stream", params={
        "question": "I have crushing chest pain and I am sweating right now, is it my "
                    "first-line treatment for hypertension?"})
    events = sse_events(response.text)
    assert [name for name, _ in events] == ["start", "summary", "references", "done"]
    summary = events[1][1]
    assert summary["status"] == "emergency" and summary["notice"] == EMERGENCY_NOTICE
    assert summary["summary"] == [] and events[2][1] == []
    done = events[-1][1]
    assert done["sections"] == [] and done["references"] == [] and done["disclaimer"]


@pytest.mark.parametrize("q", ["the of", "is not", "   ", "?!"])
def test_search_without_a_word_to_search_for_is_422(client: TestClient, q: str) -> None:
    error = assert_error(client.get("/api/v1/search", params={"q": q}), 422, "invalid_request")
    assert "search query" in error["message"] and "Example" in error["message"]


def test_ask_with_only_stop_words_is_answered_not_a_500(client: TestClient) -> None:
    response = client.post("/api/v1/ask", json={"question": "is it the", "record": False})
    assert response.status_code == 200 and response.json()["status"] != "answered"
