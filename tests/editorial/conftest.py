"""Editorial fixtures: the web tests' hypertension corpus, five people (one per role and
a second reviewer), and a home holding articles in every state the tests need."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medcite.editorial.auth import Accounts
from medcite.editorial.desk import Desk
from medcite.editorial.models import User
from medcite.service import Medcite
from medcite.web import create_app
from tests.web.conftest import build_home, open_service

PASSWORD = "correct horse battery staple"
PEOPLE = (
    ("ada", "Ada Admin", "admin", ""),
    ("erin", "Erin Editor", "editor", ""),
    ("rita", "Rita Reviewer", "reviewer", "MD, FACP"),
    ("ravi", "Ravi Reviewer", "reviewer", "MD, PhD"),
    ("rex", "Rex Reader", "reader", ""),
)
ROLE_USER = {"admin": "ada", "editor": "erin", "reviewer": "rita", "reader": "rex"}
Q_PUBLISHED = "What is the first-line treatment for hypertension?"
Q_ROUTED = "How is hypertension treated first-line?"
Q_UNDER_REVIEW = "What blood pressure target is recommended for adults with hypertension?"
Q_CHANGES = "Does sodium reduction lower blood pressure in hypertension?"
Q_DRAFT = "What are the symptoms of high blood pressure?"
Q_APPROVED = "How should hypertension be treated in older adults?"


@dataclass(frozen=True)
class Prepared:
    """A home with articles in known states, and an API token per role."""

    home: Path
    ids: dict[str, int]
    tokens: dict[str, str]


def add_people(service: Medcite) -> None:
    accounts = Accounts(service.store)
    for username, name, role, credentials in PEOPLE:
        accounts.add(username, name, role, PASSWORD, credentials)


def people(desk: Desk) -> dict[str, User]:
    return {u.username: u for u in desk.accounts.users()}


def prepare(desk: Desk) -> dict[str, int]:
    """Articles: published (with a routed paraphrase), under review, changes requested,
    draft and approved."""
    p = people(desk)
    ids: dict[str, int] = {}
    for key, question in (("published", Q_PUBLISHED), ("under_review", Q_UNDER_REVIEW),
                          ("changes_requested", Q_CHANGES), ("draft", Q_DRAFT),
                          ("approved", Q_APPROVED)):
        article, routed = desk.create(p["erin"], question)
        assert not routed, question
        ids[key] = article.id
    assert desk.create(p["erin"], Q_ROUTED) == (desk.articles.get(ids["published"]), True)
    for key in ("published", "under_review", "changes_requested", "approved"):
        desk.act(p["erin"], ids[key], "submit")
    desk.act(p["rita"], ids["published"], "approve")
    desk.act(p["erin"], ids["published"], "publish")
    desk.act(p["rita"], ids["under_review"], "start-review")
    desk.act(p["rita"], ids["changes_requested"], "request-changes", "tighten sentence 0")
    desk.act(p["ravi"], ids["approved"], "approve")
    return ids


@pytest.fixture(scope="session")
def editorial_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus and the five people (no articles)."""
    home = build_home(tmp_path_factory.mktemp("editorial"))
    with open_service(home) as service:
        add_people(service)
    return home


@pytest.fixture(scope="session")
def prepared(tmp_path_factory: pytest.TempPathFactory, editorial_home: Path) -> Prepared:
    home = Path(shutil.copytree(editorial_home, tmp_path_factory.mktemp("prepared") / "home"))
    with open_service(home) as service:
        desk = Desk(service)
        ids = prepare(desk)
        tokens = {role: desk.accounts.new_token(desk.accounts.require(name), "api")[0]
                  for role, name in ROLE_USER.items()}
    return Prepared(home, ids, tokens)


@pytest.fixture
def ed_service(editorial_home: Path, tmp_path: Path) -> Iterator[Medcite]:
    """A fresh copy of the home with people and no articles."""
    with open_service(Path(shutil.copytree(editorial_home, tmp_path / "home"))) as service:
        yield service


@pytest.fixture
def desk(ed_service: Medcite) -> Desk:
    return Desk(ed_service)


@pytest.fixture
def team(desk: Desk) -> dict[str, User]:
    return people(desk)


@pytest.fixture
def prepared_service(prepared: Prepared, tmp_path: Path) -> Iterator[Medcite]:
    """A fresh copy of the prepared home."""
    with open_service(Path(shutil.copytree(prepared.home, tmp_path / "home"))) as service:
        yield service


@pytest.fixture
def prepared_desk(prepared_service: Medcite) -> Desk:
    return Desk(prepared_service)


@pytest.fixture
def client(prepared_service: Medcite) -> Iterator[TestClient]:
    with TestClient(create_app(prepared_service)) as test_client:
        yield test_client


def bearer(prepared: Prepared, role: str) -> dict[str, str]:
    return {"authorization": f"Bearer {prepared.tokens[role]}"} if role in prepared.tokens \
        else {}
