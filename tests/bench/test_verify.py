"""``medcite bench verify`` on a tiny data directory built in the test."""

from __future__ import annotations

import json
import random
from pathlib import Path

from medcite.bench.verify import baseline_check, run_verify
from medcite.bench.verify_claims import (
    direction,
    drop_parenthesis,
    negation_added,
    negation_removed,
    population,
    reorder,
    strength,
)
from tests.conftest import doc, write_jsonl

GUIDELINE_TEXT = (
    "Screening\n\nThe USPSTF recommends screening for colorectal cancer in adults aged 50 to "
    "75 years (A recommendation). Aspirin is not recommended for primary prevention in adults "
    "70 years or older because bleeding risk increases with age. In adults with diabetes, "
    "statins reduce the risk of cardiovascular events and should be offered.")
ABSTRACT = ("RESULTS: Pain was significantly lower in the ibuprofen group than in the placebo "
            "group (p<0.01). Nausea did not differ between the ibuprofen and placebo groups.")


def tiny_data(root: Path) -> Path:
    data = root / "data"
    for sub in ("dev", "corpus", "vocab"):
        (data / sub).mkdir(parents=True)
    write_jsonl(data / "dev" / "evidence_inference_dev.jsonl", [
        {"id": 1, "intervention": "ibuprofen", "comparator": "placebo", "outcome": "pain",
         "answer": "significantly decreased", "gold_doc_ids": ["pmid:1"],
         "evidence": ["Pain was significantly lower in the ibuprofen group than in the placebo "
                      "group (p<0.01)."]},
        {"id": 2, "intervention": "ibuprofen", "comparator": "placebo", "outcome": "nausea",
         "answer": "no significant difference", "gold_doc_ids": ["pmid:1"],
         "evidence": ["Nausea did not differ between the ibuprofen and placebo groups."]}])
    write_jsonl(data / "corpus" / "research.jsonl.gz", [doc("pmid:1", ABSTRACT, pmid="1")],
                gz=True)
    write_jsonl(data / "corpus" / "guidelines.jsonl.gz", [
        doc("guideline:g1", GUIDELINE_TEXT, kind="guideline", title="Prevention")], gz=True)
    write_jsonl(data / "vocab" / "drug_synonyms.jsonl.gz", [
        {"canonical": "aspirin", "drugbank_id": "DB00945", "variants": ["ecotrin"],
         "brand_variants": ["ecotrin"]},
        {"canonical": "warfarin", "drugbank_id": "DB00682", "variants": ["coumadin"],
         "brand_variants": ["coumadin"]}], gz=True)
    write_jsonl(data / "vocab" / "mesh2024_descriptors.jsonl.gz", [
        {"ui": "D003110", "name": "Colonic Neoplasms", "entry_terms": ["colorectal cancer"],
         "tree_numbers": ["C04.588.274"]}], gz=True)
    return data


def test_rule_edits_change_what_they_say_they_change() -> None:
    rng = random.Random(0)
    s = "Aspirin is not recommended for adults 70 years or older (B recommendation)."
    assert drop_parenthesis(s, rng) == "Aspirin is not recommended for adults 70 years or older."
    assert negation_removed(s, rng) == "Aspirin is recommended for adults 70 years or older " \
                                       "(B recommendation)."
    assert negation_added(s, rng) is None  # already negated
    assert negation_added("Statins reduce risk in adults.", rng) == \
        "Statins do not reduce risk in adults."
    assert direction("Statins reduce risk in adults.", rng) == "Statins raise risk in adults."
    assert strength(s, rng) == "Aspirin is not recommended for adults 70 years or older " \
                               "(D recommendation)."
    assert population(s, rng) == "Aspirin is not recommended for children 70 years or older " \
                                 "(B recommendation)."
    assert reorder("In adults with diabetes, statins should be offered.", rng) == \
        "Statins should be offered in adults with diabetes."


def test_the_baseline_is_the_words_and_numbers_check() -> None:
    passage = "Aspirin is not recommended for adults 70 years or older."
    assert baseline_check("Aspirin is recommended for adults 70 years or older.", [passage])
    assert not baseline_check("Aspirin is not recommended for adults 60 years or older.",
                              [passage])


def test_bench_verify_reports_each_kind_beside_the_baseline(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    data = run_verify(tiny_data(tmp_path), limit=5, progress=lambda i, n: seen.append((i, n)))
    json.dumps(data)
    assert data["claims"] > 10 and data["lexicon"] is True and data["claims_per_s"] > 0
    assert seen and seen[-1][0] == seen[-1][1] == data["claims"]
    changed, faithful = data["changed"], data["faithful"]
    assert "guideline/negation_added" in changed and "guideline/verbatim" in faithful
    assert "trial/trial_faithful" in faithful and "trial/trial_direction" in changed
    assert faithful["guideline/verbatim"]["medcite"] == 1.0
    for row in (*changed.values(), *faithful.values()):
        assert row["n"] > 0 and 0 <= row["medcite"] <= 1 and 0 <= row["baseline"] <= 1
    rejected = data["totals"]["changed/guideline"]
    assert rejected["medcite"] > rejected["baseline"]
    assert set(data["reason_codes_on_changed"]) <= {
        "negation", "direction", "comparison_order", "strength", "entity", "number",
        "unsupported"}
