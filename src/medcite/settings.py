"""Typed settings: defaults < ``<home>/settings.toml`` < ``MEDCITE_*`` environment < CLI flags.

Unknown keys are errors, in the file and in the environment, so a typo never passes
silently. Nested groups use ``__`` in environment names, e.g.
``MEDCITE_RETRIEVAL__LEXICAL_CANDIDATES=200``.
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, IPvAnyNetwork, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from medcite.errors import SettingsError

SETTINGS_FILE = "settings.toml"
_SETTINGS_PATH: ContextVar[Path | None] = ContextVar("settings_path", default=None)
ENV_PREFIX = "MEDCITE_"
COMMAND_ENV = frozenset({"MEDCITE_DEBUG", "MEDCITE_PROGRESS_SECONDS"})
"""Variables the ``medcite`` command reads for itself (tracebacks, seconds between
progress lines), not settings of a home."""


def default_home() -> Path:
    """Where the store lives when neither ``--home`` nor ``MEDCITE_HOME`` says otherwise."""
    return Path(platformdirs.user_data_dir("medcite", appauthor=False))


class Group(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class IngestSettings(Group):
    batch_size: int = Field(500, ge=1, le=100_000, description="Records per committed transaction.")
    passage_chars: int = Field(
        1000, ge=200, le=8000, description="Target passage size in characters; a passage never "
        "exceeds 1.5x this unless one sentence is longer."
    )


class EmbedderSettings(Group):
    kind: Literal["minilm", "onnx", "openai", "none"] = Field(
        "minilm", description="Embedding backend: minilm (bundled all-MiniLM-L6-v2 int8), "
        "onnx (your own ONNX model in `path`), openai (an OpenAI-compatible server) or none "
        "(BM25 only).",
    )
    path: Path | None = Field(
        None, description="Directory holding model.onnx and tokenizer.json (kind onnx)."
    )
    sha256: str | None = Field(
        None, description="Expected sha256 of model.onnx (kind onnx); checked before loading."
    )
    url: str | None = Field(
        None, description="Base URL of the OpenAI-compatible service, e.g. "
        "http://localhost:8080/v1 (kind openai)."
    )
    model: str | None = Field(
        None, description="Model id: sent to the service (kind openai) or stored with the vectors "
        "(kind onnx; defaults to the directory name)."
    )
    api_key_env: str = Field(
        "OPENAI_API_KEY", description="Name of the environment variable holding the API "
        "key (kind openai). The key itself is never stored in settings."
    )
    max_length: int = Field(
        128, ge=16, le=512, description="Tokens per passage; longer text is truncated. 128 "
        "(the length MiniLM was trained on) embeds ~6,000 tokens/s on 2 cores; 256 is ~2x slower."
    )
    parts: list[Literal["text", "body"]] = Field(
        default_factory=lambda: ["text"],  # type: ignore[arg-type]
        description="Which passages get vectors: text "
        "(abstracts, guidelines, consumer texts, labels) and/or body (PMC full texts, ~55% of "
        "the demo corpus's passages; BM25 always covers them)."
    )
    exact_threshold: int = Field(
        50_000, ge=0, description="Below this many vectors search is exact; above it HNSW."
    )
    batch_size: int = Field(
        16, ge=1, le=4096, description="Texts per model call or request (16 is fastest for "
        "MiniLM on 2 cores)."
    )
    threads: int | None = Field(
        None, ge=1, le=256, description="CPU threads for a local model (default: all cores)."
    )
    query_prefix: str = Field("", description="Text put before each query (e.g. 'query: ' for E5).")
    passage_prefix: str = Field(
        "", description="Text put before each passage (e.g. 'passage: ' for E5)."
    )


class RetrievalSettings(Group):
    k: int = Field(10, ge=1, le=1000, description="Results returned by search.")
    lexical_candidates: int = Field(
        200, ge=1, le=5000, description="Passages fetched from the BM25 index before fusion."
    )
    dense_candidates: int = Field(
        200, ge=1, le=5000, description="Passages fetched from the vector index before fusion."
    )
    fusion: Literal["rrf", "linear"] = Field(
        "linear", description="How lexical and dense rankings combine: weighted reciprocal rank "
        "fusion or a weighted sum of min-max normalised scores (see retrieve/fuse.py)."
    )
    lexical_weight: float = Field(1.0, ge=0, le=10, description="Weight of the BM25 ranking.")
    dense_weight: float = Field(0.6, ge=0, le=10, description="Weight of the dense ranking "
                                "(tuned with `medcite bench tune`).")
    rrf_k: float = Field(60.0, gt=0, le=1000, description="The k of reciprocal rank fusion.")
    expansion_weight: float = Field(
        0.3, ge=0, le=2, description="BM25 weight of synonyms and abbreviation expansions "
        "relative to the question's own words."
    )
    evidence_weight: float = Field(
        0.1, ge=0, le=2, description="How much the evidence level lifts a document "
        "(retrieve/evidence.py, scaled by question type); 0 ranks by relevance alone."
    )
    recency_weight: float = Field(
        0.05, ge=0, le=1, description="Largest penalty for age (reached at 20 years)."
    )


class LLMSettings(Group):
    """The LLM writer: any OpenAI-compatible chat endpoint (llama.cpp's server, vLLM,
    Ollama, a hosted API) or a packaged local model that medcite serves itself."""

    base_url: str | None = Field(
        None, description="Base URL of the OpenAI-compatible endpoint, e.g. "
        "http://127.0.0.1:8080/v1. Unset with `local_model` set: medcite starts llama.cpp's "
        "server for that model itself."
    )
    model: str = Field("local", description="Model id sent to the endpoint.")
    api_key_env: str = Field(
        "OPENAI_API_KEY", description="Name of the environment variable holding the API key "
        "(if the endpoint needs one). The key itself is never stored in settings."
    )
    timeout_s: float = Field(
        120.0, gt=0, le=3600, description="Seconds to wait for one completion before the "
        "answer falls back to the extractive writer."
    )
    retries: int = Field(
        2, ge=0, le=10, description="Retries of a failed request (connection error, 429, 5xx), "
        "with exponential backoff."
    )
    backoff_s: float = Field(1.0, ge=0, le=60, description="First retry delay; doubles each time.")
    max_tokens: int = Field(800, ge=16, le=16384, description="Most tokens the model may write.")
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature.")
    max_passages: int = Field(
        8, ge=1, le=50, description="Evidence passages put in the prompt (best first)."
    )
    local_model: str | None = Field(
        None, description="A GGUF model for medcite to serve itself: a file path, or the name "
        "of a packaged model (`qwen2.5-coder-1.5b`, `smollm2-135m`)."
    )
    structured_output: Literal["auto", "json_schema", "json_object", "none"] = Field(
        "auto", description="How the answer's JSON schema is sent: `json_schema` (OpenAI, "
        "vLLM, llama.cpp's C++ server), `json_object` with a `schema` (llama-cpp-python's "
        "server), `none` (prompt only), or `auto` (json_schema, switching to json_object when "
        "the server rejects it)."
    )
    local_context: int = Field(
        4096, ge=512, le=131072, description="Context size (tokens) of the local model "
        "server medcite starts for `local_model`."
    )
    judge: bool = Field(
        False, description="Also ask the endpoint, as a second-tier judge, about the LLM "
        "writer's sentences the verifier's rules cannot settle (a yes/no per sentence)."
    )


class AnswerSettings(Group):
    engine: Literal["extractive", "llm"] = Field(
        "extractive", description="The writer that turns evidence into an answer: extractive "
        "(offline, fast, quotes sentences of the sources) or llm (`answer.llm`). Every "
        "writer's sentences pass the same verifier."
    )
    llm: LLMSettings = Field(default_factory=LLMSettings, description="The LLM writer.")


class WebSettings(Group):
    """How ``medcite serve`` is reached: its public address and the reverse proxies in
    front of it (see the README's security section)."""

    public_url: HttpUrl | None = Field(
        None, description="The address readers use, e.g. https://medcite.example.org. When it "
        "is https, cookies are Secure and responses carry HSTS even when a TLS-terminating "
        "reverse proxy talks plain http to medcite."
    )
    trusted_proxies: list[IPvAnyNetwork] = Field(
        default_factory=list, description="Reverse proxies (IP addresses or CIDR networks, "
        "e.g. [\"127.0.0.1\", \"10.0.0.0/8\"]) whose forwarded headers are believed. From "
        "any other peer those headers are ignored, so a client cannot choose its own address."
    )
    forwarded_header: Literal["x-forwarded-for", "forwarded"] = Field(
        "x-forwarded-for", description="The header the trusted proxies write: x-forwarded-for "
        "(with X-Forwarded-Proto; nginx, HAProxy, Caddy, Traefik, most load balancers) or "
        "forwarded (RFC 7239). Only this one is read: a client could forge the other."
    )


class AccountSettings(Group):
    """Editorial accounts and their API tokens."""

    token_days: int = Field(
        90, ge=1, le=3650, description="Days an API token minted by `medcite users token` "
        "lives unless --days says otherwise; every API token expires (tokens from the API's "
        "login live 30 days)."
    )


class Settings(BaseSettings):
    """All medcite settings. Every field is documented; a test keeps it so."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", validate_assignment=True
    )

    home: Path = Field(default_factory=default_home, description="Data directory of the store.")
    data_dir: Path | None = Field(
        None, description="The shared data directory (corpus/, dev/, vocab/) used by `bench` "
        "and the demo; default: ../shared/data beside the working directory or the checkout."
    )
    ingest: IngestSettings = Field(default_factory=IngestSettings, description="Ingestion.")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="Search.")
    embedder: EmbedderSettings = Field(
        default_factory=EmbedderSettings, description="Dense retrieval model."
    )
    answer: AnswerSettings = Field(
        default_factory=AnswerSettings, description="Writing answers."
    )
    web: WebSettings = Field(
        default_factory=WebSettings, description="Serving behind a reverse proxy."
    )
    accounts: AccountSettings = Field(
        default_factory=AccountSettings, description="Editorial accounts and API tokens."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = _SETTINGS_PATH.get()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path is not None and path.exists():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)


def _check_env_names() -> None:
    """Reject ``MEDCITE_*`` variables that name no setting (pydantic ignores them)."""
    top = {name.upper() for name in Settings.model_fields}
    for name in os.environ:
        if not name.startswith(ENV_PREFIX) or name in COMMAND_ENV:
            continue
        head = name[len(ENV_PREFIX):].split("__", 1)[0]
        if head not in top:
            raise SettingsError(
                f"Unknown setting in environment: {name}.",
                f"Known settings: {', '.join(sorted(top))} (see `medcite settings`).",
            )


def load_settings(home: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from the home's settings file, the environment and explicit overrides."""
    _check_env_names()
    env_home = os.environ.get(ENV_PREFIX + "HOME")
    resolved_home = Path(home) if home else Path(env_home) if env_home else default_home()
    path = resolved_home / SETTINGS_FILE
    if path.exists():
        try:
            tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"Cannot read {path}: {exc}.", "Fix or delete the file.") from exc
    token = _SETTINGS_PATH.set(path)
    try:
        settings = Settings(**{**overrides, "home": resolved_home})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SettingsError(
            f"Invalid setting {where}: {first['msg']}.",
            f"Check {path} and MEDCITE_* environment variables.",
        ) from exc
    finally:
        _SETTINGS_PATH.reset(token)
    return settings


def save_setting_group(home: Path, group: str, values: dict[str, Any]) -> Path:
    """Write one group of settings into ``<home>/settings.toml``, keeping the others.

    Used by commands that tune settings (``medcite bench tune``) so that tuning is a
    reproducible command, not a hand edit.
    """
    path = home / SETTINGS_FILE
    current: dict[str, Any] = {}
    if path.exists():
        current = tomllib.loads(path.read_text(encoding="utf-8"))
    current.setdefault(group, {}).update(values)
    Settings(**{**current, "home": home})  # validate before writing
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_to_toml(current), encoding="utf-8")
    return path


def _to_toml(data: dict[str, Any]) -> str:
    lines: list[str] = []
    tables: list[tuple[str, dict[str, Any]]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    for name, table in tables:
        lines.append(f"\n[{name}]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in table.items())
    return "\n".join(lines).strip() + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'

