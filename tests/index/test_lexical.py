"""The BM25 passage index keeps in step with the store, and rebuilds in place."""

from __future__ import annotations

from pathlib import Path

import tantivy

from medcite.index.lexical import SCHEMA_KEY
from medcite.service import Medcite
from medcite.settings import load_settings
from tests.conftest import doc, write_jsonl


def test_rebuild_replaces_everything_and_can_run_twice(home: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [
        doc("pmid:1", "Zinc lozenges shorten the common cold."),
        doc("pmid:2", "Statins lower LDL cholesterol."),
    ])
    with Medcite(load_settings(home)) as service:
        service.ingest([path])
        index = service.lexical
        size = index.size()
        # a stray passage only the index knows about: a rebuild must drop it
        index.writer.add_document(tantivy.Document(
            passage_id="ghost#0", doc_id="ghost", kind="research", body="zinc ghost"))
        index.writer.commit()
        index.index.reload()
        assert index.size() == size + 1
        for _ in range(2):  # rebuilding an open, freshly rebuilt index is what broke in CI
            assert index.rebuild(service.store) == size
            assert index.size() == size
            assert [h.doc_id for h in index.search("zinc")] == ["pmid:1"]


def test_a_store_without_the_schema_mark_is_rebuilt_on_sync(home: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [doc("pmid:1", "Zinc lozenges shorten colds.")])
    with Medcite(load_settings(home)) as service:
        service.ingest([path])
        service.store.set_meta(SCHEMA_KEY, "an older layout")
        assert service.lexical.sync(service.store) == service.lexical.size() > 0
        assert service.store.get_meta(SCHEMA_KEY) != "an older layout"


def test_a_query_of_stop_words_finds_nothing_instead_of_failing(home: Path,
                                                                 tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [doc("pmid:1", "Zinc lozenges shorten colds.")])
    with Medcite(load_settings(home)) as service:
        service.ingest([path])
        index = service.lexical
        assert index.search("the of") == [] and index.search("is not") == []
        # stop-word expansions and boosts are left out, not a failure either
        assert [h.doc_id for h in index.search("zinc", expansions=["the"], boosts=["of"])] \
            == ["pmid:1"]
