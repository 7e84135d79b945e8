"""``medcite verify`` as a user runs it: batch JSON Lines in and out, a pasted Markdown
answer with its references resolved from the store, exit codes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from medcite.answer.lexicon import store_lexicon
from medcite.answer.pasted import parse_answer, verify_pasted
from medcite.answer.verify import check_sentence
from medcite.service import Medcite
from tests.conftest import doc, write_jsonl
from tests.test_cli import run

TRIAL = "Pain was significantly lower in the ibuprofen group than in the placebo group (p<0.01)."
GUIDELINE = ("The USPSTF recommends screening for colorectal cancer in adults aged 50 to 75 "
             "years. Aspirin is not recommended for primary prevention in adults 70 years or "
             "older.")


def lines_of(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_batch_writes_one_line_per_input_and_goes_on_after_a_bad_line(tmp_path: Path) -> None:
    claims = write_jsonl(tmp_path / "claims.jsonl", [
        {"id": "faithful", "sentence": "Compared with placebo, ibuprofen significantly "
         "reduced pain.", "passages": [TRIAL]},
        {"id": 2, "sentence": "Compared with placebo, ibuprofen significantly increased "
         "pain.", "passages": [TRIAL]},
        "{this is not json",
        {"id": "no passages", "sentence": "Anything.", "passages": []},
        {"id": "last", "sentence": "Aspirin is recommended for primary prevention in adults "
         "70 years or older.", "passages": [GUIDELINE]},
    ])
    result = run(tmp_path / "home", "verify", "--batch", str(claims))
    assert result.returncode == 2, result.stderr  # a line could not be read
    out = lines_of(result.stdout)
    assert [line["id"] for line in out] == ["faithful", 2, 3, "no passages", "last"]
    faithful, flipped, broken, empty, negated = out
    assert faithful["supported"] is True and faithful["reasons"] == []
    assert faithful["passage_sentence"] == TRIAL
    assert flipped["supported"] is False
    assert flipped["reasons"][0]["code"] == "direction" and flipped["reasons"][0]["detail"]
    assert broken["error"]["code"] == "invalid_json" and "line 3" in broken["error"]["message"]
    assert empty["error"]["code"] == "invalid_request" and "passages" in empty["error"]["message"]
    assert [r["code"] for r in negated["reasons"]] == ["negation"]
    assert negated["passage_sentence"].startswith("Aspirin is not recommended")


def test_batch_exit_status_says_whether_everything_was_supported(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [
        {"id": 1, "sentence": TRIAL, "passages": [TRIAL]}])
    bad = write_jsonl(tmp_path / "bad.jsonl", [
        {"id": 1, "sentence": "Radiotherapy cures glioblastoma.", "passages": [TRIAL]}])
    assert run(tmp_path / "home", "verify", "--batch", str(good)).returncode == 0
    refused = run(tmp_path / "home", "verify", "--batch", str(bad))
    assert refused.returncode == 1 and lines_of(refused.stdout)[0]["supported"] is False
    neither = run(tmp_path / "home", "verify")
    assert neither.returncode == 2 and "--batch" in neither.stderr


CORPUS = [
    doc("pmid:1001", "RESULTS: Chlorthalidone was superior to lisinopril in preventing heart "
        "failure in adults with hypertension.", pmid="1001", doi="10.1001/jama.288.23.2981",
        title="ALLHAT"),
    doc("guideline:htn-2", "The USPSTF recommends screening for hypertension in adults 18 "
        "years or older with office blood pressure measurement.", kind="guideline",
        url="https://guidelines.example.org/htn-screening", title="Screening"),
]
ANSWER = """**Bottom line.** Chlorthalidone was superior to lisinopril in preventing heart
failure in adults with hypertension [1].

- The USPSTF recommends screening for hypertension in adults 18 years or older [2].
- The USPSTF does not recommend screening for hypertension in adults 18 years or older [2].
- Lisinopril was superior to chlorthalidone in preventing heart failure [1, 2].
- Garlic cures hypertension [4].

This sentence cites nothing.

## References

