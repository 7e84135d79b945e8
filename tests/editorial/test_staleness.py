"""Re-review flags: an ingest that changes an approved article's evidence flags it with
the reason and puts it in the reviewers' queue; other ingests leave it alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcite.editorial.desk import Desk
from medcite.editorial.staleness import StaleReport, flag_stale
from medcite.errors import EmptyStoreError
from medcite.ingest.pipeline import Ingestor
from medcite.models import Hit
from medcite.service import Medcite
from medcite.store.editorial import has_articles
from tests.conftest import doc, write_jsonl
from tests.web.conftest import corpus

NEW_GUIDELINE = doc(
    "guideline:htn-2025", "First-line treatment of hypertension (2025 update). First-line "
    "treatment for hypertension in adults is a thiazide diuretic, a calcium channel blocker, "
    "an ACE inhibitor or an angiotensin receptor blocker. The first-line treatment for "
    "hypertension also includes lifestyle changes.", kind="guideline",
    title="First-line Treatment of Hypertension: 2025 Update",
    organization="American Heart Association", year=2025)
UNRELATED = doc("guideline:asthma-1", "Inhaled corticosteroids are the preferred controller "
                "therapy for persistent asthma in children and adults.", kind="guideline",
                title="Asthma controller therapy", organization="NAEPP", year=2020)
DELETE_1001 = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2024//EN"
  "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">
<PubmedArticleSet>
<DeleteCitation><PMID Version="1">1001</PMID></DeleteCitation>
</PubmedArticleSet>
"""


def published_ids(desk: Desk) -> tuple[int, int]:
    published = desk.articles.find(["published"])[0]
    approved = desk.articles.find(["approved"])[0]
    return published.id, approved.id


def test_a_new_guideline_flags_the_article_and_queues_it(
        prepared_service: Medcite, prepared_desk: Desk, tmp_path: Path) -> None:
    desk = prepared_desk
    published, _ = published_ids(desk)
    prepared_service.ingest([write_jsonl(tmp_path / "new.jsonl", [NEW_GUIDELINE])])
    article = desk.articles.get(published)
    assert len(article.stale_reasons) == 1
    assert article.stale_reasons[0].startswith(
        "new guideline guideline:htn-2025 now ranks in the top 5 (#")
    reviewer = desk.accounts.require("rita")
    assert published in [a.id for a in desk.queue(reviewer)]
    event = desk.history(reviewer, published)[-1]
    assert (event.actor, event.action, event.detail["reasons"]) == (
        "medcite", "flag-stale", article.stale_reasons)
    # a reviewer looks again: re-review, approve; the flag is cleared
    desk.act(reviewer, published, "re-review")
    desk.act(reviewer, published, "approve")
    assert desk.articles.get(published).stale_reasons == []
    assert published not in [a.id for a in desk.queue(reviewer)]


def test_a_newer_version_of_a_cited_document(prepared_service: Medcite, prepared_desk: Desk,
                                             tmp_path: Path) -> None:
    published, _ = published_ids(prepared_desk)
    cited = {r.doc_id for r in prepared_desk.articles.current(
        prepared_desk.articles.get(published)).answer.references}
    assert "guideline:htn-1" in cited
    revised = next(d for d in corpus() if d["id"] == "guideline:htn-1")
    revised = {**revised, "text": revised["text"] + " Revised in 2025: start two agents when "
               "blood pressure is 20/10 mm Hg above target.", "year": 2025}
    prepared_service.ingest([write_jsonl(tmp_path / "revised.jsonl", [revised])])
    reasons = prepared_desk.articles.get(published).stale_reasons
    assert "cited guideline guideline:htn-1 was replaced by a newer version" in reasons


def test_a_deleted_citation(prepared_service: Medcite, prepared_desk: Desk,
                            tmp_path: Path) -> None:
    published, _ = published_ids(prepared_desk)
    path = tmp_path / "delete.xml"
    path.write_text(DELETE_1001, encoding="utf-8")
    report = prepared_service.ingest([path])
    assert report.total("deleted") == 1
    assert "cited study pmid:1001 was deleted" in \
        prepared_desk.articles.get(published).stale_reasons


