"""Drug label readers: SPL XML and openFDA JSON built here, then the FDA samples."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from medcite.errors import UnknownFormatError
from medcite.ingest import drug_label
from medcite.ingest.formats import FORMATS
from medcite.ingest.source import detect
from medcite.models import Document, Malformed, Parsed

LOINC = 'codeSystem="2.16.840.1.113883.6.1"'


def section(code: str, title: str = "", text: str = "", children: str = "") -> str:
    title_xml = f"<title>{title}</title>" if title else ""
    text_xml = f"<text>{text}</text>" if text else ""
    sub = f"<component>{children}</component>" if children else ""
    return (f'<component><section><code code="{code}" {LOINC} displayName="X SECTION"/>'
            f"{title_xml}{text_xml}{sub}</section></component>")


def spl(set_id: str = "aaaa-1111", sections: str = "") -> str:
    set_xml = f'<setId root="{set_id}"/>' if set_id else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<document xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '\n<id root="doc-1"/><title>Highlights text</title>'
        f'<effectiveTime value="20200115"/>{set_xml}<versionNumber value="7"/>'
        "<author><assignedEntity><representedOrganization><name>Acme Pharma</name>"
        "</representedOrganization></assignedEntity></author>\n"
        "<component><structuredBody>"
        + section("48780-1", children="<section><subject><manufacturedProduct>"
                  "<manufacturedProduct><name>WIDGETOL<suffix>XR</suffix></name>"
                  "<asEntityWithGeneric><genericMedicine><name>WIDGETAMINE</name>"
                  "</genericMedicine></asEntityWithGeneric></manufacturedProduct>"
                  "</manufacturedProduct></subject></section>")
        + sections
        + section("51945-4", "PACKAGE LABEL", "<paragraph>NDC 0000-0000 carton</paragraph>")
        + "</structuredBody></component></document>\n"
    )


SECTIONS = (
    section("34066-1", text="<paragraph>Serious risk.</paragraph>")
    + section("34067-9", "1 INDICATIONS AND USAGE", "<paragraph>Treats widgets.</paragraph>"
              "<list><item>adults</item><item>children<br/>over 12</item></list>")
    + section("43685-7", "5 WARNINGS AND PRECAUTIONS",
              children="<section><code code='42229-5'/><title>5.1 Falls</title><text>"
                       "<table><caption>Table 1</caption><tbody><tr><td>Falls</td><td>3%</td>"
                       "</tr></tbody></table></text></section>")
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_spl_document(tmp_path: Path) -> None:
    [doc] = drug_label.read(write(tmp_path, "label.xml", spl(sections=SECTIONS)))
    assert isinstance(doc, Document)
    assert doc.id == "label:aaaa-1111" and doc.kind == "drug-label"
    assert doc.title == "WIDGETOL XR (widgetamine) — prescribing information"
    assert (doc.organization, doc.year, doc.revised, doc.version) == (
        "Acme Pharma", 2020, "2020-01-15", 7)
    assert doc.url == "https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid=aaaa-1111"
    assert doc.license == "public domain (FDA)"
    assert doc.text.split("\n\n") == [
        "Boxed Warning\nSerious risk.",
        "1 INDICATIONS AND USAGE\nTreats widgets.\n- adults\n- children over 12",
        "5 WARNINGS AND PRECAUTIONS",
        "5.1 Falls\nTable 1\nFalls | 3%",
    ]
    assert "NDC" not in doc.text


def test_spl_without_set_id_and_broken_xml(tmp_path: Path) -> None:
    [item] = drug_label.read(write(tmp_path, "a.xml", spl(set_id="", sections=SECTIONS)))
    assert isinstance(item, Malformed) and item.reason == "SPL document has no setId"
    broken = spl(sections=SECTIONS).replace("</structuredBody>", "")
    [item] = drug_label.read(write(tmp_path, "b.xml", broken))
    assert isinstance(item, Malformed) and "XML syntax error" in item.reason
    assert item.where.startswith(f"{tmp_path / 'b.xml'}:")


def label(set_id: str | None, **fields: object) -> dict[str, object]:
    record: dict[str, object] = {
        "effective_time": "20160829", "version": "3",
        "openfda": {"brand_name": ["Widgetol"], "generic_name": ["WIDGETAMINE"],
                    "manufacturer_name": ["Acme Pharma"]},
        "indications_and_usage": ["1 INDICATIONS AND USAGE Treats widgets."],
        "use_in_specific_populations": ["8 USE IN SPECIFIC POPULATIONS 8.1 Pregnancy No data."],
        "pregnancy": ["8.1 Pregnancy No data."],
        "adverse_reactions_table": ["<table><tr><td>x</td></tr></table>"],
        "package_label_principal_display_panel": ["NDC 0000"],
        "boxed_warning": ["WARNING: RISK"],
    }
    if set_id:
        record["set_id"] = set_id
    record.update(fields)
    return record


def openfda(*results: object) -> str:
    return json.dumps({"meta": {"results": {"total": len(results)}}, "results": list(results)},
                      indent=2)


def test_openfda_results_stream_with_malformed_neighbour(tmp_path: Path) -> None:
    text = openfda(label("set-1"), label(None), "not an object", label("set-3"))
    items: list[Parsed] = list(drug_label.read(write(tmp_path, "labels.json", text)))
    assert [type(i) for i in items] == [Document, Malformed, Malformed, Document]
    first = items[0]
    assert isinstance(first, Document) and first.id == "label:set-1"
    assert first.title == "Widgetol (widgetamine) — prescribing information"
    assert (first.organization, first.year, first.version) == ("Acme Pharma", 2016, 3)
    assert [b.split("\n")[0] for b in first.text.split("\n\n")] == [
        "Boxed warning", "Indications and usage", "Use in specific populations"]
    assert "NDC" not in first.text and "<table>" not in first.text
    assert isinstance(items[1], Malformed) and items[1].reason == "label has no set_id"
    assert "(result 2)" in items[1].where
    assert isinstance(items[3], Document) and items[3].id == "label:set-3"


def test_openfda_gzip_and_truncated_json(tmp_path: Path) -> None:
    text = openfda(label("set-1"), label("set-2"))
    packed = tmp_path / "labels.json.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    assert [d.id for d in drug_label.read(packed) if isinstance(d, Document)] == [
        "label:set-1", "label:set-2"]
    cut = text[: text.index('"set-2"')]
    items = list(drug_label.read(write(tmp_path, "cut.json", cut)))
    assert [type(i) for i in items] == [Document, Malformed]
    assert isinstance(items[1], Malformed) and "invalid JSON" in items[1].reason


def test_openfda_reader_across_tiny_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    text = openfda(label("set-1", version=12345), label("set-2"))
    path = write(tmp_path, "labels.json", text)
    expected = list(drug_label.read(path))
    monkeypatch.setattr(drug_label, "_CHUNK", 3)  # values and numbers split across reads
    assert list(drug_label.read(path)) == expected
    assert isinstance(expected[0], Document) and expected[0].version == 12345


def test_sniffers() -> None:
    assert drug_label.sniff_spl(spl())
    assert not drug_label.sniff_spl("<document><title>x</title></document>")
    assert drug_label.sniff_openfda(openfda(label("s")))
    assert drug_label.sniff_openfda(json.dumps({"meta": {}, "results": [label("s")]}))
    jsonl = "\n".join(json.dumps(r) for r in (
        {"id": "a", "kind": "drug-label", "text": "t"},
        {"id": "b", "kind": "drug-label", "text": "t", "results": [],
         "indications_and_usage": ["x"]}))
    assert not drug_label.sniff_openfda(jsonl)  # JSON Lines, whatever later lines hold
    count = openfda({"term": "Nonsteroidal Anti-inflammatory Drug [EPC]", "count": 3})
    assert not drug_label.sniff_openfda(count)


# --- real samples ------------------------------------------------------------------------


def sample(samples: Path, folder: str, name: str) -> Document:
    [doc] = drug_label.read(samples / folder / name)
    assert isinstance(doc, Document), doc
    return doc


def headings(doc: Document) -> list[str]:
    return [block.split("\n")[0] for block in doc.text.split("\n\n")]


HUMIRA_SET_ID = "608d4f0d-b19f-46d3-749a-7159aa5f933d"


def test_sample_spl_humira(samples: Path) -> None:
    doc = sample(samples, "fda_spl", "spl_rx_humira.xml")
    assert doc.id == f"label:{HUMIRA_SET_ID}"
    assert doc.title == "Humira (adalimumab) — prescribing information"
    assert (doc.organization, doc.year, doc.version) == ("AbbVie Inc.", 2013, 1560)
    found = headings(doc)
    assert found[0] == "WARNING: SERIOUS INFECTIONS AND MALIGNANCY"
    for heading in ("1 INDICATIONS AND USAGE", "5.1 Serious Infections", "6 ADVERSE REACTIONS",
                    "16 HOW SUPPLIED/STORAGE AND HANDLING", "Medication Guide"):
        assert heading in found
    assert "NDC 0074" not in doc.text  # package label sections are left out


def test_sample_spl_cough(samples: Path) -> None:
    doc = sample(samples, "fda_spl", "spl_otc_cough.xml")
    assert doc.id == "label:00f66f25-3469-4c16-9baf-fba21e9628bd" and doc.year == 2011
    assert doc.organization == "Novartis Consumer Health, Inc."
    assert doc.title is not None and doc.title.startswith(
        "TRIAMINIC Childrens Night Time Cold and Cough")
    found = headings(doc)
    for heading in ("Active ingredient", "Purpose", "Uses", "Warnings", "Do not use",
                    "Keep out of reach of children", "Directions", "Inactive ingredients"):
        assert heading in found
    assert "Package/Label Principal Display Panel" not in found


def test_sample_openfda_humira(samples: Path) -> None:
    doc = sample(samples, "openfda_json", "druglabel_search_humira.json")
    assert doc.id == f"label:{HUMIRA_SET_ID}"  # the same label as the SPL sample
    assert doc.title == "Humira (adalimumab) — prescribing information"
    assert (doc.organization, doc.year, doc.version) == ("AbbVie Inc.", 2016, 1893)
    found = headings(doc)
    assert found[:3] == ["Boxed warning", "Indications and usage", "Dosage and administration"]
    assert "Adverse reactions" in found and "Clinical pharmacology" in found
    # subsection fields repeated inside their parent are not indexed twice
    assert "Pregnancy" not in found and "Mechanism of action" not in found


def test_detect_label_samples(samples: Path) -> None:
    for path in sorted((samples / "fda_spl").iterdir()):
        assert detect(path, FORMATS).name == "fda-spl-xml", path
    search = samples / "openfda_json" / "druglabel_search_humira.json"
    assert detect(search, FORMATS).name == "openfda-label-json"
    with pytest.raises(UnknownFormatError):  # a count response holds no labels
        detect(samples / "openfda_json" / "druglabel_count_pharm_class_epc.json", FORMATS)
