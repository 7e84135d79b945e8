from pathlib import Path

from medcite.retrieve.expand import expand, uninvert
from medcite.service import Medcite
from medcite.text.abbreviations import find_definitions
from tests.conftest import doc, write_jsonl


def test_abbreviation_definitions_are_found() -> None:
    text = ("Children with autism spectrum disorder (ASD) and adults after myocardial "
            "infarction (MI) were followed; 20 (10%) had events (n = 20).")
    assert find_definitions(text) == [("ASD", "autism spectrum disorder"),
                                      ("MI", "myocardial infarction")]


def test_uninvert_reads_mesh_headings_naturally() -> None:
    assert uninvert("Diabetes Mellitus, Type 2") == "Type 2 Diabetes Mellitus"
    assert uninvert("Aspirin") == "Aspirin"


def test_vocabularies_and_mined_abbreviations_expand_questions(
    service: Medcite, tmp_path: Path
) -> None:
    mesh = write_jsonl(tmp_path / "mesh.jsonl", [
        {"ui": "D009203", "name": "Myocardial Infarction", "entry_terms": [
            "Heart Attack", "Infarction, Myocardial"], "permuted": [], "tree_numbers": [],
         "categories": [], "pharm_actions": []}])
    drugs = write_jsonl(tmp_path / "drugs.jsonl", [
        {"canonical": "acetaminophen", "drugbank_id": "DB00316", "name": "Acetaminophen",
         "variants": ["paracetamol", "4-acetamidophenol"], "brand_variants": ["tylenol"]}])
    corpus = write_jsonl(tmp_path / "c.jsonl", [
        doc(f"pmid:{i}", f"Children with autism spectrum disorder (ASD) were screened, study {i}. "
            "Paracetamol was given for fever.") for i in range(4)])
    service.ingest([mesh, drugs, corpus])

    found = {e.phrase: e for e in expand(service.store, "treatment of heart attack",
                                         service.lexical.share)}
    assert found["heart attack"].alternatives[0] == "myocardial infarction"
    assert "infarction, myocardial" not in found["heart attack"].alternatives
    brand = {e.phrase: e for e in expand(service.store, "Is Tylenol safe?", service.lexical.share)}
    assert brand["tylenol"].alternatives == ("acetaminophen",)
    generic = expand(service.store, "acetaminophen overdose", service.lexical.share)
    assert generic[0].alternatives == ("paracetamol",)  # the name the corpus uses
    abbreviation = {e.phrase: e for e in expand(service.store, "screening for ASD")}
    assert abbreviation["ASD"].alternatives == ("autism spectrum disorder",)


def test_expansion_lets_search_find_the_synonym(service: Medcite, tmp_path: Path) -> None:
    drugs = write_jsonl(tmp_path / "drugs.jsonl", [
        {"canonical": "acetaminophen", "drugbank_id": "DB00316", "name": "Acetaminophen",
         "variants": [], "brand_variants": ["tylenol"]}])
    corpus = write_jsonl(tmp_path / "c.jsonl", [
        doc("pmid:1", "Acetaminophen is safe in pregnancy at usual doses."),
        doc("pmid:2", "Ibuprofen should be avoided late in pregnancy.")])
    service.ingest([drugs, corpus])
    assert service.search("Is Tylenol safe?")[0].doc_id == "pmid:1"


def test_everyday_names_expand_to_the_clinical_term(service: Medcite, tmp_path: Path) -> None:
    service.ingest([write_jsonl(tmp_path / "c.jsonl", [
        doc("pmid:1", "Hypothyroidism is treated with levothyroxine.")])])
    found = {e.phrase: e for e in expand(service.store, "How is an underactive thyroid treated?")}
    assert found["underactive thyroid"].alternatives == ("hypothyroidism",)
    assert found["underactive thyroid"].source == "lay"
    assert service.search("How is an underactive thyroid treated?")[0].doc_id == "pmid:1"
