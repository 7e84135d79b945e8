"""Re-review flags: after an ingest, approved and published articles whose evidence
changed are flagged "needs re-review" with concrete reasons, and join the reviewers'
queue.

An article is flagged when, among the documents the ingest added, replaced or deleted
(the store's change log since the ingest began):

- a document it cites was deleted, or replaced by a newer version;
- a document that is not cited now ranks in the top ``TOP_K`` of a fresh retrieval
  for the article's question (a new guideline, say).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from medcite.editorial import audit
from medcite.editorial.articles import Articles
from medcite.editorial.models import SYSTEM_ACTOR, Article
from medcite.errors import MedciteError
from medcite.store.editorial import has_articles

if TYPE_CHECKING:
    from medcite.service import Medcite

TOP_K = 5
KIND_WORDS = {"guideline": "guideline", "research": "study", "consumer": "consumer text",
              "drug-label": "drug label"}


def changed_documents(service: Medcite, seq: int) -> dict[str, str]:
    """doc id -> last operation ('upsert' or 'delete') in the change log after ``seq``."""
    last: dict[str, str] = {}
    after = seq
    while page := service.store.changes_after(after):
        for _, doc_id, op in page:
            last[doc_id] = op
        after = page[-1][0]
    return last


def _existed_before(service: Medcite, seq: int, doc_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(doc_ids), 500):
        chunk = doc_ids[start:start + 500]
        marks = ",".join("?" for _ in chunk)
        found.update(r[0] for r in service.store.conn.execute(
            f"SELECT DISTINCT doc_id FROM changes WHERE seq <= ? AND doc_id IN ({marks})",
            (seq, *chunk)))
    return found


def reasons_for(service: Medcite, articles: Articles, article: Article,
                changed: dict[str, str], existed: set[str]) -> list[str]:
    """Why new evidence may change ``article`` (empty when it does not)."""
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
        doc = service.store.get_document(doc_id)
        detail = []
        if doc is not None and doc.version > 1:
            detail.append(f"version {doc.version}")
        if doc is not None and doc.revised:
            detail.append(f"revised {doc.revised}")
        extra = f" ({', '.join(detail)})" if detail else ""
        reasons.append(f"cited {kind} {doc_id} was replaced by a newer version{extra}")
    try:
        hits = service.search(article.question, TOP_K)
    except MedciteError:
        hits = []
    for hit in hits:
        if hit.doc_id in changed and hit.doc_id not in cited:
            age = "updated" if hit.doc_id in existed else "new"
            kind = KIND_WORDS.get(hit.kind, hit.kind)
            reasons.append(f"{age} {kind} {hit.doc_id} now ranks in the top {TOP_K} "
                           f"(#{hit.rank})")
    return reasons


def flag_stale(service: Medcite, seq: int) -> list[tuple[int, list[str]]]:
    """Flag approved and published articles that documents changed after change ``seq``
    may alter; ``(article id, new reasons)`` for each. A no-op without articles."""
    if not has_articles(service.store):
        return []
    changed = changed_documents(service, seq)
    if not changed:
        return []
    articles = Articles(service.store)
    existed = _existed_before(service, seq, list(changed))
    flagged: list[tuple[int, list[str]]] = []
    for article in articles.find(("approved", "published")):
        new = [r for r in reasons_for(service, articles, article, changed, existed)
               if r not in article.stale_reasons]
        if not new:
            continue
        with service.store.transaction() as conn:
            articles.set_stale(conn, article.id, [*article.stale_reasons, *new])
            audit.record(conn, SYSTEM_ACTOR, "flag-stale", article.id, article.state,
                         article.state, article.current_version, reasons=new)
        flagged.append((article.id, new))
    return flagged
