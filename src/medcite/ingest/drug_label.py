"""FDA drug labels: HL7 v3 SPL XML (one label per file) and openFDA ``/drug/label`` JSON
(``{"meta": …, "results": […]}``, one label per result, streamed item by item).

A label becomes one ``drug-label`` document whose text is its sections as
``Heading\\ntext`` blocks; package-label and product-listing sections are left out.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from medcite.ingest.jsonl import without_surrogates
from medcite.ingest.source import open_binary
from medcite.ingest.xmlstream import XMLFatalError, flatten, root_element, xml_records
from medcite.models import Document, Malformed, Parsed

SPL_NAMESPACE = "urn:hl7-org:v3"
LICENSE = "public domain (FDA)"
# LOINC section codes that are not label text: product listing and carton images.
SKIP_SECTIONS = frozenset({"48780-1", "51945-4", "60561-8"})
UNCLASSIFIED = "42229-5"
SECTION_NAMES = {"34066-1": "Boxed Warning", "42231-1": "Medication Guide",
                 "43683-2": "Recent Major Changes", "42230-3": "Patient Package Insert",
                 "59845-8": "Instructions for Use"}
# openFDA label fields in label order; parents come before the subsections they contain.
OPENFDA_FIELDS = (
    "boxed_warning", "indications_and_usage", "dosage_and_administration",
    "dosage_forms_and_strengths", "contraindications", "warnings_and_cautions", "warnings",
    "precautions", "adverse_reactions", "drug_interactions", "use_in_specific_populations",
    "pregnancy", "teratogenic_effects", "labor_and_delivery", "nursing_mothers",
    "pediatric_use", "geriatric_use", "drug_abuse_and_dependence", "overdosage", "description",
    "clinical_pharmacology", "mechanism_of_action", "pharmacodynamics", "pharmacokinetics",
    "nonclinical_toxicology", "carcinogenesis_and_mutagenesis_and_impairment_of_fertility",
    "clinical_studies", "references", "how_supplied", "storage_and_handling",
    "information_for_patients", "spl_medguide", "spl_patient_package_insert",
    "instructions_for_use", "active_ingredient", "purpose", "do_not_use", "ask_doctor",
    "ask_doctor_or_pharmacist", "when_using", "stop_use", "pregnancy_or_breast_feeding",
    "keep_out_of_reach_of_children", "inactive_ingredient", "questions",
)
OPENFDA_SKIP = frozenset({"openfda", "id", "set_id", "version", "effective_time",
                          "package_label_principal_display_panel", "spl_product_data_elements",
                          "spl_unclassified_section", "spl_indexing_data_elements"})
OPENFDA_HEADINGS = {
    "warnings_and_cautions": "Warnings and precautions", "spl_medguide": "Medication guide",
    "spl_patient_package_insert": "Patient package insert",
    "carcinogenesis_and_mutagenesis_and_impairment_of_fertility":
        "Carcinogenesis, mutagenesis, impairment of fertility",
}
_LABEL_KEY = re.compile(
    r'"(' + "|".join((*OPENFDA_FIELDS, "set_id", "spl_product_data_elements")) + r')"\s*:')
_WS = re.compile(r"\s*")
_CHUNK = 1 << 20
_MAX_VALUE = 64 << 20
_DECODER = json.JSONDecoder()


def sniff_spl(head: str) -> bool:
    """SPL: document element ``<document>`` in the HL7 v3 namespace."""
    return root_element(head) == "document" and SPL_NAMESPACE in head


def sniff_openfda(head: str) -> bool:
    """An openFDA label response: one JSON object with ``results`` holding label fields."""
    text = head.lstrip()
    if not text.startswith("{") or '"results"' not in text:
        return False
    try:  # a complete object on the first line is JSON Lines (or a tiny non-label response)
        first = json.loads(text.split("\n", 1)[0])
        if not isinstance(first, dict) or "results" not in first:
            return False
    except json.JSONDecodeError:
        pass
    return bool(_LABEL_KEY.search(text))


def sniff(head: str) -> bool:
    return sniff_spl(head) or sniff_openfda(head)


def read(path: Path) -> Iterator[Parsed]:
    """Labels from an SPL XML or openFDA JSON file."""
    try:
        with _open_text(path) as stream:
            head = stream.read(16_384)
    except (OSError, EOFError) as exc:
        yield Malformed(str(path), f"file is truncated or unreadable ({exc})")
        return
    yield from (read_openfda(path) if head.lstrip().startswith("{") else read_spl(path))


def read_spl(path: Path) -> Iterator[Parsed]:
    """One document per SPL ``<document>``."""
    try:
        for doc, line in xml_records(path, ("document",), strip=True):
            where = f"{path}:{line}"
            try:
                yield _spl_document(doc, where)
            except (ValueError, ValidationError) as exc:
                yield Malformed(where, f"cannot read label ({exc})")
            except RecursionError:
                yield Malformed(where, "cannot read label (elements nested too deep)")
    except XMLFatalError as exc:
        yield exc.malformed


def _spl_document(doc: ET.Element, where: str) -> Parsed:
    set_id = _attr(doc, "setId", "root").strip()
    if not set_id:
        return Malformed(where, "SPL document has no setId")
    where = f"{where} (id {set_id})"
    blocks: list[str] = []
    for section in doc.findall("component/structuredBody/component/section"):
        _spl_section(section, blocks)
    if not blocks:
        return Malformed(where, "label has no section text")
    names, generics = [], []
    for product in doc.iter("manufacturedProduct"):
        if product.find("name") is not None:
            names.append(_words(product.find("name")))
            generics.append(_words(product.find("asEntityWithGeneric/genericMedicine/name")))
    title = _label_title(names, generics) or flatten(doc.find("title"))
    effective = _attr(doc, "effectiveTime", "value")
    version = _attr(doc, "versionNumber", "value")
    org = flatten(doc.find("author/assignedEntity/representedOrganization/name"))
    return _document(set_id, title, "\n\n".join(blocks), org, effective, version)


def _attr(elem: ET.Element, path: str, name: str) -> str:
    found = elem.find(path)
    return found.get(name, "") if found is not None else ""


def _spl_section(section: ET.Element, blocks: list[str]) -> None:
    """Append the section's own text as a ``Heading\\ntext`` block, then its subsections'."""
    code_el = section.find("code")
    code = code_el.get("code", "") if code_el is not None else ""
    if code in SKIP_SECTIONS:
        return
    heading = flatten(section.find("title")).rstrip(".:").strip()
    if not heading and code != UNCLASSIFIED and code_el is not None:
        name = code_el.get("displayName", "")
        heading = SECTION_NAMES.get(code) or re.sub(r"(?i)\s*section$", "", name).capitalize()
    text = section.find("text")
    lines = _text_blocks(text) if text is not None else []
    before = len(blocks)
    for sub in section.findall("component/section"):
        _spl_section(sub, blocks)
    if lines or (heading and len(blocks) > before):
        # A heading alone still heads its subsections (the chunker joins nested headings).
        blocks.insert(before, "\n".join([heading, *lines]) if heading else "\n".join(lines))


def _text_blocks(elem: ET.Element) -> list[str]:
    """Paragraphs, ``- item`` list lines and ``cell | cell`` table rows of an SPL ``<text>``."""
    out = [" ".join(elem.text.split())] if elem.text and elem.text.strip() else []
    for child in elem:
        if child.tag == "list":
            out += [f"- {t}" for t in (flatten(i) for i in child.findall("item")) if t]
        elif child.tag == "table":
            out += [t for t in [flatten(child.find("caption"))] if t]
            for row in child.iter("tr"):
                cells = [flatten(c) for c in row if c.tag in ("td", "th")]
                if any(cells):
                    out.append(" | ".join(c for c in cells if c))
        elif child.tag != "renderMultiMedia":
            text = flatten(child)
            if text:
                out.append(text)
        if child.tail and child.tail.strip():
            out.append(" ".join(child.tail.split()))
    return out


def read_openfda(path: Path) -> Iterator[Parsed]:
    """One document per item of an openFDA label response's ``results`` array."""
    count = 0
    try:
        for count, (line, result) in enumerate(_json_results(path), start=1):
            where = f"{path}:{line} (result {count})"
            if not isinstance(result, dict):
                yield Malformed(where, "a result must be a JSON object")
                continue
            try:
                yield _openfda_document(without_surrogates(result), where)
            except (ValueError, TypeError, ValidationError) as exc:
                yield Malformed(where, f"cannot read label ({exc})")
    except _JSONStreamError as exc:
        yield Malformed(f"{path}:{exc.line}", str(exc))
        return
    except (OSError, EOFError) as exc:
        yield Malformed(f"{path}", f"file is truncated ({exc})")
        return
    if not count:
        yield Malformed(f"{path}:1", "openFDA response has no results")


