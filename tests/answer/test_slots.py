"""Slots: the sentence that answers each type of question ranks first."""

from __future__ import annotations

import pytest

from medcite.answer.slots import BOTH, DEFINITION, defines, says_cause, slot_fit
from medcite.retrieve.query import understand


@pytest.mark.parametrize(("question", "answers", "distractor"), [
    ("How should hypertension in pregnancy be treated?",
     "Use methyldopa, nifedipine, or labetalol for BP management in pregnancy.",
     "Hypertensive disorders of pregnancy include gestational hypertension and preeclampsia."),
    ("What dose of nimodipine is given after subarachnoid haemorrhage?",
     "Nimodipine 60 mg orally every 4 hours for 21 days.",
     "Nimodipine improves outcomes after subarachnoid haemorrhage."),
    ("Who should be screened for hepatitis C?",
     "The USPSTF recommends screening for hepatitis C in adults aged 18 to 79 years.",
     "Hepatitis C is a liver infection caused by a virus."),
    ("What is gout?",
     "Gout is a common, painful form of arthritis.",
     "Low-dose colchicine is recommended for gout flares."),
])
def test_the_sentence_that_fills_the_slot_fits_better(question: str, answers: str,
                                                      distractor: str) -> None:
    info = understand(question)
    assert slot_fit(info, answers, "guideline") > slot_fit(info, distractor, "guideline")


def test_a_recommendation_naming_a_drug_fills_a_treatment_slot_fully() -> None:
    info = understand("What is the first-line treatment of community-acquired pneumonia?")
    assert slot_fit(info, "Amoxicillin 1 g orally three times daily is recommended as "
                          "first-line treatment.", "research") >= BOTH


def test_a_definition_must_name_the_thing_defined_near_its_start() -> None:
    assert defines("gout", "Gout is a form of arthritis that causes sudden pain.")
    assert not defines("gout", "Arthritis is a group of conditions, and gout is one.")
    assert not defines("gout", "Colchicine is a drug.")
    info = understand("What is gout?")
    assert slot_fit(info, "Gout is a form of arthritis.", "consumer", prefers_consumer=True) \
        > DEFINITION


def test_a_cause_naming_the_condition_fills_an_etiology_slot_fully() -> None:
    info = understand("What causes psoriasis?")
    assert slot_fit(info, "A problem with the immune system causes psoriasis.", "consumer") \
        == BOTH
    assert slot_fit(info, "Some genes cause rare forms of the disease.", "consumer") < BOTH
    assert slot_fit(info, "Psoriasis is common in adults.", "consumer") < BOTH


def test_an_etiology_sentence_says_what_causes_the_focus_not_what_it_causes() -> None:
    assert not says_cause("psoriasis", "Psoriasis is a skin disease that causes itchy patches.")
    assert says_cause("psoriasis", "A problem with the immune system causes psoriasis.")
    assert says_cause("psoriasis", "The cause of psoriasis is not fully understood.")
    assert says_cause("Parkinson disease", "Parkinson disease causes tremor; its causes "
                                           "include genes.")
    info = understand("What causes psoriasis?")
    assert slot_fit(info, "A problem with the immune system causes psoriasis.", "consumer") \
        > slot_fit(info, "Psoriasis is a skin disease that causes itchy patches.", "consumer")


def test_a_sentence_naming_the_options_ranks_above_one_naming_a_single_drug() -> None:
    info = understand("How should hypertension in pregnancy be treated?")
    options = slot_fit(info, "Use methyldopa, nifedipine, or labetalol for BP management.",
                       "guideline")
    one = slot_fit(info, "Management includes monitoring, medications and magnesium sulfate.",
                   "guideline")
    assert options > one >= BOTH


def test_a_dose_is_an_amount_of_medicine_not_any_number() -> None:
    info = understand("What is the dose of alteplase for acute ischemic stroke?")
    dose = slot_fit(info, "Alteplase 0.9 mg/kg IV, 10% as a bolus over 1 minute.", "guideline")
    window = slot_fit(info, "Alteplase can be given within 4.5 hours of onset.", "guideline")
    assert dose >= BOTH > window
