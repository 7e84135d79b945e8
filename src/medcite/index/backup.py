"""Backups of a home: the database through SQLite's online backup API, and copies of the
derived indexes that are consistent with it, taken while the server answers or an ingest
writes.

A backup is a directory holding ``backup.json`` (what it holds, with the size and sha256
of every file), the database, the BM25 index, the vectors and ``settings.toml``.
``backup.json`` is written last, so a backup that was interrupted is never taken for one.

Consistency follows from the change log: an index may lag behind the database (it
catches up by replaying the changes after the sequence number it records) but must never
be ahead of it. So a backup

1. reads the BM25 index's sequence number from the live database;
2. copies the BM25 index and the vectors as of their last commit (the files a commit
   names never change; if one vanishes because a newer commit replaced it, it copies again);
3. copies the database (:func:`medcite.store.backup.snapshot_database`: one step of the
   backup API, a snapshot while writers carry on), which is at least as new as the indexes;
4. writes into the copy the BM25 sequence number of step 1, which is no later than the
   commit copied in step 2, so a restored index replays whatever it may lack.

Restoring copies everything into the home (refusing a non-empty one unless forced),
checks every file against ``backup.json`` first, and leaves the catching up (BM25
replay, embedding) to the caller's service.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from medcite.errors import MedciteError
from medcite.index import dense
from medcite.index.lexical import SEQ_KEY as LEXICAL_SEQ_KEY
from medcite.index.vectors import MANIFEST as VECTORS_MANIFEST
from medcite.index.vectors import saved_files
from medcite.settings import SETTINGS_FILE
from medcite.store.backup import read_meta, snapshot_database
from medcite.store.sqlite import DB_FILE

FORMAT = "medcite-backup-1"
MANIFEST = "backup.json"
LEXICAL_DIR = "lexical"
VECTORS_DIR = "vectors"
TANTIVY_META = "meta.json"
COPY_ATTEMPTS = 20
DB_SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(MedciteError):
    """A backup or restore that cannot go ahead; the message says why."""

    code = "backup"
    exit_code = 2
    http_status = 409


@dataclass
class BackupReport:
    path: str
    documents: int = 0
    passages: int = 0
    last_change: int = 0
    lexical_seq: int = 0
    vectors_seq: int | None = None
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def bytes(self) -> int:
        return sum(int(f["bytes"]) for f in self.files.values())

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "documents": self.documents, "passages": self.passages,
                "last_change": self.last_change, "lexical_seq": self.lexical_seq,
                "vectors_seq": self.vectors_seq, "files": len(self.files),
                "bytes": self.bytes, "seconds": round(self.seconds, 3)}


def backup_home(home: Path, target: Path) -> BackupReport:
    """Back up the store and indexes of ``home`` into the new directory ``target``."""
    started = time.perf_counter()
    db = home / DB_FILE
    if not db.is_file():
        raise BackupError(f"There is no medcite store in {home} ({DB_FILE} is missing).",
                          "Check --home or MEDCITE_HOME.")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not an empty directory.",
                          "Back up into a new directory.")
    target.mkdir(parents=True, exist_ok=True)
    report = BackupReport(str(target))
    report.lexical_seq = int(read_meta(db, LEXICAL_SEQ_KEY) or 0)  # 1: before the copy
    if _copy_lexical(home / LEXICAL_DIR, target / LEXICAL_DIR) is None:  # 2
        report.lexical_seq = 0  # no index yet: a restore builds it from the start
    vectors = _copy_vectors(home / VECTORS_DIR, target / VECTORS_DIR)
    if vectors is not None:
        report.vectors_seq = int(json.loads(vectors).get("meta", {}).get(dense.SEQ_KEY, 0))
    snapshot = snapshot_database(db, target / DB_FILE,  # 3 and 4
                                 {LEXICAL_SEQ_KEY: report.lexical_seq})
    report.documents, report.passages = snapshot.documents, snapshot.passages
    report.last_change = snapshot.last_change
    if (home / SETTINGS_FILE).is_file():
        shutil.copy2(home / SETTINGS_FILE, target / SETTINGS_FILE)
    report.files = {rel: _describe(target / rel) for rel in _files_under(target)}
    report.seconds = time.perf_counter() - started
    manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "medcite_version": _version(), "home": str(home), **report.as_dict(),
                "files": report.files}
    manifest.pop("path", None)
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return report


def read_manifest(source: Path) -> dict[str, Any]:
    """The ``backup.json`` of a backup, after checking every file it lists."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{source} is not a medcite backup (no {MANIFEST}).",
                          "Give the directory `medcite backup` wrote.") from exc
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source / MANIFEST} cannot be read ({exc}).",
                          "The backup is damaged; use another one.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source / MANIFEST} is not in a format this medcite knows.",
                          "Restore it with the medcite version that wrote it.")
    for rel, expected in manifest.get("files", {}).items():
        path = source / rel
        if not path.is_file():
            raise BackupError(f"The backup in {source} lacks {rel}.",
                              "The backup is incomplete; use another one.")
        if _describe(path) != expected:
            raise BackupError(f"{path} differs from when it was backed up (size or sha256).",
                              "The backup is damaged; use another one.")
    return manifest


