"""Paraphrase routing: which questions count as the same article, measured on pairs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from medcite.bench import editorial as bench
from medcite.editorial import paraphrase as para
from medcite.service import Medcite
from tests.conftest import write_jsonl
from tests.editorial.test_cli import run_cli

MESH = [
    {"ui": "D006973", "name": "Hypertension", "entry_terms": ["High Blood Pressure"],
     "tree_numbers": ["C14.907.489"]},
    {"ui": "D009203", "name": "Myocardial Infarction", "entry_terms": ["Heart Attack"],
     "tree_numbers": ["C14.280.647.500"]},
    {"ui": "D003704", "name": "Dementia", "entry_terms": ["Amentia"],
     "tree_numbers": ["F03.615.400"]},
]
DRUGS = [{"canonical": "lisinopril", "drugbank_id": "DB00722", "brand_variants": ["Zestril"],
          "variants": ["lisinopril"]}]
QUESTIONS = [
    "What is the treatment for hypertension?",
    "What is the treatment for heart attack?",
    "Is lisinopril effective for hypertension in older adults?",
    "Does aspirin prevent heart attack in diabetes?",
    "Which drugs lower high blood pressure in pregnancy?",
    "With respect to mortality, characterize the reported difference between lisinopril and "
    "placebo.",
    "With respect to stroke, characterize the reported difference between lisinopril and "
    "placebo.",
    "With respect to mortality at 12 months, characterize the reported difference between "
    "aspirin and placebo.",
    "With respect to mortality at 24 months, characterize the reported difference between "
    "aspirin and placebo.",
    "How is dementia diagnosed?",
    "What is the prognosis of dementia?",
    "Double balloon enteroscopy: is it efficacious and safe in a community setting?",
]


@pytest.fixture
def vocab_service(service: Medcite, tmp_path: Path) -> Medcite:
    service.ingest([write_jsonl(tmp_path / "mesh.jsonl", MESH),
                    write_jsonl(tmp_path / "drugs.jsonl", DRUGS)])
    return service


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


def test_rewording_rules() -> None:
    assert bench.swap_template("What is the treatment for gout?") == "How is gout treated?"
    assert bench.swap_template("How is gout treated?") == "What is the treatment for gout?"
    assert bench.reorder("Does aspirin prevent stroke in patients with diabetes?") == \
        "In patients with diabetes, does aspirin prevent stroke?"
    assert bench.reorder("Double balloon enteroscopy: is it safe?") == \
        "Is it safe (double balloon enteroscopy)?"
    assert bench.boilerplate("Is X safe?").endswith("is X safe?")


def test_bench_on_a_tiny_set(vocab_service: Medcite) -> None:
    pairs = bench.build_pairs(QUESTIONS, vocab_service.store)
    kinds = {p.kind for p in pairs}
    assert {"template", "reorder", "synonym", "boilerplate", "hard", "random"} <= kinds
    assert not any(p.a == p.b for p in pairs)
    figures = bench.evaluate(pairs, vocab_service.store)
    assert figures["precision"] >= 0.95 and figures["recall"] >= 0.9, figures["errors"]
    assert figures["same_pairs"] + figures["different_pairs"] == figures["pairs"] == len(pairs)


def test_bench_command_reads_the_dev_sets(vocab_service: Medcite, tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "dev").mkdir(parents=True)
    write_jsonl(data / "dev" / "bioasq_7b_10b.jsonl",
                [{"id": f"b{i}", "question": q, "type": "summary"}
                 for i, q in enumerate(QUESTIONS[:5])])
    write_jsonl(data / "dev" / "pubmedqa_dev.jsonl",
                [{"id": "p1", "question": QUESTIONS[-1], "answer": "yes"}])
    write_jsonl(data / "dev" / "evidence_inference_dev.jsonl",
                [{"id": f"e{i}", "question": q} for i, q in enumerate(QUESTIONS[5:9])])
    out = tmp_path / "paraphrase.json"
    code, stdout, _ = run_cli(vocab_service.settings.home, "review", "bench-paraphrase",
                              "--data-dir", str(data), "--out", str(out), "--json")
    assert code == 0
    figures = json.loads(stdout)
    assert figures == json.loads(out.read_text())
    assert figures["questions"] == 10 and figures["similarity"] == "lexical"
    assert figures["threshold"] == para.SAME_THRESHOLD
    assert figures["precision"] >= 0.95
