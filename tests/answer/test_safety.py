import pytest

from medcite.answer.safety import assess


@pytest.mark.parametrize("question", [
    "I have crushing chest pain and I am sweating, what should I do?",
    "My husband suddenly has a drooping face and slurred speech",
    "My son swallowed 20 of my pills",
    "I want to kill myself",
    "My throat is closing after a bee sting, help me",
])
def test_emergencies_come_first(question: str) -> None:
    result = assess(question)
    assert result.status == "emergency" and result.notice


@pytest.mark.parametrize("question", [
    "What is the management of anaphylaxis?",
    "What is the differential diagnosis of chest pain in adults?",
    "How is acute ischemic stroke treated?",
])
def test_clinical_questions_about_emergencies_are_not_emergencies(question: str) -> None:
    assert assess(question).status == "ok"


def test_without_vocabularies_scope_is_left_to_the_evidence() -> None:
    assert assess("What is the capital of France?").status == "ok"
