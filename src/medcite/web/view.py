"""Presentation helpers shared by the templates (and mirrored by ``static/app.js``)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from medcite.answer.audience import policies
from medcite.answer.model import INSUFFICIENT_EVIDENCE, Answer, Reference, Section
from medcite.answer.render import FOLLOW_UP, REVIEW_STEPS, STATUS_NOTES

REFERENCE_TYPES = {"guideline": "Guideline", "research": "Research", "consumer": "Consumer",
                   "drug-label": "Drug label"}
RESEARCH_KINDS = ("research",)
BULLET_KINDS = ("guidelines", "safety", "found")
STATUS_TEXT = {
    "emergency": "This may be a medical emergency. Call your local emergency number or go to "
                 "the nearest emergency department now. Do not wait for an online answer.",
    "insufficient_evidence": INSUFFICIENT_EVIDENCE,
    "out_of_scope": "medcite answers clinical and health questions from the medical literature "
                    "and guidelines; this question does not appear to be a medical one.",
}
NOTICE_STATUSES = ("emergency", "out_of_scope")
"""Statuses whose notice (the emergency instruction, the scope) is their explanation: it
replaces ``STATUS_TEXT`` rather than repeating it."""
REVIEW_STATE = "Not yet reviewed"
BANNER = "Educational purpose only • pending human review by the Medical Advisory Board"
DISCLAIMERS = {p.audience.value: p.disclaimer for p in policies()}
DISCLAIMER_TITLES = {p.audience.value: p.disclaimer_title for p in policies()}
READERS = {p.audience.value: p.reader for p in policies()}
AUDIENCES = tuple((p.audience.value, p.label) for p in policies())
"""The audience policies as the templates and the page script read them."""
_ANCHOR = re.compile(r"[^A-Za-z0-9_-]+")


def ui_labels() -> dict[str, Any]:
    """The labels the browser script needs to render streamed answers like the server."""
    return {
        "status_notes": STATUS_NOTES, "status_text": STATUS_TEXT,
        "notice_statuses": NOTICE_STATUSES,
        "reference_types": REFERENCE_TYPES, "research_kinds": RESEARCH_KINDS,
        "bullet_kinds": BULLET_KINDS, "disclaimer_titles": DISCLAIMER_TITLES,
    }


def reference_type(kind: str) -> str:
    return REFERENCE_TYPES.get(kind, kind.replace("-", " ").capitalize())


def reference_url(ref: Reference) -> str | None:
    """Where the source can be read: its own URL, else PubMed, else the DOI."""
    if ref.url:
        return ref.url
    if ref.pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{ref.pmid}/"
    if ref.doi:
        return f"https://doi.org/{ref.doi}"
    return None


def anchor(passage_id: str) -> str:
    """An HTML id for a passage (passage ids hold ':' and '#')."""
    return "p-" + _ANCHOR.sub("-", passage_id)


def long_date(iso: str | None) -> str:
    """'2026-11-25...' as 'November 25, 2026' (today when empty)."""
    day = date.fromisoformat(iso[:10]) if iso else datetime.now(UTC).date()
    return f"{day:%B} {day.day}, {day.year}"


def iso_date(iso: str | None) -> str:
    return iso[:10] if iso else datetime.now(UTC).date().isoformat()


def group_sections(sections: list[Section]) -> list[tuple[str, list[Section]]]:
    """Sections in order, the research ones gathered under one "From the Research" group at
    the place of the first of them (as the Markdown renderer does)."""
    groups: list[tuple[str, list[Section]]] = []
    research: list[Section] | None = None
    for section in sections:
        if section.kind in RESEARCH_KINDS:
            if research is None:
                research = []
                groups.append(("research", research))
            research.append(section)
        else:
            groups.append(("single", [section]))
    return groups


def references_json(answer: Answer) -> list[dict[str, Any]]:
    """The references as the event stream sends them: the citation popover reads these."""
    return [r.model_dump(mode="json") for r in answer.references]


TEMPLATE_GLOBALS: dict[str, Any] = {
    "STATUS_NOTES": STATUS_NOTES, "STATUS_TEXT": STATUS_TEXT, "REVIEW_STEPS": REVIEW_STEPS,
    "NOTICE_STATUSES": NOTICE_STATUSES,
    "REVIEW_STATE": REVIEW_STATE, "BANNER": BANNER, "FOLLOW_UP": FOLLOW_UP,
    "DISCLAIMERS": DISCLAIMERS, "DISCLAIMER_TITLES": DISCLAIMER_TITLES, "AUDIENCES": AUDIENCES,
    "READERS": READERS,
    "BULLET_KINDS": BULLET_KINDS, "group_sections": group_sections,
    "references_json": references_json,
    "reference_url": reference_url, "ui_labels": ui_labels,
}
TEMPLATE_FILTERS: dict[str, Any] = {
    "reference_type": reference_type, "anchor": anchor, "long_date": long_date,
    "iso_date": iso_date,
}
