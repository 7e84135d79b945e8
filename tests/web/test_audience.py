"""Every front end's audience choices (the CLI options, the web form, the API enum) come
from the one policy object in ``medcite.answer.audience``."""

from __future__ import annotations

import click
from click.testing import CliRunner
from fastapi.testclient import TestClient

from medcite.answer.audience import CHOICES, policies
from medcite.cli.main import app
from medcite.web.view import AUDIENCES, DISCLAIMERS


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
