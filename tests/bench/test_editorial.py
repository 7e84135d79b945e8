"""Measuring paraphrase routing (``medcite review bench-paraphrase``): pairs reworded by
rule from the dev sets, and precision and recall of "same article"."""

from __future__ import annotations

import json
from pathlib import Path

from medcite.bench import editorial as bench
from medcite.editorial import paraphrase as para
from medcite.service import Medcite
from tests.cli.conftest import run_cli
from tests.conftest import write_jsonl

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
