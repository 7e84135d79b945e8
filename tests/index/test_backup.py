"""Backups of a home and restoring them: round trips, refusals with clear errors, and
backups taken while an ingest writes."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from medcite.index.backup import BackupError, BackupReport, backup_home, restore_home
from medcite.index.consistency import check_home
from medcite.index.vectors import VectorIndex
from medcite.service import Medcite
from medcite.settings import load_settings
from medcite.store.integrity import store_contents
from medcite.store.sqlite import DB_FILE, SQLiteStore
from tests.conftest import doc, write_jsonl

TOPICS = ("aspirin after stroke", "statins for high cholesterol", "insulin in type 1 diabetes",
          "inhaled steroids for asthma", "triptans for migraine")


def records(prefix: str, n: int) -> list[dict]:
    return [doc(f"{prefix}:{i}", " ".join(f"Trial {i} of {TOPICS[i % 5]}: finding {j} on "
                                           f"{TOPICS[(i + j) % 5]}." for j in range(30)),
                title=f"{TOPICS[i % 5].capitalize()} ({prefix} {i})") for i in range(n)]


def open_service(home: Path) -> Medcite:
    return Medcite(load_settings(home, embedder={"kind": "none"}))


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A home with documents, its BM25 index, vectors and a settings file."""
    home = tmp_path / "source"
    with open_service(home) as service:
        service.ingest([write_jsonl(tmp_path / "c.jsonl", records("pmid", 12))])
        ids = [p.id for items in service.store.passages_for_docs(
            [f"pmid:{i}" for i in range(12)]).values() for p in items if p.part == "text"]
        seq = service.store.last_change()
    vectors = VectorIndex.open(home / "vectors", dim=4, model_name="test")
    vectors.add(ids, np.random.default_rng(0).standard_normal((len(ids), 4)))
    vectors.meta["seq"] = seq
    vectors.save()
    (home / "settings.toml").write_text("[retrieval]\nk = 7\n", encoding="utf-8")
    return home


def contents(home: Path) -> dict:
    store = SQLiteStore(home)
    try:
        return store_contents(store)
    finally:
        store.close()


def searches(home: Path) -> list[list[tuple[str, float]]]:
    with open_service(home) as service:
        return [[(h.passage_id, h.score) for h in service.search(q, 5)] for q in TOPICS]


def test_a_restored_home_holds_and_answers_the_same(source: Path, tmp_path: Path) -> None:
    report = backup_home(source, tmp_path / "backup")
    assert (report.documents, report.lexical_seq, report.vectors_seq) == (12, 12, 12)
    assert {DB_FILE, "lexical/meta.json", "vectors/manifest.json", "settings.toml"} <= \
        set(report.files)
    restored = tmp_path / "restored"
    manifest = restore_home(tmp_path / "backup", restored)
    assert manifest["documents"] == 12
    assert {p.name for p in restored.iterdir()} == \
        {DB_FILE, "lexical", "settings.toml", "vectors"}
    assert contents(restored) == contents(source)
    assert check_home(restored).ok
    assert searches(restored) == searches(source)
    assert load_settings(restored).retrieval.k == 7


def test_restore_refuses_a_home_in_use_unless_forced(source: Path, tmp_path: Path) -> None:
    backup_home(source, tmp_path / "backup")
    other = tmp_path / "other"
    with open_service(other) as service:
        service.ingest([write_jsonl(tmp_path / "o.jsonl", records("other", 3))])
    with pytest.raises(BackupError, match="is not empty") as refused:
        restore_home(tmp_path / "backup", other)
    assert "--force" in refused.value.hint
    assert len(contents(other)["documents"]) == 3  # untouched
    (other / (DB_FILE + "-wal")).write_bytes(b"stale log of the replaced database")
    restore_home(tmp_path / "backup", other, force=True)
    assert not (other / (DB_FILE + "-wal")).exists()
    assert contents(other) == contents(source)
    assert check_home(other).ok


def test_damaged_or_foreign_backups_are_refused(source: Path, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="not a medcite backup"):
        restore_home(tmp_path, tmp_path / "h1")
    backup = tmp_path / "backup"
    backup_home(source, backup)
    segment = next(p for p in (backup / "lexical").iterdir() if p.suffix == ".store")
    segment.write_bytes(segment.read_bytes() + b"x")
    with pytest.raises(BackupError, match=r"differs from when it was backed up"):
        restore_home(backup, tmp_path / "h2")
    segment.unlink()
    with pytest.raises(BackupError, match=r"lacks lexical/"):
        restore_home(backup, tmp_path / "h3")
    assert not (tmp_path / "h2").exists() and not (tmp_path / "h3").exists()


def test_backup_refuses_a_used_target_and_a_home_without_a_store(source: Path,
                                                                  tmp_path: Path) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("keep me")
    with pytest.raises(BackupError, match="not an empty directory"):
        backup_home(source, tmp_path / "used")
    with pytest.raises(BackupError, match="no medcite store"):
        backup_home(tmp_path / "nothing", tmp_path / "b")
    assert (tmp_path / "used" / "notes.txt").read_text() == "keep me"


def test_backups_taken_during_an_ingest_restore_consistent(tmp_path: Path) -> None:
    home = tmp_path / "home"
    files = [write_jsonl(tmp_path / f"part{n}.jsonl", records(f"p{n}", 40)) for n in range(8)]
    with Medcite(load_settings(home, embedder={"kind": "none"},
                               ingest={"batch_size": 5})) as service:
        service.ingest(files[:1])
        writer = threading.Thread(target=service.ingest, args=(files[1:],))
        writer.start()
        taken: list[BackupReport] = []
        while writer.is_alive() or not taken:
            taken.append(backup_home(home, tmp_path / f"backup-{len(taken)}"))
        writer.join()
    assert any(r.documents < 320 for r in taken)  # some were taken mid-ingest
    for n, report in enumerate(taken):
        restored = tmp_path / f"restored-{n}"
        restore_home(Path(report.path), restored)
        with open_service(restored) as service:
            service.sync_indexes()
        check = check_home(restored)
        assert check.ok, (n, check.problems)
        assert check.documents == report.documents
        assert check.indexes[0].entries == check.passages
