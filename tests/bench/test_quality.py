"""The answer-quality measures of `medcite bench answers`."""

from __future__ import annotations

from medcite.answer.model import Answer, Section, Sentence
from medcite.bench.quality import flaws, head_text, load_keyfacts, states


def sentence(text: str) -> Sentence:
    return Sentence(text=text, citations=[1], passage_ids=["d#t0"])


def test_key_terms_need_an_alternative_of_every_group() -> None:
    groups = [["labetalol", "nifedipine"], ["ACE inhibitor", "ARB"]]
    assert states("Use Labetalol; ACE inhibitors are contraindicated.", groups)
    assert not states("Use labetalol.", groups)
    assert states("eGFR 30–45", [["30-45"]])  # dashes normalised


def test_the_head_is_the_bottom_line_and_the_first_two_sections() -> None:
    answer = Answer(question="q", summary=[sentence("A.")], sections=[
        Section(title=t, kind="research", sentences=[sentence(t)]) for t in "BCD"])
    assert head_text(answer) == "A. B C"


def test_each_readability_flaw_is_found() -> None:
    question = "How is gout treated?"

    def answer(*texts: str) -> Answer:
        return Answer(question=question, summary=[sentence(texts[0])],
                      sections=[Section(title="S", kind="research",
                                        sentences=[sentence(t) for t in texts[1:]])])

    def found(*texts: str) -> list[str]:
        return flaws(answer(*texts), question)

    assert found("Gout is treated with colchicine.", "Allopurinol lowers urate levels.") == []
    assert found("**Gout** is treated with colchicine.") == ["markup"]
    assert found("This drug treats gout well.") == ["back_reference"]
    assert found("Gout is treated with colchicine.", "Genetics.") == ["short_sentence"]
    assert found("Gout is treated with colchicine.", "Gout is treated with colchicine.") == [
        "repeated_sentence"]
    assert found("Allopurinol lowers urate levels.") == ["off_topic_bottom_line"]
    assert "markup" in found("Gout is common. - Colchicine helps with flares.")


def test_the_packaged_dev_set_is_readable_and_mixed() -> None:
    facts = load_keyfacts()
    assert len(facts) >= 40
    assert {f.audience for f in facts} == {"clinician", "patient"}
    assert all(f.key_terms and all(f.key_terms) for f in facts)
