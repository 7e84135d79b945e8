"""PMC full text in JATS XML: a bare ``<article>`` (.nxml), the efetch wrapper
``<pmc-articleset>`` and OAI-PMH ``GetRecord``/``ListRecords`` envelopes (namespaced JATS,
namespaces stripped). One research document per ``<article>``, with its body as sections."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from medcite.ingest.pubmed_xml import GUIDELINE_TYPES, normalize_pmcid
from medcite.ingest.xmlstream import XMLFatalError, flatten, root_element, xml_records
from medcite.models import Document, Malformed, Parsed, Section

ARTICLE_TYPES = {
    "research-article": "Journal Article",
    "review-article": "Review",
    "case-report": "Case Reports",
    "practice-guideline": "Practice Guideline",
    "systematic-review": "Systematic Review",
    "meta-analysis": "Meta-Analysis",
    "editorial": "Editorial",
    "letter": "Letter",
    "correction": "Published Erratum",
    "retraction": "Retraction of Publication",
    "brief-report": "Journal Article",
    "rapid-communication": "Journal Article",
}
PMCID_TYPES = ("pmcid", "pmc", "pmc-uid", "pmcaid")
PUB_DATE_PREFERENCE = ("epub", "ppub", "pub", "epub-ppub", "collection")
# Floating objects: their content is dropped from the running text, their caption kept.
FLOATS = frozenset({"table-wrap", "fig", "table-wrap-group", "fig-group", "disp-formula",
                    "supplementary-material", "chem-struct-wrap"})
SKIP_IN_TEXT = FLOATS | {"disp-formula-group"}
_JATS_HINT = re.compile(r"<(?:[\w-]+:)?(?:article-meta|front|journal-meta)\b|jats|"
                        r"JATS|Journal Archiving and Interchange|journalpublishing")
_LICENSE_MAX = 200
_LICENSE_SHORT = 120


def sniff(head: str) -> bool:
    """JATS ``<article>``, efetch ``<pmc-articleset>`` or an OAI-PMH envelope holding PMC JATS."""
    root = root_element(head)
    if root == "pmc-articleset":
        return True
    if root == "article":
        return bool(_JATS_HINT.search(head))
    return root == "OAI-PMH" and 'metadataPrefix="pmc' in head


def read(path: Path) -> Iterator[Parsed]:
    """One :class:`Document` per ``<article>`` in the file, in file order."""
    try:
        for article, line in xml_records(path, ("article",), strip=True):
            where = f"{path}:{line}"
            try:
                yield _article(article, where)
            except (ValueError, ValidationError) as exc:
                yield Malformed(where, f"cannot read article ({exc})")
            except RecursionError:
                yield Malformed(where, "cannot read article (elements nested too deep)")
    except XMLFatalError as exc:
        yield exc.malformed


def _article(article: ET.Element, where: str) -> Parsed:
    meta = article.find("front/article-meta")
    if meta is None:
        return Malformed(where, "article has no <front>/<article-meta>")
    ids = _ids(meta)
    pmid, pmcid = ids.get("pmid"), ids.get("pmcid")
    if not (pmid or pmcid):
        return Malformed(where, "article has neither a PMID nor a PMCID")
    where = f"{where} (id {pmcid or pmid})"
    title = flatten(meta.find("title-group/article-title"), SKIP_IN_TEXT)
    text = _abstract(meta)
    body_el = article.find("body")
    body = _sections(body_el, "") if body_el is not None else []
    if not (title or text or body):
        return Malformed(where, "article has no title, abstract or body")
    pub_type = ARTICLE_TYPES.get(article.get("article-type", ""))
    pub_types = [pub_type] if pub_type else []
    journal_meta = article.find("front/journal-meta")
    journal = ""
    if journal_meta is not None:
        journal = (flatten(journal_meta.find("journal-title-group/journal-title"))
                   or flatten(journal_meta.find("journal-title"))
                   or flatten(journal_meta.find("journal-id[@journal-id-type='nlm-ta']")))
    if pmcid:
        url = f"https://www.ncbi.nlm.nih.gov/pmc/articles/{pmcid}/"
    else:
        url = f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
    guideline = any(p.lower() in GUIDELINE_TYPES for p in pub_types)
    return Document(
        id=f"pmid:{pmid}" if pmid else f"pmc:{pmcid}",
        kind="guideline" if guideline else "research",
        title=title or None,
        text=text,
        body=body,
        collection="pmc",
        journal=journal or None,
        year=_year(meta),
        pmid=pmid,
        pmcid=pmcid,
        doi=ids.get("doi"),
        url=url,
        publication_types=pub_types,
        keywords=list(dict.fromkeys(k for k in (flatten(k) for k in meta.iter("kwd")) if k)),
        license=_license(meta),
    )


def _ids(meta: ET.Element) -> dict[str, str]:
    ids: dict[str, str] = {}
    for aid in meta.findall("article-id"):
        kind, value = aid.get("pub-id-type", ""), (aid.text or "").strip()
        if not value:
            continue
        if kind in PMCID_TYPES and value.upper().removeprefix("PMC").isdigit():
            ids.setdefault("pmcid", normalize_pmcid(value))
        elif kind == "pmid" and value.isdigit():
            ids.setdefault("pmid", value)
        elif kind == "doi":
            ids.setdefault("doi", value)
    return ids


def _abstract(meta: ET.Element) -> str:
    """The main abstract (no abstract-type, else the first); titled sections as ``TITLE: text``."""
    abstracts = meta.findall("abstract")
    if not abstracts:
        return ""
    main = next((a for a in abstracts if not a.get("abstract-type")), abstracts[0])
    lines = []
    for child in main:
        if child.tag == "sec":
            label = flatten(child.find("title")).rstrip(":").strip()
            parts = [flatten(c, SKIP_IN_TEXT) for c in child if c.tag != "title"]
            body = " ".join(p for p in parts if p)
            if body:
                lines.append(f"{label.upper()}: {body}" if label else body)
        elif child.tag not in ("title", "label") and child.tag not in FLOATS:
            body = flatten(child, SKIP_IN_TEXT)
            if body:
                lines.append(body)
    return "\n".join(lines)


def _sections(container: ET.Element, title: str) -> list[Section]:
    """The paragraphs of ``container`` as sections in document order; nested ``<sec>``
    become their own sections titled ``Parent / Child``."""
    out: list[Section] = []
    paragraphs: list[str] = []

    def flush() -> None:
        if paragraphs:
            out.append(Section(title=title, text="\n".join(paragraphs)))
            paragraphs.clear()

    for child in container:
        if child.tag == "sec":
            flush()
            sub = flatten(child.find("title")).rstrip(".:").strip()
            out.extend(_sections(child, f"{title} / {sub}" if title and sub else sub or title))
        elif child.tag not in ("title", "label", "sec-meta"):
            paragraphs.extend(_blocks(child))
    flush()
    return out


def _blocks(elem: ET.Element) -> list[str]:
    """Paragraph texts for one body element: its text without floats, then float captions."""
    if elem.tag in FLOATS:
        return [c for c in [_caption(elem)] if c]
    if elem.tag in ("list", "boxed-text", "disp-quote", "statement"):
        return [b for child in elem for b in _item_blocks(child)]
    texts = [flatten(elem, SKIP_IN_TEXT)]
    texts += [_caption(f) for f in elem.iter() if f is not elem and f.tag in FLOATS]
    return [t for t in texts if t]


def _item_blocks(elem: ET.Element) -> list[str]:
    if elem.tag == "list-item":
        text = flatten(elem, SKIP_IN_TEXT)
        return [f"- {text}"] if text else []
    if elem.tag in ("title", "label"):
        text = flatten(elem)
        return [text] if text else []
    return _blocks(elem)


def _caption(elem: ET.Element) -> str:
    """``Label. caption`` of a table or figure (empty for formulas and bare graphics)."""
    label = flatten(elem.find("label"))
    caption = flatten(elem.find("caption"))
    if not caption:
        return ""
    return f"{label.rstrip('.')}. {caption}" if label else caption


def _year(meta: ET.Element) -> int | None:
    dates: list[tuple[str, int]] = []
    for date in meta.findall("pub-date"):
        text = (date.findtext("year") or "").strip()[:4]
        if text.isdigit():
            dates.append((date.get("pub-type") or date.get("date-type") or "", int(text)))
    for wanted in PUB_DATE_PREFERENCE:
        for kind, year in dates:
            if kind == wanted:
                return year
    return dates[0][1] if dates else None


def _license(meta: ET.Element) -> str | None:
    """The license URL, else its text cut to its first sentence or clause."""
    lic = meta.find("permissions/license")
    if lic is None:
        return None
    href = lic.get("href") or flatten(lic.find("license_ref"))
    if href:
        return href.strip()
    text = flatten(lic)
    sentence = re.split(r"(?<=[.;])\s", text, maxsplit=1)[0]
    if len(sentence) > _LICENSE_SHORT and ", " in sentence[20:]:
        sentence = sentence[: sentence.index(", ", 20)]
    if len(sentence) > _LICENSE_MAX:
        sentence = sentence[: _LICENSE_MAX - 1].rsplit(" ", 1)[0] + "…"
    return sentence or None
