"""The bottom line answers the question: it fills the question's slot, on the question's
side of a contrary pair, names the options of a choice, and is never a flowchart's fragment
or a research title that only names its topic."""

from __future__ import annotations

import pytest

from medcite.answer.audience import Audience
from medcite.answer.coverage import QuestionTerms
from medcite.answer.evidence import _titles, evidence_from
from medcite.answer.slots import (
    QUANTITY,
    contrary,
    sides,
    slot_fit,
    states_quantity,
)
from medcite.models import Passage
from medcite.retrieve.query import understand
from medcite.service import Medcite
from medcite.settings import load_settings
from medcite.text.terms import stem_set
from tests.conftest import doc, write_jsonl


def test_a_sentence_about_the_other_side_of_a_contrary_pair_is_contrary() -> None:
    question = "Which antibiotic for methicillin-susceptible Staphylococcus aureus endocarditis?"
    assert contrary(question, "MRSA endocarditis is treated with vancomycin.")
    assert not contrary(question, "For MSSA, nafcillin is preferred over vancomycin for MRSA.")
    assert not contrary(question, "Nafcillin or oxacillin is recommended.")
    assert not contrary("Which antibiotic for endocarditis?", "MRSA is treated with vancomycin.")
    assert contrary("Native valve endocarditis: how long?", "Prosthetic valve IE: 6 weeks.")
    outpatient = "A healthy adult with pneumonia is well enough to go home. Which antibiotic?"
    assert contrary(outpatient, "Inpatients in the ICU receive a beta-lactam plus a macrolide.")
    assert sides(outpatient, "Outpatient, no comorbidities: amoxicillin 1 g three times daily.")
    assert not sides(outpatient, "Amoxicillin 1 g three times daily.")


def test_a_question_asking_for_a_number_is_filled_by_a_sentence_that_states_one() -> None:
    info = understand("What compression-to-ventilation ratio should we use for a newborn?")
    assert states_quantity(info.text, "The 3:1 ratio is preferred for newborns.")
    assert not states_quantity(info.text, "Every birth should be attended by a trained person.")
    # a number inside a name is no answer
    assert not states_quantity("What FIB-4 value is low risk?", "FIB-4 uses age and AST.")
    assert states_quantity("What FIB-4 value is low risk?", "A FIB-4 below 1.3 is low risk.")
    with_number = slot_fit(info, "The 3:1 ratio is preferred for newborns.", "guideline")
    without = slot_fit(info, "The ratio is preferred for newborns.", "guideline")
    assert with_number == pytest.approx(QUANTITY * without)
    other = understand("How is neonatal bradycardia managed?")
    assert slot_fit(other, "The 3:1 ratio is preferred for newborns.", "guideline") == \
        slot_fit(other, "The ratio is preferred for newborns.", "guideline")


def test_a_title_naming_its_design_after_a_colon_is_a_topic_not_a_finding() -> None:
    info = understand("Does budesonide-formoterol relieve dyspnoea in asthma?")
    titles = {
        "pmid:1": "Onset of relief of dyspnoea with budesonide-formoterol following "
                  "methacholine-induced bronchoconstriction: a double-blind, placebo-"
                  "controlled study",
        "pmid:2": "Budesonide-formoterol reduces dyspnoea faster than salbutamol: a "
                  "randomized trial",
    }
    items = [(Passage(f"{i}#0", i, "text", 0, "", "We studied 40 adults with asthma.", 0, 33),
              {"id": i, "kind": "research", "evidence_level": "rct", "title": t})
             for i, t in titles.items()]
    terms = QuestionTerms(info, lambda ts: {t: 1.0 for t in ts})
    evidence = evidence_from(info.text, info, Audience.CLINICIAN, terms, items)
    assert [t.doc_id for t in _titles(evidence.passages)] == ["pmid:2"]


BURNS = ("Burn resuscitation\nThe Modified Brooke formula was developed to reduce the risk of "
         "over-resuscitation while maintaining adequate fluid resuscitation in burns.")
PANCREATITIS = ("Fluid resuscitation in acute pancreatitis\nEarly fluid resuscitation in "
                "acute pancreatitis in the emergency department should be goal-directed and "
                "monitored by urine output. The ACG suggests lactated Ringer's over saline.")
ENDOCARDITIS = (
    "Staphylococcus aureus endocarditis\nMethicillin-resistant Staphylococcus aureus (MRSA) "
    "endocarditis is treated with vancomycin 15 mg/kg intravenously every 12 hours for "
    "Staphylococcus aureus endocarditis.\nIf the isolate is methicillin-susceptible, "
    "nafcillin is recommended.")
GOUT = ("Gout flare flowchart\nFirst gout flare?\nNO --> Low-dose colchicine regimen for a "
        "gout flare: 1.2 mg then 0.6 mg in 1 hour.\nYES --> Low-dose colchicine regimen for a "
        "gout flare and allopurinol.\nColchicine is a first-line option for a flare.")

NSAIDS = ("Ask your pharmacist if the medicines you take are safe to use. Ibuprofen is safe "
          "for most adults with a headache when taken as directed. Ibuprofen and naproxen are "
          "sold under many brand names.")

