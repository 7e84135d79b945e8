"""Whether a home's store and its derived indexes agree, read as they are on disk.

The rules are :mod:`medcite.store.integrity`'s; this module gathers what each index
holds: the BM25 index's entries and the saved vectors' rows (no embedding model needed).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from medcite.index import dense
from medcite.index.lexical import LexicalIndex
from medcite.index.vectors import stored_rows
from medcite.store.integrity import ConsistencyReport, IndexView, check_store
from medcite.store.sqlite import SQLiteStore

VECTORS_DIR = "vectors"


def index_views(store: SQLiteStore, home: Path, parts: Sequence[str]) -> list[IndexView]:
    """The BM25 index and (when saved) the vectors of ``home``, for :func:`check_store`."""
    lexical = LexicalIndex(home)
    try:
        views = [IndexView("lexical", lexical.seq(store), lexical.indexed_ids())]
    finally:
        lexical.close()
    saved = stored_rows(home / VECTORS_DIR)
    if saved is not None:
        ids, meta = saved
        views.append(IndexView("vectors", int(meta.get(dense.SEQ_KEY, 0)), ids, tuple(parts)))
    return views


def check_home(home: Path, parts: Sequence[str] = ("text",)) -> ConsistencyReport:
    """Open the store of ``home`` and check it and its indexes (``parts``: the passage
    parts that get vectors, setting ``embedder.parts``)."""
    store = SQLiteStore(home)
    try:
        return check_store(store, index_views(store, home, parts))
    finally:
        store.close()
