"""Opening input files, plain or gzip, and telling which format they hold."""

from __future__ import annotations

import gzip
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from medcite.errors import InputFileError, UnknownFormatError
from medcite.models import Parsed

GZIP_MAGIC = b"\x1f\x8b"
HEAD_BYTES = 16_384
MAX_FIRST_LINE = 8 << 20


def open_binary(path: Path) -> BinaryIO:
    """The file's bytes, transparently gunzipped (detected by content, not by name)."""
    try:
        raw = path.open("rb")
    except FileNotFoundError as exc:
        raise InputFileError(f"No such file: {path}.", "Check the path and try again.") from exc
    except IsADirectoryError as exc:
        raise InputFileError(f"{path} is a directory.", "Pass files or a directory.") from exc
    except OSError as exc:
        raise InputFileError(f"Cannot read {path}: {exc.strerror}.", "Check permissions.") from exc
    with raw:
        magic = raw.read(2)
    if magic == GZIP_MAGIC:
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def open_text(path: Path) -> io.TextIOWrapper:
    return io.TextIOWrapper(open_binary(path), encoding="utf-8", errors="replace", newline="")


def read_head(path: Path, size: int = HEAD_BYTES) -> str:
    """The first ``size`` bytes of the (decompressed) file as text, for format sniffing.

    When the file starts with a JSON object, the head extends to the end of the first
    line (up to 8 MB) so that JSON Lines sniffers see one whole record.
    """
    with open_binary(path) as stream:
        try:
            data = stream.read(size)
            if data.lstrip()[:1] == b"{" and b"\n" not in data:
                data += stream.readline(MAX_FIRST_LINE)
        except (OSError, EOFError) as exc:
            raise InputFileError(f"Cannot read {path}: {exc}.", "Is the file complete?") from exc
    return data.decode("utf-8", errors="replace").lstrip("\ufeff")


def fingerprint(path: Path) -> str:
    """sha256 of the file's bytes: identifies a file across renames and moves."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


Reader = Callable[[Path], Iterator[Parsed]]


@dataclass(frozen=True, slots=True)
class Format:
    """An input format: a cheap test on the file's head and a streaming reader."""

    name: str
    description: str
    sniff: Callable[[str], bool]
    read: Reader


def detect(path: Path, formats: list[Format]) -> Format:
    """The first format whose sniff accepts the file's head."""
    head = read_head(path)
    if not head.strip():
        raise UnknownFormatError(f"{path} is empty.", "Pass a file with records in it.")
    for fmt in formats:
        if fmt.sniff(head):
            return fmt
    known = ", ".join(f.name for f in formats)
    raise UnknownFormatError(
        f"Cannot tell the format of {path}.",
        f"Known formats: {known} (see `medcite ingest --help`).",
    )
