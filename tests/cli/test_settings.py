"""``medcite settings``: effective values and where each came from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from medcite.cli.main import app


def _settings(home: Path) -> dict[str, dict[str, Any]]:
    result = CliRunner().invoke(app, ["--home", str(home), "settings", "--json"])
    assert result.exit_code == 0, result.output
    return {row["name"]: row for row in json.loads(result.output)["settings"]}


def test_each_value_names_its_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "settings.toml").write_text("[retrieval]\nk = 7\n", encoding="utf-8")
    monkeypatch.setenv("MEDCITE_ANSWER__ENGINE", "llm")
    rows = _settings(tmp_path)
    assert rows["retrieval.k"]["value"] == 7
    assert rows["retrieval.k"]["source"].startswith("settings file")
    assert rows["answer.engine"] == {**rows["answer.engine"], "value": "llm",
                                     "source": "environment (MEDCITE_ANSWER__ENGINE)"}
    assert rows["retrieval.fusion"]["source"] == "default"
    assert rows["home"]["source"] == "command line (--home)"
    assert all(row["description"] for row in rows.values())


def test_an_unknown_setting_points_at_the_command(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDCITE_NOPE", "1")
    result = CliRunner().invoke(app, ["--home", str(tmp_path), "settings"])
    assert result.exit_code != 0
    assert "`medcite settings`" in getattr(result.exception, "hint", "")
    monkeypatch.delenv("MEDCITE_NOPE")
    assert "retrieval.k" in CliRunner().invoke(app, ["--home", str(tmp_path), "settings"]).output
