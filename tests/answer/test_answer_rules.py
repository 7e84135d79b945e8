"""The extractive writer's rules for what answers a question, on texts built here: the
qualifier a question asks for, a drug named rather than "medications", a cause, a
guideline's section for the population asked about, a title that states a finding, and
the synonyms that let a passage cover the question's condition."""

from __future__ import annotations

from pathlib import Path

from medcite.answer.audience import Audience
from medcite.answer.coverage import QuestionTerms
from medcite.answer.evidence import TITLE_SECTION, _titles, evidence_from
from medcite.answer.extractive import ExtractiveWriter
from medcite.answer.slots import BOTH, QUALIFIED, qualifiers, slot_fit
from medcite.answer.writer import DraftSection
from medcite.models import Passage
from medcite.retrieve.query import understand
from medcite.service import Medcite
from medcite.text.terms import stem_set
from tests.conftest import doc, write_jsonl


def test_the_qualifier_the_question_asks_for_raises_the_sentence_that_says_it() -> None:
    info = understand("What is the first-line treatment for community-acquired pneumonia?")
    assert qualifiers(info.text) == {"first line"}
    other = understand("What is the treatment for community-acquired pneumonia?")
    sentence = "First-line: Amoxicillin 1 g orally three times daily."
    assert slot_fit(info, sentence, "guideline") == QUALIFIED * slot_fit(other, sentence,
                                                                         "guideline")
    plain = "Amoxicillin 1 g orally three times daily."
    assert slot_fit(info, plain, "guideline") == slot_fit(other, plain, "guideline")


def test_a_treatment_sentence_naming_the_drug_beats_one_saying_medications() -> None:
    info = understand("How should hypertension in pregnancy be treated?")
    named = slot_fit(info, "Use methyldopa or labetalol to treat hypertension in pregnancy.",
                     "guideline")
    generic = slot_fit(info, "Use antihypertensive medications to treat hypertension in "
                             "pregnancy.", "guideline")
    assert named > generic >= BOTH
    # "recommended" alone is not a treatment: a tool to assess severity fills half the slot
    assessed = slot_fit(info, "The CURB-65 score is the recommended tool for assessing "
                              "severity.", "guideline")
    assert assessed < BOTH


def test_a_research_title_that_states_a_finding_is_a_passage() -> None:
    info = understand("What is caused by biallelic variants in GENE1?")
    finding = {"id": "pmid:1", "kind": "research", "evidence_level": "observational",
               "title": "Biallelic variants in GENE1 cause epilepsy and hearing loss"}
    topic = {"id": "pmid:2", "kind": "research", "evidence_level": "observational",
             "title": "GENE1 variants in a cohort of 40 families"}
    items = [(Passage(f"{d['id']}#0", str(d["id"]), "text", 0, "", "We report 12 families "
                      "with variants in GENE1 and their findings.", 0, 60), d)
             for d in (finding, topic)]
    terms = QuestionTerms(info, lambda ts: {t: 1.0 for t in ts})
    evidence = evidence_from(info.text, info, Audience.CLINICIAN, terms, items)
    titles = _titles(evidence.passages)
    assert [t.passage.text for t in titles] == [
        "Biallelic variants in GENE1 cause epilepsy and hearing loss."]
    assert titles[0].passage.section == TITLE_SECTION and titles[0].doc_id == "pmid:1"
    assert titles[0].n == len(evidence.passages) + 1


def test_a_common_condition_is_covered_by_its_vocabulary_synonym(
        service: Medcite, tmp_path: Path) -> None:
    mesh = write_jsonl(tmp_path / "mesh.jsonl", [
        {"ui": "D006973", "name": "Hypertension", "entry_terms": ["Blood Pressure, High"],
         "permuted": [], "tree_numbers": [], "categories": [], "pharm_actions": []}])
    corpus = write_jsonl(tmp_path / "c.jsonl", [
        doc(f"pmid:{i}", f"Hypertension was common in cohort {i} of adults.") for i in range(40)
    ] + [doc("guideline:bp", "Use methyldopa, nifedipine, or labetalol for BP management in "
             "pregnancy.", kind="guideline",
             title="Guideline for the Management of High Blood Pressure in Adults")])
    service.ingest([mesh, corpus])
    info = service.searcher.understand("How should hypertension in pregnancy be treated?")
    assert "high blood pressure" in dict(info.synonyms)["hypertension"]  # uninverted, kept
    assert "high blood pressure" not in info.expansions  # too common to help retrieval
    evidence = service.evidence("How should hypertension in pregnancy be treated?")
    title = "Guideline for the Management of High Blood Pressure in Adults"
    assert "hypertens" in evidence.terms.covered(stem_set(title))  # the synonym covers it


