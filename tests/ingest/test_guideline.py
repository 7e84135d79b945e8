"""Guideline reader: Markdown and HTML with front matter built here, then the CDC samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcite.ingest import guideline
from medcite.ingest.chunking import segment_text
from medcite.ingest.formats import FORMATS
from medcite.ingest.source import detect
from medcite.models import Document, Malformed, Parsed

MARKDOWN = """---
title: Managing Widget Fever in Adults
organization: Example Society
year: 2021
url: https://example.org/widget-fever
publication_types: Practice Guideline, Consensus Statement
---
# Managing Widget Fever

This guideline covers **adults** with _suspected_ widget fever and
continues on a second line, see [the annex](https://example.org/annex).

## Recommendations

- Offer rest to *all* patients with a fever lasting longer than three days.
- Consider fluids
  when the patient cannot drink.
1. Review after one week.

| Drug | Dose |
|------|------|
| aspirin | 75 mg |

Setext heading
--------------

Closing remarks that are long enough to be prose rather than a heading.
"""


def read_file(tmp_path: Path, text: str, name: str = "g.md") -> list[Parsed]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return list(guideline.read(path))


def one_doc(items: list[Parsed]) -> Document:
    [doc] = items
    assert isinstance(doc, Document), doc
    return doc


def test_markdown_front_matter_and_plain_text(tmp_path: Path) -> None:
    doc = one_doc(read_file(tmp_path, MARKDOWN))
    assert doc.kind == "guideline" and doc.body == []
    assert doc.title == "Managing Widget Fever in Adults"
    assert (doc.organization, doc.year, doc.url) == (
        "Example Society", 2021, "https://example.org/widget-fever")
    assert doc.publication_types == ["Practice Guideline", "Consensus Statement"]
    assert doc.id == "guideline:example-society-managing-widget-fever-in-adults-2021"
    lines = doc.text.split("\n\n")
    assert lines == [
        "Managing Widget Fever",
        "This guideline covers adults with suspected widget fever and continues on a second "
        "line, see the annex.",
        "Recommendations",
        "- Offer rest to all patients with a fever lasting longer than three days.",
        "- Consider fluids when the patient cannot drink.",
        "1. Review after one week.",
        "Drug | Dose",
        "aspirin | 75 mg",
        "Setext heading",
        "Closing remarks that are long enough to be prose rather than a heading.",
    ]


def test_markdown_headings_are_seen_by_the_chunker(tmp_path: Path) -> None:
    doc = one_doc(read_file(tmp_path, MARKDOWN))
    titles = {seg.title for seg in segment_text(doc.text)}
    assert {"Managing Widget Fever", "Recommendations"} <= titles


def test_explicit_id_and_kind(tmp_path: Path) -> None:
    text = "---\ntitle: Sleep tips\nid: sleep-1\nkind: consumer\n---\nSleep well every night.\n"
    doc = one_doc(read_file(tmp_path, text))
    assert doc.id == "guideline:sleep-1" and doc.kind == "consumer"
    assert doc.publication_types == []


@pytest.mark.parametrize(("text", "line", "reason"), [
    ("---\ntitle: T\nyear: 2020\n# no closing line\n", 1, "no closing"),
    ("---\ntitle: T\nyear: twenty\n---\nText.\n", 3, "year must be"),
    ("---\ntitle: T\n\nauthor: Someone\n---\nText.\n", 4, "unknown front-matter key 'author'"),
    ("---\ntitle: T\nkind: blog\n---\nText.\n", 3, "kind must be"),
    ("---\ntitle: T\njust words\n---\nText.\n", 3, "not 'key: value'"),
])
def test_bad_front_matter_is_malformed_with_line(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    [item] = read_file(tmp_path, text)
    assert isinstance(item, Malformed)
    assert item.where == f"{tmp_path / 'g.md'}:{line}" and reason in item.reason


HTML = """<!DOCTYPE html>
<html><head><title>Page title | Site</title>
<meta name="citation_title" content="Fluids for Fever">
<meta name="dc.publisher" content="Health Agency">
<meta name="citation_date" content="2019/05/02">
<link rel="canonical" href="https://agency.example/fluids">
<style>p { color: red }</style><script>var x = "<p>no</p>";</script></head>
<body><nav><a href="/">Home</a> Menu</nav><header>Site banner</header>
<h1>Fluids for Fever</h1>
<p>Give <b>oral</b> fluids&nbsp;first.</p>
<h2>Doses</h2>
<table><tr><th>Age</th><th>Volume</th></tr><tr><td>Child</td><td>50 mL/kg</td></tr></table>
<ul><li>Check weight.</li><li><p>Record intake.</p></li></ul>
<footer>Copyright</footer></body></html>
"""


def test_html_meta_tags_text_and_tables(tmp_path: Path) -> None:
    doc = one_doc(read_file(tmp_path, HTML, "page.html"))
    assert doc.title == "Fluids for Fever" and doc.organization == "Health Agency"
    assert doc.year == 2019 and doc.url == "https://agency.example/fluids"
    assert doc.text.split("\n\n") == [
        "Fluids for Fever", "Give oral fluids first.", "Doses", "Age | Volume",
        "Child | 50 mL/kg", "- Check weight.", "- Record intake.",
    ]


def test_html_with_front_matter_and_layout_table(tmp_path: Path) -> None:
    page = ("---\ntitle: From front matter\norganization: Org\nyear: 2000\n---\n"
            "<html><body><table><tr><td><h1>Main</h1><p>Inside a layout cell.</p></td>"
            "<td>side</td></tr></table></body></html>")
    doc = one_doc(read_file(tmp_path, page, "fm.html"))
    assert doc.title == "From front matter" and doc.year == 2000
    assert doc.text.split("\n\n") == ["Main", "Inside a layout cell.", "side"]


def test_citing_mmwr_does_not_make_a_page_cdc(tmp_path: Path) -> None:
    page = ("<html><head><title>Vaccines for travellers</title></head><body><h1>Vaccines</h1>"
            "<p>See MMWR 2019;68:1-20 from the Centers for Disease Control.</p></body></html>")
    doc = one_doc(read_file(tmp_path, page, "travel.html"))
    assert doc.organization is None and doc.journal is None


def test_sniffers() -> None:
    assert guideline.sniff_markdown(MARKDOWN) and not guideline.sniff_html(MARKDOWN)
    assert guideline.sniff_html(HTML) and not guideline.sniff_markdown(HTML)
    assert guideline.sniff_html("---\ntitle: x\n---\n<html><body>")
    assert not guideline.sniff_markdown("---\nfoo: bar\n---\ntext")
    assert not guideline.sniff("# Just markdown\n\nNo front matter.")
    assert not guideline.sniff('{"meta": {}, "results": ["<html>"]}')


# --- real samples ------------------------------------------------------------------------


def test_sample_cdc_anthrax(samples: Path) -> None:
    [doc] = guideline.read(samples / "guidelines" / "cdc_mmwr_2001_anthrax_interim_guidelines.html")
    assert isinstance(doc, Document)
    assert doc.organization == "CDC" and doc.year == 2001 and doc.journal == "MMWR"
    assert doc.title is not None and doc.title.startswith(
        "Update: Investigation of Bioterrorism-Related Anthrax and Interim Guidelines")
    blocks = doc.text.split("\n\n")
    assert blocks[0] == doc.title  # page chrome before the <h1> is dropped
    assert {"Florida", "Editorial Note", "Managing Exposures", "References"} <= set(blocks)
    assert "mmwrq@cdc.gov" not in doc.text and "HOME" not in doc.text


def test_sample_cdc_polio(samples: Path) -> None:
    [doc] = guideline.read(samples / "guidelines" / "cdc_mmwr_1999_acip_polio_recommendations.html")
    assert isinstance(doc, Document)
    assert (doc.organization, doc.year, doc.kind) == ("CDC", 1999, "guideline")
    assert doc.title is not None and "Poliomyelitis Vaccination" in doc.title
    assert "- Mass vaccination campaigns to control outbreaks of paralytic polio." in doc.text
    assert doc.id.startswith("guideline:cdc-notice-to-readers-")


def test_detect_guideline_samples(samples: Path) -> None:
    for path in sorted((samples / "guidelines").iterdir()):
        assert detect(path, FORMATS).name == "guideline-html", path
