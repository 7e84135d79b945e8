"""PubMed XML as NCBI serves it: efetch ``PubmedArticleSet`` (articles and book articles),
baseline and update files (gzip, with ``DeleteCitation``) and the legacy
``MedlineCitationSet``. Streams record by record with bounded memory.

"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import ValidationError

from medcite.ingest.xmlstream import XMLFatalError, flatten, root_element, xml_records
from medcite.models import Deletion, Document, Malformed, Parsed

ROOTS = frozenset({"PubmedArticleSet", "MedlineCitationSet", "PubmedArticle",
                   "PubmedBookArticle", "MedlineCitation"})
RECORDS = frozenset({"PubmedArticle", "PubmedBookArticle", "MedlineCitation", "DeleteCitation"})
GUIDELINE_TYPES = frozenset({"practice guideline", "guideline"})
_YEAR = re.compile(r"\b(1[5-9]\d\d|2[01]\d\d)\b")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def sniff(head: str) -> bool:
    """PubMed/MEDLINE XML: the document element is one of PubMed's set or record roots."""
    return root_element(head) in ROOTS


def read(path: Path) -> Iterator[Parsed]:
    """Documents (and deletions) from a PubMed or MEDLINE XML file, in file order."""
    try:
        for elem, line in xml_records(path, RECORDS):
            where = f"{path}:{line}"
            if elem.tag == "DeleteCitation":
                yield from _deletions(elem, where)
                continue
            try:
                yield _record(elem, where)
            except (ValueError, ValidationError) as exc:
                yield Malformed(where, f"cannot read record ({exc})")
            except RecursionError:
                yield Malformed(where, "cannot read record (elements nested too deep)")
    except XMLFatalError as exc:
        yield exc.malformed


def _deletions(elem: ET.Element, where: str) -> Iterator[Parsed]:
    pmids = elem.findall("PMID")
    if not pmids:
        yield Malformed(where, "DeleteCitation lists no PMID")
    for pmid_el in pmids:
        pmid = (pmid_el.text or "").strip()
        if pmid.isdigit():
            yield Deletion(doc_id=f"pmid:{pmid}", where=where)
        else:
            yield Malformed(where, f"DeleteCitation has an invalid PMID {pmid!r}")


def _record(elem: ET.Element, where: str) -> Parsed:
    """One PubmedArticle, PubmedBookArticle or (legacy) MedlineCitation."""
    book = elem.tag == "PubmedBookArticle"
    citation: ET.Element | None = elem
    data: ET.Element | None = None
    if elem.tag != "MedlineCitation":
        citation = elem.find("BookDocument" if book else "MedlineCitation")
        data = elem.find("PubmedBookData" if book else "PubmedData")
    pmid_el = citation.find("PMID") if citation is not None else None
    pmid = (pmid_el.text or "").strip() if pmid_el is not None else ""
    if citation is None or pmid_el is None or not pmid:
        return Malformed(where, "record has no PMID")
    where = f"{where} (id {pmid})"
    article = citation if book else citation.find("Article")
    if article is None:
        return Malformed(where, "record has no Article")
    title = flatten(article.find("ArticleTitle"))
    book_title = flatten(article.find("Book/BookTitle")) if book else ""
    text = abstract_text(article.find("Abstract"))
    if not (title or book_title or text):
        return Malformed(where, "no title or abstract")
    if book:
        pub_types = [flatten(p) for p in article.findall("PublicationType")]
        journal = book_title if title else flatten(article.find("Book/Publisher/PublisherName"))
        year = _year(article.find("Book/PubDate"))
    else:
        pub_types = [flatten(p) for p in article.findall("PublicationTypeList/PublicationType")]
        journal = (flatten(article.find("Journal/Title"))
                   or flatten(article.find("Journal/ISOAbbreviation")))
        year = _year(article.find("Journal/JournalIssue/PubDate")) or _year(
            article.find("ArticleDate"))
    ids = _article_ids(data)
    doi = ids.get("doi") or _elocation_doi(article)
    pmcid = ids.get("pmc") or _other_pmcid(citation)
    guideline = any(p.lower() in GUIDELINE_TYPES for p in pub_types)
    organization = None
    if guideline:
        names = [flatten(c) for c in article.findall("AuthorList/Author/CollectiveName")]
        organization = next((n for n in names if n), None)
    keywords = [flatten(k) for k in citation.findall("KeywordList/Keyword")]
    return Document(
        id=f"pmid:{pmid}",
        kind="guideline" if guideline else "research",
        title=title or book_title or None,
        text=text,
        collection="pubmed",
        journal=journal or None,
        organization=organization,
        year=year,
        pmid=pmid,
        pmcid=pmcid,
        doi=doi,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        publication_types=_unique(pub_types),
        mesh=_unique(flatten(d) for d in citation.findall("MeshHeadingList/MeshHeading/"
                                                          "DescriptorName")),
        keywords=_unique(keywords),
        license=None,
        version=int(pmid_el.get("Version") or 1),
        revised=_iso_date(citation.find("DateRevised")),
    )


def abstract_text(abstract: ET.Element | None) -> str:
    """Abstract paragraphs one per line; labelled ones as ``LABEL: text`` (PubMed display)."""
    if abstract is None:
        return ""
    lines = []
    for part in abstract.findall("AbstractText"):
        body = flatten(part)
        label = (part.get("Label") or "").strip().rstrip(":").strip()
        if body:
            lines.append(f"{label.upper()}: {body}" if label else body)
    return "\n".join(lines)


def _article_ids(data: ET.Element | None) -> dict[str, str]:
    ids: dict[str, str] = {}
    if data is not None:
        for aid in data.findall("ArticleIdList/ArticleId"):
            kind, value = (aid.get("IdType") or "").lower(), (aid.text or "").strip()
            if kind and value:
                ids.setdefault(kind, value)
    if "pmc" in ids:
        ids["pmc"] = normalize_pmcid(ids["pmc"])
    return ids


def normalize_pmcid(value: str) -> str:
    """``PMC123``, ``pmc123`` or ``123`` as ``PMC123``."""
    value = value.strip()
    return "PMC" + value[3:] if value.upper().startswith("PMC") else "PMC" + value


def _elocation_doi(article: ET.Element) -> str | None:
    for loc in article.findall("ELocationID"):
        if loc.get("EIdType") == "doi" and loc.get("ValidYN", "Y") != "N" and loc.text:
            return loc.text.strip()
    return None


def _other_pmcid(citation: ET.Element) -> str | None:
    """Legacy MEDLINE records carry the PMCID as ``<OtherID Source="NLM">PMC…``."""
    for other in citation.findall("OtherID"):
        text = (other.text or "").strip().split(" ")[0]
        if other.get("Source") == "NLM" and text.upper().startswith("PMC"):
            return normalize_pmcid(text)
    return None


def _year(date: ET.Element | None) -> int | None:
    if date is None:
        return None
    for text in (date.findtext("Year"), date.findtext("MedlineDate")):
        match = _YEAR.search(text or "")
        if match:
            return int(match.group(1))
    return None


def _iso_date(date: ET.Element | None) -> str | None:
    """``<Year>/<Month>/<Day>`` as ``yyyy-mm-dd`` (month as number or name)."""
    if date is None:
        return None
    year, month, day = (date.findtext(k, "").strip() for k in ("Year", "Month", "Day"))
    if not year.isdigit():
        return None
    month_no = int(month) if month.isdigit() else _MONTHS.get(month[:3].lower(), 1)
    day_no = int(day) if day.isdigit() else 1
    return f"{int(year):04d}-{month_no:02d}-{day_no:02d}"


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
