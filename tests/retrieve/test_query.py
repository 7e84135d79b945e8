import pytest

from medcite.retrieve.query import (
    comparison_of,
    core_of,
    populations,
    question_type,
    understand,
)


@pytest.mark.parametrize(("question", "qtype"), [
    ("What is the management approach for leptomeningeal enhancement?", "management"),
    ("What is the recommended dose of vancomycin for meningitis?", "dosing"),
    ("How is Lyme disease diagnosed?", "diagnosis"),
    ("What is the prognosis of glioblastoma?", "prognosis"),
    ("What causes gout?", "etiology"),
    ("Should adults aged 50 to 75 be screened for colorectal cancer?", "screening"),
    ("Does metformin cause lactic acidosis?", "yesno"),
    ("What is Granzyme B?", "definition"),
    ("What is known about Granzyme B in apoptosis?", "general"),
    ("What is hand-foot syndrome?", "definition"),
    ("With respect to pain, characterize the reported difference between A and B.", "comparison"),
])
def test_question_types(question: str, qtype: str) -> None:
    assert question_type(question) == qtype


def test_boilerplate_is_removed_from_the_core() -> None:
    assert core_of("What is the management approach for leptomeningeal enhancement?") == (
        "leptomeningeal enhancement")
    assert core_of("What are the treatment options for migraine in children?") == (
        "migraine in children")
    assert core_of("What is Granzyme B?") == "Granzyme B"


def test_comparisons_name_intervention_comparator_and_outcome() -> None:
    c = comparison_of("With respect to venous ulcer healing, characterize the reported "
                      "difference between four-layer bandage and compression stocking.")
    assert c is not None
    assert (c.intervention, c.comparator, c.outcome) == (
        "four-layer bandage", "compression stocking", "venous ulcer healing")
    d = comparison_of("Does aspirin reduce stroke risk compared with placebo?")
    assert d is not None and (d.intervention, d.comparator) == ("aspirin", "placebo")
    info = understand("Does aspirin reduce stroke risk compared with placebo?")
    assert info.type == "comparison" and "stroke" in info.core


@pytest.mark.parametrize(("question", "wanted", "unwanted"), [
    ("A healthy 35-year-old with CAP is well enough to go home. Which oral antibiotic should "
     "I start?", ["oral antibiotic", "CAP", "adult", "outpatient"], ["35", "should I", "home"]),
    ("My 68-year-old patient with type 2 diabetes has an eGFR of 40. Can I continue "
     "metformin?", ["metformin", "older adult", "eGFR"], ["68-year-old", " My "]),
    ("Is metformin still OK for someone whose eGFR has dropped to 25?",
     ["metformin", "eGFR"], ["still", "OK", "someone"]),
])
def test_vignettes_and_lay_questions_become_their_clinical_question(
        question: str, wanted: list[str], unwanted: list[str]) -> None:
    core = understand(question).core
    assert all(w in core for w in wanted), core
    assert not any(u in f" {core} " for u in unwanted), core


@pytest.mark.parametrize(("question", "focus"), [
    ("How should hypertension in pregnancy be treated?", "hypertension in pregnancy"),
    ("What is the first-line treatment for community-acquired pneumonia?",
     "community-acquired pneumonia"),
    ("What is gout?", "gout"),
])
def test_the_focus_is_what_the_question_is_about(question: str, focus: str) -> None:
    assert understand(question).focus == focus


@pytest.mark.parametrize(("question", "qtype"), [
    ("A 52-year-old developed a DVT after knee surgery. How long should I anticoagulate?",
     "management"),
    ("My STEMI patient can't reach a PCI centre in time. What should I do?", "management"),
    ("Acute pancreatitis fluid resuscitation: lactated Ringer's or normal saline?",
     "comparison"),
    ("Heparin or enoxaparin for VTE prophylaxis in medical inpatients?", "comparison"),
    ("Is aspirin or clopidogrel better after a stroke?", "yesno"),
])
def test_vignettes_and_choices_are_typed_by_what_they_ask(question: str, qtype: str) -> None:
    assert question_type(question) == qtype


def test_a_clinical_story_is_not_its_topic() -> None:
    info = understand("A 52-year-old developed a DVT three weeks after knee replacement. How "
                      "long should I anticoagulate?")
    assert "long" not in info.core.split()


def test_an_age_names_the_older_adult_population() -> None:
    assert populations("Should I take aspirin every day? I'm 65.")
    assert populations("The USPSTF recommends against aspirin in adults 60 years or older.")
    assert populations("a 70-year-old man with atrial fibrillation")
    assert not populations("adults aged 40 to 59 years")


def test_a_choice_names_its_options_and_what_they_are_for() -> None:
    choice = comparison_of("Warfarin or a DOAC for atrial fibrillation without valve disease?")
    assert choice is not None
    assert (choice.intervention, choice.comparator) == ("Warfarin", "a DOAC")
    assert choice.outcome == "atrial fibrillation without valve disease"
    assert comparison_of("What is better for pain in adults or children with arthritis?") is None
