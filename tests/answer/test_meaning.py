"""Checks of meaning: each reason code in both directions, and faithful rewordings that
must not be flagged."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from medcite.answer import figures
from medcite.answer.comparison import finding_kind
from medcite.answer.cues import analyse
from medcite.answer.figures import figures_direction
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
    from medcite.answer.comparison import contrast_of, without_arms

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


# -- comparison claims from trial evidence: how passages state findings --------------------
# Each rule both ways: the faithful claim passes, the flipped one fails.

NULL = "made no significant difference to"
UP = "significantly increased"
DOWN = "significantly decreased"


def claim(comparator: str, intervention: str, finding: str, outcome: str) -> str:
    return f"Compared with {comparator}, {intervention} {finding} {outcome}."


def test_a_finding_is_judged_in_the_passage_words_not_the_claim_template() -> None:
    passage = ("Varenicline-treated subjects made their first quit attempt significantly "
               "earlier than placebo-treated subjects (p = .0074).")
    check = check_sentence(claim("placebo", "varenicline", DOWN, "first quit attempt"),
                           [passage], lexicon=LEXICON)
    assert check.supported, reason_list(check)
    assert not passes(claim("placebo", "varenicline", NULL, "first quit attempt"), passage)


def test_a_raised_decimal_point_is_a_point() -> None:
    passage = "Deaths were 3·01 with retinol versus 3·15 with control (p=0·22)."
    assert [c.value for c in analyse(passage).of("null", "sig")] == ["p"]
    assert analyse(passage).of("null")
    assert passes(claim("control", "retinol", NULL, "deaths"), passage)
    assert not passes(claim("control", "retinol", DOWN, "deaths"), passage)


def test_a_p_value_without_a_sign_is_read() -> None:
    passage = "At 24 weeks 68% and 56% of the patients were acne free (P 0.51)."
    assert passes(claim("alternate days", "daily isotretinoin", NULL, "acne free patients"),
                  passage)
    assert not passes(claim("alternate days", "daily isotretinoin", UP, "acne free patients"),
                      passage)
    assert analyse("The difference was not significant (p-value = 0.919).").of("null")


def test_a_generic_finding_in_the_next_sentence_is_about_the_sentence_before() -> None:
    passage = ("The mean diastolic blood pressure was 80.7 mm Hg in the sleeve group and 80.6 "
               "mm Hg in the bare arm group. These results indicate that there were no "
               "significant differences among the groups (P = 0.77).")
    faithful = claim("the bare arm group", "the sleeve group", NULL,
                     "the mean diastolic blood pressure")
    assert passes(faithful, passage)
    assert not passes(faithful.replace(NULL, UP), passage)


def test_a_negated_significance_is_a_finding_of_no_difference_not_a_negation() -> None:
    passage = ("We did not observe significant differences of folate levels between exposed "
               "and non-exposed volunteers (P > 0.05).")
    assert passes(claim("control", "UVA radiation", NULL, "folate levels"), passage)
    assert not passes(claim("control", "UVA radiation", DOWN, "folate levels"), passage)


def test_an_absent_outcome_is_no_difference_but_an_absence_in_one_arm_is_not() -> None:
    passage = "There were no local infections or bloodstream infections in either group."
    assert passes(claim("routine replacement", "clinical replacement", NULL, "infections"),
                  passage)
    assert not passes(claim("routine replacement", "clinical replacement", UP, "infections"),
                      passage)
    one_arm = ("There were no recurrent episodes of thromboembolism in the tinzaparin group, "
               "and seven in the heparin group (P = 0.01).")
    assert not passes(claim("heparin", "tinzaparin", NULL, "recurrent episodes of "
                            "thromboembolism"), one_arm)


def test_did_not_affect_is_a_finding_of_no_difference() -> None:
    passage = "Iloprost inhalation did not affect walking distance (p = 0.36)."
    assert passes(claim("placebo", "iloprost", NULL, "walking distance"), passage)
    assert not passes(claim("placebo", "iloprost", UP, "walking distance"), passage)


def test_no_difference_between_the_arms_outweighs_a_change_within_them() -> None:
    passage = ("PTEF increased significantly after both albuterol and saline but the "
               "difference between the two treatments was not significant (P = 0.6).")
    assert passes(claim("saline", "albuterol", NULL, "PTEF"), passage)
    assert not passes(claim("saline", "albuterol", UP, "PTEF"), passage)
    # a change the clause names the outcome in is not outweighed
    other = ("Therapy duration did not differ between groups (P = 0.22), with significantly "
             "higher hospital costs per patient in the routine group (P < 0.001).")
    assert not passes(claim("clinical replacement", "routine replacement", NULL,
                            "hospital costs per patient"), other)


def test_an_outcome_named_by_its_initials_is_reported_on() -> None:
    passage = "There was no difference in mean HbA1c or BP levels between the groups."
    assert passes(claim("standard care", "a diabetes register", NULL,
                        "mean HbA1c and blood pressure"), passage)
    assert not passes(claim("standard care", "a diabetes register", DOWN,
                            "mean HbA1c and blood pressure"), passage)
    # an initialism must be written in capitals: "or" is not "odds ratio"
    assert not passes(claim("standard care", "a diabetes register", NULL, "odds ratio"),
                      "Weight or height did not differ between the groups.")


def test_a_reference_arm_ends_at_its_verb() -> None:
    passage = ("Outcomes for LVMI with lisinopril plus telmisartan versus lisinopril plus "
               "placebo were not significantly different.")
    assert analyse(passage).of("null")
    faithful = claim("lisinopril plus placebo", "lisinopril plus telmisartan", NULL,
                     "left ventricular mass index (LVMI)")
    assert passes(faithful, passage)
    assert not passes(faithful.replace(NULL, DOWN), passage)


def test_a_condition_the_claim_abbreviates_is_named_by_its_abbreviation() -> None:
    passage = ("The high dose group had significantly more days free of ALI than the low dose "
               "group (p = 0.02).")
    faithful = claim("low dose salbutamol", "high dose salbutamol", UP,
                     "days free of acute lung injury (ALI)")
    lexicon = TermLexicon([VocabTerm("mesh", "D055371", "Acute Lung Injury", (),
                                     {"tree_numbers": ["C08.381.520"]})])
    assert check_sentence(faithful, [passage], lexicon=lexicon).ok
    assert not check_sentence(faithful.replace(UP, DOWN), [passage], lexicon=lexicon).ok
    # a passage that uses another abbreviation does not name it
    assert not check_sentence(faithful, [passage.replace("ALI", "ARDS")], lexicon=lexicon).ok


def test_the_finding_of_a_comparison_claim_is_about_its_whole_outcome() -> None:
    passage = ("Similarly, SSPG declined when both GH and PIO were combined, with a mean "
               "difference compared with placebo of -55.3 mg/dl (p = 0.02).")
    outcome = "Steady-State Plasma Glucose Response (SSPG)"
    arms = ("placebo", "growth hormone (GH) and pioglitazone (PIO)")
    assert passes(claim(*arms, DOWN, outcome), passage)
    assert not passes(claim(*arms, UP, outcome), passage)


def test_a_direction_is_read_from_the_cue_closest_to_the_claim() -> None:
    passage = ("The Little by Little group increased fruit and vegetable intake by 1.32 "
               "occurrences per day, compared with 0.71 in the stress-reduction group "
               "(P = .016).")
    arms = ("a stress management CD-ROM", "the Little by Little CD-ROM")
    assert passes(claim(*arms, UP, "fruit and vegetable intake"), passage)
    assert not passes(claim(*arms, DOWN, "fruit and vegetable intake"), passage)


def test_a_graded_change_is_one_direction() -> None:
    passage = ("Greater reductions in clinic SBP were observed (P < 0.001) with azilsartan "
               "than with olmesartan.")
    assert passes(claim("olmesartan", "azilsartan", DOWN, "systolic blood pressure (SBP)"),
                  passage)
    assert not passes(claim("olmesartan", "azilsartan", UP, "systolic blood pressure (SBP)"),
                      passage)
    # of an outcome that is itself a change, the grade is the direction
    assert passes(claim("olmesartan", "azilsartan", UP, "reductions in clinic SBP"), passage)
    assert not passes(claim("olmesartan", "azilsartan", DOWN, "reductions in clinic SBP"),
                      passage)


def test_arms_named_by_number_initials_or_shortening_are_the_claims_arms() -> None:
    passage = ("Elderly subjects expressed significantly higher health satisfaction in the TC "
               "group than in the PE group (P = 0.036).")
    arms = ("proprioception exercise", "Tai Chi")
    assert passes(claim(*arms, UP, "health satisfaction"), passage)
    assert not passes(claim(*arms, DOWN, "health satisfaction"), passage)
    other = passage.replace("TC group", "yoga group").replace("PE group", "dance group")
    assert "entity" in [c for c, _ in check_sentence(claim(*arms, UP, "health satisfaction"),
                                                     [other]).reasons]


def test_how_an_outcome_is_measured_need_not_be_in_the_passage() -> None:
    passage = ("At 12 weeks, severe POCD occurred in fewer patients of the intervention group "
               "than of the control group (p = 0.01).")
    arms = ("control", "intervention")
    assert passes(claim(*arms, DOWN, "number of people developing severe POCD"), passage)
    assert not passes(claim(*arms, UP, "number of people developing severe POCD"), passage)


def test_an_arms_amount_is_traced_only_where_the_passage_states_the_arms_amounts() -> None:
    passage = ("Patients taking butoconazole reported first relief of symptoms significantly "
               "earlier than those taking fluconazole (p < 0.05). Relief at 12 h was reported "
               "by 52% and 38% of the patients.")
    arms = ("oral fluconazole 150 mg", "butoconazole 2% vaginal cream")
    check = check_sentence(claim(*arms, UP, "patients reporting relief at 12 h"), [passage],
                           lexicon=LEXICON)
    assert not check.untraced, reason_list(check)
    dosed = "Butoconazole 2% cream relieved symptoms earlier than fluconazole (p < 0.05)."
    check = check_sentence(claim("fluconazole", "butoconazole 4% cream", DOWN,
                                 "time to relief of symptoms"), [dosed], lexicon=LEXICON)
    assert [f.text for f in check.untraced] == ["4%"]


def test_a_p_value_reports_on_all_it_follows() -> None:
    passage = ("On characterising murmurs the group using conventional stethoscopes had 45 "
               "correct and 66 incorrect responses, while the students using the electronic "
               "stethoscope had 42 correct and 66 incorrect responses (p = 0.76).")
    arms = ("conventional stethoscope", "electronic stethoscope")
    assert passes(claim(*arms, NULL, "characterising murmurs"), passage)
    assert not passes(claim(*arms, UP, "characterising murmurs"), passage)


def test_the_figures_for_the_arms_give_a_direction_no_word_gives() -> None:
    passage = ("Relapse rates were 12.4% in the cefixime group and 3.4% in the gatifloxacin "
               "group (p = 0.0199).")
    arms = ("cefixime", "gatifloxacin")
    assert passes(claim(*arms, DOWN, "relapse rates"), passage)
    assert not passes(claim(*arms, UP, "relapse rates"), passage)
    assert figures_direction("The size with group A was 0.98 mm and group B was 0.26 mm.",
                             "the new method (group B)", "the old method (group A)") == -1
    assert figures_direction("Stay was 13.8 (8.1) and 17.5 (14.5) days for the study group "
                             "and control group respectively.", "treatment",
                             "usual care") == -1
    assert figures_direction("Absence of heartburn (adjusted OR 3.50; 95% CI 1.59-7.69).",
                             "esomeprazole", "placebo") == 1
    # figures it cannot tie to both arms tell nothing
    assert figures_direction("Uterine tachysystole 10 (12.6%) 3 (3.6%) p < 0.05",
                             "misoprostol", "dinoprostone") == 0


def test_a_negation_that_names_the_outcome_or_counts_an_arm_negates_nothing() -> None:
    passage = ("Absence of daytime heartburn during treatment was more frequent with "
               "esomeprazole than with placebo (p = 0.0018).")
    arms = ("placebo", "esomeprazole 20 mg")
    assert passes(claim(*arms, UP, "absence of daytime heartburn"), passage)
    assert not passes(claim(*arms, DOWN, "absence of daytime heartburn"), passage)
    counted = "In the NP group, 32% of patients desaturated against none in the NC group " \
              "(P = 0.001)."
    arms = ("nasopharyngeal catheter (NC)", "nasal prongs (NP)")
    assert passes(claim(*arms, UP, "patients desaturated"), counted)
    assert not passes(claim(*arms, DOWN, "patients desaturated"), counted)


def test_a_long_form_the_claim_abbreviates_is_supported_by_its_abbreviation() -> None:
    passage = ("Recipients of pramipexole had significantly lower UPDRS scores than those of "
               "placebo (p = 0.01).")
    outcome = "unified Parkinson's disease rating scale (UPDRS) total score"
    check = check_sentence(claim("placebo", "pramipexole", DOWN, outcome), [passage])
    assert check.ok, reason_list(check)
    assert not passes(claim("placebo", "pramipexole", UP, outcome), passage)


def test_a_speed_is_a_change_of_a_time_the_other_way() -> None:
    passage = ("Time to nasogastric tube removal in the TEA group was earlier than in the "
               "control group (P = 0.049).")
    arms = ("control group", "transcutaneous electroacupuncture (TEA)")
    assert passes(claim(*arms, DOWN, "time to nasogastric tube removal"), passage)
    assert not passes(claim(*arms, UP, "time to nasogastric tube removal"), passage)
    walked = "Patients in the TEA group walked significantly faster than controls (P = 0.01)."
    assert passes(claim(*arms, UP, "walking speed of patients"), walked)
    assert not passes(claim(*arms, DOWN, "walking speed of patients"), walked)


def test_a_comparative_grades_a_change_named_a_few_words_later() -> None:
    passage = ("Treatment with liraglutide resulted in a greater weight loss in comparison to "
               "metformin (p < 0.05).")
    assert passes(claim("metformin", "liraglutide", DOWN, "body weight"), passage)
    assert not passes(claim("metformin", "liraglutide", UP, "body weight"), passage)
    assert [c.value for c in analyse(passage).of("dir")] == ["-"]


def test_figures_in_the_singular_and_plural_of_a_unit_are_compared() -> None:
    passage = ("The mean preparation time for group A was 4.7 mins and group B was 17.96 min "
               "(P < 0.001).")
    arms = ("the conventional method (group A)", "the chemomechanical method (group B)")
    assert passes(claim(*arms, UP, "mean preparation time"), passage)
    assert not passes(claim(*arms, DOWN, "mean preparation time"), passage)


def test_a_ranking_said_of_the_comparator_alone_is_the_intervention_the_other_way() -> None:
    passage = "Incidence of apnoea was more in group II (P<0.05)."
    arms = ("fentanyl (group II)", "ketamine (group I)")
    assert passes(claim(*arms, DOWN, "incidence of apnoea"), passage)
    assert not passes(claim(*arms, UP, "incidence of apnoea"), passage)
    # said of the intervention, it is the intervention's
    ours = "Incidence of apnoea was more in group I (P<0.05)."
    assert passes(claim(*arms, UP, "incidence of apnoea"), ours)
    assert not passes(claim(*arms, DOWN, "incidence of apnoea"), ours)


def test_a_table_rows_last_figure_is_its_p_value_where_it_says_no_difference() -> None:
    row = "Major haemorrhage 33/2212 (1.5%) 57/2235 (2.5%) 0.63 (0.37-1.05) 0.08"
    arms = ("unfractionated heparin", "enoxaparin")
    assert passes(claim(*arms, NULL, "major haemorrhage"), row)
    assert not passes(claim(*arms, DOWN, "major haemorrhage"), row)
    # a small one is not read (the row does not say which column is which arm), nor a
    # figure in a bracket or after a confidence interval's marks
    significant = row.replace(" 0.08", " 0.002")
    assert not passes(claim(*arms, DOWN, "major haemorrhage"), significant)
    assert not passes(claim(*arms, UP, "major haemorrhage"), significant)
    prose = ("Incidence of major haemorrhage was lower with enoxaparin (0.10; 95% CI 0.05-0.18) "
             "than with heparin (0.17; 95% CI 0.08-0.30).")
    assert not passes(claim(*arms, NULL, "major haemorrhage"), prose)


def test_failing_to_achieve_significance_is_no_difference() -> None:
    passage = "Compared with placebo, celecoxib failed to achieve significance for pain relief."
    assert passes(claim("placebo", "celecoxib", NULL, "pain relief"), passage)
    assert not passes(claim("placebo", "celecoxib", UP, "pain relief"), passage)


def test_a_blanket_finding_of_no_difference_covers_an_outcome_the_passages_name() -> None:
    arms = ("usual care", "a walking programme")
    methods = "Secondary outcomes included anxiety and fatigue, measured at 12 weeks."
    blanket = ("No significant differences between the groups were found for any of the "
               "secondary outcome measures.")

    def ok(sentence: str, *passages: str) -> bool:
        return check_sentence(sentence, [methods, *passages], lexicon=LEXICON).ok

    assert ok(claim(*arms, NULL, "anxiety"), blanket)
    # it cannot say which way an outcome went, nor cover one the passages never mention
    assert not ok(claim(*arms, UP, "anxiety"), blanket)
    assert not ok(claim(*arms, DOWN, "anxiety"), blanket)
    assert not ok(claim(*arms, NULL, "bone density"), blanket)
    # nor one the passages report a significant change in, nor one it excepts
    changed = "Fatigue was significantly lower in the walking group (p = 0.01)."
    assert not ok(claim(*arms, NULL, "fatigue"), blanket, changed)
    excepted = blanket.replace("measures.", "measures except the primary outcome.")
    assert not ok(claim(*arms, NULL, "fatigue"), excepted)
    # a finding in the next sentence that excepts the outcome is not about it either
    assert not passes(claim(*arms, NULL, "fatigue"), f"{methods} {excepted}")


def test_an_equivalent_that_names_a_unit_is_no_finding() -> None:
    passage = ("The mean use of narcotic analgesia as measured in MSO4 equivalent was 11 mg in "
               "the needlescopic group compared with 34 mg in the laparoscopic group (p = 0.01).")
    arms = ("laparoscopic appendectomy", "needlescopic appendectomy")
    assert passes(claim(*arms, DOWN, "the mean use of narcotic analgesia"), passage)
    assert not passes(claim(*arms, NULL, "the mean use of narcotic analgesia"), passage)
    assert not passes(claim(*arms, UP, "the mean use of narcotic analgesia"), passage)
    # "were equivalent" is still a finding of no difference
    assert [c.kind for c in analyse("The two regimens were equivalent.").cues] == ["null"]
    assert not analyse("Doses were given as morphine equivalent.").cues


def test_a_finding_against_a_third_arm_but_not_the_claims_is_no_difference() -> None:
    passage = ("NPC BDI scores at post-treatment assessment were significantly lower when "
               "compared to UC (p=0.009) but not MIC (p=0.195).")
    arms = ("motivational interviewing (MIC)", "nutrition psychoeducation (NPC)")
    assert passes(claim(*arms, NULL, "BDI scores"), passage)
    assert not passes(claim(*arms, DOWN, "BDI scores"), passage)
    # against the arm the change is said of, it is still the change
    third = ("usual care (UC)", "nutrition psychoeducation (NPC)")
    assert passes(claim(*third, DOWN, "BDI scores"), passage)
    assert not passes(claim(*third, NULL, "BDI scores"), passage)


def test_a_dose_that_names_an_arm_is_no_direction() -> None:
    passage = ("MCV values in low dose (120 mg/kg) and mid dose (360 mg/kg) were significantly "
               "higher as compared to control (P < 0.05).")
    arms = ("control", "Immuforte 120 mg/kg")
    assert passes(claim(*arms, UP, "MCV values"), passage)
    assert not passes(claim(*arms, DOWN, "MCV values"), passage)
    # where the outcome is a dose, "higher dose" is the finding
    dose = ("Beta-blocked patients required a significantly higher dose of atropine (p = "
            "0.0005) compared with patients who were not beta-blocked.")
    arms = ("patients who were not beta-blocked", "beta-blocked patients")
    assert passes(claim(*arms, UP, "dose of atropine"), dose)
    assert not passes(claim(*arms, DOWN, "dose of atropine"), dose)


def test_a_figure_its_abbreviation_carries_need_not_be_traced() -> None:
    passage = "At week 12, FEV1 was significantly higher with tiotropium than placebo (p = 0.01)."
    outcome = "forced expiratory volume in 1 second (FEV1)"
    assert passes(claim("placebo", "tiotropium", UP, outcome), passage)
    assert not passes(claim("placebo", "tiotropium", DOWN, outcome), passage)
    # a figure the abbreviation does not carry is still traced
    check = check_sentence(claim("placebo", "tiotropium", UP, "forced expiratory volume in 2 "
                                 "seconds (FEV1)"), [passage], lexicon=LEXICON)
    assert [f.text for f in check.untraced] == ["2"]


def test_a_change_graded_after_it_is_one_direction() -> None:
    passage = ("The CSD of the rectus femoris decreased significantly less in the EMS group "
               "as compared to the control group (P < 0.05).")
    arms = ("control group", "EMS sessions (EMS group)")
    assert passes(claim(*arms, UP, "the CSD of the rectus femoris"), passage)
    assert not passes(claim(*arms, DOWN, "the CSD of the rectus femoris"), passage)
    assert [c.value for c in analyse("Pain increased more in group A.").of("dir")] == ["+"]
    # "more" that counts what changed is no grade of the change
    counted = analyse("Pain decreased in more patients with A.").of("dir")
    assert [c.value for c in counted] == ["-", "+"]


def test_equal_in_the_arms_is_no_difference() -> None:
    passage = ("Although anaemia was common over the study, it was distributed equally across "
               "treatment groups.")
    arms = ("metformin", "metformin plus rosiglitazone")
    assert passes(claim(*arms, NULL, "anaemia"), passage)
    assert not passes(claim(*arms, UP, "anaemia"), passage)
    count = "The number of questionnaires scored was 78 and equal in the two groups."
    arms = ("acoustic stethoscope", "electronic stethoscope")
    assert passes(claim(*arms, NULL, "the number of questionnaires scored"), count)
    assert not passes(claim(*arms, DOWN, "the number of questionnaires scored"), count)


def test_a_group_said_of_every_arm_names_no_other_arm() -> None:
    passage = ("Overall CD4+ T cell response rates were higher than CD8+ T cell responses within "
               "each vaccine group, and were not significantly different between groups.")
    arms = ("placebo group", "active group")
    assert passes(claim(*arms, NULL, "overall CD4+ T cell response rates"), passage)
    assert not passes(claim(*arms, UP, "overall CD4+ T cell response rates"), passage)
    # one arm's name is still one arm's
    yoga = passage.replace("within each vaccine group", "in the yoga group")
    assert not passes(claim(*arms, NULL, "overall CD4+ T cell response rates"), yoga)


def test_an_abbreviation_the_claim_spells_out_names_the_outcome_alone() -> None:
    passage = ("Compared with losartan, telmisartan reduced FPG by 8% (p < 0.05) and HbA1c by "
               "9% (p < 0.05).")
    outcome = "HbA1c (glycosylated haemoglobin)"
    assert passes(claim("losartan", "telmisartan", DOWN, outcome), passage)
    assert not passes(claim("losartan", "telmisartan", UP, outcome), passage)
    assert not passes(claim("losartan", "telmisartan", NULL, outcome), passage)
    # a bracket that only glosses the outcome does not name it alone
    assert not passes(claim("losartan", "telmisartan", DOWN, "quality of life (HbA1c)"),
                      passage)


def test_a_finding_at_another_time_point_says_nothing_of_the_claims() -> None:
    passage = ("Serum zinc was significantly higher with the sachets than with the tablets at "
               "12 weeks (p = 0.01), but this difference was not maintained at 24 weeks.")
    arms = ("zinc tablets", "zinc sachets")
    assert passes(claim(*arms, NULL, "serum zinc at 24 weeks"), passage)
    assert not passes(claim(*arms, UP, "serum zinc at 24 weeks"), passage)
    assert not passes(claim(*arms, DOWN, "serum zinc at 24 weeks"), passage)
    # at the earlier time point the change is the finding
    assert passes(claim(*arms, UP, "serum zinc at 12 weeks"), passage)
    assert not passes(claim(*arms, NULL, "serum zinc at 12 weeks"), passage)
    # a figure and a unit that name the measure ("24-h") are no time point
    measure = ("Patients were seen at week 8. Their 24-h blood pressure did not differ between "
               "the new drug and losartan.")
    arms = ("losartan", "the new drug")
    assert passes(claim(*arms, NULL, "blood pressure at week 8"), measure)
    assert not passes(claim(*arms, UP, "blood pressure at week 8"), measure)


def test_one_figure_in_every_arm_is_no_difference() -> None:
    passage = "Time to discharge was 4.2 ± 0.8 days in both groups."
    arms = ("usual care", "early mobilisation")
    assert passes(claim(*arms, NULL, "time to discharge"), passage)
    assert not passes(claim(*arms, UP, "time to discharge"), passage)
    assert not passes(claim(*arms, DOWN, "time to discharge"), passage)
    # a figure for each arm, or a significance of its own, is not one figure in every arm
    each = "Time to discharge was 4.2 and 5.1 days in both groups, respectively."
    assert not passes(claim(*arms, NULL, "time to discharge"), each)


ELIMINATION_PASSAGES = [
    "Time to onset of analgesia was recorded for four hours after the dose.",
    "Over that time celecoxib was not significantly different from placebo (P = 0.069)."]


def test_a_comparison_claim_passes_when_the_passage_rules_out_both_other_findings() -> None:
    claim = ("Compared with placebo, celecoxib made no significant difference to time to onset "
             "of analgesia.")
    silent = assess(claim, ELIMINATION_PASSAGES, eliminate=False)
    assert [code for code, _ in silent.reasons] == ["direction"]  # no sentence says it
    assert assess(claim, ELIMINATION_PASSAGES).reasons == ()
    for finding in ("significantly increased", "significantly decreased"):
        rival = claim.replace("made no significant difference to", finding)
        assert "direction" in codes(rival, " ".join(ELIMINATION_PASSAGES))


def test_elimination_needs_the_passages_to_name_the_outcome() -> None:
    passages = ["Nausea was recorded for four hours after the dose.",
                ELIMINATION_PASSAGES[1]]
    claim = ("Compared with placebo, celecoxib made no significant difference to time to onset "
             "of analgesia.")
    assert not check_sentence(claim, passages).ok


@pytest.mark.parametrize(("finding", "kind"), [
    ("significantly increased", "up"), ("significantly reduced", "down"),
    ("made no significant difference to", "null"), ("did not significantly change", "null"),
    ("significantly improved", None)])
def test_finding_kinds(finding: str, kind: str | None) -> None:
    assert finding_kind(finding) == kind


def test_an_arm_label_may_name_the_arm_by_any_word_before_its_head() -> None:
    passage = ("Wound infections were similar in the honey dressing arm and the gauze dressing "
               "arm (p = 0.61).")
    arms = ("gauze", "medical-grade honey (MGH), applied daily")
    assert passes(claim(*arms, NULL, "wound infections"), passage)
    assert not passes(claim(*arms, DOWN, "wound infections"), passage)
    joined = "Wound infections were similar in the honey and gauze dressing groups (p = 0.61)."
    assert passes(claim(*arms, NULL, "wound infections"), joined)
    assert not passes(claim(*arms, UP, "wound infections"), joined)
    # a label no word of which names the claim's arms is another arm; a generic word
    # ("placebo") in it names none
    other = ("Wound infections were similar in the silver dressing arm and the control arm "
             "(p = 0.61).")
    assert not passes(claim(*arms, NULL, "wound infections"), other)
    generic = ("Wound infections were similar in the silver dressing arm and the placebo "
               "dressing arm (p = 0.61).")
    assert not passes(claim("placebo", "honey", NULL, "wound infections"), generic)
    # a word that measures is no arm's label
    mean = "The mean group difference in wound infections was not significant (p = 0.61)."
    assert passes(claim("usual care", "a district nursing service", NULL, "wound infections"),
                  mean)


def test_a_bracket_in_the_outcome_need_not_be_repeated() -> None:
    passage = ("Diastolic pressure was significantly lower in the nadolol group than in the "
               "placebo group (p = 0.01).")
    outcome = "diastolic pressure (seated, cuff)"
    assert passes(claim("placebo", "nadolol", DOWN, outcome), passage)
    assert not passes(claim("placebo", "nadolol", UP, outcome), passage)
    # the words outside the bracket must still be reported
    assert not passes(claim("placebo", "nadolol", DOWN, "resting heart rate (seated, cuff)"),
                      passage)


def test_a_figure_of_an_abbreviation_stands_for_a_word_of_its_long_form() -> None:
    passage = "FEV1 rose significantly more with tiotropium than with placebo (p < 0.001)."
    outcome = "forced expiratory volume in one second (FEV1)"
    assert passes(claim("placebo", "tiotropium", UP, outcome), passage)
    assert not passes(claim("placebo", "tiotropium", DOWN, outcome), passage)


def test_an_absence_in_every_arm_refers_to_the_arms() -> None:
    passage = "No serious adverse events occurred during the study."
    arms = ("usual care", "a nurse-led telephone follow-up programme")
    assert passes(claim(*arms, NULL, "serious adverse events"), passage)
    assert not passes(claim(*arms, UP, "serious adverse events"), passage)


def test_the_finding_that_names_the_outcome_settles_a_mixed_sentence() -> None:
    # the change names more of the claim's words (its arm), the finding of no difference
    # more of its outcome: the outcome's finding is the latter
    passage = ("Although the phenylephrine infusion significantly increased mean arterial "
               "pressure (P < 0.001), arterial oxygen pressure did not differ between the two "
               "periods (P = 0.41).")
    arms = ("a saline infusion", "a phenylephrine infusion")
    assert passes(claim(*arms, NULL, "arterial oxygen pressure"), passage)
    assert not passes(claim(*arms, UP, "arterial oxygen pressure"), passage)
    assert not passes(claim(*arms, DOWN, "arterial oxygen pressure"), passage)


def test_a_change_between_the_arms_outweighs_no_difference_at_another_time() -> None:
    passage = ("At baseline, heart rate was similar in the two groups, but it was significantly "
               "lower in the clonidine group after intubation and after incision (p<0.05).")
    outcome = "heart rate after intubation and after incision"
    assert passes(claim("placebo", "clonidine", DOWN, outcome), passage)
    assert not passes(claim("placebo", "clonidine", UP, outcome), passage)
    assert not passes(claim("placebo", "clonidine", NULL, outcome), passage)
    # a change against another reference than the claim's arms (here, before induction) is
    # another comparison: it does not outweigh the finding between the arms
    within = ("Heart rate after intubation was similar in the two groups, but it was "
              "significantly lower after intubation than before induction in the clonidine "
              "group (p<0.05).")
    assert not passes(claim("placebo", "clonidine", DOWN, "heart rate after intubation"), within)


def test_figures_for_several_time_points_respectively_give_the_direction() -> None:
    passage = ("The 1- and 3-year survival rates were 80.2, 61.5 and 70.4, 48.9 % in groups A "
               "and B, respectively. These differences were statistically significant (log-rank "
               "test p = 0.004).")
    arms = ("chemotherapy alone (group B)", "chemoradiation (group A)")
    outcome = "the 1- and 3-year survival rates"
    assert passes(claim(*arms, UP, outcome), passage)
    assert not passes(claim(*arms, DOWN, outcome), passage)
    assert not passes(claim(*arms, NULL, outcome), passage)
    # arm by arm or point by point, A is above B; where the readings differ nothing is told
    assert figures_direction(passage, "group A", "group B") == 1
    assert figures_direction(passage, "group B", "group A") == -1
    mixed = "The 1- and 3-year scores were 10, 15 and 12, 11 in groups A and B, respectively."
    assert figures_direction(mixed, "group A", "group B") == 0


def test_a_change_in_every_arm_or_over_time_is_no_difference_between_them() -> None:
    passage = ("Wound area shrank in each treated group (p < 0.01). The two dressings did not "
               "differ in wound area (p = 0.40).")
    arms = ("gauze dressing", "foam dressing")
    assert passes(claim(*arms, NULL, "wound area"), passage)
    assert not passes(claim(*arms, DOWN, "wound area"), passage)
    timed = ("Reaction time fell significantly over time (p < 0.001). Drug K did not change "
             "this effect of training (p = 0.31).")
    assert passes(claim("placebo", "drug K", NULL, "reaction time"), timed)
    assert not passes(claim("placebo", "drug K", DOWN, "reaction time"), timed)
    # a change said of every arm supports no difference between them either way
    both = "Wound area shrank significantly in both groups (p < 0.01)."
    assert not passes(claim(*arms, NULL, "wound area"), both.replace("both groups",
                                                                     "the foam group"))
    assert not passes(claim(*arms, UP, "wound area"), both)


def test_no_difference_between_the_arms_outweighs_a_change_one_arm_shows() -> None:
    passage = ("The yoga arm showed a drop in back pain (p = 0.02), but the comparison between "
               "the arms was not significant (p = 0.30).")
    arms = ("stretching", "yoga")
    assert passes(claim(*arms, NULL, "back pain"), passage)
    assert not passes(claim(*arms, DOWN, "back pain"), passage)
    # a change stated between the arms is not one arm's
    between = passage.replace("The yoga arm showed a drop in", "The yoga arm had less")
    assert not passes(claim(*arms, NULL, "back pain"), between.replace(
        "(p = 0.02)", "than the stretching arm (p = 0.02)"))


def test_no_difference_between_alternatives_of_one_arm_is_no_finding_on_the_claim() -> None:
    passage = ("Usual care patients had significantly lower adherence than those given brief "
               "advice (p = 0.01) and group coaching (p = 0.02). Brief advice and group "
               "coaching did not differ (p = 0.60), both with high adherence.")
    arms = ("usual care", "brief advice or group coaching")
    assert passes(claim(*arms, UP, "adherence"), passage)
    assert not passes(claim(*arms, NULL, "adherence"), passage)


def test_a_condition_is_named_by_a_verb_form_of_its_words() -> None:
    passage = ("Participants in the coaching group lost more weight at 3 months than those in "
               "the leaflet group (P = 0.03).")
    lexicon = TermLexicon([VocabTerm("mesh", "D015431", "Weight Loss", (),
                                     {"tree_numbers": ["C23.888.144.243.963"]})])
    arms = ("a leaflet", "a coaching programme")

    def accepted(finding: str, text: str = passage) -> bool:
        return check_sentence(claim(*arms, finding, "weight loss at 3 months"), [text],
                              lexicon=lexicon).ok

    assert accepted(UP)
    # "lost" names the outcome, "more" is the finding
    assert not accepted(DOWN)
    assert not accepted(NULL)
    # a passage on another condition still does not name it
    assert not accepted(UP, passage.replace("lost more weight", "lost more blood"))


def test_a_negation_in_a_sentence_of_methods_negates_no_finding() -> None:
    methods = ("Mean lesion volume was measured from month 3 to month 12 to avoid bias from "
               "early swelling.")
    finding = ("It was significantly lower in adults given drug X daily for two years than in "
               "those given placebo (p = 0.01).")
    passage = f"{methods} {finding}"
    outcome = "mean lesion volume"
    # "it" is the volume the sentence before names; "avoid" states a method's purpose
    assert passes(claim("placebo", "drug X", DOWN, outcome), passage)
    # ... read as such, not only left when both other findings are ruled out
    assert not assess(claim("placebo", "drug X", DOWN, outcome), [passage],
                      eliminate=False).reasons
    assert not passes(claim("placebo", "drug X", UP, outcome), passage)
    assert not passes(claim("placebo", "drug X", NULL, outcome), passage)
    # a negation of the finding itself still counts
    negated = f"{methods} {finding.replace('was significantly', 'was not significantly')}"
    assert not passes(claim("placebo", "drug X", DOWN, outcome), negated)


def test_a_population_word_inside_the_outcome_is_when_or_in_whom_it_is_counted() -> None:
    passage = ("Fewer newborns in the warmed-air group than in the standard-care group needed "
               "oxygen (p = 0.02).")
    arms = ("standard care", "warmed air")
    outcome = "newborns needing oxygen after delivery"
    assert passes(claim(*arms, DOWN, outcome), passage)
    assert not passes(claim(*arms, UP, outcome), passage)
    # a passage on another population, or on none, does not name the claim's
    adults = passage.replace("newborns", "adults").replace("needed", "after delivery needed")
    assert not passes(claim(*arms, DOWN, outcome), adults)
    assert not passes(claim(*arms, DOWN, "patients needing oxygen after delivery"),
                      passage.replace("newborns", "patients"))
    assert not passes(claim(*arms, DOWN, "children needing oxygen"),
                      passage.replace("newborns", "adults"))


def test_html_character_references_do_not_cut_an_arm_short() -> None:
    passage = "Headache was significantly more frequent in group A than in group B (p = 0.01)."
    arms = ("nets from age 6&amp;nbsp;months (group B)", "nets from birth (group A)")
    assert passes(claim(*arms, UP, "headache"), passage)
    assert not passes(claim(*arms, DOWN, "headache"), passage)
    assert not passes(claim(*arms, NULL, "headache"), passage)


def test_the_last_arm_of_a_list_is_the_intervention() -> None:
    passage = ("Triglycerides fell significantly more in the krill group than in the fish group "
               "and the control group (P = 0.01).")
    sentence = "Compared with control oil, fish oil, krill oil {} triglycerides."
    assert passes(sentence.format(DOWN), passage)
    assert not passes(sentence.format(UP), passage)
    # a schedule after a comma is the arm's own ("given once daily"), not another arm
    dosed = ("Compared with cefixime given twice daily, gatifloxacin 10 mg/kg, given once daily, "
             "{} relapse.")
    relapse = ("Relapse was significantly less frequent with gatifloxacin than with cefixime "
               "(p = 0.02).")
    assert passes(dosed.format(DOWN), relapse)
    assert not passes(dosed.format(UP), relapse)


def test_arms_labelled_by_letters_keep_their_order() -> None:
    passage = ("Pain was significantly lower with the McGrath laryngoscope (M group) than with "
               "the Macintosh laryngoscope (N group) and the Airway scope (A group) (p < 0.01).")
    arms = ("Macintosh laryngoscope (N group) Airway scope (A group)",
            "McGrath laryngoscope (M group)")
    assert passes(claim(*arms, DOWN, "pain"), passage)
    assert not passes(claim(*arms, UP, "pain"), passage)


def test_an_arm_named_by_what_it_lacks() -> None:
    passage = "Range of motion was 11 degrees more in the non-tourniquet group (p = 0.001)."
    arms = ("knee replacement without a tourniquet", "knee replacement with a tourniquet")
    assert passes(claim(*arms, DOWN, "range of motion"), passage)
    assert not passes(claim(*arms, UP, "range of motion"), passage)
    assert figures.which_arm("the tourniquet group", arms[1], arms[0]) == "intervention"


def test_a_change_named_as_the_subject_is_graded_by_its_predicate() -> None:
    passage = ("The reduction in pain score during balloon distension was significantly greater "
               "in the acupuncture group than in the sham group (P < 0.05).")
    arms = ("sham acupuncture", "acupuncture")
    assert passes(claim(*arms, DOWN, "pain score during balloon distension"), passage)
    assert not passes(claim(*arms, UP, "pain score during balloon distension"), passage)
    # a change that is also an event ("fall") is not graded this way: two cues, not one
    fall = analyse("The fall risk was significantly lower in the exercise group.")
    assert [fall.phrase(c) for c in fall.of("dir")] == ["fall", "lower"]


def test_a_non_significant_change_is_no_difference() -> None:
    passage = "Hospital admissions were non-significantly reduced with the combined treatment."
    arms = ("one drug", "the combined treatment")
    assert passes(claim(*arms, NULL, "hospital admissions"), passage)
    assert not passes(claim(*arms, DOWN, "hospital admissions"), passage)
    # a reference escaped three times reads as the character
    assert passes(claim("one&amp;amp;amp;nbsp;drug", arms[1], NULL, "hospital admissions"),
                  passage)


def test_a_sentence_comparing_later_in_it_keeps_its_own_reading() -> None:
    passage = ("Mucosal thickness increased with both the low (P< 0.01) and high (P< 0.05) doses "
               "when compared with their baseline levels, but was lower following the high dose "
               "compared with the low dose (P< 0.05).")
    dropped = passage.replace(" (P< 0.01)", "")
    assert passes(dropped, passage)


def test_a_change_but_not_with_the_claims_own_dose_is_no_difference_for_it() -> None:
    passage = ("The time to first rescue was significantly longer versus placebo with drug X "
               "60 mg (P<0.05), but not with drug X 30 mg.")
    low = ("placebo", "drug X 30 mg")
    assert passes(claim(*low, NULL, "the time to first rescue"), passage)
    assert not passes(claim(*low, UP, "the time to first rescue"), passage)
    high = ("placebo", "drug X 60 mg")
    assert passes(claim(*high, UP, "the time to first rescue"), passage)
    assert not passes(claim(*high, NULL, "the time to first rescue"), passage)


def test_one_time_point_in_its_spellings() -> None:
    passage = "Nausea did not differ between ondansetron and placebo at 20 min (p = 0.4)."
    arms = ("placebo", "ondansetron")
    assert passes(claim(*arms, NULL, "nausea at 20 minutes"), passage)
    assert not passes(claim(*arms, DOWN, "nausea at 20 minutes"), passage)


def test_a_speed_is_less_of_an_outcome_counted_in_days() -> None:
    passage = ("The needlescopic group had a significantly quicker return to work (p = 0.03) "
               "when compared with the laparoscopic group.")
    arms = ("laparoscopic surgery", "needlescopic surgery")
    assert passes(claim(*arms, DOWN, "mean days to return to work"), passage)
    assert not passes(claim(*arms, UP, "mean days to return to work"), passage)


def test_an_outcome_is_named_by_the_head_before_its_bracket() -> None:
    passage = ("There were no statistically significant differences between the two groups "
               "for any blood gas value.")
    arms = ("open surgery", "keyhole surgery")
    outcome = "blood gas values (PaCO2, PaO2, SaO2, pH)"
    assert passes(claim(*arms, NULL, outcome), passage)
    assert not passes(claim(*arms, UP, outcome), passage)


def test_not_affected_is_no_difference() -> None:
    passage = "Plasma CRP and IL-6 were not affected by either diet."
    arms = ("the control diet", "an almond diet")
    assert passes(claim(*arms, NULL, "plasma CRP and IL-6"), passage)
    assert not passes(claim(*arms, UP, "plasma CRP and IL-6"), passage)
