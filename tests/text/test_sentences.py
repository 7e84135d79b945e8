from medcite.text.sentences import sentence_spans, split_sentences


def test_splits_on_sentence_ends_but_not_abbreviations_or_decimals() -> None:
    text = ("Patients received 2.5 mg/kg vs. placebo (Smith et al. 2005). Mortality fell! "
            "The A. madagascariensis plant was studied. See Fig. 2 for details.")
    assert split_sentences(text) == [
        "Patients received 2.5 mg/kg vs. placebo (Smith et al. 2005).",
        "Mortality fell!",
        "The A. madagascariensis plant was studied.",
        "See Fig. 2 for details.",
    ]


def test_citation_brackets_stay_with_their_sentence() -> None:
    assert split_sentences("NSAIDs act centrally.[8] Moreover, codeine works. [1-7] In one.") == [
        "NSAIDs act centrally.[8]", "Moreover, codeine works. [1-7]", "In one."]


def test_line_breaks_separate_items_and_spans_index_the_source() -> None:
    text = "Key points\n- Item one\n- Item two. Done."
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["Key points", "- Item one", "- Item two.", "Done."]


def test_dose_units_end_sentences() -> None:
    assert split_sentences("The dose was 5 mg. The next day it was 10 mg.") == [
        "The dose was 5 mg.", "The next day it was 10 mg."]


def test_a_reference_number_run_into_the_period_ends_the_sentence() -> None:
    assert split_sentences("Risk is known to be higher.23 In the case of a programme, "
                           "uptake matters.") == ["Risk is known to be higher.23",
                                                  "In the case of a programme, uptake matters."]
    assert split_sentences("The mean dose was 0.23 In total, 12 patients.") == [
        "The mean dose was 0.23 In total, 12 patients."]  # a decimal is no boundary
