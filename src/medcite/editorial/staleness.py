"""Re-review flags: after an ingest, approved and published articles whose evidence
changed are flagged "needs re-review" with concrete reasons, and join the reviewers'
queue.

An article is flagged when, among the documents the ingest added, replaced or deleted
(the store's change log since the ingest began):

- a document it cites was deleted, or replaced by a newer version;
- a document that is not cited now ranks in the top ``TOP_K`` of a fresh retrieval
  for the article's question (a new guideline, say).

This is a step after ingest: the service calls :func:`flag_stale` with its store and its
search function. A search that fails is reported in :attr:`StaleReport.warnings` (the
article is then checked on its citations only), never taken for "nothing ranks".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from medcite.editorial import audit
from medcite.editorial.articles import Articles
from medcite.editorial.models import SYSTEM_ACTOR, Article
from medcite.errors import MedciteError
from medcite.models import Hit
from medcite.store.editorial import has_articles
from medcite.store.sqlite import SQLiteStore

TOP_K = 5
KIND_WORDS = {"guideline": "guideline", "research": "study", "consumer": "consumer text",
              "drug-label": "drug label"}
log = logging.getLogger(__name__)

SearchFn = Callable[[str, int], list[Hit]]
"""``search(question, k)``: the top ``k`` hits of a fresh retrieval."""


@dataclass
class StaleReport:
    """What :func:`flag_stale` did: ``(article id, new reasons)`` of each article it
    flagged, and what it could not check."""

    flagged: list[tuple[int, list[str]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def changed_documents(store: SQLiteStore, seq: int) -> dict[str, str]:
    """doc id -> last operation ('upsert' or 'delete') in the change log after ``seq``."""
    last: dict[str, str] = {}
    after = seq
    while page := store.changes_after(after):
        for _, doc_id, op in page:
            last[doc_id] = op
        after = page[-1][0]
    return last


def cited_reasons(store: SQLiteStore, articles: Articles, article: Article,
                  changed: dict[str, str]) -> tuple[list[str], set[str]]:
    """Why the change of a document the article cites may change it; and what it cites."""
    shown = article.published_version if article.state == "published" else None
    answer = articles.version(article.id, shown or article.current_version).answer
    cited = {r.doc_id: r for r in answer.references}
    reasons: list[str] = []
    for doc_id, ref in cited.items():
        if doc_id not in changed:
            continue
        kind = KIND_WORDS.get(ref.kind, ref.kind)
        if changed[doc_id] == "delete":
            reasons.append(f"cited {kind} {doc_id} was deleted")
            continue
        doc = store.get_document(doc_id)
        detail = []
        if doc is not None and doc.version > 1:
            detail.append(f"version {doc.version}")
        if doc is not None and doc.revised:
            detail.append(f"revised {doc.revised}")
        extra = f" ({', '.join(detail)})" if detail else ""
        reasons.append(f"cited {kind} {doc_id} was replaced by a newer version{extra}")
    return reasons, set(cited)


def ranking_reasons(hits: list[Hit], changed: dict[str, str], cited: set[str],
                    existed: set[str]) -> list[str]:
    """New or updated documents, not cited, that now rank among ``hits``."""
    reasons: list[str] = []
    for hit in hits:
        if hit.doc_id in changed and hit.doc_id not in cited:
            age = "updated" if hit.doc_id in existed else "new"
            kind = KIND_WORDS.get(hit.kind, hit.kind)
            reasons.append(f"{age} {kind} {hit.doc_id} now ranks in the top {TOP_K} "
                           f"(#{hit.rank})")
    return reasons


def flag_stale(store: SQLiteStore, search: SearchFn, seq: int) -> StaleReport:
    """Flag the articles the board stands behind (approved, published, or with an approved
    version on the site while a revision is under way) that documents changed after change
    ``seq`` may alter, each with its audit event. A no-op without articles."""
    report = StaleReport()
    if not has_articles(store):
        return report
    changed = changed_documents(store, seq)
    if not changed:
        return report
    articles = Articles(store)
    existed = store.documents_changed_by(seq, list(changed))
    for article in articles.find():
        if article.state not in ("approved", "published") and article.published_version is None:
            continue  # neither approved nor on the site: nothing the board stands behind
        reasons, cited = cited_reasons(store, articles, article, changed)
        try:
            reasons += ranking_reasons(search(article.question, TOP_K), changed, cited,
                                       existed)
        except MedciteError as exc:
            warning = (f"Article {article.id}: could not search for its question to see "
                       f"whether new evidence ranks for it ({exc}); only its citations "
                       "were checked.")
            log.warning(warning)
            report.warnings.append(warning)
        new = [r for r in reasons if r not in article.stale_reasons]
        if not new:
            continue
        with store.transaction() as tx:
            articles.set_stale(tx, article.id, [*article.stale_reasons, *new])
            audit.record(tx, SYSTEM_ACTOR, "flag-stale", article.id, article.state,
                         article.state, article.current_version, reasons=new)
        report.flagged.append((article.id, new))
    return report
