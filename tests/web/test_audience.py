"""The audience is one policy object: every front end's choices come from it."""

from __future__ import annotations

import click
from click.testing import CliRunner
from fastapi.testclient import TestClient

from medcite.answer.audience import CHOICES, DOSE_CAUTION, Audience, policies, policy
from medcite.cli.main import app
from medcite.web.view import AUDIENCES, DISCLAIMERS


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


def test_front_ends_offer_exactly_the_policies_audiences(client: TestClient) -> None:
    review = app.commands["review"]
    assert isinstance(review, click.Group)
    for command in (app.commands["ask"], review.commands["new"]):
        option = next(p for p in command.params if p.name == "audience")
        assert isinstance(option.type, click.Choice)
        assert tuple(option.type.choices) == CHOICES and option.default == "clinician"
    assert [value for value, _ in AUDIENCES] == list(CHOICES)
    assert {p.audience.value: p.disclaimer for p in policies()} == DISCLAIMERS
    schema = client.get("/api/v1/openapi.json").json()
    enum = schema["components"]["schemas"]["Audience"]["enum"]
    assert enum == list(CHOICES)
    result = CliRunner().invoke(app, ["ask", "--audience", "nurse", "x"])
    assert result.exit_code == 2 and "clinician" in result.output
