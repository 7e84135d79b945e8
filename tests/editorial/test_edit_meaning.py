"""An editor's edit that changes what the cited passage says is refused, and the reason
(negation, strength, population...) reaches the error message and the API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from medcite.editorial.desk import Desk
from medcite.editorial.editing import check_edit
from medcite.editorial.errors import VerificationError
from medcite.editorial.models import User
from medcite.service import Medcite
from medcite.web import create_app
from tests.editorial.conftest import Q_PUBLISHED, people, prepare

TARGET = ("A blood pressure target of less than 130/80 mm Hg is recommended for most adults "
          "with hypertension.")


def target_index(desk: Desk, article_id: int) -> int:
    answer = desk.articles.current(desk.articles.get(article_id)).answer
    return next(i for i, s in enumerate(answer.all_sentences()) if s.text == TARGET)


@pytest.mark.parametrize("edited, code", [
    (TARGET.replace("is recommended", "is not recommended"), "negation"),
    (TARGET.replace("is recommended", "must be used"), "strength"),
    (TARGET.replace("most adults", "most children"), "entity"),
    (TARGET.replace("less than", "more than"), "direction"),
])
def test_an_edit_that_changes_meaning_is_refused_with_the_reason(
        desk: Desk, team: dict[str, User], edited: str, code: str) -> None:
    article, _ = desk.create(team["erin"], Q_PUBLISHED)
    i = target_index(desk, article.id)
    check = check_edit(desk.articles.current(article).answer, i, edited)
    assert not check.ok and check.support >= 0.8  # the words are all there; the meaning is not
    assert any("changes the meaning" in r and f"{code}:" in r for r in check.reasons)
    with pytest.raises(VerificationError) as refused:
        desk.edit_sentence(team["erin"], article.id, i, edited)
    assert f"{code}:" in refused.value.message and "The passage says" in refused.value.message
    assert desk.articles.current(desk.articles.get(article.id)).n == 1  # nothing saved


def test_a_faithful_rewording_is_saved(desk: Desk, team: dict[str, User]) -> None:
    article, _ = desk.create(team["erin"], Q_PUBLISHED)
    i = target_index(desk, article.id)
    reordered = ("For most adults with hypertension, a blood pressure target of less than "
                 "130/80 mm Hg is recommended.")
    assert check_edit(desk.articles.current(article).answer, i, reordered).ok
    version = desk.edit_sentence(team["erin"], article.id, i, reordered)
    assert version.n == 2


@pytest.fixture
def editor_client(ed_service: Medcite) -> Iterator[tuple[TestClient, dict[str, str], int]]:
    desk = Desk(ed_service)
    ids = prepare(desk)
    token = desk.accounts.new_token(people(desk)["erin"], "api")[0]
    with TestClient(create_app(ed_service)) as client:
        yield client, {"authorization": f"Bearer {token}"}, ids["changes_requested"]


def test_the_api_gives_the_reason_for_a_refused_edit(
        editor_client: tuple[TestClient, dict[str, str], int]) -> None:
    client, headers, article = editor_client
    detail = client.get(f"/api/v1/articles/{article}", headers=headers).json()
    answer = detail["version"]["answer"]
    sentences = answer["summary"] + [s for sec in answer["sections"] for s in sec["sentences"]]
    text = sentences[0]["text"]
    flipped = text.replace(" lowers ", " raises ") if " lowers " in text else \
        text.replace(" is ", " is not ", 1)
    assert flipped != text
    check = client.post(f"/api/v1/articles/{article}/sentences/0/verify",
                        json={"text": flipped}, headers=headers).json()
    assert check["ok"] is False
    assert any("changes the meaning" in r for r in check["reasons"])
    refused = client.post(f"/api/v1/articles/{article}/sentences/0", json={"text": flipped},
                          headers=headers)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "unverified" and "changes the meaning" in error["message"]

