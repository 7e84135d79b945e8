"""Ingestion end to end on a real SQLite store and tantivy index in a temporary home."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcite.errors import UnknownFormatError
from medcite.ingest import jsonl
from medcite.ingest.formats import FORMATS
from medcite.ingest.pipeline import Ingestor
from medcite.ingest.source import Format
from medcite.models import Parsed
from medcite.service import Medcite
from medcite.settings import load_settings
from tests.conftest import doc, write_jsonl


def records(n: int, start: int = 0) -> list[dict]:
    return [doc(f"pmid:{i}", f"Statin therapy number {i} lowers cholesterol in adults.",
                pmid=str(i)) for i in range(start, start + n)]


def test_ingest_counts_search_and_stats(service: Medcite, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl.gz", records(30), gz=True)
    report = service.ingest([path])
    assert report.total("added") == 30 and report.total("passages") == 30
    assert service.stats()["by_kind"] == {"research": {"documents": 30, "passages": 30}}
    hits = service.search("statin therapy number 7", k=3)
    assert hits[0].doc_id == "pmid:7"
    assert len({h.doc_id for h in hits}) == len(hits)


def test_malformed_record_mid_file_is_reported_and_the_rest_lands(
    service: Medcite, tmp_path: Path
) -> None:
    lines = [*records(3), "{not json", doc("x", "text", kind="novel"), *records(2, start=10)]
    path = write_jsonl(tmp_path / "bad.jsonl", lines)
    report = service.ingest([path])
    malformed = report.files[0].malformed
    assert [m.where for m in malformed] == [f"{path}:4", f"{path}:5 (id x)"]
    assert "invalid JSON" in malformed[0].reason and "kind must be one of" in malformed[1].reason
    assert service.store.document_count() == 5


def test_same_file_twice_changes_nothing_and_newer_version_wins(
    service: Medcite, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", records(5))
    service.ingest([path])
    changes = service.store.last_change()
    again = service.ingest([path])
    assert again.files[0].skipped.startswith("already ingested")
    forced = service.ingest([path], force=True)
    assert forced.total("unchanged") == 5 and service.store.last_change() == changes
    newer = write_jsonl(tmp_path / "b.jsonl", [doc("pmid:1", "Revised abstract about aspirin.")])
    assert service.ingest([newer]).total("updated") == 1
    assert service.search("revised aspirin")[0].doc_id == "pmid:1"
    assert service.search("statin therapy number 1 lowers")[0].doc_id != "pmid:1"


def test_older_pubmed_version_does_not_replace_newer(service: Medcite, tmp_path: Path) -> None:
    def article(version: int, title: str) -> str:
        return (f'<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="{version}">'
                f"77</PMID><Article><ArticleTitle>{title}</ArticleTitle><Abstract><AbstractText>"
                f"Text of version {version}.</AbstractText></Abstract></Article></MedlineCitation>"
                "</PubmedArticle></PubmedArticleSet>")

    (tmp_path / "v2.xml").write_text(article(2, "Second version"))
    (tmp_path / "v1.xml").write_text(article(1, "First version"))
    service.ingest([tmp_path / "v2.xml"])
    report = service.ingest([tmp_path / "v1.xml"])
    assert report.total("older") == 1
    stored = service.store.get_document("pmid:77")
    assert stored is not None and stored.title == "Second version" and stored.version == 2


def test_delete_citation_removes_document_from_store_and_index(
    service: Medcite, tmp_path: Path
) -> None:
    service.ingest([write_jsonl(tmp_path / "a.jsonl", records(3))])
    update = tmp_path / "pubmed24n9999.xml.gz"
    with gzip.open(update, "wt") as stream:
        stream.write('<?xml version="1.0"?>\n<PubmedArticleSet>\n<DeleteCitation>\n'
                     '<PMID Version="1">1</PMID>\n<PMID Version="1">404</PMID>\n'
                     "</DeleteCitation>\n</PubmedArticleSet>\n")
    report = service.ingest([update])
    assert report.total("deleted") == 1
    assert service.store.get_document("pmid:1") is None
    assert "pmid:1" not in {h.doc_id for h in service.search("statin therapy number 1", k=10)}


def test_fulltext_merges_whichever_arrives_first(service: Medcite, tmp_path: Path) -> None:
    fulltext = {"pmcid": "PMC9", "pmid": "9", "title": "T", "body_sections": [
        {"title": "Results", "text": "Ondansetron reduced vomiting by half in children."}]}
    ft_path = write_jsonl(tmp_path / "ft.jsonl", [fulltext])
    service.ingest([ft_path])  # before its article: kept until the article arrives
    assert service.store.get_document("pmid:9") is None
    service.ingest([write_jsonl(tmp_path / "r.jsonl", [
        doc("pmid:9", "Abstract about antiemetics.", pmid="9", pmcid="PMC9"),
        doc("pmid:10", "Another abstract.", pmid="10", pmcid="PMC10")])])
    parts = {p.part for p in service.store.passages_of("pmid:9")}
    assert parts == {"text", "body"}
    assert service.search("ondansetron vomiting children")[0].doc_id == "pmid:9"
    ft10 = {"pmcid": "PMC10", "pmid": None, "title": "T", "body_sections": [
        {"title": "Discussion", "text": "Zinc shortened diarrhoea."}]}
    assert service.ingest([write_jsonl(tmp_path / "ft10.jsonl", [ft10])]).total("fulltexts") == 1
    assert service.search("zinc diarrhoea")[0].doc_id == "pmid:10"


def test_abbreviations_count_each_text_once(service: Medcite, tmp_path: Path) -> None:
    text = "Leptomeningeal disease (LMD) is treated with intrathecal chemotherapy."

    def lmd() -> list[tuple[str, int]]:
        return service.store.long_forms("LMD", min_count=1)

    service.ingest([write_jsonl(tmp_path / "r.jsonl", [
        doc("pmid:9", text, pmid="9", pmcid="PMC9"), doc("pmid:8", text, pmid="8")])])
    assert lmd() == [("leptomeningeal disease", 2)]
    service.ingest([write_jsonl(tmp_path / "ft.jsonl", [
        {"pmcid": "PMC9", "pmid": "9", "title": "T", "body_sections": [
            {"title": "Results", "text": "Survival was 4 months."}]}])])
    assert lmd() == [("leptomeningeal disease", 2)]  # merging a full text adds no definition
    service.ingest([write_jsonl(tmp_path / "v2.jsonl", [
        doc("pmid:8", "A revised abstract without the abbreviation.", pmid="8")])])
    assert lmd() == [("leptomeningeal disease", 1)]  # the replaced text's definition goes
    update = tmp_path / "pubmed24n9998.xml"
    update.write_text('<?xml version="1.0"?>\n<PubmedArticleSet>\n<DeleteCitation>\n'
                      '<PMID Version="1">9</PMID>\n</DeleteCitation>\n</PubmedArticleSet>\n')
    assert service.ingest([update]).total("deleted") == 1
    assert lmd() == []


class Crash(Exception):
    pass


def crashing_format(after: int) -> Format:
    """The corpus reader, but the process 'dies' after ``after`` records."""

    def read(path: Path) -> Iterator[Parsed]:
        for i, item in enumerate(jsonl.read_corpus(path)):
            if i == after:
                raise Crash
            yield item

    return Format("corpus-jsonl", "crashing", jsonl.keys_sniffer(jsonl.CORPUS_KEYS), read)


def test_interrupted_ingest_leaves_store_consistent_and_rerun_finishes(
    home: Path, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "big.jsonl", records(250))
    with Medcite(load_settings(home, ingest={"batch_size": 100})) as svc:
        ingestor = Ingestor(svc.store, svc.sync_indexes, 100, 1000, [crashing_format(230)])
        with pytest.raises(Crash):
            ingestor.ingest([path])
        # two whole batches landed, the third was rolled back
        assert svc.store.document_count() == 200
    with Medcite(load_settings(home, ingest={"batch_size": 100})) as svc:
        report = svc.ingest([path])
        assert report.files[0].resumed_from == 200
        assert report.total("added") == 50
        assert svc.store.document_count() == 250
        assert svc.stats()["lexical_index"] == {"passages": 250, "pending_changes": 0}


def test_index_catches_up_after_crash_between_database_and_index(
    home: Path, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", records(20))
    with Medcite(load_settings(home)) as svc:
        calls = []

        def sync_dies() -> int:  # the start-of-ingest catch-up works; the next one dies
            calls.append(1)
            if len(calls) > 1:
                raise Crash
            return svc.sync_indexes()

        with pytest.raises(Crash):
            Ingestor(svc.store, sync_dies, 500, 1000, FORMATS).ingest([path])
        assert svc.store.document_count() == 20
        assert svc.lexical.size() == 0
    with Medcite(load_settings(home)) as svc:
        assert svc.search("statin therapy number 13")[0].doc_id == "pmid:13"


def test_unknown_format_is_an_error_for_a_named_file_and_skipped_in_a_directory(
    service: Medcite, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "notes.txt").write_text("just some words\n")
    write_jsonl(folder / "a.jsonl", records(2))
    with pytest.raises(UnknownFormatError, match="Cannot tell the format"):
        service.ingest([folder / "notes.txt"])
    report = service.ingest([folder])
    assert [bool(f.skipped) for f in report.files] == [False, True]
    assert service.store.document_count() == 2


def test_vocabulary_files_are_recognised_and_loaded(service: Medcite, tmp_path: Path) -> None:
    mesh = write_jsonl(tmp_path / "mesh.jsonl.gz", [
        {"ui": "D006973", "name": "Hypertension", "entry_terms": ["High Blood Pressure"],
         "permuted": [], "tree_numbers": ["C14.907.489"], "categories": [], "pharm_actions": []}],
        gz=True)
    drugs = write_jsonl(tmp_path / "drugs.jsonl", [
        {"canonical": "acetaminophen", "drugbank_id": "DB00316", "name": "Acetaminophen",
         "variants": ["paracetamol"], "brand_variants": ["tylenol"]}])
    service.ingest([mesh, drugs])
    assert service.store.vocab_count() == {"drug": 1, "mesh": 1}


def test_vocabulary_read_again_replaces_its_phrases_and_stem_counts(
    service: Medcite, tmp_path: Path
) -> None:
    def mesh(entry_terms: list[str]) -> dict[str, object]:
        return {"ui": "D1", "name": "Leptomeningeal Neoplasms", "entry_terms": entry_terms,
                "permuted": [], "tree_numbers": ["C10.1"], "categories": [],
                "pharm_actions": []}

    def stem_counts() -> list[tuple[str, int, int]]:
        return list(service.store.conn.execute(
            "SELECT stem, medical, other FROM vocab_terms ORDER BY stem"))

    path = write_jsonl(tmp_path / "mesh.jsonl", [mesh(["Leptomeningeal Carcinomatosis"])])
    service.ingest([path])
    first = stem_counts()
    assert ("leptomening", 1, 0) in first
    service.ingest([path], force=True)
    assert stem_counts() == first  # counted once, however often the file is read
    assert [p for p, _ in service.store.vocab_matches(["leptomeningeal carcinomatosis"])]

    write_jsonl(path, [mesh([])])  # a newer file without the entry term
    service.ingest([path])
    assert service.store.vocab_matches(["leptomeningeal carcinomatosis"]) == []
    assert ("carcinomatosi", 1, 0) not in stem_counts()
    assert ("leptomening", 1, 0) in stem_counts()