def test_unrelated_evidence_flags_nothing(prepared_service: Medcite, prepared_desk: Desk,
                                          tmp_path: Path) -> None:
    seq = prepared_service.store.last_change()
    report = prepared_service.ingest([write_jsonl(tmp_path / "asthma.jsonl", [UNRELATED])])
    assert report.warnings == []
    assert all(not a.stale_reasons for a in prepared_desk.articles.find())
    store = prepared_service.store
    assert flag_stale(store, prepared_service.search, seq) == StaleReport()  # already done
    assert flag_stale(store, prepared_service.search, store.last_change()) == StaleReport()


def test_without_articles_the_hook_does_nothing(service: Medcite, tmp_path: Path) -> None:
    seq = service.store.last_change()
    service.ingest([write_jsonl(tmp_path / "c.jsonl", corpus())])
    assert not has_articles(service.store)
    searched: list[str] = []

    def search(question: str, k: int) -> list[Hit]:
        searched.append(question)
        return service.search(question, k)

    assert flag_stale(service.store, search, seq) == StaleReport()
    assert searched == []


def test_a_failed_search_is_reported_and_the_citations_still_checked(
        prepared_service: Medcite, prepared_desk: Desk, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    """A search error is not "nothing new ranks": it is a warning (logged, and in the
    ingest report), and the article is still checked against what it cites."""
    published, _ = published_ids(prepared_desk)
    store = prepared_service.store
    seq = store.last_change()
    path = tmp_path / "delete.xml"
    path.write_text(DELETE_1001, encoding="utf-8")
    Ingestor(store, prepared_service.sync_indexes).ingest([path])  # without the hook

    def failing_search(question: str, k: int) -> list[Hit]:
        raise EmptyStoreError("The store holds no documents yet.", "Ingest some first.")

    report = flag_stale(store, failing_search, seq)
    assert (published, ["cited study pmid:1001 was deleted"]) in report.flagged
    warning = next(w for w in report.warnings if w.startswith(f"Article {published}:"))
    assert "The store holds no documents yet." in warning
    assert "only its citations were checked" in warning
    assert warning in caplog.text
    assert prepared_desk.articles.get(published).stale_reasons == [
        "cited study pmid:1001 was deleted"]


def test_an_ingest_killed_before_its_check_is_checked_by_the_next(
        prepared_service: Medcite, prepared_desk: Desk, tmp_path: Path) -> None:
    published, _ = published_ids(prepared_desk)
    prepared_service.ingest([write_jsonl(tmp_path / "first.jsonl", [UNRELATED])])
    # the new guideline lands, then the process dies before articles are checked
    Ingestor(prepared_service.store, prepared_service.sync_indexes).ingest(
        [write_jsonl(tmp_path / "new.jsonl", [NEW_GUIDELINE])])
    assert prepared_desk.articles.get(published).stale_reasons == []
    prepared_service.ingest([write_jsonl(tmp_path / "later.jsonl", [
        {**UNRELATED, "id": "guideline:asthma-2"}])])
    reasons = prepared_desk.articles.get(published).stale_reasons
    assert any("guideline:htn-2025" in r for r in reasons)


def test_a_published_article_under_revision_is_still_flagged(
        prepared_service: Medcite, prepared_desk: Desk, tmp_path: Path) -> None:
    desk = prepared_desk
    published, _ = published_ids(desk)
    desk.act(desk.accounts.require("rita"), published, "re-review")
    article = desk.articles.get(published)
    assert article.state not in ("approved", "published")
    assert article.published_version is not None
    prepared_service.ingest([write_jsonl(tmp_path / "new.jsonl", [NEW_GUIDELINE])])
    assert desk.articles.get(published).stale_reasons
