"""``medcite verify`` as a user runs it: batch JSON Lines in and out, a pasted Markdown
answer with its references resolved from the store, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import run
from tests.conftest import doc, write_jsonl

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
