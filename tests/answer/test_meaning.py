"""Checks of meaning: each reason code in both directions, and faithful rewordings that
must not be flagged."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from medcite.answer.cues import analyse
from medcite.answer.lexicon import TermLexicon
from medcite.answer.meaning import align, assess, orientation
from medcite.answer.verify import check_sentence, reason_list, verdict
from medcite.models import VocabTerm

GUIDELINE = ("The USPSTF recommends screening for colorectal cancer in adults aged 50 to 75 "
             "years (A recommendation). Aspirin is not recommended for primary prevention in "
             "adults 70 years or older. Statins reduce the risk of cardiovascular events in "
             "adults with diabetes.")
TRIAL = "Pain was significantly lower in the ibuprofen group than in the placebo group (p<0.01)."
NULL_TRIAL = ("There was no significant difference in infarct size between the morphine group "
              "and the control group (P = 0.52).")
LEXICON = TermLexicon([
    VocabTerm("drug", "DB01050", "ibuprofen", ("advil", "motrin", "brufen"), {}),
    VocabTerm("drug", "DB00788", "naproxen", ("aleve",), {}),
    VocabTerm("drug", "DB00722", "lisinopril", ("zestril",), {}),
    VocabTerm("drug", "DB00945", "aspirin", ("acetylsalicylic acid",), {}),
    VocabTerm("mesh", "D006973", "Hypertension", ("High Blood Pressure",),
              {"tree_numbers": ["C14.907.489"]}),
])


def codes(sentence: str, passage: str = GUIDELINE) -> list[str]:
    check = check_sentence(sentence, [passage], lexicon=LEXICON)
    return [code for code, _ in check.reasons]


def passes(sentence: str, passage: str = GUIDELINE) -> bool:
    return check_sentence(sentence, [passage], lexicon=LEXICON).ok


# -- faithful text passes --------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "The USPSTF recommends screening for colorectal cancer in adults aged 50 to 75 years "
    "(A recommendation).",
    "Aspirin is not recommended for primary prevention in adults 70 years or older.",
])
def test_verbatim_sentences_pass(sentence: str) -> None:
    check = check_sentence(sentence, [GUIDELINE])
    assert check.ok and check.support == 1.0
    assert check.passage_sentence == sentence and check.passage_index == 0


@pytest.mark.parametrize("sentence", [
    # a dropped parenthesis
    "The USPSTF recommends screening for colorectal cancer in adults aged 50 to 75 years.",
    # a reordered clause
    "In adults aged 50 to 75 years, the USPSTF recommends screening for colorectal cancer.",
    # "patients with X" for "X patients"
    "Statins reduce the risk of cardiovascular events in diabetic adults.",
    # a synonym of the direction word
    "Statins lower the risk of cardiovascular events in adults with diabetes.",
])
def test_benign_edits_pass(sentence: str) -> None:
    check = check_sentence(sentence, [GUIDELINE], lexicon=LEXICON)
    assert check.ok, reason_list(check)


def test_brand_and_generic_are_one_drug() -> None:
    assert passes("Compared with placebo, Advil significantly reduced pain.", TRIAL)
    assert passes("Compared with placebo, ibuprofen significantly reduced pain.", TRIAL)
    # without the vocabulary the brand is just a word the passage lacks
    assert not check_sentence("Compared with placebo, Advil significantly reduced pain.",
                              [TRIAL]).ok


def test_a_faithful_comparison_claim_in_other_words_passes() -> None:
    check = check_sentence("Compared with placebo, ibuprofen significantly reduced pain.",
                           [TRIAL])
    assert check.ok and check.passage_sentence == TRIAL
    stated_the_other_way = "Pain was significantly higher with placebo than with ibuprofen."
    assert passes(stated_the_other_way, TRIAL)
    assert passes("Compared with the control group, morphine made no significant difference "
                  "to infarct size.", NULL_TRIAL)


def test_an_outcome_named_by_its_measure_and_threshold_is_reported_on() -> None:
    # "number of ..." is how the outcome is measured; "<7%" is part of the outcome
    passage = "More patients on detemir reached HbA1c below 7% than on glargine (P = 0.02)."
    assert passes("Compared with glargine, detemir significantly increased the number of "
                  "patients with HbA1c below 7%.", passage)
    assert not passes("Compared with glargine, detemir significantly increased the number of "
                      "patients with HbA1c below 6%.", passage)


# -- negation ----------------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "The USPSTF does not recommend screening for colorectal cancer in adults aged 50 to 75 "
    "years.",
    "The USPSTF recommends against screening for colorectal cancer in adults aged 50 to 75 "
    "years.",
    "Statins never reduce the risk of cardiovascular events in adults with diabetes.",
])
def test_added_negation_is_flagged(sentence: str) -> None:
    assert codes(sentence) == ["negation"]


@pytest.mark.parametrize("sentence", [
    "Aspirin is recommended for primary prevention in adults 70 years or older.",
    "Aspirin is indicated for primary prevention in adults 70 years or older.",
])
def test_removed_negation_is_flagged(sentence: str) -> None:
    assert "negation" in codes(sentence)


def test_negation_in_a_paraphrase_is_flagged_both_ways() -> None:
    passage = "Lisinopril is contraindicated in pregnancy because of fetal toxicity."
    assert "negation" in codes("During pregnancy, lisinopril can be used safely.", passage)
    assert passes("Lisinopril must not be used in pregnancy.", passage) or \
        "negation" not in codes("Lisinopril must not be used in pregnancy.", passage)
    assert "negation" in codes("Ibuprofen is ineffective for pain.",
                               "Ibuprofen is effective for pain after dental surgery.")
    assert "negation" in codes("Ibuprofen is effective for pain after dental surgery.",
                               "Ibuprofen is ineffective for pain after dental surgery.")


# -- direction -----------------------------------------------------------------------------

def test_flipped_direction_is_flagged_both_ways() -> None:
    assert codes("Statins increase the risk of cardiovascular events in adults with "
                 "diabetes.") == ["direction"]
    raised = "Statins raised the risk of cardiovascular events in adults with diabetes."
    assert codes("Statins reduced the risk of cardiovascular events in adults with diabetes.",
                 raised) == ["direction"]
    assert codes("Compared with placebo, ibuprofen significantly increased pain.",
                 TRIAL) == ["direction"]


def test_no_difference_against_a_significant_change_is_flagged_both_ways() -> None:
    assert "direction" in codes("Compared with placebo, ibuprofen made no significant "
                                "difference to pain.", TRIAL)
    assert "direction" in codes("Compared with the control group, morphine significantly "
                                "reduced infarct size.", NULL_TRIAL)


# -- comparison order ----------------------------------------------------------------------

def test_swapped_comparison_is_flagged() -> None:
    assert codes("Compared with ibuprofen, placebo significantly reduced pain.",
                 TRIAL) == ["comparison_order"]
    assert codes("Pain was significantly lower in the placebo group than in the ibuprofen "
                 "group (p<0.01).", TRIAL) == ["comparison_order"]
    preferred = "Metformin is recommended over sulfonylureas as initial therapy."
    assert codes("Sulfonylureas are recommended over metformin as initial therapy.",
                 preferred) == ["comparison_order"]


def test_orientation_reads_each_side_of_a_comparison() -> None:
    claim = analyse("Compared with placebo, ibuprofen significantly reduced pain.")
    assert orientation(claim, analyse(TRIAL)) == 1
    assert orientation(claim, analyse("Pain was higher with placebo than with ibuprofen.")) == -1


# -- strength ------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, passage", [
    ("The panel strongly recommends early mobilisation after surgery.",
     "The panel conditionally recommends early mobilisation after surgery."),
    ("The panel conditionally recommends early mobilisation after surgery.",
     "The panel strongly recommends early mobilisation after surgery."),
    ("The USPSTF recommends screening for colorectal cancer in adults aged 50 to 75 years "
     "(C recommendation).", GUIDELINE),
    ("Clinicians must offer statins to adults with diabetes.",
     "Clinicians may offer statins to adults with diabetes."),
    ("Clinicians may offer statins to adults with diabetes.",
     "Clinicians should offer statins to adults with diabetes."),
    ("Shift work causes breast cancer in nurses.",
     "Shift work was associated with breast cancer in nurses."),
])
def test_strength_changes_are_flagged_both_ways(sentence: str, passage: str) -> None:
    assert codes(sentence, passage) == ["strength"]


def test_an_association_stated_as_an_association_passes() -> None:
    assert passes("Shift work is associated with breast cancer in nurses.",
                  "Shift work was associated with breast cancer in nurses.")


# -- entities ------------------------------------------------------------------------------

def test_a_drug_the_passage_lacks_is_flagged() -> None:
    found = check_sentence("Compared with placebo, naproxen significantly reduced pain.",
                           [TRIAL], lexicon=LEXICON)
    assert ("entity", 'drug "naproxen" is not in the cited passages') in found.reasons
    # without a lexicon, a generic name's shape still gives it away
    alone = check_sentence("Statins and lisinopril reduce the risk of cardiovascular events "
                           "in adults with diabetes.", [GUIDELINE])
    assert any(code == "entity" and "lisinopril" in detail for code, detail in alone.reasons)


def test_a_drug_swapped_for_another_in_the_same_passage_is_flagged() -> None:
    passage = "Lisinopril lowers blood pressure. Aspirin prevents preeclampsia in pregnancy."
    assert "entity" in codes("Lisinopril prevents preeclampsia in pregnancy.", passage)


@pytest.mark.parametrize("sentence", [
    "The USPSTF recommends screening for colorectal cancer in children aged 50 to 75 years.",
    "Aspirin is not recommended for primary prevention in pregnant women 70 years or older.",
])
def test_a_population_the_passage_lacks_is_flagged(sentence: str) -> None:
    assert "entity" in codes(sentence)


def test_a_population_swapped_within_the_passage_is_flagged() -> None:
    passage = ("Screening identifies intimate partner violence in women. Evidence in men is "
               "limited.")
    assert codes("Screening identifies intimate partner violence in men.", passage) == \
        ["entity"]


def test_dose_forms_and_stages_are_entities() -> None:
    passage = "Ibuprofen tablets relieve pain in adults with stage 3 chronic kidney disease."
    assert "entity" in codes("Ibuprofen gel relieves pain in adults with stage 3 chronic "
                             "kidney disease.", passage)
    assert "entity" in codes("Ibuprofen tablets relieve pain in adults with stage 4 chronic "
                             "kidney disease.", passage)


# -- numbers, alignment, verdicts ----------------------------------------------------------

def test_numbers_still_must_be_traced() -> None:
    check = check_sentence("Aspirin is not recommended for primary prevention in adults 60 "
                           "years or older.", [GUIDELINE])
    assert [f.value for f in check.untraced] == ["60 y"]
    assert ("number", '"60 years" is not in the cited passages') in reason_list(check)
    assert verdict(check) == "changed_meaning"


def test_unsupported_text_is_not_supported_not_changed() -> None:
    check = check_sentence("Radiotherapy cures glioblastoma in most children.", [GUIDELINE])
    assert verdict(check) == "not_supported" and not check.supported
    assert {code for code, _ in check.reasons} <= {"entity"}


def test_alignment_picks_the_sentence_and_passage_that_support_the_claim() -> None:
    passages = ["Metformin is first-line therapy for type 2 diabetes.", GUIDELINE]
    at = align("Aspirin is not recommended in adults 70 years or older.", passages)
    assert at is not None and at.passage_index == 1
    assert at.sentence.startswith("Aspirin is not recommended")
    pair = align("Methotrexate is given intrathecally at 12 mg twice weekly.",
                 ["Methotrexate is used. It is given intrathecally at 12 mg twice weekly."])
    assert pair is not None and pair.sentence.count(".") == 2


def test_assess_reports_support_and_no_reasons_for_a_verbatim_claim() -> None:
    found = assess(TRIAL, [GUIDELINE, TRIAL])
    assert found.support == 1.0 and found.reasons == ()
    assert found.alignment is not None and found.alignment.passage_index == 1


def test_an_optional_judge_settles_only_what_the_rules_leave_open() -> None:
    asked: list[tuple[str, str]] = []

    def judge(verdict_: bool | None) -> Callable[[str, str], bool | None]:
        def ask(claim: str, passage: str) -> bool | None:
            asked.append((claim, passage))
            return verdict_
        return ask

    paraphrase = "Compared with placebo, ibuprofen significantly reduced pain."
    assert check_sentence(paraphrase, [TRIAL], judge=judge(True)).ok
    assert asked == [(paraphrase, TRIAL)]
    refused = check_sentence(paraphrase, [TRIAL], judge=judge(False))
    assert not refused.ok and [c for c, _ in refused.reasons] == ["judge"]
    assert check_sentence(paraphrase, [TRIAL], judge=judge(None)).ok  # unsure: rules stand
    asked.clear()
    flipped = "Compared with placebo, ibuprofen significantly increased pain."
    assert not check_sentence(flipped, [TRIAL], judge=judge(True)).ok  # a contradiction
    verbatim = check_sentence(TRIAL, [TRIAL], judge=judge(False))
    assert verbatim.ok and asked == []  # what the rules settle is never sent to the judge


# -- comparison claims ---------------------------------------------------------------------

GENERIC_TRIAL = ("Pain scores were significantly lower in the treatment group than in the "
                 "control group (p<0.01).")


def test_a_comparison_claim_is_parsed_into_arms_finding_and_outcome() -> None:
    from medcite.answer.meaning import contrast_of, without_arms

    found = contrast_of("Compared with placebo, atorvastatin 10 mg daily significantly "
                        "reduced LDL cholesterol.")
    assert found is not None
    assert (found.comparator, found.intervention, found.outcome) == (
        "placebo", "atorvastatin 10 mg daily", "LDL cholesterol")
    claim = "Compared with placebo, atorvastatin 10 mg daily significantly reduced LDL."
    assert "10 mg" not in without_arms(claim, ["LDL fell in the treatment group."])
    assert "10 mg" in without_arms(claim, ["LDL fell with atorvastatin 80 mg."])
    assert contrast_of("Aspirin is not recommended for primary prevention.") is None


def test_arm_names_and_doses_may_be_missing_where_the_passage_names_arms_generically() -> None:
    claim = ("Compared with placebo, naproxen 500 mg twice daily significantly reduced pain "
             "scores.")
    check = check_sentence(claim, [GENERIC_TRIAL], lexicon=LEXICON)
    assert check.ok, reason_list(check)
    # the finding must still agree: direction and significance
    assert not passes("Compared with placebo, naproxen 500 mg twice daily significantly "
                      "increased pain scores.", GENERIC_TRIAL)
    assert not passes("Compared with placebo, naproxen 500 mg twice daily made no significant "
                      "difference to pain scores.", GENERIC_TRIAL)
    # the reverse statement agrees
    assert passes("Compared with placebo, naproxen significantly reduced pain scores.",
                  "Pain scores were significantly higher in the placebo group than in the "
                  "treatment group (p<0.01).")


def test_an_arm_the_passage_contradicts_is_still_rejected() -> None:
    # a different drug named as the arm
    assert "entity" in codes("Compared with placebo, naproxen significantly reduced pain.", TRIAL)
    # a number stated as a result is still traced
    check = check_sentence("Compared with placebo, ibuprofen significantly reduced pain by 40%.",
                           [TRIAL], lexicon=LEXICON)
    assert [f.text for f in check.untraced] == ["40%"]


def test_a_passage_silent_on_the_outcome_does_not_support_a_comparison_claim() -> None:
    assert not passes("Compared with placebo, naproxen significantly reduced nausea.",
                      GENERIC_TRIAL)


def test_a_dose_swapped_in_a_named_arm_is_still_caught() -> None:
    passage = ("LDL cholesterol was significantly lower with atorvastatin 10 mg daily than "
               "with placebo (p < 0.01).")
    faithful = ("Compared with placebo, atorvastatin 10 mg daily significantly reduced LDL "
                "cholesterol.")
    assert check_sentence(faithful, [passage], lexicon=LEXICON).ok
    swapped = faithful.replace("10 mg", "80 mg")
    check = check_sentence(swapped, [passage], lexicon=LEXICON)
    assert not check.ok and any(f.text.startswith("80") for f in check.untraced)


def test_an_arms_amount_in_a_unit_the_passage_never_uses_is_its_label() -> None:
    passage = ("After 2 months the fat-free mass increased in the creatine group and "
               "decreased in the placebo group (p < 0.001).")
    assert passes("Compared with placebo, creatine 340 mg daily for 2 months significantly "
                  "increased fat-free mass.", passage)
    assert not passes("Compared with placebo, creatine 340 mg daily for 3 months "
                      "significantly increased fat-free mass.", passage)  # months it states