def restore_home(source: Path, home: Path, force: bool = False) -> dict[str, Any]:
    """Copy the backup in ``source`` into ``home``: a new or empty directory, or with
    ``force`` one whose store, indexes and settings the backup replaces (stop the server
    first). Returns the backup's manifest."""
    manifest = read_manifest(source)
    if home.exists() and not home.is_dir():
        raise BackupError(f"{home} is a file, not a data directory.", "Choose another --home.")
    if home.exists() and any(home.iterdir()) and not force:
        raise BackupError(f"The data directory {home} is not empty.",
                          "Restore into a new directory (--home), or pass --force to replace "
                          "its store, indexes and settings.")
    home.mkdir(parents=True, exist_ok=True)
    staging = home / f".restore-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for rel in manifest["files"]:
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / rel, staging / rel)
        for side in DB_SIDE_FILES:  # a stale log of the replaced database must not replay
            (home / (DB_FILE + side)).unlink(missing_ok=True)
        for name in (DB_FILE, LEXICAL_DIR, VECTORS_DIR, SETTINGS_FILE):
            if not (staging / name).exists() and name == SETTINGS_FILE:
                continue  # a backup without settings keeps the home's
            _remove(home / name)
            if (staging / name).exists():
                os.replace(staging / name, home / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


# -- copying ---------------------------------------------------------------------------

def _copy_lexical(source: Path, target: Path) -> bytes | None:
    """Copy the last commit of the tantivy index: its ``meta.json`` and the segment files
    that commit names."""

    def needed(meta: bytes) -> list[str]:
        present = {f.name for f in source.iterdir() if f.is_file()}
        names: list[str] = []
        for segment in json.loads(meta)["segments"]:
            stem = segment["segment_id"].replace("-", "")
            deletes = segment.get("deletes")
            wanted = [f"{stem}.store"] + ([f"{stem}.{deletes['opstamp']}.del"] if deletes else [])
            if not set(wanted) <= present:  # a newer commit merged it away: copy that one
                raise FileNotFoundError(wanted[0])
            names += wanted + [n for n in present if n.startswith(f"{stem}.")
                               and not n.endswith(".del") and n != wanted[0]]
        return names

    return _copy_commit(source, target, TANTIVY_META, needed)


def _copy_vectors(source: Path, target: Path) -> bytes | None:
    """Copy the last save of the vectors (manifest and the files it names); their
    manifest, or None when there are none."""
    if not source.is_dir():
        return None

    return _copy_commit(source, target, VECTORS_MANIFEST, saved_files)


def _copy_commit(source: Path, target: Path, meta_name: str,
                 needed: Callable[[bytes], list[str]]) -> bytes | None:
    """Copy the files one commit (``meta_name``) names, then the commit itself; start again
    when a newer commit removed one of them meanwhile."""
    for _ in range(COPY_ATTEMPTS):
        try:
            meta = (source / meta_name).read_bytes()
        except FileNotFoundError:
            return None
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        try:
            for name in needed(meta):  # FileNotFoundError: removed by a newer commit
                shutil.copy2(source / name, target / name)
        except FileNotFoundError:
            continue
        (target / meta_name).write_bytes(meta)
        return meta
    raise BackupError(f"{source} kept changing while it was copied.",
                      "Run the backup again when the ingest has finished.")


def _files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and p.name != MANIFEST)


def _describe(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _version() -> str:
    try:
        return metadata.version("medcite")
    except metadata.PackageNotFoundError:
        return "unknown"