1. ALLHAT Officers. Major outcomes. JAMA. 2002. doi:10.1001/JAMA.288.23.2981
2. Screening for hypertension. <https://guidelines.example.org/htn-screening>
3. Not cited here. PMID: 999999
"""


def test_a_pasted_answer_is_checked_against_the_documents_it_cites(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ingested = run(home, "ingest", str(write_jsonl(tmp_path / "c.jsonl", CORPUS)))
    assert ingested.returncode == 0, ingested.stderr
    answer = tmp_path / "answer.md"
    answer.write_text(ANSWER, encoding="utf-8")
    result = run(home, "verify", "--json", str(answer))
    assert result.returncode == 1, result.stderr  # some sentences fail
    report = json.loads(result.stdout)
    statuses = [(s["status"], s["citations"]) for s in report["sentences"]]
    assert statuses == [("supported", [1]), ("supported", [2]), ("changed_meaning", [2]),
                        ("changed_meaning", [1, 2]), ("unresolved", [4]), ("no_citation", [])]
    refs = {r["n"]: r["doc_id"] for r in report["references"]}
    assert refs == {1: "pmid:1001", 2: "guideline:htn-2", 3: None}
    negated = report["sentences"][2]
    assert negated["reasons"][0]["code"] == "negation"
    assert negated["doc_id"] == "guideline:htn-2"
    assert negated["passage_sentence"].startswith("The USPSTF recommends screening")
    assert "[4] is not in the reference list" in report["sentences"][4]["reasons"][0]["detail"]

    text = run(home, "verify", str(answer))
    assert text.returncode == 1
    assert "changed meaning" in text.stdout and "supported" in text.stdout
    assert "negation" in text.stdout and "6 sentences" in text.stdout


def test_parse_answer_reads_citations_ranges_and_identifiers() -> None:
    sentences, refs = parse_answer(
        "Statins lower LDL [1–3]. Aspirin helps [2, 4].\n\nReferences\n"
        "[1] Trial. PMID 123\n[2] guideline:uspstf-1\n[3] https://doi.org/10.1000/xyz.\n"
        "[4] Nothing to resolve\n")
    assert [(s.text, s.citations) for s in sentences] == [
        ("Statins lower LDL.", (1, 2, 3)), ("Aspirin helps.", (2, 4))]
    assert [r.identifiers for r in refs] == [
        (("pmid", "123"),), (("id", "guideline:uspstf-1"),),
        (("doi", "10.1000/xyz"), ("url", "https://doi.org/10.1000/xyz")), ()]


def test_pasted_answer_with_a_brand_name_uses_the_store_vocabulary(service: Medcite,
                                                                    tmp_path: Path) -> None:
    service.ingest([
        write_jsonl(tmp_path / "c.jsonl", [doc(
            "pmid:7", "Ibuprofen reduced pain after dental surgery compared with placebo.",
            pmid="7")]),
        write_jsonl(tmp_path / "drugs.jsonl", [
            {"canonical": "ibuprofen", "drugbank_id": "DB01050", "variants": ["advil"],
             "brand_variants": ["advil"]},
            {"canonical": "naproxen", "drugbank_id": "DB00788", "variants": ["aleve"],
             "brand_variants": ["aleve"]}])])
    lexicon = store_lexicon(service.store)
    refs = "\n\nReferences\n1. PMID: 7\n"
    brand = verify_pasted(service.store, "Advil reduced pain after dental surgery compared "
                          "with placebo [1]." + refs, lexicon)
    assert [r.status for r in brand.sentences] == ["supported"]
    other = verify_pasted(service.store, "Aleve reduced pain after dental surgery compared "
                          "with placebo [1]." + refs, lexicon)
    assert [r.status for r in other.sentences] == ["changed_meaning"]
    assert ("entity", 'drug "aleve" is not in the cited passages') in other.sentences[0].reasons


@pytest.mark.timeout(120)
def test_a_thousand_claims_take_well_under_a_minute() -> None:
    passages = [GUIDELINE, TRIAL, "Statins reduce the risk of cardiovascular events in "
                "adults with diabetes (strong recommendation). Metformin is recommended over "
                "sulfonylureas as initial therapy."]
    claims = []
    for i in range(250):
        claims += [(f"Aspirin is not recommended for primary prevention in adults {70 + i % 3} "
                    "years or older.", passages),
                   ("Compared with placebo, ibuprofen significantly reduced pain.", passages),
                   (f"Statins increase the risk of cardiovascular events in adults with "
                    f"diabetes ({'weak' if i % 2 else 'strong'} recommendation).", passages),
                   ("Sulfonylureas are recommended over metformin as initial therapy.",
                    passages)]
    start = time.perf_counter()
    results = [check_sentence(text, list(ps)) for text, ps in claims]
    assert time.perf_counter() - start < 60
    assert sum(r.ok for r in results) == 250 // 3 + 1 + 250  # the 70-year ones and the trial
