"""Every renderer reads one fixed Answer."""

import json

from rich.console import Console

from medcite.answer.model import Answer, Reference, ReferencePassage, Section, Sentence
from medcite.answer.render import print_terminal, to_markdown

ANSWER = Answer(
    question="How is hypertension treated?", status="answered", generated_at="2026-01-02T03:04:05",
    summary=[Sentence(text="Start a thiazide diuretic.", citations=[1], passage_ids=["g#t0"])],
    sections=[
        Section(title="From the Guidelines", kind="guidelines", sentences=[
            Sentence(text="Chlorthalidone 12.5 mg daily is first line.", citations=[1],
                     passage_ids=["g#t0"])]),
        Section(title="Treatment outcomes", kind="research", sentences=[
            Sentence(text="Lowering blood pressure reduced strokes.", citations=[2],
                     passage_ids=["p#t0"])]),
    ],
    references=[
        Reference(n=1, doc_id="g", kind="guideline", evidence_level="guideline",
                  evidence_label="Guideline", title="Hypertension guideline",
                  organization="ACC/AHA", year=2012, outdated=True, url="https://example.org/g",
                  passages=[ReferencePassage(passage_id="g#t0", text="Start a thiazide diuretic. "
                                             "Chlorthalidone 12.5 mg daily is first line.")]),
        Reference(n=2, doc_id="p", kind="research", evidence_level="rct",
                  evidence_label="Randomized trial", title="SPRINT", journal="NEJM", year=2015,
                  passages=[ReferencePassage(passage_id="p#t0",
                                             text="Lowering blood pressure reduced strokes.")]),
    ],
    missing=["No indexed passage states a dose for children."],
    disclaimer="For professionals.",
)


def test_markdown_has_the_reference_page_anatomy_in_order() -> None:
    md = to_markdown(ANSWER)
    order = ["# How is hypertension treated?", "pending human review", "Submitted → Under Review",
             "**Bottom line.** Start a thiazide diuretic. [1]", "## From the Guidelines",
             "- Chlorthalidone 12.5 mg daily is first line. [1]", "## From the Research",
             "### Treatment outcomes", "## What the evidence does not cover", "## References",
             "1. Guideline · Guideline. Hypertension guideline. ACC/AHA. 2012 (may be outdated).",
             "2. Research · Randomized trial. SPRINT. NEJM. 2015.", "**Disclaimer.**",
             "Have a follow-up question?"]
    positions = [md.index(part) for part in order]
    assert positions == sorted(positions)
    assert "> Start a thiazide diuretic. Chlorthalidone 12.5 mg daily is first line." in md


def test_json_round_trips_the_whole_object() -> None:
    data = json.loads(ANSWER.model_dump_json())
    assert Answer.model_validate(data) == ANSWER
    assert data["references"][0]["passages"][0]["passage_id"] == "g#t0"


def test_terminal_shows_sections_citations_and_references() -> None:
    console = Console(record=True, width=120)
    print_terminal(ANSWER, console)
    text = console.export_text()
    for part in ("How is hypertension treated?", "From the Guidelines", "From the Research",
                 "Chlorthalidone 12.5 mg daily is first line. [1]", "References",
                 "1. Guideline · Guideline. Hypertension guideline.", "For professionals."):
        assert part in text


EMERGENCY = Answer(
    question="My father has crushing chest pain and is sweating right now",
    status="emergency", notice="Call your local emergency number now. Do not wait.",
    disclaimer="For professionals.", thread_id="t-42", turn=1,
    generated_at="2026-01-02T03:04:05")
OUT_OF_SCOPE = Answer(
    question="What will the weather be in Paris tomorrow?", status="out_of_scope",
    notice="This question does not appear to be a medical one.", disclaimer="",
    generated_at="2026-01-02T03:04:05")


def terminal(answer: Answer) -> str:
    console = Console(record=True, width=200)
    print_terminal(answer, console)
    return console.export_text()


def test_an_emergency_shows_its_instruction_before_anything_else() -> None:
    for text in (terminal(EMERGENCY), to_markdown(EMERGENCY)):
        notice = text.index("Call your local emergency number now.")
        assert text.index("crushing chest pain") < text.index("Emergency: seek care now") \
            < notice
        assert notice < text.lower().index("pending human review") < text.index(
            "For professionals.")
        assert "References" not in text and "Bottom line" not in text


def test_out_of_scope_explains_once_without_a_disclaimer() -> None:
    for text in (terminal(OUT_OF_SCOPE), to_markdown(OUT_OF_SCOPE)):
        assert "Out of scope" in text
        assert text.count("does not appear to be a medical one") == 1
        assert "disclaimer" not in text.lower() and "review" not in text.lower()


def test_terminal_shows_the_thread_to_follow_up_in() -> None:
    assert "--thread t-42" in terminal(EMERGENCY)
    assert "medcite ask --thread t-42" in to_markdown(EMERGENCY)
    assert "--thread" not in terminal(ANSWER)


def test_terminal_prints_ids_and_labels_as_they_are() -> None:
    answer = ANSWER.model_copy(update={
        "question": "Does [bold]x[/bold] help? :smile:",
        "references": [ANSWER.references[0].model_copy(update={
            "doc_id": "guideline:om:1", "title": None, "organization": "[format] AAP"})]})
    console = Console(record=True, width=200)  # emoji and markup on, as rich defaults
    print_terminal(answer, console)
    text = console.export_text()
    assert "Does [bold]x[/bold] help? :smile:" in text
    assert "guideline:om:1" in text and "[format] AAP" in text


def test_a_list_in_the_bottom_line_runs_on_from_its_lead_and_is_a_list_in_a_section() -> None:
    listed = Sentence(text="For renal impairment:\nAvoid acamprosate\nReduce the dose",
                      citations=[1], passage_ids=["g#t0"])
    answer = ANSWER.model_copy(update={
        "summary": [listed],
        "sections": [Section(title="From the Guidelines", kind="guidelines", sentences=[listed])]})
    md = to_markdown(answer)
    assert "**Bottom line.** For renal impairment: Avoid acamprosate; Reduce the dose [1]" in md
    assert "- For renal impairment:\n  - Avoid acamprosate\n  - Reduce the dose [1]" in md
