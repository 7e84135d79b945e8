"""BM25 over passages with tantivy, kept in step with the store through its change log.

The index lives in ``<home>/lexical``. It is derived data: after a crash it catches up
by replaying the store's ``changes`` from the sequence number it last applied
(``meta.lexical_seq``), and ``rebuild`` recreates it from the documents.
"""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from medcite.store.sqlite import SQLiteStore
from medcite.text.terms import ANALYZER, english_analyzer, index_terms

SCHEMA_ID = "lexical-v2"
SEQ_KEY = "lexical_seq"
SCHEMA_KEY = "lexical_schema"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def query_text(text: str) -> str:
    """Free text made safe for tantivy's query parser: words only, no operators."""
    return " ".join(w.lower() for w in _WORD.findall(text))


@dataclass(frozen=True, slots=True)
class LexicalHit:
    passage_id: str
    doc_id: str
    score: float


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("passage_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("doc_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("kind", stored=True, tokenizer_name="raw")
    builder.add_text_field("body", tokenizer_name=ANALYZER, index_option="freq")
    return builder.build()


class LexicalIndex:
    """Passage-level BM25 (document title, section title and passage text in one field),
    kept in step with the store."""

    def __init__(self, home: Path) -> None:
        self.path = home / "lexical"
        self.path.mkdir(parents=True, exist_ok=True)
        self._open()
        self._writer: Any = None

    def _open(self) -> None:
        try:
            self.index = tantivy.Index(_schema(), path=str(self.path), reuse=True)
        except ValueError:  # written with another schema: derived data, so start afresh
            shutil.rmtree(self.path, ignore_errors=True)
            self.path.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(_schema(), path=str(self.path), reuse=True)
        self.index.register_tokenizer(ANALYZER, english_analyzer())

    @property
    def writer(self) -> Any:
        if self._writer is None:
            self._writer = self.index.writer(heap_size=256_000_000, num_threads=2)
        return self._writer

    def close(self) -> None:
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None

    # -- keeping in step -----------------------------------------------------------

    def pending(self, store: SQLiteStore) -> int:
        return store.last_change() - int(store.get_meta(SEQ_KEY, "0") or 0)

    def sync(self, store: SQLiteStore) -> int:
        """Apply the store's changes since the last sync; returns passages indexed."""
        if store.get_meta(SCHEMA_KEY) != SCHEMA_ID:
            return self.rebuild(store)
        seq = int(store.get_meta(SEQ_KEY, "0") or 0)
        indexed = 0
        while True:
            changed = store.changed_documents(seq, limit=20_000)
            if not changed:
                break
            doc_ids = [doc for doc, _ in changed]
            for doc_id in doc_ids:
                self.writer.delete_documents_by_term("doc_id", doc_id)
            indexed += self._add_docs(store, doc_ids)
            seq = changed[-1][1]
            self.writer.commit()
            store.set_meta(SEQ_KEY, str(seq))
        if indexed:
            self.index.reload()
        return indexed

    def rebuild(self, store: SQLiteStore) -> int:
        """Recreate the index from every document in the store."""
        # Empty the open index rather than deleting its directory: removing files that
        # tantivy still holds open raced with its own bookkeeping (FileExistsError in CI),
        # and readers keep the old segments until the single commit below.
        self.writer.delete_all_documents()
        seq = store.last_change()
        indexed = 0
        batch: list[str] = []
        for doc in store.iter_documents():
            batch.append(doc.id)
            if len(batch) >= 2000:
                indexed += self._add_docs(store, batch)
                batch = []
        indexed += self._add_docs(store, batch)
        self.writer.commit()
        self.writer.garbage_collect_files()
        store.set_meta(SEQ_KEY, str(seq))
        store.set_meta(SCHEMA_KEY, SCHEMA_ID)
        self.index.reload()
        return indexed

    def _add_docs(self, store: SQLiteStore, doc_ids: list[str]) -> int:
        if not doc_ids:
            return 0
        meta = store.document_meta(doc_ids)
        passages = store.passages_for_docs([d for d in doc_ids if d in meta])
        count = 0
        for doc_id, items in passages.items():
            info = meta[doc_id]
            title = info["title"] or ""
            for p in items:
                section = p.section if p.section and p.section != "Title" else ""
                self.writer.add_document(tantivy.Document(
                    passage_id=p.id, doc_id=doc_id, kind=info["kind"],
                    body="\n".join(x for x in (title, section, p.text) if x),
                ))
                count += 1
        return count

    # -- searching -----------------------------------------------------------------

    def search(
        self, text: str, limit: int = 100, kinds: Sequence[str] | None = None,
        expansions: Sequence[str] = (), expansion_weight: float = 0.3,
        boosts: Sequence[str] = (),
    ) -> list[LexicalHit]:
        """Best passages for ``text`` by BM25, best first; only of ``kinds`` if given.

        ``expansions`` (synonyms, other names) are searched too, at ``expansion_weight``;
        ``boosts`` only raise, at the same weight, passages that match the rest.
        """
        query = self._parse(text)
        if query is None:  # only stop words: tantivy would refuse the query
            return []
        for extra, occur in ((expansions, tantivy.Occur.Should), (boosts, tantivy.Occur.Must)):
            extra_query = self._parse(" ".join(extra))
            if extra_query is not None and expansion_weight > 0:  # Must: extras only lift
                query = tantivy.Query.boolean_query([
                    (occur, query),
                    (tantivy.Occur.Should, tantivy.Query.boost_query(extra_query,
                                                                     expansion_weight)),
                ])
        if kinds:
            query = tantivy.Query.boolean_query([
                (tantivy.Occur.Must, query),
                (tantivy.Occur.Must,
                 tantivy.Query.term_set_query(self.index.schema, "kind", list(kinds))),
            ])
        searcher = self.index.searcher()
        hits = []
        for score, address in searcher.search(query, limit, count=False).hits:
            doc = searcher.doc(address)
            hits.append(LexicalHit(doc["passage_id"][0], doc["doc_id"][0], float(score)))
        return hits

    def _parse(self, text: str) -> Any | None:
        """``text`` as a query of the body field, or None when no word of it is indexed."""
        words = query_text(text)
        if not index_terms(words):
            return None
        return self.index.parse_query(words, default_field_names=["body"])

    def size(self) -> int:
        return int(self.index.searcher().num_docs)

    def indexed_ids(self) -> list[str]:
        """The passage id of every indexed entry (a passage indexed twice appears twice),
        for consistency checks; reads the whole index."""
        self.index.reload()
        searcher = self.index.searcher()
        if not searcher.num_docs:
            return []
        hits = searcher.search(tantivy.Query.all_query(), int(searcher.num_docs)).hits
        return [str(searcher.doc(address)["passage_id"][0]) for _, address in hits]

    def seq(self, store: SQLiteStore) -> int:
        """The store change sequence number the index reflects (0 when the next sync
        rebuilds it: a new store, or an index of another schema)."""
        if store.get_meta(SCHEMA_KEY) != SCHEMA_ID:
            return 0
        return int(store.get_meta(SEQ_KEY, "0") or 0)

    def share(self, terms: Sequence[str]) -> dict[str, float]:
        """The share of passages containing each analysed term (0 for an unseen term)."""
        searcher = self.index.searcher()
        n = max(int(searcher.num_docs), 1)
        return {t: searcher.doc_freq("body", t) / n for t in dict.fromkeys(terms)}

    def idf(self, terms: Sequence[str]) -> dict[str, float]:
        """Inverse document frequency of analysed terms (stems), over passages."""
        searcher = self.index.searcher()
        n = max(int(searcher.num_docs), 1)
        return {t: math.log(1 + (n - (df := searcher.doc_freq("body", t)) + 0.5) / (df + 0.5))
                for t in dict.fromkeys(terms)}
