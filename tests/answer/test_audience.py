"""The audience is one policy object: sources, reading level, doses and disclaimers for
each audience."""

from __future__ import annotations

from medcite.answer.audience import CHOICES, DOSE_CAUTION, Audience, policies, policy


def test_every_audience_has_a_complete_policy() -> None:
    assert CHOICES == tuple(a.value for a in Audience) == ("clinician", "patient")
    assert [p.audience for p in policies()] == list(Audience)
    for rules in policies():
        assert rules.label and rules.reader and rules.disclaimer and rules.reviewed_disclaimer
        assert rules.disclaimer != rules.reviewed_disclaimer
    patient, clinician = policy("patient"), policy(Audience.CLINICIAN)
    assert patient.consumer_sources and patient.plain_section and patient.dose_caution
    assert patient.reading_grade is not None and patient.guideline_grade is not None
    assert not (clinician.consumer_sources or clinician.plain_section or clinician.dose_caution)
    assert "Take medicines only as" in DOSE_CAUTION
