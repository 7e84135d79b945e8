"""PMC JATS reader: tiny articles built here, then the real PMC samples."""

from __future__ import annotations

from pathlib import Path

from medcite.ingest import pmc_jats
from medcite.ingest.formats import FORMATS
from medcite.ingest.source import detect
from medcite.models import Document, Malformed, Parsed, Section


def jats(ids: str, title: str = "A trial", abstract: str = "", body: str = "",
         article_type: str = "research-article", extra: str = "") -> str:
    return (
        f'<article article-type="{article_type}" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
        "<front><journal-meta><journal-title-group><journal-title>J Test</journal-title>"
        "</journal-title-group></journal-meta>\n"
        f"<article-meta>{ids}<title-group><article-title>{title}</article-title>"
        '</title-group><pub-date pub-type="collection"><year>2019</year></pub-date>'
        '<pub-date pub-type="epub"><year>2018</year></pub-date>'
        f"{extra}{abstract}</article-meta></front>\n"
        f"<body>{body}</body>\n</article>\n"
    )


def only_docs(items: list[Parsed]) -> list[Document]:
    assert all(isinstance(i, Document) for i in items), items
    return [i for i in items if isinstance(i, Document)]


def read_text(tmp_path: Path, text: str, name: str = "a.nxml") -> list[Parsed]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return list(pmc_jats.read(path))


BODY = (
    "<p>Lead paragraph <xref ref-type='bibr' rid='b1'>[1]</xref>.</p>"
    "<sec><title>Methods</title><p>We did it.</p>"
    "<sec><title>Participants:</title><p>Adults.</p>"
    "<table-wrap><label>Table 1</label><caption><p>Baseline data</p></caption>"
    "<table><tr><td>secret cell</td></tr></table></table-wrap></sec>"
    "<p>Closing methods text <disp-formula>x = y</disp-formula>done.</p></sec>"
    "<sec><title>Results</title><p>It worked.<fig><label>Figure 2</label>"
    "<caption><title>Flow</title></caption><graphic/></fig></p>"
    "<list><list-item><p>one</p></list-item><list-item><p>two</p></list-item></list></sec>"
)


def test_body_sections_nested_titles_and_floats(tmp_path: Path) -> None:
    ids = ('<article-id pub-id-type="pmid">123</article-id>'
           '<article-id pub-id-type="pmc">55</article-id>')
    [doc] = only_docs(read_text(tmp_path, jats(ids, body=BODY)))
    assert doc.body == [
        Section(title="", text="Lead paragraph [1]."),
        Section(title="Methods", text="We did it."),
        Section(title="Methods / Participants", text="Adults.\nTable 1. Baseline data"),
        Section(title="Methods", text="Closing methods text done."),
        Section(title="Results", text="It worked.\nFigure 2. Flow\n- one\n- two"),
    ]
    assert "secret cell" not in doc.body_text()


def test_ids_metadata_and_structured_abstract(tmp_path: Path) -> None:
    ids = ('<article-id pub-id-type="pmid">123</article-id>'
           '<article-id pub-id-type="pmc">55</article-id>'
           '<article-id pub-id-type="doi">10.1/x</article-id>')
    abstract = ('<abstract><sec><title>Background:</title><p>Why.</p></sec>'
                "<sec><title>Results</title><p>What.</p></sec></abstract>"
                '<abstract abstract-type="teaser"><p>Short.</p></abstract>')
    extra = ('<permissions><license xlink:href="https://creativecommons.org/licenses/by/4.0/">'
             "<license-p>CC BY</license-p></license></permissions>"
             "<kwd-group><kwd>asthma</kwd><kwd>children</kwd></kwd-group>")
    [doc] = only_docs(read_text(tmp_path, jats(ids, abstract=abstract, extra=extra,
                                               article_type="review-article")))
    assert doc.id == "pmid:123" and doc.pmcid == "PMC55" and doc.doi == "10.1/x"
    assert doc.text == "BACKGROUND: Why.\nRESULTS: What."
    assert doc.year == 2018 and doc.journal == "J Test" and doc.collection == "pmc"
    assert doc.url == "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC55/"
    assert doc.publication_types == ["Review"] and doc.kind == "research"
    assert doc.keywords == ["asthma", "children"]
    assert doc.license == "https://creativecommons.org/licenses/by/4.0/"


