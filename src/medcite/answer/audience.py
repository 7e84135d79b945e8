"""Who an answer is written for, and everything that follows from it, in one place.

``Audience`` is the value that travels (CLI ``--audience``, the API's enum, the stored
answer); :func:`policy` gives what each audience changes: which sources are preferred, the
reading grade aimed at, whether doses are stated, the disclaimers and the labels shown.
Writers, the evidence gatherer and the renderers ask the policy; none spells out
``"patient"`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    CLINICIAN = "clinician"
    PATIENT = "patient"


@dataclass(frozen=True)
class AudiencePolicy:
    audience: Audience
    label: str
    """The choice as a reader sees it ("Healthcare professional")."""
    reader: str
    """Whom the page says it was written for ("a healthcare professional")."""
    consumer_sources: bool
    """Add consumer health texts (MedQuAD/MedlinePlus) to the evidence and weight them up."""
    consumer_weight: float
    """Evidence weight of a consumer text when choosing sentences (guideline = 1.3)."""
    reading_grade: float | None
    """Sentences above this Flesch-Kincaid grade cost score (None: no preference)."""
    dose_caution: bool
    """An answer that states a dose says ``DOSE_CAUTION`` with it: doses are stated as the
    cited sources state them (an answer a reader cannot act on helps no one), and the
    reader is told to take medicines only as prescribed."""
    plain_section: bool
    """Open with a section of consumer health text in document order ("In plain words"),
    before the guidelines."""
    guideline_grade: float | None
    """Guideline sentences above this reading grade, and flowchart or list fragments, are
    left out (None: every guideline sentence may be shown)."""
    writer_instruction: str
    """The audience line of an LLM writer's prompt."""
    disclaimer_title: str
    disclaimer: str
    """Shown under every engine-written answer."""
    reviewed_disclaimer: str
    """Shown instead on a page the Medical Advisory Board approved."""


DOSE_CAUTION = ("Doses are given as the cited sources state them. Take medicines only as "
                "your doctor, nurse or pharmacist prescribes them for you: the right dose "
                "depends on your situation.")
"""Said with a patient's answer that states a dose (every writer)."""

_POLICIES = {
    Audience.CLINICIAN: AudiencePolicy(
        audience=Audience.CLINICIAN,
        label="Healthcare professional",
        reader="a healthcare professional",
        consumer_sources=False,
        consumer_weight=0.9,
        reading_grade=None,
        dose_caution=False,
        plain_section=False,
        guideline_grade=None,
        writer_instruction="- Audience: clinicians. Be precise and keep clinical terms and "
                           "doses.",
        disclaimer_title="Professional medical disclaimer",
        disclaimer=(
            "This information is intended for healthcare professionals. It is generated from "
            "the indexed literature and guidelines and has not necessarily been reviewed by a "
            "human. Any medical decision-making should rely on clinical judgment and "
            "independently verified information; verify doses and recommendations against the "
            "cited sources and current local guidance before applying them in patient care."),
        reviewed_disclaimer=(
            "This information is intended for healthcare professionals. It was generated from "
            "the indexed literature and guidelines and then reviewed by the Medical Advisory "
            "Board (see the editorial policy). Any medical decision-making should rely on "
            "clinical judgment and independently verified information; verify doses and "
            "recommendations against the cited sources and current local guidance before "
            "applying them in patient care."),
    ),
    Audience.PATIENT: AudiencePolicy(
        audience=Audience.PATIENT,
        label="Patient or caregiver",
        reader="a patient or caregiver",
        consumer_sources=True,
        consumer_weight=1.45,
        reading_grade=8.0,
        dose_caution=True,
        plain_section=True,
        guideline_grade=16.0,
        writer_instruction="- Audience: patients. Use plain, short sentences and everyday "
                           "words. State a dose only exactly as a passage states it.",
        disclaimer_title="Disclaimer",
        disclaimer=(
            "This is general health information, not medical advice. It is built from "
            "published sources and may not fit your situation. Talk to your doctor, nurse or "
            "pharmacist before you start, stop or change any treatment. In an emergency, call "
            "your local emergency number."),
        reviewed_disclaimer=(
            "This is general health information, not medical advice, reviewed by the Medical "
            "Advisory Board. It may not fit your situation. Talk to your doctor, nurse or "
            "pharmacist before you start, stop or change any treatment. In an emergency, call "
            "your local emergency number."),
    ),
}


def policy(audience: Audience | str) -> AudiencePolicy:
    """The policy of an audience (a plain string is accepted: ``"patient"``)."""
    return _POLICIES[Audience(audience)]


def policies() -> tuple[AudiencePolicy, ...]:
    """Every audience's policy, the default (clinician) first."""
    return tuple(_POLICIES[a] for a in Audience)


CHOICES: tuple[str, ...] = tuple(a.value for a in Audience)
"""For ``click.Choice`` and forms."""
DEFAULT: str = Audience.CLINICIAN.value
"""The default audience as the front ends spell it (a `click.Choice` default, a cookie)."""
