"""A pasted Markdown answer: its sentences, citations and references read, and each
sentence checked against the stored passages its references resolve to."""

from __future__ import annotations

from pathlib import Path

from medcite.answer.lexicon import store_lexicon
from medcite.answer.pasted import parse_answer, verify_pasted
from medcite.service import Medcite
from tests.conftest import doc, write_jsonl


def test_parse_answer_reads_citations_ranges_and_identifiers() -> None:
    sentences, refs = parse_answer(
        "Statins lower LDL [1–3]. Aspirin helps [2, 4].\n\nReferences\n"
        "[1] Trial. PMID 123\n[2] guideline:uspstf-1\n[3] https://doi.org/10.1000/xyz.\n"
        "[4] Nothing to resolve\n")
    assert [(s.text, s.citations) for s in sentences] == [
        ("Statins lower LDL.", (1, 2, 3)), ("Aspirin helps.", (2, 4))]
    assert [r.identifiers for r in refs] == [
        (("pmid", "123"),), (("id", "guideline:uspstf-1"),),
        (("doi", "10.1000/xyz"), ("url", "https://doi.org/10.1000/xyz")), ()]


def test_pasted_answer_with_a_brand_name_uses_the_store_vocabulary(service: Medcite,
                                                                    tmp_path: Path) -> None:
    service.ingest([
        write_jsonl(tmp_path / "c.jsonl", [doc(
            "pmid:7", "Ibuprofen reduced pain after dental surgery compared with placebo.",
            pmid="7")]),
        write_jsonl(tmp_path / "drugs.jsonl", [
            {"canonical": "ibuprofen", "drugbank_id": "DB01050", "variants": ["advil"],
             "brand_variants": ["advil"]},
            {"canonical": "naproxen", "drugbank_id": "DB00788", "variants": ["aleve"],
             "brand_variants": ["aleve"]}])])
    lexicon = store_lexicon(service.store)
    refs = "\n\nReferences\n1. PMID: 7\n"
    brand = verify_pasted(service.store, "Advil reduced pain after dental surgery compared "
                          "with placebo [1]." + refs, lexicon)
    assert [r.status for r in brand.sentences] == ["supported"]
    other = verify_pasted(service.store, "Aleve reduced pain after dental surgery compared "
                          "with placebo [1]." + refs, lexicon)
    assert [r.status for r in other.sentences] == ["changed_meaning"]
    assert ("entity", 'drug "aleve" is not in the cited passages') in other.sentences[0].reasons