def _openfda_document(result: dict[str, Any], where: str) -> Parsed:
    meta: dict[str, Any] = result["openfda"] if isinstance(result.get("openfda"), dict) else {}
    set_id = result.get("set_id") or next(iter(_strings(meta.get("spl_set_id"))), "")
    if not set_id:
        return Malformed(where, "label has no set_id")
    if not isinstance(set_id, str):
        return Malformed(where, "set_id must be a string")
    where = where.replace("(result", f"(id {set_id}, result")
    fields = {k: "\n".join(v for v in vals if isinstance(v, str) and v.strip())
              for k, vals in result.items()
              if isinstance(vals, list) and k not in OPENFDA_SKIP and not k.endswith("_table")}
    order = [k for k in OPENFDA_FIELDS if k in fields] + sorted(
        k for k in fields if k not in OPENFDA_FIELDS)
    # Parent fields repeat their subsections' text: keep a field only if no other holds it.
    kept = [k for k in order if fields[k] and not any(
        o != k and len(fields[o]) > len(fields[k]) and fields[k] in fields[o] for o in order)]
    if not kept:
        return Malformed(where, "label has no section text")
    text = "\n\n".join(f"{_heading(k)}\n{fields[k]}" for k in kept)
    brands, generics = _strings(meta.get("brand_name")), _strings(meta.get("generic_name"))
    title = _label_title(brands, generics) or f"Drug label {set_id}"
    org = next(iter(_strings(meta.get("manufacturer_name"))), "")
    return _document(set_id, title, text, org, str(result.get("effective_time") or ""),
                     str(result.get("version") or ""))


