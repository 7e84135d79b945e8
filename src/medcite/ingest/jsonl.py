"""JSON Lines inputs: the shared corpus schema, PMC full texts, USPSTF recommendations,
and the MeSH and drug vocabularies. One record per line; a bad line (bad JSON, a field of
the wrong type) becomes a :class:`Malformed` item naming the file, the line and the record
id, so that only well-typed records reach the store."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from medcite.ingest.guideline import plain_text
from medcite.ingest.source import open_text
from medcite.models import DOCUMENT_KINDS, Document, FullText, Malformed, Parsed, Section, VocabTerm

CORPUS_KEYS = frozenset({"id", "kind", "text"})
FULLTEXT_KEYS = frozenset({"body_sections"})
USPSTF_KEYS = frozenset({"grade", "servFreq", "general_title"})
MESH_KEYS = frozenset({"ui", "entry_terms", "tree_numbers"})
DRUG_KEYS = frozenset({"canonical", "drugbank_id", "brand_variants"})
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class FieldError(ValueError):
    """A field of a record has the wrong type."""


def without_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate (a ``\\ud800`` escape that is not half of a
    pair) replaced by U+FFFD, as undecodable bytes are: such text cannot be stored."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    return value


def text_field(record: dict[str, Any], key: str) -> str | None:
    """``record[key]`` as a string (a number is written out); None when absent or null."""
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise FieldError(f"{key} must be a string, not {type(value).__name__}")


def strings_field(record: dict[str, Any], key: str) -> list[str]:
    """``record[key]`` as a list of strings (absent or null: empty)."""
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FieldError(f"{key} must be a list of strings")
    return value


def first_record(head: str) -> dict[str, Any] | None:
    """The first line of a JSON Lines head as a dict, or None if it is not one."""
    line = head.lstrip().split("\n", 1)[0]
    if not line.startswith("{"):
        return None
    try:
        value = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def keys_sniffer(keys: frozenset[str]) -> Callable[[str], bool]:
    def sniff(head: str) -> bool:
        record = first_record(head)
        return record is not None and keys <= record.keys()

    return sniff


def json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any] | Malformed]]:
    """``(line number, record)`` for each non-blank line; bad JSON as :class:`Malformed`."""
    with open_text(path) as stream:
        lineno = 0
        try:
            for lineno, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except (json.JSONDecodeError, RecursionError) as exc:
                    reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deep"
                    yield lineno, Malformed(f"{path}:{lineno}", f"invalid JSON ({reason})")
                    continue
                if _SURROGATE_ESCAPE.search(line):
                    value = without_surrogates(value)
                if not isinstance(value, dict):
                    yield lineno, Malformed(f"{path}:{lineno}", "a record must be a JSON object")
                    continue
                yield lineno, value
        except (EOFError, OSError) as exc:
            yield lineno + 1, Malformed(f"{path}:{lineno + 1}", f"file is truncated ({exc})")


def _where(path: Path, lineno: int, record: dict[str, Any], key: str = "id") -> str:
    rid = record.get(key)
    return f"{path}:{lineno} (id {rid})" if rid is not None else f"{path}:{lineno}"


def read_corpus(path: Path) -> Iterator[Parsed]:
    """Documents in the shared corpus schema (``../shared/data/corpus/README``).

    Within one file an ``id`` names one document. When an id repeats with different
    content (MedQuAD numbers its records per source collection and reuses numbers for
    different questions of one page), the repeat is a different document: it gets the
    collection appended if that differs (``medquad:0000001_1-1@3_GHR_QA``), else its
    occurrence number (``@2``). An exact repeat is the same record. Across files and
    ingests, a record replaces the stored one with its id (upsert).
    """
    fields = set(Document.model_fields) - {"body", "version", "revised"}
    seen: dict[str, list[tuple[str | None, str]]] = {}
    for lineno, record in json_lines(path):
        if isinstance(record, Malformed):
            yield record
            continue
        where = _where(path, lineno, record)
        kind = record.get("kind")
        if kind not in DOCUMENT_KINDS:
            yield Malformed(where, f"kind must be one of {', '.join(DOCUMENT_KINDS)}, not {kind!r}")
            continue
        try:
            text_field(record, "id")
            text = text_field(record, "text") or ""
        except FieldError as exc:
            yield Malformed(where, str(exc))
            continue
        values = {k: v for k, v in record.items() if k in fields and v is not None}
        values["text"] = plain_text(text)
        values["id"] = _unique_id(seen, record)
        try:
            doc = Document(**values)
        except ValidationError as exc:
            yield Malformed(where, _first_error(exc))
            continue
        if not doc.id.strip():
            yield Malformed(where, "id is empty")
        elif not (doc.text.strip() or doc.title):
            yield Malformed(where, "record has neither text nor title")
        else:
            yield doc


def _unique_id(seen: dict[str, list[tuple[str | None, str]]], record: dict[str, Any]) -> str:
    rid, collection = str(record.get("id") or ""), record.get("collection")
    fingerprint = f"{record.get('title')}\x00{record.get('text')}"
    earlier = seen.setdefault(rid, [])
    if not earlier or (collection, fingerprint) == earlier[0]:
        earlier[:1] = [(collection, fingerprint)]
        return rid
    earlier.append((collection, fingerprint))
    if collection and collection != earlier[0][0]:
        tail = str(collection).rsplit("/", 1)[-1]
        same_tail = sum(1 for c, _ in earlier if c == collection)
        return f"{rid}@{tail}" if same_tail == 1 else f"{rid}@{tail}-{same_tail}"
    return f"{rid}@{len(earlier)}"


def read_fulltext(path: Path) -> Iterator[Parsed]:
    """PMC full texts ``{pmcid, pmid, title, body_sections: [{title, text}]}``."""
    for lineno, record in json_lines(path):
        if isinstance(record, Malformed):
            yield record
            continue
        where = _where(path, lineno, record, "pmcid")
        try:
            pmid, pmcid = text_field(record, "pmid"), text_field(record, "pmcid")
            title = text_field(record, "title")
        except FieldError as exc:
            yield Malformed(where, str(exc))
            continue
        sections = record.get("body_sections")
        if not (pmid or pmcid):
            yield Malformed(where, "record has neither pmid nor pmcid")
            continue
        if not isinstance(sections, list) or not all(
            isinstance(s, dict) and isinstance(s.get("text"), str)
            and isinstance(s.get("title"), str | None) for s in sections
        ):
            yield Malformed(where, "body_sections must be a list of {title, text} strings")
            continue
        yield FullText(
            pmid=pmid or None,
            pmcid=pmcid or None,
            title=title,
            sections=[Section(title=(s.get("title") or "").strip(), text=s["text"].strip())
                      for s in sections if s["text"].strip()],
            where=where,
        )


def read_uspstf(path: Path) -> Iterator[Parsed]:
    """USPSTF specific recommendations (grade, population, text) as guideline documents."""
    for lineno, record in json_lines(path):
        if isinstance(record, Malformed):
            yield record
            continue
        where = _where(path, lineno, record)
        try:
            yield _uspstf_document(record, where)
        except (FieldError, ValidationError) as exc:
            reason = _first_error(exc) if isinstance(exc, ValidationError) else str(exc)
            yield Malformed(where, reason)


def _uspstf_document(record: dict[str, Any], where: str) -> Parsed:
    rid, text = text_field(record, "id"), text_field(record, "text")
    if rid is None or text is None:
        return Malformed(where, "USPSTF recommendation needs an id and a text")
    grade = text_field(record, "grade") or ""
    parts = [text.strip()]
    if grade:
        definition = text_field(record, "grade_definition") or ""
        parts.append(f"Grade {grade} recommendation. {definition}".strip())
    risk = text_field(record, "riskText")
    if risk:
        parts.append(f"Risk assessment\n{risk.strip()}")
    return Document(
        id=f"guideline:uspstf-rec-{rid}",
        kind="guideline",
        title=text_field(record, "title"),
        text="\n\n".join(parts),
        collection="uspstf_recommendations",
        organization="USPSTF",
        url="https://www.uspreventiveservicestaskforce.org/uspstf/recommendation-topics",
        publication_types=["Practice Guideline"],
        keywords=[k for k in (text_field(record, "general_title"), f"grade {grade}") if k],
        license="US government work (public domain)",
    )


def read_mesh(path: Path) -> Iterator[Parsed]:
    """MeSH descriptors: name plus entry terms, for query expansion."""
    for lineno, record in json_lines(path):
        if isinstance(record, Malformed):
            yield record
            continue
        where = _where(path, lineno, record, "ui")
        try:
            ui, name = text_field(record, "ui"), text_field(record, "name")
            entry_terms = strings_field(record, "entry_terms")
            extra: dict[str, object] = {
                "tree_numbers": strings_field(record, "tree_numbers"),
                "pharm_actions": strings_field(record, "pharm_actions")}
        except FieldError as exc:
            yield Malformed(where, str(exc))
            continue
        if not (ui and name):
            yield Malformed(where, "descriptor needs ui and name")
        else:
            yield VocabTerm("mesh", ui, name, tuple(entry_terms), extra)


def read_drugs(path: Path) -> Iterator[Parsed]:
    """Drug names: canonical generic name, variants and brand names."""
    for lineno, record in json_lines(path):
        if isinstance(record, Malformed):
            yield record
            continue
        where = _where(path, lineno, record, "drugbank_id")
        try:
            canonical, key = text_field(record, "canonical"), text_field(record, "drugbank_id")
            brands = strings_field(record, "brand_variants")
            synonyms = [*brands, *strings_field(record, "synonyms"),
                        *strings_field(record, "variants")]
        except FieldError as exc:
            yield Malformed(where, str(exc))
            continue
        if not canonical:
            yield Malformed(where, "drug needs a canonical name")
        else:
            yield VocabTerm("drug", key or canonical, canonical,
                            tuple(dict.fromkeys(synonyms)), {"brands": brands})


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"])
    return f"{where}: {error['msg']}"
