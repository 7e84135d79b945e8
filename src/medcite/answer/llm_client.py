"""A small client for OpenAI-compatible chat endpoints (``POST {base_url}/chat/completions``).

Standard library only (``http.client``), so the LLM writer adds no run-time dependency:

1. The API key is read from the environment variable the settings name, at each request;
   it is never stored.
2. Connection errors, 429 and 5xx are retried with exponential backoff until the request's
   deadline (``timeout_s`` for the whole completion, retries and streaming included).
3. Structured output: a JSON schema as OpenAI's ``{"type": "json_schema", ...}``, or as
   llama-cpp-python's server wants it (``{"type": "json_object", "schema": ...}``; its
   0.3.x request model rejects ``json_schema``). ``auto`` tries the first and switches to
   the second for good when the server rejects it.
4. Streaming reads server-sent events and yields text deltas as they arrive; usage is
   taken from the server when it reports it, else completion tokens are counted as deltas.

Every failure becomes a :class:`WriterError` whose message says what to check.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from medcite.answer.writer import WriterError
from medcite.errors import SettingsError

SchemaStyle = Literal["auto", "json_schema", "json_object", "none"]
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_BACKOFF_S = 30.0


@dataclass
class Usage:
    """What one completion cost: tokens when known, times always."""

    prompt_tokens: int | None = None
    completion_tokens: int = 0
    deltas: int = 0
    """Content chunks received (≈ tokens on llama.cpp servers, which stream one per chunk)."""
    seconds: float = 0.0
    first_token_s: float | None = None
    finish_reason: str | None = None
    reported: bool = False
    """The server reported its token counts (else completion tokens are the deltas)."""

    @property
    def tokens_per_s(self) -> float:
        """Decoding speed: completion tokens over the time after the first one arrived."""
        start = self.first_token_s or 0.0
        span = self.seconds - start
        return self.completion_tokens / span if span > 0 and self.completion_tokens else 0.0

    def stats(self) -> dict[str, float]:
        out = {"completion_tokens": float(self.completion_tokens),
               "tokens_per_s": round(self.tokens_per_s, 2), "seconds": round(self.seconds, 3)}
        if self.prompt_tokens is not None:
            out["prompt_tokens"] = float(self.prompt_tokens)
        if self.first_token_s is not None:
            out["first_token_s"] = round(self.first_token_s, 3)
        return out


@dataclass
class ChatRequest:
    messages: list[dict[str, str]]
    max_tokens: int
    temperature: float = 0.0
    schema: dict[str, Any] | None = None
    schema_name: str = "answer"
    extra: dict[str, Any] = field(default_factory=dict)


class ChatClient:
    """One OpenAI-compatible endpoint."""

    def __init__(self, base_url: str, model: str, *, api_key_env: str | None = None,
                 timeout_s: float = 120.0, retries: int = 2, backoff_s: float = 1.0,
                 schema_style: SchemaStyle = "auto") -> None:
        parts = urlsplit(base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(f"The LLM base URL {base_url!r} is not an http(s) URL.",
                                "Set answer.llm.base_url, e.g. http://127.0.0.1:8080/v1")
        self.base_url = base_url.rstrip("/")
        self._scheme, self._host, self._port = parts.scheme, parts.hostname, parts.port
        self._path = parts.path + "/chat/completions"
        self.model = model
        self.api_key_env = api_key_env
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.schema_style: SchemaStyle = schema_style

    # -- public ----------------------------------------------------------------------

    def stream(self, request: ChatRequest, usage: Usage | None = None) -> Iterator[str]:
        """The completion's text, delta by delta; ``usage`` is filled in as it goes."""
        usage = usage if usage is not None else Usage()
        start = time.perf_counter()
        deadline = start + self.timeout_s
        response, sock, conn = self._open(request, deadline, stream=True)
        try:
            for event in _sse_events(response, sock, deadline, self.timeout_s):
                if event == "[DONE]":
                    break
                chunk = _json(event, "a streamed chunk")
                if "error" in chunk:
                    raise WriterError(f"the LLM endpoint reported an error mid-stream: "
                                      f"{_error_text(chunk)}")
                _take_usage(chunk, usage)
                for choice in chunk.get("choices") or []:
                    usage.finish_reason = choice.get("finish_reason") or usage.finish_reason
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        if usage.first_token_s is None:
                            usage.first_token_s = time.perf_counter() - start
                        usage.deltas += 1
                        usage.seconds = time.perf_counter() - start
                        yield text
        finally:
            usage.seconds = time.perf_counter() - start
            if not usage.reported:
                usage.completion_tokens = usage.deltas
            response.close()
            conn.close()

    def complete(self, request: ChatRequest, usage: Usage | None = None) -> str:
        """The whole completion's text (no streaming)."""
        usage = usage if usage is not None else Usage()
        start = time.perf_counter()
        deadline = start + self.timeout_s
        response, sock, conn = self._open(request, deadline, stream=False)
        try:
            sock.settimeout(_remaining(deadline, self.timeout_s))
            body = _json(response.read().decode("utf-8", "replace"), "the response")
        except TimeoutError as exc:
            raise WriterError(f"the LLM endpoint did not answer within {self.timeout_s:g} s "
                              "(raise answer.llm.timeout_s or use a smaller model)") from exc
        except OSError as exc:
            raise WriterError(f"the connection to the LLM endpoint broke: {exc}") from exc
        finally:
            response.close()
            conn.close()
        usage.seconds = time.perf_counter() - start
        _take_usage(body, usage)
        choices = body.get("choices") or []
        if not choices:
            raise WriterError("the LLM endpoint answered without a choice")
        usage.finish_reason = choices[0].get("finish_reason")
        return str((choices[0].get("message") or {}).get("content") or "")

    # -- requests --------------------------------------------------------------------

    def _payload(self, request: ChatRequest, stream: bool, style: SchemaStyle
                 ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.model, "messages": request.messages,
            "max_tokens": request.max_tokens, "temperature": request.temperature,
            "stream": stream, **request.extra,
        }
        if stream:
            payload["stream_options"] = {"include_usage": True}
        if request.schema is not None and style in ("auto", "json_schema"):
            payload["response_format"] = {"type": "json_schema", "json_schema": {
                "name": request.schema_name, "strict": True, "schema": request.schema}}
        elif request.schema is not None and style == "json_object":
            payload["response_format"] = {"type": "json_object", "schema": request.schema}
        return payload

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json, "
                   "text/event-stream"}
        key = os.environ.get(self.api_key_env) if self.api_key_env else None
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        if self._scheme == "https":
            return http.client.HTTPSConnection(self._host, self._port, timeout=timeout,
                                               context=ssl.create_default_context())
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)

    def _open(self, request: ChatRequest, deadline: float, stream: bool
              ) -> tuple[http.client.HTTPResponse, socket.socket, http.client.HTTPConnection]:
        """Send the request, retrying what may pass on a second try; the open response."""
        attempt = 0
        last = "no attempt"
        while True:
            style = self.schema_style
            conn = self._connection(_remaining(deadline, self.timeout_s))
            try:
                body = json.dumps(self._payload(request, stream, style)).encode()
                conn.request("POST", self._path, body=body, headers=self._headers())
                sock = conn.sock
                assert sock is not None
                sock.settimeout(_remaining(deadline, self.timeout_s))
                response = conn.getresponse()
            except TimeoutError as exc:
                conn.close()
                raise WriterError(f"the LLM endpoint at {self.base_url} did not answer within "
                                  f"{self.timeout_s:g} s (raise answer.llm.timeout_s)") from exc
            except (OSError, http.client.HTTPException) as exc:  # refused, reset, DNS, garbled
                conn.close()
                last = f"cannot connect to {self.base_url}: {exc or type(exc).__name__}"
            else:
                if response.status == 200:
                    return response, sock, conn
                detail = response.read(4000).decode("utf-8", "replace")
                conn.close()
                if style == "auto" and request.schema is not None and _rejects_schema(detail):
                    self.schema_style = "json_object"  # llama-cpp-python's server (a 500)
                    continue
                if response.status in (401, 403):
                    raise WriterError(
                        f"the LLM endpoint refused the request ({response.status}); set the "
                        f"API key in the environment variable {self.api_key_env or '(none)'}")
                last = f"the LLM endpoint answered {response.status}: {_error_text(detail)}"
                if response.status not in RETRY_STATUSES:
                    raise WriterError(last)
            attempt += 1
            pause = min(self.backoff_s * 2 ** (attempt - 1), MAX_BACKOFF_S)
            if attempt > self.retries or time.perf_counter() + pause >= deadline:
                raise WriterError(f"{last} (after {attempt} attempt{'s' * (attempt > 1)}; "
                                  "check answer.llm.base_url and that the server is running)")
            time.sleep(pause)


