"""The whole JSON API fuzzed from its own OpenAPI document (schemathesis over the ASGI app),
once for each role: anonymous, reader, editor, reviewer and admin, each with a fresh copy
of a home that holds articles in every workflow state.

Each operation gets a bounded number of generated requests, valid and invalid. No response
may be a 500 or undocumented, a success must match its declared schema, and every error
must have the one shape of :mod:`medcite.web.errors`. Set ``FUZZ_EXAMPLES`` (e.g. 200) to
search harder than CI does."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.result import Ok

from medcite.editorial.desk import Desk
from medcite.service import Medcite
from medcite.web import create_app
from tests.editorial.conftest import ROLE_USER, add_people, prepare
from tests.web.conftest import build_home, open_service

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
ROLES = ("anonymous", "reader", "editor", "reviewer", "admin")
CONFIG = schemathesis.Config.from_dict({
    "checks": {
        # A schema-valid request may still be refused by the workflow with a 4xx (a comment
        # target naming no sentence, splitting off an article's own question): not a bug.
        "positive_data_acceptance": {"enabled": False},
        # Each role sends its own credentials; the role matrix tests cover refusals.
        "ignored_auth": {"enabled": False},
        # An oversized body is refused before parsing, with 413.
        "negative_data_rejection": {"expected-statuses": [
            400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]},
    },
})
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def one_error_shape(ctx: schemathesis.CheckContext, response: schemathesis.Response,
                    case: schemathesis.Case) -> bool | None:
    """Every error is ``{"ok": false, "error": {"code", "message"}}``, and nothing else."""
    if response.status_code < 400:
        return None
    body = json.loads(response.content)
    assert body.get("ok") is False and set(body) == {"ok", "error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] and body["error"]["message"], body
    return None


def mint(service: Medcite, role: str) -> str:
    """A new API token for the role's person."""
    accounts = Desk(service).accounts
    return accounts.new_token(accounts.require(ROLE_USER[role]), "api")[0]


@pytest.fixture(scope="module")
def fuzz_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hypertension corpus, the five people and articles in every state."""
    home = build_home(tmp_path_factory.mktemp("fuzz"))
    with open_service(home) as service:
        add_people(service)
        prepare(Desk(service))
    return home


def fuzz(operation: schemathesis.APIOperation, mode: schemathesis.GenerationMode,
         headers: Callable[[schemathesis.Case], dict[str, str]]) -> list[str]:
    """What goes wrong in a few generated requests to ``operation``: each failure with the
    curl command that reproduces it (collected, not shrunk, to keep the run short)."""
    found: list[str] = []

    @SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        try:
            case.call_and_validate(headers=headers(case), additional_checks=[one_error_shape])
        except (Exception, BaseExceptionGroup) as exc:  # a failed check, or the app raised
            found.append(f"{operation.label} ({mode.value}): {exc}\n{case.as_curl_command()}")

    with contextlib.suppress(Unsatisfiable):  # no invalid request exists (nothing to send)
        run()
    return found


@pytest.mark.parametrize("role", ROLES)
def test_no_operation_fails_for_any_role(fuzz_home: Path, tmp_path: Path, role: str) -> None:
    with open_service(Path(shutil.copytree(fuzz_home, tmp_path / "home"))) as service:
        token = mint(service, role) if role in ROLE_USER else ""

        def headers(case: schemathesis.Case) -> dict[str, str]:
            if not token:
                return {}
            if case.operation.path == "/api/v1/auth/logout":  # keep the role's token alive
                return {"authorization": f"Bearer {mint(service, role)}"}
            return {"authorization": f"Bearer {token}"}

        schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(service),
                                                config=CONFIG)
        failures: list[str] = []
        operations = []
        for result in schema.get_all_operations():
            assert isinstance(result, Ok), result
            operations.append(result.ok())
        assert len(operations) > 25
        for operation in operations:
            for mode in schemathesis.GenerationMode:
                failures += fuzz(operation, mode, headers)
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(
        dict.fromkeys(f[:1500] for f in failures))


@pytest.mark.parametrize(("role", "method", "url", "body"), [
    ("admin", "GET", "/api/v1/articles/99999999999999999999999", None),
    ("editor", "POST", "/api/v1/articles/99999999999999999999999/sentences/0/verify",
     {"text": "x"}),
    ("admin", "GET", "/api/v1/articles/1/diff?from=99999999999999999999999", None),
    ("editor", "POST", "/api/v1/articles/1/merge", {"into": 10**30}),
])
def test_a_number_beyond_64_bits_is_a_422_not_a_500(
    fuzz_home: Path, tmp_path: Path, role: str, method: str, url: str, body: object
) -> None:
    """Found by the fuzzer: such an id reached SQLite and came back as a 500."""
    with open_service(Path(shutil.copytree(fuzz_home, tmp_path / "home"))) as service:
        token = mint(service, role)
        with TestClient(create_app(service)) as client:
            response = client.request(method, url, json=body,
                                      headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"
    assert "too large" in response.json()["error"]["message"]


def test_verify_refuses_an_id_that_is_a_boolean(fuzz_home: Path) -> None:
    """Found by the fuzzer: ``"id": true`` was accepted (and echoed back as 1)."""
    item = {"id": True, "sentence": "Aspirin helps.", "passages": ["Aspirin helps."]}
    with open_service(fuzz_home) as service, TestClient(create_app(service)) as client:
        response = client.post("/api/v1/verify", json={"items": [item]})
        assert response.status_code == 422, response.text
        assert "items.0.id" in response.json()["error"]["message"]
        item["id"] = 7
        assert client.post("/api/v1/verify", json={"items": [item]}).json()["results"][0][
            "id"] == 7


def test_audit_exports_declare_their_media_types(fuzz_home: Path) -> None:
    """Found by the fuzzer: ``?format=csv`` answered text/csv, which the schema did not list."""
    with open_service(fuzz_home) as service, TestClient(create_app(service)) as client:
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        response = client.get("/api/v1/articles/1/audit?format=csv",
                              headers={"authorization": f"Bearer {mint(service, 'admin')}"})
    assert response.headers["content-type"].startswith("text/csv")
    for path in ("/api/v1/articles/audit", "/api/v1/articles/{article_id}/audit"):
        assert {"application/x-ndjson", "text/csv"} <= set(
            paths[path]["get"]["responses"]["200"]["content"]), path


def test_an_invalid_json_body_is_a_documented_400(fuzz_home: Path) -> None:
    """Found by the fuzzer: the 400 for a body that is not JSON was not in the schema."""
    with open_service(fuzz_home) as service, TestClient(create_app(service)) as client:
        spec = client.get("/api/v1/openapi.json").json()
        response = client.post("/api/v1/ask", content=b"\x00",
                               headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"
    assert "400" in spec["paths"]["/api/v1/ask"]["post"]["responses"]