DRINKING = ("If you have questions about whether it is safe for you to drink alcohol while "
            "taking medicines, speak with your health care provider. Adults who drink should "
            "drink alcohol in moderation.")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> Medcite:
    tmp = tmp_path_factory.mktemp("bottom")
    corpus = write_jsonl(tmp / "c.jsonl", [
        doc("guideline:burns", BURNS, kind="guideline", title="Burn care guideline"),
        doc("guideline:pan", PANCREATITIS, kind="guideline", title="Acute pancreatitis"),
        doc("guideline:endo", ENDOCARDITIS, kind="guideline", title="Endocarditis guideline"),
        doc("guideline:gout", GOUT, kind="guideline", title="Gout guideline"),
        doc("medquad:nsaid", NSAIDS, kind="consumer", title="Pain relievers"),
        doc("medquad:drink", DRINKING, kind="consumer", title="Alcohol"),
        doc("pmid:metro", "Metronidazole treats bacterial vaginosis and trichomoniasis in "
                          "adults.", title="Metronidazole"),
    ] + [doc(f"pmid:{i}", f"Resuscitation outcomes were recorded in cohort {i} of adults.")
         for i in range(20)] + [doc(f"pmid:a{i}", f"Adults who drink alcohol were taking part "
                                                 f"in cohort {i}.") for i in range(3)])
    drugs = write_jsonl(tmp / "drugs.jsonl", [
        {"canonical": "metronidazole", "drugbank_id": "DB00916", "name": "Metronidazole",
         "variants": [], "brand_variants": ["flagyl"]},
        {"canonical": "tinidazole", "drugbank_id": "DB00911", "name": "Tinidazole",
         "variants": [], "brand_variants": []}])
    service = Medcite(load_settings(tmp / "home", embedder={"kind": "none"}))
    service.ingest([drugs, corpus])
    return service


def _bottom_line(service: Medcite, question: str) -> str:
    answer = service.ask(question, record=False)
    return " ".join(s.text for s in answer.summary)


def test_a_choice_is_answered_by_the_sentence_that_names_its_options(answers: Medcite) -> None:
    question = ("Early fluid resuscitation of acute pancreatitis in the emergency department: "
                "lactated Ringer's or normal saline?")
    info = understand(question)
    assert info.type == "comparison" and info.comparison is not None
    assert (info.comparison.intervention, info.comparison.comparator) == (
        "lactated Ringer's", "normal saline")
    assert "emergency department" in info.comparison.outcome
    assert _bottom_line(answers, question).startswith("The ACG suggests lactated Ringer's")


def test_the_bottom_line_is_about_the_population_asked_not_its_contrary(
        answers: Medcite) -> None:
    line = _bottom_line(answers, "Which antibiotic treats methicillin-susceptible "
                                 "Staphylococcus aureus endocarditis?")
    assert line.startswith("If the isolate is methicillin-susceptible, nafcillin")
    assert "vancomycin" not in line


def test_no_flowchart_fragment_opens_the_answer(answers: Medcite) -> None:
    answer = answers.ask("What is the low-dose colchicine regimen for a gout flare?",
                         record=False)
    assert answer.summary
    assert all("-->" not in s.text and "?\n" not in s.text for s in answer.summary)
    assert answer.summary[0].text == "Colchicine is a first-line option for a flare."


def test_a_choice_question_with_a_topic_is_not_a_yes_no_statement() -> None:
    for title_question in ("Risk factors for depression in women: are they the same or "
                           "different?", "Aripiprazole: a new risk factor for gambling?"):
        assert understand(title_question).comparison is None


def test_a_sentence_is_judged_by_its_own_words_before_its_heading() -> None:
    question = "What is the first-line treatment for uncomplicated cystitis in women?"
    heading = "Complicated and uncomplicated urinary tract infection"
    assert contrary(question, "These agents should not be used for complicated UTI.", heading)
    assert not contrary(question, "Nitrofurantoin for 5 days is first-line.", heading)
    assert contrary(question, "Nitrofurantoin for 5 days.", "Complicated UTI")
    assert contrary(question, "Do not use these for complicated UTI:\nNitrofurantoin: fine "
                              "for uncomplicated cystitis\nFosfomycin", heading)


def test_no_verdict_for_a_population_the_evidence_does_not_speak_of(answers: Medcite) -> None:
    general = answers.ask("Is ibuprofen safe for adults with a headache?", record=False)
    assert general.verdict == "yes"
    pregnant = answers.ask("Is it safe to take ibuprofen while pregnant?", record=False)
    assert pregnant.verdict is None


def test_telling_words_of_a_story_and_equivalent_asks_count_for_coverage() -> None:
    info = understand("A 52-year-old developed a DVT three weeks after surgery. How long "
                      "should I anticoagulate?")
    terms = QuestionTerms(info, lambda ts: {t: 1.0 for t in ts})
    assert not {"develop", "three", "week"} & terms.weights.keys()
    treated = QuestionTerms(understand("How is gout treated?"), lambda ts: {t: 1.0 for t in ts})
    assert treated.coverage(frozenset(stem_set("Gout management: allopurinol."))) == 1.0


def test_no_verdict_from_a_health_page_sentence_that_does_not_name_the_drug_asked(
        answers: Medcite) -> None:
    question = "Can I drink alcohol while taking Flagyl?"
    assert answers.searcher.understand(question).drugs == ("flagyl",)
    answer = answers.ask(question, Audience.PATIENT, record=False)
    assert answer.verdict is None


def test_an_answer_says_which_drug_asked_about_its_passages_do_not_mention(
        answers: Medcite) -> None:
    absent = answers.ask("Can I drink alcohol while taking tinidazole?", Audience.PATIENT,
                         record=False)
    assert "The passages used here do not mention tinidazole." in absent.missing
    by_brand = answers.ask("Can I drink alcohol while taking Flagyl?", Audience.PATIENT,
                           record=False)  # its generic's sentence is in the answer
    assert any("Metronidazole" in s.text for s in by_brand.all_sentences())
    assert not any("flagyl" in m for m in by_brand.missing)