def test_a_guidelines_section_for_the_population_asked_about_is_answered_first(
        service: Medcite, tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [
        {**doc("guideline:htn", "Pregnancy\n\nUse methyldopa, nifedipine, or labetalol for "
               "blood pressure management in pregnancy.", kind="guideline",
               title="Hypertension guideline"), "sections": None},
        doc("guideline:screen", "Screening for hypertensive disorders of pregnancy with "
            "blood pressure measurements is recommended throughout pregnancy. Management "
            "of hypertensive disorders of pregnancy includes monitoring.", kind="guideline",
            title="Hypertensive disorders of pregnancy: screening")])
    service.ingest([corpus])
    answer = service.ask("How should hypertension in pregnancy be treated?", record=False)
    text = " ".join(s.text for s in answer.all_sentences())
    assert "methyldopa" in text


def test_writer_sections_come_from_the_evidence_only() -> None:
    info = understand("What is the first-line treatment for pneumonia?")
    terms = QuestionTerms(info, lambda ts: {t: 1.0 for t in ts})
    passage = Passage("guideline:cap#0", "guideline:cap", "text", 0, "Pneumonia in adults",
                      "First-line: Amoxicillin 500 mg three times daily for 5 days.\n\n"
                      "Severity is assessed with the CURB-65 score in pneumonia.", 0, 100)
    evidence = evidence_from(info.text, info, Audience.CLINICIAN, terms, [
        (passage, {"id": "guideline:cap", "kind": "guideline", "evidence_level": "guideline",
                   "title": "Pneumonia guideline"})])
    parts = [p for p in ExtractiveWriter().write(evidence) if isinstance(p, DraftSection)]
    said = [s.text for p in parts for s in p.sentences]
    assert any("Amoxicillin" in s for s in said)


def test_a_drug_the_question_names_anchors_the_answer(service: Medcite, tmp_path: Path) -> None:
    service.ingest([write_jsonl(tmp_path / "c.jsonl", [
        doc("medquad:1", "Breastfeeding while taking an antidepressant is considered safe by "
            "most experts, and mothers can be encouraged to breastfeed.", kind="consumer",
            title="Antidepressants and breastfeeding"),
        doc("medquad:2", "Ibuprofen passes into breast milk only in tiny amounts and is "
            "considered safe while breastfeeding.", kind="consumer", title="Pain relief"),
    ] + [doc(f"pmid:{i}", f"Ibuprofen was used for pain in cohort {i}.") for i in range(30)])])
    answer = service.ask("Is it safe to take ibuprofen while breastfeeding?",
                         Audience.PATIENT, record=False)
    said = " ".join(s.text for s in answer.all_sentences())
    assert "Ibuprofen passes into breast milk" in said
    assert "antidepressant" not in said


def test_a_consumer_heading_run_into_its_sentence_is_not_shown() -> None:
    info = understand("What causes psoriasis?")
    terms = QuestionTerms(info, lambda ts: {t: 1.0 for t in ts})
    text = ("Genes Play a Role No one knows what causes psoriasis to start in most people. "
            "A problem with your immune system causes psoriasis.")
    passage = Passage("medquad:9#0", "medquad:9", "text", 0, "", text, 0, len(text))
    evidence = evidence_from(info.text, info, Audience.PATIENT, terms, [
        (passage, {"id": "medquad:9", "kind": "consumer", "evidence_level": "consumer",
                   "title": "What causes psoriasis?"})])
    said = [s.text for p in ExtractiveWriter().write(evidence) if isinstance(p, DraftSection)
            for s in p.sentences]
    assert "A problem with your immune system causes psoriasis." in said
    assert not any(s.startswith("Genes Play a Role") for s in said)
