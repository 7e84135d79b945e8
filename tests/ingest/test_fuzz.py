"""Every ingest reader on hostile input, built here with Hypothesis: arbitrary bytes, valid
records mutated at random, and JSON records whose fields hold any JSON value.

A reader never raises: it yields records the store can hold, or a :class:`Malformed` item
naming the file, the line or record and the reason. Ingested into a real SQLite home, a
file of good and malformed records lands its good records, reports each bad one, and leaves
the store consistent (documents, passages and the BM25 index agree)."""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medcite.errors import InputFileError
from medcite.ingest import drug_label, guideline
from medcite.ingest.formats import FORMATS
from medcite.ingest.source import detect
from medcite.models import Deletion, Document, FullText, Malformed, Parsed, VocabTerm
from medcite.service import Medcite
from medcite.settings import load_settings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
"""Bounded for CI; set FUZZ_EXAMPLES (e.g. 2000) to search harder."""
PIPELINE = settings(FUZZ, max_examples=max(1, EXAMPLES * 3 // 10))
"""Each example ingests into a new SQLite home, so fewer of them."""

SQLITE_MAX_INT = 2**63 - 1
READERS = {f.name: f.read for f in FORMATS} | {
    "drug-label": drug_label.read, "guideline": guideline.read}

# -- valid records, one file per format ----------------------------------------------------

PUBMED = (
    '<?xml version="1.0"?>\n<PubmedArticleSet>\n'
    '<PubmedArticle><MedlineCitation><PMID Version="1">11</PMID>'
    "<DateRevised><Year>2023</Year><Month>Apr</Month><Day>07</Day></DateRevised>"
    "<Article><Journal><Title>J Test</Title><JournalIssue><PubDate><Year>2020</Year>"
    "</PubDate></JournalIssue></Journal><ArticleTitle>Aspirin after stroke.</ArticleTitle>"
    '<Abstract><AbstractText Label="RESULTS">Aspirin <i>reduced</i> recurrence.'
    "</AbstractText></Abstract><PublicationTypeList><PublicationType>Randomized Controlled "
    "Trial</PublicationType></PublicationTypeList></Article>"
    "<MeshHeadingList><MeshHeading><DescriptorName>Stroke</DescriptorName></MeshHeading>"
    "</MeshHeadingList></MedlineCitation><PubmedData><ArticleIdList>"
    '<ArticleId IdType="pmc">PMC5</ArticleId><ArticleId IdType="doi">10.1/x</ArticleId>'
    "</ArticleIdList></PubmedData></PubmedArticle>\n"
    "<DeleteCitation><PMID>12</PMID></DeleteCitation>\n</PubmedArticleSet>\n"
)
JATS = (
    '<pmc-articleset><article article-type="research-article">'
    "<front><journal-meta><journal-title>J Test</journal-title></journal-meta><article-meta>"
    '<article-id pub-id-type="pmid">21</article-id><article-id pub-id-type="pmc">PMC21'
    "</article-id><title-group><article-title>Statins in adults</article-title></title-group>"
    '<pub-date pub-type="epub"><year>2019</year></pub-date><abstract><sec><title>Results'
    "</title><p>Statins lowered LDL.</p></sec></abstract><permissions><license>CC BY."
    "</license></permissions></article-meta></front><body><sec><title>Methods</title>"
    "<p>We randomized adults.</p><table-wrap><label>Table 1</label><caption><p>Baseline</p>"
    "</caption></table-wrap><list><list-item><p>one</p></list-item></list></sec></body>"
    "</article></pmc-articleset>\n"
)
SPL = (
    '<?xml version="1.0"?>\n<document xmlns="urn:hl7-org:v3"><title>Label</title>'
    '<effectiveTime value="20200115"/><setId root="aaaa-1111"/><versionNumber value="7"/>'
    "<component><structuredBody><component><section><code code=\"34067-9\"/>"
    "<title>1 INDICATIONS AND USAGE</title><text><paragraph>Treats widgets.</paragraph>"
    "<list><item>adults</item></list><table><tr><td>Falls</td><td>3%</td></tr></table>"
    "</text></section></component></structuredBody></component></document>\n"
)
OPENFDA = json.dumps({"meta": {}, "results": [
    {"set_id": "bbbb-2222", "effective_time": "20160829", "version": "3",
     "openfda": {"brand_name": ["Widgetol"], "generic_name": ["WIDGETAMINE"],
                 "manufacturer_name": ["Acme"]},
     "indications_and_usage": ["Treats widgets."], "boxed_warning": ["WARNING: RISK"]},
    {"set_id": "cccc-3333", "indications_and_usage": ["Treats gadgets."]},
]}, indent=1)
MARKDOWN = (
    "---\ntitle: Widget Fever\norganization: Example Society\nyear: 2021\n---\n"
    "# Widget Fever\n\nOffer **rest** to [all](https://x.org) patients.\n\n"
    "- fluids\n1. review\n\n| Drug | Dose |\n|---|---|\n| aspirin | 75 mg |\n"
)
HTML = (
    "<!doctype html><html><head><title>Gadget Fever</title>"
    '<meta name="citation_publisher" content="Example Society"></head><body><nav>menu</nav>'
    "<h1>Gadget Fever</h1><p>Offer rest.</p><table><tr><td>a</td><td>b</td></tr></table>"
    "<ul><li>fluids</li></ul><!-- end content area --><p>footer</p></body></html>\n"
)


def jsonl(*records: dict[str, Any]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


CORPUS_RECORD = {"id": "pmid:31", "kind": "research", "title": "Beta blockers",
                 "text": "Beta blockers lowered mortality.", "year": 2001, "pmid": "31",
                 "publication_types": ["Meta-Analysis"], "mesh": ["Heart Failure"]}
FULLTEXT_RECORD = {"pmcid": "PMC41", "pmid": "41", "title": "T",
                   "body_sections": [{"title": "Methods", "text": "We counted."}]}
USPSTF_RECORD = {"id": 51, "title": "Screening", "text": "Screen adults.", "grade": "B",
                 "grade_definition": "Offer it.", "servFreq": "yearly", "general_title": "HTN",
                 "riskText": "Age."}
MESH_RECORD = {"ui": "D000001", "name": "Calcimycin", "entry_terms": ["A23187"],
               "tree_numbers": ["D02.355"], "pharm_actions": ["Calcium Ionophores"]}
DRUG_RECORD = {"canonical": "aspirin", "drugbank_id": "DB00945", "name": "Aspirin",
               "variants": ["acetylsalicylic acid"], "brand_variants": ["Bayer"]}
JSONL_RECORDS: dict[str, dict[str, Any]] = {
    "corpus-jsonl": CORPUS_RECORD, "pmc-fulltext-jsonl": FULLTEXT_RECORD,
    "uspstf-jsonl": USPSTF_RECORD, "mesh-jsonl": MESH_RECORD, "drug-jsonl": DRUG_RECORD}
VALID = {name: jsonl(record, record) for name, record in JSONL_RECORDS.items()} | {
    "pubmed-xml": PUBMED, "pmc-jats-xml": JATS, "fda-spl-xml": SPL,
    "openfda-label-json": OPENFDA, "guideline-markdown": MARKDOWN, "guideline-html": HTML,
}

# -- strategies ------------------------------------------------------------------------------

TOKENS = (
    "<", ">", "&", "&amp;", "&#0;", "&#xD800;", "&#x1F600;", "]]>", "<!--", "-->", '"', "'",
    "{", "}", "[", "]", ",", ":", "\\", "\\ud800", "\\udc00", "\\u0000", "\x00", "\n", "\r",
    "---", "\ufeff", "²", "١٩٩٩", "99999999999999999999999", "-1", "0", "null", "true",
    "1e999", "NaN", '"x"', "[]", "{}", "<p>", "</p>", "<sec>", "</sec>", "<title>", "# ",
    "|", "<html>", "<table><tr><td>", "</td></tr></table>", "<![CDATA[", "<br/>", "year: ",
    '<PMID Version="99999999999999999999">', '<!DOCTYPE x [<!ENTITY e "ee">]>', "&e;",
    "\x1f\x8b", "<tr>", "</tr>", "<td>", "</td>", "<th>", "</table>", "<li>", "<h2>",
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                               max_size=3),
    max_leaves=6)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> bytes:
    """``text`` after a few random edits: insertions, deletions, duplications, truncation."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(("insert", "delete", "duplicate", "truncate")))
        if op == "insert":
            piece = draw(st.sampled_from(TOKENS) | st.text(max_size=8))
            text = text[:at] + piece + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif op == "duplicate":
            text = text[:at] + text[at:at + draw(st.integers(1, 60))] + text[at:]
        else:
            text = text[:at]
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 5)) == 0:  # sometimes gzipped, sometimes a cut-off gzip
        data = gzip.compress(data)
        data = data[:draw(st.integers(0, len(data)))] if draw(st.booleans()) else data
    return data


@st.composite
def json_record(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with some fields (its own or other formats') set to arbitrary JSON."""
    keys = sorted({k for r in JSONL_RECORDS.values() for k in r} | {"version", "body", "kind"}
                  | set(base))
    record = dict(base)
    for key in draw(st.lists(st.sampled_from(keys), min_size=1, max_size=4)):
        record[key] = draw(JSON_VALUES)
    return record


@st.composite
def openfda_result(draw: st.DrawFn) -> Any:
    """A label result whose fields (and ``openfda`` names) hold arbitrary JSON, or any value."""
    if draw(st.integers(0, 4)) == 0:
        return draw(JSON_VALUES)
    base = json.loads(OPENFDA)["results"][0]
    record = draw(json_record(base))
    names = dict(base["openfda"])
    for key in draw(st.lists(st.sampled_from(sorted([*names, "spl_set_id"])), max_size=3)):
        names[key] = draw(JSON_VALUES)
    record["openfda"] = names if draw(st.integers(0, 5)) else draw(JSON_VALUES)
    return record


# -- what every reader must give -------------------------------------------------------------

def storable(text: str | None) -> None:
    if text is not None:
        text.encode("utf-8")  # no lone surrogates: SQLite and the index refuse them


def check_items(items: list[Parsed], path: Path) -> None:
    """Each item is a record the store can hold, or a Malformed that says where and why."""
    for item in items:
        if isinstance(item, Malformed):
            assert item.where.startswith(str(path)), item
            assert isinstance(item.reason, str) and item.reason.strip(), item
        elif isinstance(item, Document):
            assert item.id.strip(), item
            json.dumps(item.model_dump(), ensure_ascii=False).encode("utf-8")
            assert 0 <= item.version <= SQLITE_MAX_INT
            assert item.year is None or abs(item.year) <= SQLITE_MAX_INT
        elif isinstance(item, FullText):
            assert item.pmid or item.pmcid, item
            for value in (item.pmid, item.pmcid, item.title):
                assert value is None or isinstance(value, str), item
                storable(value)
            json.dumps([s.model_dump() for s in item.sections], ensure_ascii=False).encode()
        elif isinstance(item, VocabTerm):
            assert isinstance(item.key, str) and isinstance(item.name, str), item
            assert all(isinstance(s, str) for s in item.synonyms), item
            json.dumps([item.key, item.name, item.synonyms, item.extra],
                       ensure_ascii=False).encode("utf-8")
        else:
            assert isinstance(item, Deletion) and isinstance(item.doc_id, str), item


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def read_all(scratch: Path, reader: str, data: bytes) -> None:
    path = scratch / f"input-{reader}"
    path.write_bytes(data)
    check_items(list(READERS[reader](path)), path)


def test_the_valid_samples_read_cleanly(scratch: Path) -> None:
    for name, text in VALID.items():
        path = scratch / f"valid-{name}"
        path.write_text(text, encoding="utf-8")
        assert detect(path, FORMATS).name == name
        items = list(READERS[name](path))
        check_items(items, path)
        assert items and not any(isinstance(i, Malformed) for i in items), (name, items)


# -- parser level ----------------------------------------------------------------------------

@FUZZ
@given(reader=st.sampled_from(sorted(READERS)), data=st.binary(max_size=600))
def test_every_reader_survives_arbitrary_bytes(scratch: Path, reader: str, data: bytes) -> None:
    read_all(scratch, reader, data)


@FUZZ
@given(data=st.binary(max_size=300) | st.sampled_from(sorted(VALID)).flatmap(
    lambda name: mutated(VALID[name])))
def test_detect_names_a_format_or_says_it_cannot(scratch: Path, data: bytes) -> None:
    path = scratch / "detect"
    path.write_bytes(data)
    try:
        fmt = detect(path, FORMATS)
    except InputFileError as exc:  # unknown format, empty or unreadable file
        assert str(path) in str(exc)
        return
    check_items(list(fmt.read(path)), path)


@FUZZ
@given(case=st.sampled_from(sorted(VALID)).flatmap(
    lambda name: st.tuples(st.just(name), mutated(VALID[name]))))
def test_every_reader_survives_mutated_valid_files(scratch: Path, case: tuple[str, bytes]
                                                   ) -> None:
    read_all(scratch, *case)


@FUZZ
@given(case=st.sampled_from(sorted(JSONL_RECORDS)).flatmap(
    lambda name: st.tuples(st.just(name), st.lists(json_record(JSONL_RECORDS[name]),
                                                   min_size=1, max_size=3))))
def test_json_lines_fields_of_any_type_are_read_or_reported(
    scratch: Path, case: tuple[str, list[dict[str, Any]]]
) -> None:
    name, records = case
    read_all(scratch, name, jsonl(*records).encode())


@FUZZ
@given(results=st.lists(openfda_result(), min_size=1, max_size=3))
def test_openfda_results_of_any_shape_are_read_or_reported(scratch: Path,
                                                           results: list[Any]) -> None:
    data = json.dumps({"meta": {}, "results": results}).encode()
    read_all(scratch, "openfda-label-json", data)


DEEP_XML = "<i>" * 50_000 + "x" + "</i>" * 50_000
DEEP_JSON = "[" * 100_000 + "]" * 100_000


def corpus_with(**fields: Any) -> str:
    return jsonl(CORPUS_RECORD, CORPUS_RECORD | {"id": "pmid:32"} | fields)


FOUND: dict[str, tuple[str, str | bytes, str]] = {
    # reader, input, the kinds of item it must give: each of these crashed a reader
    "truncated gzip markdown": ("guideline-markdown", b"\x1f\x8b", "M"),
    "truncated gzip html": ("guideline-html", gzip.compress(HTML.encode())[:30], "M"),
    "stray </tr> in html": ("guideline-html", HTML.replace("<p>Offer", "</tr><p>Offer"), "D"),
    "<td> outside a table": ("guideline-html", HTML.replace("<p>Offer", "<td>x</td><p>O"), "D"),
    "superscript year": ("guideline-markdown", MARKDOWN.replace("2021", "²⁰²¹"), "M"),
    "text is an object": ("corpus-jsonl", corpus_with(text={"a": 1}), "DM"),
    "year beyond SQLite": ("corpus-jsonl", corpus_with(year=10**30), "DM"),
    "lone surrogate": ("corpus-jsonl", corpus_with(text="a \ud800 b"), "DD"),
    "deep JSON": ("corpus-jsonl", jsonl(CORPUS_RECORD) + '{"text": ' + DEEP_JSON + "}\n",
                  "DM"),
    "section title a number": ("pmc-fulltext-jsonl", jsonl(FULLTEXT_RECORD | {
        "body_sections": [{"title": 1, "text": "t"}]}), "M"),
    "riskText a list": ("uspstf-jsonl", jsonl(USPSTF_RECORD | {"riskText": [1]}), "M"),
    "title a list": ("uspstf-jsonl", jsonl(USPSTF_RECORD | {"title": [1]}), "M"),
    "entry terms a number": ("mesh-jsonl", jsonl(MESH_RECORD | {"entry_terms": 5}), "M"),
    "name a dict": ("mesh-jsonl", jsonl(MESH_RECORD | {"name": {"a": 1}}), "M"),
    "brands an object": ("drug-jsonl", jsonl(DRUG_RECORD | {"brand_variants": {"a": 1}}), "M"),
    "brand name true": ("openfda-label-json", OPENFDA.replace('"Widgetol"', "true"), "DD"),
    "deep openFDA": ("openfda-label-json", '{"results": [' + DEEP_JSON + "]}", "M"),
    "huge PMID version": ("pubmed-xml", PUBMED.replace('Version="1"', f'Version="{10**30}"'),
                          "MX"),
    "deep PubMed": ("pubmed-xml", PUBMED.replace("Aspirin after", DEEP_XML), "MX"),
    "deep JATS": ("pmc-jats-xml", JATS.replace("We randomized", DEEP_XML), "M"),
    "deep SPL": ("fda-spl-xml", SPL.replace("Treats widgets.", DEEP_XML), "M"),
}
KINDS = {Document: "D", Malformed: "M", Deletion: "X", FullText: "F", VocabTerm: "V"}


@pytest.mark.parametrize("case", sorted(FOUND))
def test_inputs_the_fuzzers_found_are_read_or_reported(scratch: Path, case: str) -> None:
    reader, text, kinds = FOUND[case]
    path = scratch / f"found-{reader}"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    items = list(READERS[reader](path))
    check_items(items, path)
    assert "".join(KINDS[type(i)] for i in items) == kinds, items


# -- pipeline level --------------------------------------------------------------------------

BAD_CORPUS_LINES = st.one_of(
    st.text(max_size=30).map(lambda t: "{" + json.dumps(t)),  # not JSON
    JSON_VALUES.filter(lambda v: not isinstance(v, dict)).map(json.dumps),  # not an object
    st.sampled_from(("novel", "", None, 3)).map(
        lambda kind: json.dumps({"id": "bad", "kind": kind, "text": "t"})),
    st.sampled_from(([1], {"a": 1}, True)).map(
        lambda value: json.dumps({"id": "bad", "kind": "research", "text": value})),
    st.integers(10_000, 10**30).map(
        lambda year: json.dumps({"id": "bad", "kind": "research", "text": "t", "year": year})),
    st.just(json.dumps({"id": "", "kind": "research", "text": "t"})),
    st.just(json.dumps({"id": "bad", "kind": "research", "text": " ", "title": None})),
)


def good_corpus_line(n: int) -> str:
    return json.dumps({"id": f"good:{n}", "kind": "research", "title": f"Trial {n}",
                       "text": f"Drug number {n} lowered blood pressure in adults."})


def assert_consistent(service: Medcite) -> None:
    """Documents, passages and the BM25 index agree; nothing is left half-written."""
    stats = service.stats()
    assert stats["lexical_index"] == {"passages": stats["passages"], "pending_changes": 0}
    for doc in service.store.iter_documents():
        assert service.store.passages_of(doc.id), doc.id



@contextmanager
def fresh_service() -> Iterator[tuple[Medcite, Path]]:
    """A new home per example (Hypothesis reruns the test body, not the fixtures)."""
    with tempfile.TemporaryDirectory() as tmp, Medcite(load_settings(Path(tmp) / "home")) as svc:
        yield svc, Path(tmp)


def line_of(malformed: Malformed) -> int:
    return int(malformed.where.split(":")[1].split(" ")[0])


@PIPELINE
@given(layout=st.lists(st.none() | BAD_CORPUS_LINES, min_size=1, max_size=10))
def test_good_lines_land_and_each_malformed_line_is_reported(layout: list[str | None]) -> None:
    layout = [None, *layout]  # the first line tells the format
    lines = [good_corpus_line(n) if line is None else line for n, line in enumerate(layout)]
    good = {f"good:{n}" for n, line in enumerate(layout) if line is None}
    bad_lines = [n + 1 for n, line in enumerate(layout) if line is not None]
    with fresh_service() as (svc, tmp):
        path = tmp / "mixed.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = svc.ingest([path])
        assert sorted(line_of(m) for m in report.malformed) == bad_lines, report.malformed
        assert all(m.where.startswith(f"{path}:") and m.reason for m in report.malformed)
        assert {d.id for d in svc.store.iter_documents()} == good
        assert report.total("added") == len(good)
        assert_consistent(svc)


@PIPELINE
@given(case=st.sampled_from(sorted(JSONL_RECORDS)).flatmap(
    lambda name: st.tuples(st.just(name), st.lists(json_record(JSONL_RECORDS[name]),
                                                   min_size=1, max_size=4))))
def test_json_records_of_any_shape_never_stop_an_ingest(
    case: tuple[str, list[dict[str, Any]]]
) -> None:
    name, records = case
    with fresh_service() as (svc, tmp):
        path = tmp / "fuzzed.jsonl"
        path.write_text(jsonl(JSONL_RECORDS[name], *records, CORPUS_RECORD | {"id": "last"}),
                        encoding="utf-8")
        report = svc.ingest([path])
        assert report.total("records") == len(records) + 2
        assert_consistent(svc)
        if name == "corpus-jsonl":
            assert svc.store.get_document("last") is not None


def pubmed_file(n: int) -> str:
    return PUBMED.replace(">11<", f">{9000 + n}<").replace("PMC5", f"PMC{9000 + n}")


@PIPELINE
@given(mutants=st.lists(st.sampled_from(sorted(VALID)).flatmap(
    lambda name: mutated(VALID[name])), min_size=1, max_size=6), good=st.integers(1, 3))
def test_a_folder_of_mutated_files_lands_its_good_files(mutants: list[bytes], good: int) -> None:
    with fresh_service() as (svc, tmp):
        folder = tmp / "in"
        folder.mkdir()
        for n, data in enumerate(mutants):
            (folder / f"mutant-{n}").write_bytes(data)
        for n in range(good):
            (folder / f"good-{n}.xml").write_text(pubmed_file(n), encoding="utf-8")
        report = svc.ingest([folder])
        assert len(report.files) == len(mutants) + good
        for n in range(good):
            assert svc.store.get_document(f"pmid:{9000 + n}") is not None
        assert_consistent(svc)


def test_an_unreadable_file_in_a_folder_is_skipped_and_reported(tmp_path: Path) -> None:
    """Found by the folder fuzzer: a gzip cut off in its header stopped the whole ingest."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cut.xml.gz").write_bytes(gzip.compress(PUBMED.encode())[:5])
    (folder / "good.xml").write_text(pubmed_file(0), encoding="utf-8")
    with Medcite(load_settings(tmp_path / "home")) as svc:
        report = svc.ingest([folder])
        [cut] = [f for f in report.files if f.path.endswith("cut.xml.gz")]
        assert cut.skipped.startswith(f"Cannot read {folder / 'cut.xml.gz'}")
        assert svc.store.get_document("pmid:9000") is not None
        with pytest.raises(InputFileError, match="Cannot read"):
            svc.ingest([folder / "cut.xml.gz"])  # named explicitly: an error, as before
        assert_consistent(svc)