def _remaining(deadline: float, total: float) -> float:
    left = deadline - time.perf_counter()
    if left <= 0:
        raise WriterError(f"the LLM endpoint did not finish within {total:g} s "
                          "(raise answer.llm.timeout_s or lower answer.llm.max_tokens)")
    return left


def _sse_events(response: http.client.HTTPResponse, sock: socket.socket, deadline: float,
                total: float) -> Iterator[str]:
    """The ``data`` of each server-sent event, each read within the deadline."""
    data: list[str] = []
    while True:
        try:
            sock.settimeout(_remaining(deadline, total))
            raw = response.readline()
        except TimeoutError as exc:
            raise WriterError(f"the LLM endpoint stopped sending within {total:g} s "
                              "(raise answer.llm.timeout_s or lower max_tokens)") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise WriterError(f"the stream from the LLM endpoint broke: {exc}") from exc
        if not raw:
            if data:
                yield "\n".join(data)
            return
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            if data:
                yield "\n".join(data)
                data = []
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
        # comments (": ping"), event:, id: and retry: lines carry no text


def _rejects_schema(detail: str) -> bool:
    """The server refused ``{"type": "json_schema"}`` (it wants ``json_object``)."""
    return "response_format" in detail and "json_object" in detail


def _json(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WriterError(f"the LLM endpoint sent {what} that is not JSON: {text[:200]!r}"
                          ) from exc
    if not isinstance(value, dict):
        raise WriterError(f"the LLM endpoint sent {what} that is not a JSON object")
    return value


def _take_usage(body: dict[str, Any], usage: Usage) -> None:
    reported = body.get("usage")
    if isinstance(reported, dict):
        if isinstance(reported.get("prompt_tokens"), int):
            usage.prompt_tokens = reported["prompt_tokens"]
        if isinstance(reported.get("completion_tokens"), int):
            usage.completion_tokens = reported["completion_tokens"]
            usage.reported = True


def _error_text(detail: str | dict[str, Any]) -> str:
    """The message of an OpenAI-style error body, else the body's start."""
    body: Any = detail
    if isinstance(detail, str):
        try:
            body = json.loads(detail)
        except json.JSONDecodeError:
            return detail.strip()[:300]
    if isinstance(body, dict):
        error = body.get("error", body.get("detail", body))
        if isinstance(error, dict) and "message" in error:
            return str(error["message"])[:300]
        return json.dumps(error)[:300]
    return str(body)[:300]


class StreamedObject:
    """Reads one JSON object as it streams in and reports each member (``("key",)``) and
    each item of an array member (``("key", i)``) as soon as its text is complete, so a
    caller can act on the first part of a structured answer before the rest is written.

    Text before the opening brace (a Markdown fence, a preamble) is skipped; whatever
    follows the closing brace is ignored.
    """

    def __init__(self) -> None:
        self.text = ""
        self.started = False
        self.done = False
        self._i = 0
        # one frame per open container: [kind, start, path, key, index, expecting]
        self._stack: list[list[Any]] = []
        self._in_string = False
        self._escape = False
        self._string_start = 0
        self._scalar_start: int | None = None

    def feed(self, delta: str) -> list[tuple[tuple[str | int, ...], Any]]:
        """The members and items completed by ``delta``, in order."""
        self.text += delta
        found: list[tuple[tuple[str | int, ...], Any]] = []
        text = self.text
        while self._i < len(text) and not self.done:
            i = self._i
            ch = text[i]
            self._i += 1
            if not self.started:
                if ch == "{":
                    self.started = True
                    self._stack.append(["{", i, (), None, 0, "key"])
                continue
            if self._in_string:
                if self._escape:
                    self._escape = False
                elif ch == "\\":
                    self._escape = True
                elif ch == '"':
                    self._in_string = False
                    frame = self._stack[-1]
                    if frame[0] == "{" and frame[5] == "key":
                        frame[3] = _loads(text[self._string_start:i + 1])
                        frame[5] = "colon"
                    else:
                        self._complete(self._string_start, i + 1, found)
                continue
            if ch in " \t\r\n":
                if self._scalar_start is not None:
                    self._complete(self._scalar_start, i, found)
                continue
            frame = self._stack[-1]
            if ch == '"':
                self._in_string, self._string_start = True, i
            elif ch == ":":
                frame[5] = "value"
            elif ch == ",":
                if self._scalar_start is not None:
                    self._complete(self._scalar_start, i, found)
                frame[5] = "key" if frame[0] == "{" else "value"
            elif ch in "{[":
                path = (*frame[2], frame[3] if frame[0] == "{" else frame[4])
                self._stack.append([ch, i, path, None, 0, "key" if ch == "{" else "value"])
            elif ch in "}]":
                if self._scalar_start is not None:
                    self._complete(self._scalar_start, i, found)
                closed = self._stack.pop()
                if not self._stack:
                    self.done = True
                else:
                    self._complete(closed[1], i + 1, found)
            elif self._scalar_start is None:
                self._scalar_start = i
        return found

    def _complete(self, start: int, end: int,
                  found: list[tuple[tuple[str | int, ...], Any]]) -> None:
        """A value of the innermost open container ends at ``end``."""
        self._scalar_start = None
        frame = self._stack[-1]
        path = (*frame[2], frame[3] if frame[0] == "{" else frame[4])
        if frame[0] == "[":
            frame[4] += 1
        frame[5] = "comma"
        if len(path) <= 2:
            found.append((path, _loads(self.text[start:end])))


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise WriterError(f"the model's output is not valid JSON near {text[:80]!r}") from exc
