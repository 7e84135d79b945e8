"""``POST /api/v1/verify`` (the batch shape) and the ``/verify`` page for a pasted answer
whose references are resolved from the store."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

PASSAGE = ("Chlorthalidone was superior to lisinopril in preventing heart failure in adults "
           "with hypertension.")
ANSWER = """# Treating hypertension

Chlorthalidone was superior to lisinopril in preventing heart failure in adults with
hypertension [1]. Lisinopril was superior to chlorthalidone in preventing heart failure in
adults with hypertension [1]. The USPSTF recommends screening for hypertension in adults 18
years or older [2]. The USPSTF recommends screening for hypertension in children [2].
Garlic cures hypertension in a week [3].

## References

1. Major outcomes in high-risk hypertensive patients. JAMA 2002. PMID: 1001
2. Hypertension in Adults: Screening. USPSTF. guideline:htn-2
3. A paper that is not in the store. doi:10.9999/nowhere
"""


def test_api_verify_returns_one_result_per_item(client: TestClient) -> None:
    items = [
        {"id": "same", "sentence": PASSAGE, "passages": [PASSAGE]},
        {"id": 2, "sentence": PASSAGE.replace("Chlorthalidone was superior to lisinopril",
                                              "Lisinopril was superior to chlorthalidone"),
         "passages": ["Unrelated text about gout.", PASSAGE]},
        {"sentence": "Garlic cures hypertension in a week.", "passages": [PASSAGE]},
    ]
    response = client.post("/api/v1/verify", json={"items": items})
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and [r["id"] for r in body["results"]] == ["same", 2, None]
    same, swapped, garlic = body["results"]
    assert set(same) >= {"id", "supported", "reasons", "passage_sentence"}
    assert same["supported"] is True and same["reasons"] == [] and same["status"] == "supported"
    assert swapped["supported"] is False and swapped["status"] == "changed_meaning"
    assert [r["code"] for r in swapped["reasons"]] == ["comparison_order"]
    assert swapped["passage_sentence"] == PASSAGE and swapped["passage_index"] == 1
    assert garlic["supported"] is False and garlic["status"] == "not_supported"
    assert {r["code"] for r in garlic["reasons"]} >= {"unsupported"}


def test_api_verify_errors_have_the_one_shape(client: TestClient) -> None:
    bodies: list[dict[str, Any]] = [
        {"items": []}, {"items": [{"sentence": "x", "passages": []}]},
        {"items": [{"sentence": "x", "passages": ["y"], "extra": 1}]}, {}]
    for body in bodies:
        response = client.post("/api/v1/verify", json=body)
        assert response.status_code == 422, body
        error = response.json()
        assert error["ok"] is False and error["error"]["code"] == "invalid_request"
    broken = client.post("/api/v1/verify", content=b"{not json",
                         headers={"content-type": "application/json"})
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "invalid_json"


def test_verify_is_in_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/verify"]


def test_the_page_marks_each_pasted_sentence(client: TestClient) -> None:
    form = client.get("/verify")
    assert form.status_code == 200 and 'name="answer"' in form.text
    assert "<script>" not in form.text  # no inline script (CSP)
    page = client.post("/verify", data={"answer": ANSWER})
    assert page.status_code == 200
    html = page.text
    items = html.split('<li class="status-note')[1:]
    marks = [item.split('verify-', 1)[1].split('"', 1)[0] for item in items]
    assert marks == ["supported", "changed_meaning", "supported", "changed_meaning",
                     "unresolved"]
    assert "comparison_order" in items[1] and "population" in items[3]
    assert PASSAGE in items[1]  # the passage sentence it was compared with
    assert "pmid:1001" in html and "guideline:htn-2" in html and "not found in the store" in html


def test_an_empty_paste_is_a_clear_error(client: TestClient) -> None:
    page = client.post("/verify", data={"answer": "   "})
    assert page.status_code == 422 and "Paste an answer" in page.text
