import pytest

from medcite.models import Document
from medcite.retrieve.evidence import classify, classify_document, evidence_factor


@pytest.mark.parametrize(("types", "title", "text", "level"), [
    (["Journal Article", "Practice Guideline"], "", "", "guideline"),
    (["Meta-Analysis", "Randomized Controlled Trial"], "", "", "systematic_review"),
    (["Randomized Controlled Trial (dataset selection)"], "", "", "rct"),
    (["Case Reports"], "", "", "case_report"),
    (["Review"], "", "", "narrative_review"),
    ([], "Statins after stroke: a systematic review and meta-analysis", "", "systematic_review"),
    ([], "A randomised placebo-controlled trial of zinc", "", "rct"),
    ([], "", "Patients were randomly assigned to drug or placebo.", "rct"),
    ([], "", "We report a case of a 54-year-old man with fever.", "case_report"),
    ([], "", "In this retrospective cohort of 400 adults, mortality was high.", "observational"),
    ([], "Leptomeningeal carcinomatosis: an update", "", "narrative_review"),
    ([], "", "Granzyme B is a serine protease.", "other"),
])
def test_classification(types: list[str], title: str, text: str, level: str) -> None:
    assert classify(types, title, text) == level


def test_kinds_decide_before_cues() -> None:
    assert classify_document(Document(id="g", kind="guideline", text="a case report")) == (
        "guideline")
    assert classify_document(Document(id="c", kind="consumer", text="randomized trial")) == (
        "consumer")


def test_evidence_factor_orders_levels_for_management_and_penalises_age() -> None:
    def factor(level: str, year: int | None = 2024, qtype: str = "management") -> float:
        return evidence_factor(level, year, qtype, evidence_weight=0.2, recency_weight=0.1,
                               now_year=2026)

    assert factor("guideline") > factor("systematic_review") > factor("rct")
    assert factor("rct") > factor("observational") > factor("case_report")
    assert factor("rct", 2024) > factor("rct", 1990)
    assert factor("rct", None) > factor("rct", 2024)  # unknown year: no penalty
    assert factor("guideline", qtype="etiology") < factor("guideline", qtype="management")
    assert evidence_factor("guideline", None, "management", 0.0, 0.0, 2026) == 1.0