def test_pmc_id_without_pmid_and_missing_ids_is_malformed(tmp_path: Path) -> None:
    one = jats('<article-id pub-id-type="pmcid">PMC77</article-id>', body="<p>Text.</p>")
    two = jats("", body="<p>Text.</p>")
    three = jats('<article-id pub-id-type="pmc">78</article-id>', body="<p>Text.</p>")
    items = read_text(tmp_path, f"<pmc-articleset>{one}{two}{three}</pmc-articleset>")
    assert [type(i) for i in items] == [Document, Malformed, Document]
    assert isinstance(items[0], Document) and items[0].id == "pmc:PMC77"
    assert isinstance(items[1], Malformed) and "neither a PMID nor a PMCID" in items[1].reason
    assert items[1].where.endswith("a.nxml:6")
    assert isinstance(items[2], Document) and items[2].pmcid == "PMC78"


def test_fatal_error_after_first_article(tmp_path: Path) -> None:
    good = jats('<article-id pub-id-type="pmid">1</article-id>')
    items = read_text(tmp_path, f"<pmc-articleset>{good}<article><front></article>")
    assert [type(i) for i in items] == [Document, Malformed]
    assert isinstance(items[1], Malformed) and "XML syntax error" in items[1].reason


def test_sniff() -> None:
    assert pmc_jats.sniff('<?xml version="1.0"?>\n<!DOCTYPE article PUBLIC "-//NLM//DTD '
                          'Journal Archiving and Interchange DTD v3.0 20080202//EN" '
                          '"archivearticle3.dtd"><article><front>')
    assert pmc_jats.sniff("<pmc-articleset><article>")
    assert not pmc_jats.sniff("<PubmedArticleSet><PubmedArticle>")
    assert not pmc_jats.sniff('<document xmlns="urn:hl7-org:v3">')


# --- real samples ------------------------------------------------------------------------


def sample(samples: Path, name: str) -> Document:
    [doc] = only_docs(list(pmc_jats.read(samples / "pmc_jats" / name)))
    return doc


def test_sample_plos_trial(samples: Path) -> None:
    doc = sample(samples, "PMC1574360.nxml")
    assert doc.id == "pmid:17013429" and doc.pmcid == "PMC1574360"
    assert doc.doi == "10.1371/journal.pctr.0010022" and doc.year == 2006
    assert doc.text.startswith("OBJECTIVES: ") and "Editorial Commentary" not in doc.text
    titles = [s.title for s in doc.body]
    assert titles[:3] == ["INTRODUCTION", "METHODS", "METHODS / Participants"]
    assert "RESULTS / Outcomes and Estimation" in titles
    assert doc.license == "http://creativecommons.org/licenses/by/4.0/"


def test_sample_ehp_and_plos_one(samples: Path) -> None:
    ehp = sample(samples, "ehp-116-1694.nxml")
    assert ehp.body[0].title == "" and ehp.body[-1].title == "Discussion"
    assert "Materials and Methods / Animals and housing" in [s.title for s in ehp.body]
    assert ehp.text.startswith("BACKGROUND: ") and "thyroid hormone" in ehp.keywords
    pone = sample(samples, "pone.0046493.nxml")
    assert pone.title is not None and pone.title.startswith("MmPPOX Inhibits")
    assert pone.license is not None and "Creative Commons Attribution" in pone.license
    assert len(pone.license) <= 200


def test_sample_efetch_wrapper_and_oai_pmh(samples: Path) -> None:
    correction = sample(samples, "efetch_pmc_articleset.xml")
    assert correction.id == "pmid:34527728" and correction.pmcid == "PMC8435807"
    assert correction.publication_types == ["Published Erratum"] and correction.body
    oai = sample(samples, "oai_pmh_PMC4500000.xml")
    assert oai.id == "pmid:26180337" and oai.pmcid == "PMC4500000"
    assert oai.doi == "10.1589/jpts.27.1865" and oai.year == 2015
    assert [s.title for s in oai.body] == ["INTRODUCTION", "SUBJECTS AND METHODS", "RESULTS",
                                           "DISCUSSION"]
    assert oai.license == "http://creativecommons.org/licenses/by-nc-nd/3.0/"


def test_detect_pmc_samples(samples: Path) -> None:
    for path in sorted((samples / "pmc_jats").iterdir()):
        assert detect(path, FORMATS).name == "pmc-jats-xml", path