def _document(set_id: str, title: str, text: str, org: str, effective: str, version: str
              ) -> Document:
    year = int(effective[:4]) if effective[:4].isdigit() else None
    revised = (f"{effective[:4]}-{effective[4:6]}-{effective[6:8]}"
               if len(effective) >= 8 and effective[:8].isdigit() else None)
    return Document(
        id=f"label:{set_id}", kind="drug-label", title=title, text=text,
        collection="fda_labels", organization=org or None, year=year,
        url=f"https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={set_id}",
        license=LICENSE, version=int(version) if version.isdigit() else 1, revised=revised,
    )


def _label_title(names: list[str], generics: list[str]) -> str:
    """``Brand (generic) — prescribing information`` from de-duplicated product names."""
    brands = list(dict.fromkeys(n for n in names if n))
    brands = [b for i, b in enumerate(brands) if b.lower() not in
              {x.lower() for x in brands[:i]}]
    lower = {b.lower() for b in brands}
    gens = [_generic_case(g) for g in dict.fromkeys(g for g in generics if g)
            if g.lower() not in lower]
    if not brands and not gens:
        return ""
    name = ", ".join(brands) if brands else ", ".join(gens)
    if brands and gens:
        name += f" ({', '.join(dict.fromkeys(gens))})"
    return f"{name} — prescribing information"


def _generic_case(name: str) -> str:
    """Generic names in lower case, keeping salt abbreviations: ``diphenhydramine HCl``."""
    words = name.split()
    return " ".join(w.lower() if (w.isupper() and len(w) > 3) or w[1:].islower() else w
                    for w in words)


def _strings(value: Any) -> list[str]:
    """The strings of an openFDA list field (a lone string counts as one; others are
    ignored)."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _heading(field: str) -> str:
    return OPENFDA_HEADINGS.get(field) or field.replace("_", " ").capitalize()


def _words(elem: ET.Element | None) -> str:
    """Text pieces of ``elem`` joined by spaces (SPL splits names into name + suffix)."""
    return " ".join(t.strip() for t in elem.itertext() if t.strip()) if elem is not None else ""


class _JSONStreamError(ValueError):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line


def _json_results(path: Path) -> Iterator[tuple[int, Any]]:
    """``(line, item)`` for each item of the top-level ``results`` array, read incrementally."""
    with _open_text(path) as stream:
        reader = _JSONReader(stream)
        reader.expect("{")
        while reader.peek() not in ("}", ""):
            key = reader.value()
            reader.expect(":")
            if key == "results" and reader.peek() == "[":
                reader.expect("[")
                while reader.peek() != "]":
                    line = reader.line()
                    yield line, reader.value()
                    if reader.peek() == ",":
                        reader.expect(",")
                    elif reader.peek() != "]":
                        raise _JSONStreamError(reader.line(), "expected ',' or ']' in results")
                reader.expect("]")
            else:
                reader.value()
            if reader.peek() == ",":
                reader.expect(",")
        reader.expect("}")


class _JSONReader:
    """Values of one large JSON document, decoded one at a time from a growing buffer."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.buf = ""
        self.pos = 0
        self.lines_before = 0
        self.eof = False

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.lines_before += self.buf.count("\n", 0, self.pos)
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        return True

    def line(self) -> int:
        self.peek()
        return self.lines_before + self.buf.count("\n", 0, self.pos) + 1

    def peek(self) -> str:
        while True:
            match = _WS.match(self.buf, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.buf) or not self._more():
                return self.buf[self.pos] if self.pos < len(self.buf) else ""

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            raise _JSONStreamError(self.line(), f"invalid JSON: expected {char!r}, "
                                                f"found {found or 'end of file'!r}")
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos < _MAX_VALUE and self._more():
                    continue
                raise _JSONStreamError(self.line(), f"invalid JSON ({exc.msg})") from exc
            except RecursionError as exc:
                raise _JSONStreamError(self.line(), "invalid JSON (nested too deep)") from exc
            if end == len(self.buf) and not self.eof and self._more():
                continue  # a number may go on in the next chunk
            self.pos = end
            return value


@contextmanager
def _open_text(path: Path) -> Iterator[io.TextIOWrapper]:
    """The file as UTF-8 text, plain or gzip; every file handle is closed on exit."""
    with open_binary(path) as raw, io.TextIOWrapper(
        raw, encoding="utf-8", errors="replace", newline=""
    ) as stream:
        yield stream
