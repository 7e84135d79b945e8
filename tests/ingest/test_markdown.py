"""Markdown in corpus records becomes plain text at ingest; a guideline's list of options
becomes one cited item list that every renderer shows as a list."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from medcite.answer.candidates import candidates
from medcite.answer.model import Answer, Reference, ReferencePassage, Section, Sentence
from medcite.answer.render import print_terminal, to_markdown
from medcite.ingest.guideline import plain_text
from medcite.service import Medcite
from medcite.settings import load_settings
from tests.conftest import doc, write_jsonl

GUIDELINE = """# Community-acquired pneumonia

## Outpatient Treatment

### Healthy Adults Without Comorbidities

- **Amoxicillin** 1 g orally three times daily; OR
- **Doxycycline** 100 mg orally twice daily; OR
- **Azithromycin** 500 mg on day 1, then 250 mg daily on days 2-5

| Drug | Dose |
|---|---|
| Amoxicillin | 1 g |

Routine anaerobic coverage is **not** recommended unless lung abscess is suspected.
"""


def test_markdown_becomes_lines_without_markup() -> None:
    text = plain_text(GUIDELINE)
    assert "**" not in text and "#" not in text and "|---" not in text
    lines = [line for line in text.splitlines() if line]
    assert "Outpatient Treatment" in lines
    assert "- Amoxicillin 1 g orally three times daily; OR" in lines
    assert "Routine anaerobic coverage is not recommended unless lung abscess is suspected." \
        in lines
    assert plain_text("BACKGROUND: plain text stays.\nRESULTS: as it is.") == \
        "BACKGROUND: plain text stays.\nRESULTS: as it is."


def test_ingested_guideline_text_is_clean_and_its_list_is_one_candidate(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "g.jsonl", [doc("guideline:cap", GUIDELINE, "guideline",
                                                    title="CAP guideline")])
    with Medcite(load_settings(tmp_path / "home")) as service:
        service.ingest([corpus])
        passages = service.store.passages_of("guideline:cap")
        assert passages and not any("**" in p.text for p in passages)
        found = [c for p in passages for c in candidates(p)]
    lists = [c.text for c in found if "\n" in c.text]
    assert lists == ["Amoxicillin 1 g orally three times daily; OR\n"
                     "Doxycycline 100 mg orally twice daily; OR\n"
                     "Azithromycin 500 mg on day 1, then 250 mg daily on days 2-5"]
    assert not any(c.text.startswith(("Amoxicillin |", "Drug")) for c in found)


def test_renderers_show_a_list_as_a_list() -> None:
    items = "Amoxicillin 1 g orally three times daily; OR\nDoxycycline 100 mg orally twice daily"
    answer = Answer(question="q", sections=[Section(title="From the Guidelines",
                    kind="guidelines", sentences=[Sentence(text=items, citations=[1],
                                                           passage_ids=["g#t0"])])],
                    references=[Reference(n=1, doc_id="g", kind="guideline",
                                          evidence_level="guideline", evidence_label="Guideline",
                                          passages=[ReferencePassage(passage_id="g#t0",
                                                                     text=items)])])
    markdown = to_markdown(answer)
    assert "- Amoxicillin 1 g orally three times daily; OR\n  - Doxycycline 100 mg orally " \
           "twice daily [1]" in markdown
    console = Console(record=True, width=120)
    print_terminal(answer, console)
    lines = [line.strip() for line in console.export_text().splitlines()]
    at = lines.index("• Amoxicillin 1 g orally three times daily; OR")
    assert lines[at + 1] == "– Doxycycline 100 mg orally twice daily [1]"

