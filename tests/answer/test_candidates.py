import pytest

from medcite.answer.candidates import candidates, clean
from medcite.models import Passage


@pytest.mark.parametrize(("raw", "expected"), [
    ("BACKGROUND: Leptomeningeal disease is rare in adults with cancer.",
     "Leptomeningeal disease is rare in adults with cancer."),
    ("14,25 Most trials used low-dose aspirin for primary prevention.",
     "Most trials used low-dose aspirin for primary prevention."),
    ("The USPSTF considered 13 trials involving 161,680 participants overall.[12]",
     "The USPSTF considered 13 trials involving 161,680 participants overall."),
    ("- Take the tablets twice daily with food and water.",
     "Take the tablets twice daily with food and water."),
])
def test_presentation_is_trimmed_and_content_kept(raw: str, expected: str) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize("raw", [
    "See Figure 2 for the survival data of both arms.",      # figure reference
    "Survival (median 4 months was poor in this cohort.",     # broken parenthesis
    "What is the right dose for these children?",             # a question
    "Intrathecal therapy",                                    # a heading / fragment
    "and then the patients were followed for six more months",  # starts mid-sentence
    "HR 0.71 (0.60-0.84), p=0.001; OR 1.2 (1.0-1.4), p=0.03.",  # statistics dump
])
def test_fragments_and_noise_are_not_candidates(raw: str) -> None:
    assert clean(raw) is None


def test_candidates_keep_their_passage_and_flags() -> None:
    text = ("We report a case of a 54-year-old man with fever. This finding was unexpected in "
            "a man of his age. Ceftriaxone 2 g IV every 12 hours cleared the infection within "
            "ten days.")
    passage = Passage("d#t0", "d", "text", 0, "Results", text, 0, len(text))
    found = candidates(passage)
    assert [c.narrative for c in found] == [True, False, False]
    assert [c.anaphoric for c in found] == [False, True, False]
    assert all(c.passage_id == "d#t0" and c.section == "Results" for c in found)
    assert all(c.text in text for c in found)


def test_a_numbered_list_keeps_the_line_that_introduces_it() -> None:
    text = ("qSOFA Criteria\n\nA patient meets the qSOFA criteria with at least two of the "
            "following three signs:\n\n1. Respiratory rate of 22 breaths per minute or more\n\n"
            "2. Altered mentation\n\n3. Systolic blood pressure of 100 mm Hg or less\n\n"
            "It is a bedside prompt, not a diagnosis.")
    passage = Passage("q#t0", "q", "text", 0, "qSOFA", text, 0, len(text))
    lists = [c.text for c in candidates(passage) if "\n" in c.text]
    assert lists == ["A patient meets the qSOFA criteria with at least two of the following "
                     "three signs:\nRespiratory rate of 22 breaths per minute or more\n"
                     "Altered mentation\nSystolic blood pressure of 100 mm Hg or less"]


def test_labels_and_abbreviation_lists_do_not_reach_the_reader() -> None:
    passage = Passage("medquad:1#0", "medquad:1", "text", 0, "", "Summary : Folic acid is a "
                      "B vitamin that helps prevent birth defects. Abbreviations: OSA, "
                      "obstructive sleep apnea; USPSTF, US Preventive Services Task Force.",
                      0, 160)
    texts = [c.text for c in candidates(passage)]
    assert texts == ["Folic acid is a B vitamin that helps prevent birth defects."]
