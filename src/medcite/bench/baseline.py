"""A plain BM25 baseline over whole documents, built in memory in the same run, so that
benchmark figures are reported as ratios that hold on a noisy machine."""

from __future__ import annotations

from typing import Any

import tantivy

from medcite.index.lexical import query_text
from medcite.store.sqlite import SQLiteStore
from medcite.text.terms import ANALYZER, english_analyzer


class DocumentBM25:
    """BM25 (English stemming and stop words) over title + text + full text of each document."""

    def __init__(self, store: SQLiteStore) -> None:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("doc_id", stored=True, tokenizer_name="raw")
        builder.add_text_field("text", tokenizer_name=ANALYZER, index_option="freq")
        self.index: Any = tantivy.Index(builder.build())
        self.index.register_tokenizer(ANALYZER, english_analyzer())
        writer = self.index.writer(heap_size=256_000_000, num_threads=2)
        self.size = 0
        for doc in store.iter_documents():
            text = "\n".join(x for x in (doc.title or "", doc.text, doc.body_text()) if x)
            writer.add_document(tantivy.Document(doc_id=doc.id, text=text))
            self.size += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def search(self, text: str, k: int = 10) -> list[str]:
        words = query_text(text)
        if not words:
            return []
        query = self.index.parse_query(words, default_field_names=["text"])
        searcher = self.index.searcher()
        return [searcher.doc(addr)["doc_id"][0]
                for _, addr in searcher.search(query, k, count=False).hits]
