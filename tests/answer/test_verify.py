from medcite.answer.model import Answer, Reference, ReferencePassage, Section, Sentence
from medcite.answer.verify import check_sentence, verify_answer

PASSAGE = "Intrathecal methotrexate 12 mg twice weekly is used for leptomeningeal metastases."


def answer_with(*sentences: Sentence) -> Answer:
    return Answer(
        question="q", sections=[Section(title="From the Guidelines", kind="guidelines",
                                        sentences=list(sentences))],
        references=[Reference(n=1, doc_id="g", kind="guideline", evidence_level="guideline",
                              evidence_label="Guideline",
                              passages=[ReferencePassage(passage_id="g#t0", text=PASSAGE)])])


def test_a_supported_sentence_passes() -> None:
    assert check_sentence("Methotrexate 12 mg twice weekly is given intrathecally.", [PASSAGE]).ok


def test_unsupported_text_and_untraced_doses_fail() -> None:
    assert not check_sentence("Radiotherapy cures glioblastoma in most children.", [PASSAGE]).ok
    changed = check_sentence("Intrathecal methotrexate 15 mg twice weekly is used.", [PASSAGE])
    assert changed.supported and [f.value for f in changed.untraced] == ["15 mg"]


def test_verify_answer_drops_what_fails_and_keeps_what_passes() -> None:
    good = Sentence(text=PASSAGE, citations=[1], passage_ids=["g#t0"])
    uncited = Sentence(text=PASSAGE, citations=[], passage_ids=[])
    dangling = Sentence(text=PASSAGE, citations=[2], passage_ids=["x#t0"])
    wrong_dose = Sentence(text=PASSAGE.replace("12 mg", "120 mg"), citations=[1],
                          passage_ids=["g#t0"])
    answer = answer_with(good, uncited, dangling, wrong_dose)
    dropped = verify_answer(answer)
    assert [s.text for s in answer.all_sentences()] == [PASSAGE]
    assert len(dropped) == 3
    empty = answer_with(wrong_dose)
    verify_answer(empty)
    assert empty.sections == []
