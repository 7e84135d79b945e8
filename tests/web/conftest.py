"""A tiny hypertension corpus (guidelines, research, consumer texts) and the apps over it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medcite.service import Medcite
from medcite.settings import load_settings
from medcite.web import create_app
from tests.conftest import doc, write_jsonl

QUESTION = "What is the first-line treatment for hypertension?"
FOLLOW_UP = "and the treatment in older adults?"


def corpus() -> list[dict[str, Any]]:
    """Three guidelines, three studies and two consumer texts on hypertension."""
    return [
        doc("guideline:htn-1", "Initial treatment of hypertension. For adults with stage 1 "
            "hypertension, first-line antihypertensive agents include thiazide diuretics, "
            "calcium channel blockers, and ACE inhibitors or angiotensin receptor blockers. "
            "Lifestyle modification, including sodium reduction and regular physical activity, "
            "is recommended for all adults with elevated blood pressure. A blood pressure "
            "target of less than 130/80 mm Hg is recommended for most adults with hypertension.",
            kind="guideline", title="Hypertension in Adults: Treatment",
            organization="American Heart Association", year=2017,
            url="https://guidelines.example.org/htn-treatment"),
        doc("guideline:htn-2", "Screening for hypertension. The USPSTF recommends screening for "
            "hypertension in adults 18 years or older with office blood pressure measurement. "
            "Blood pressure measurements outside the clinical setting should be obtained for "
            "diagnostic confirmation before starting treatment of hypertension.",
            kind="guideline", title="Hypertension in Adults: Screening", organization="USPSTF",
            year=2021, url="https://guidelines.example.org/htn-screening"),
        doc("guideline:htn-3", "Hypertension in older adults. In adults aged 60 years or older "
            "with hypertension, treatment to a systolic blood pressure below 150 mm Hg reduces "
            "stroke and cardiac events. Thiazide diuretics are recommended as first-line "
            "treatment of hypertension in older adults.", kind="guideline",
            title="Pharmacologic Treatment of Hypertension in Older Adults",
            organization="American College of Physicians", year=2008),
        doc("pmid:1001", "BACKGROUND: The best first-line treatment for hypertension is "
            "uncertain. METHODS: We randomized 33,357 adults with hypertension to chlorthalidone, "
            "amlodipine or lisinopril. RESULTS: Chlorthalidone was superior to lisinopril in "
            "preventing heart failure in adults with hypertension. CONCLUSIONS: Thiazide-type "
            "diuretics are preferred first-line treatment for hypertension.",
            title="Major outcomes in high-risk hypertensive patients randomized to ACE inhibitor "
            "or calcium channel blocker vs diuretic", journal="JAMA", year=2002, pmid="1001",
            publication_types=["Randomized Controlled Trial"]),
        doc("pmid:1002", "BACKGROUND: Intensive blood pressure control in hypertension may reduce "
            "cardiovascular events. METHODS: We enrolled 9,361 adults with hypertension. "
            "RESULTS: Targeting a systolic blood pressure of less than 120 mm Hg reduced "
            "cardiovascular events and death from any cause in adults with hypertension compared "
            "with a target of less than 140 mm Hg. Hypotension and acute kidney injury were more "
            "frequent with intensive treatment of hypertension.",
            title="A randomized trial of intensive versus standard blood-pressure control",
            journal="N Engl J Med", year=2015, pmid="1002",
            publication_types=["Randomized Controlled Trial"]),
        doc("pmid:1003", "Sodium reduction lowers blood pressure in adults with hypertension. In "
            "this meta-analysis of 34 trials, reducing salt intake lowered systolic blood "
            "pressure by 5.4 mm Hg in people with hypertension. Lifestyle treatment of "
            "hypertension with diet and exercise lowers blood pressure.",
            title="Effect of longer term modest salt reduction on blood pressure", journal="BMJ",
            year=2013, pmid="1003", publication_types=["Meta-Analysis"]),
        doc("medquad:htn-1", "High blood pressure (hypertension) is treated with lifestyle "
            "changes and medicines. Eating less salt, being active and taking blood pressure "
            "medicines as prescribed help control high blood pressure. Talk to your doctor "
            "about the treatment of hypertension that is right for you.", kind="consumer",
            title="What is the treatment for High Blood Pressure?", organization="NHLBI",
            url="https://consumer.example.org/high-blood-pressure"),
        doc("medquad:htn-2", "Hypertension often has no symptoms. Many people with high blood "
            "pressure do not know they have it. Regular blood pressure checks are the only way "
            "to find hypertension.", kind="consumer",
            title="What are the symptoms of High Blood Pressure?", organization="NHLBI"),
    ]


def build_home(root: Path) -> Path:
    """A home directory holding the corpus (BM25 only)."""
    root.mkdir(parents=True, exist_ok=True)
    home = root / "home"
    with Medcite(load_settings(home, embedder={"kind": "none"})) as service:
        service.ingest([write_jsonl(root / "corpus.jsonl", corpus())])
    return home


def open_service(home: Path) -> Medcite:
    return Medcite(load_settings(home, embedder={"kind": "none"}))


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus ingested once; tests work on copies."""
    return build_home(tmp_path_factory.mktemp("web-corpus"))


@pytest.fixture
def web_home(built_home: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built_home, tmp_path / "web-home"))


@pytest.fixture
def web_service(web_home: Path) -> Iterator[Medcite]:
    with open_service(web_home) as service:
        yield service


@pytest.fixture
def app(web_service: Medcite) -> FastAPI:
    return create_app(web_service)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def empty_client(service: Medcite) -> Iterator[TestClient]:
    """An app over a store that holds no documents."""
    with TestClient(create_app(service)) as test_client:
        yield test_client
