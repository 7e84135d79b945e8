"""Paraphrase routing: which questions count as the same article."""

from __future__ import annotations

import numpy as np
import pytest

from medcite.editorial import paraphrase as para
from medcite.service import Medcite


def same(service: Medcite, a: str, b: str) -> bool:
    return para.similarity(para.signature(a, service.store),
                           para.signature(b, service.store)).same


@pytest.mark.parametrize(("a", "b"), [
    ("What is the treatment for high blood pressure?", "How is hypertension treated?"),
    ("What is the dose of Zestril for hypertension?",
     "What is the dose of lisinopril for hypertension?"),
    ("In older adults, is lisinopril effective for hypertension?",
     "Is lisinopril effective for hypertension in older adults?"),
    ("Can you tell me: what is the treatment for heart attack?",
     "Treatment of myocardial infarction"),
])
def test_paraphrases_are_the_same(vocab_service: Medcite, a: str, b: str) -> None:
    assert same(vocab_service, a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("How is hypertension treated?", "How is hypertension diagnosed?"),
    ("How is hypertension treated?", "How is hypertension treated in dementia?"),
    ("Mortality at 12 months with aspirin", "Mortality at 24 months with aspirin"),
    ("Pain during first stage labor with epidural", "Pain during second stage labor with "
     "epidural"),
    ("What is the treatment for hypertension?", "What is the treatment for heart attack?"),
])
def test_different_questions_are_not(vocab_service: Medcite, a: str, b: str) -> None:
    assert not same(vocab_service, a, b)


def test_the_embedding_joins_in_when_both_have_one() -> None:
    close = np.array([1.0, 0.0], dtype=np.float32)
    far = np.array([0.0, 1.0], dtype=np.float32)
    a = para.signature("How is hypertension treated?", None, close)
    b = para.signature("What is the treatment for hypertension?", None, close)
    c = para.signature("What is the treatment for hypertension?", None, far)
    assert para.similarity(a, b).score == 1.0 and para.similarity(a, b).same
    assert para.similarity(a, c).semantic == 0.0 and not para.similarity(a, c).same
    other_model = para.signature("How is hypertension treated?", None, np.ones(3))
    assert para.similarity(other_model, b).semantic is None  # vectors of another model
