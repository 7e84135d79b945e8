from pathlib import Path

import pytest
from pydantic import BaseModel

from medcite.errors import SettingsError
from medcite.settings import Settings, load_settings, save_setting_group


def _fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str | None]]:
    found = []
    for name, info in model.model_fields.items():
        found.append((prefix + name, info.description))
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found += _fields(annotation, prefix + name + ".")
    return found


def test_every_setting_is_documented() -> None:
    undocumented = [name for name, description in _fields(Settings) if not description]
    assert undocumented == []


def test_unknown_keys_are_errors_in_file_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "settings.toml").write_text("[ingest]\nbatch_sise = 10\n")
    with pytest.raises(SettingsError, match=r"ingest\.batch_sise"):
        load_settings(tmp_path)
    (tmp_path / "settings.toml").unlink()
    monkeypatch.setenv("MEDCITE_RETREIVAL__K", "5")
    with pytest.raises(SettingsError, match="MEDCITE_RETREIVAL__K"):
        load_settings(tmp_path)


def test_environment_overrides_file_and_saved_groups_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_setting_group(tmp_path, "retrieval", {"k": 7})
    assert load_settings(tmp_path).retrieval.k == 7
    monkeypatch.setenv("MEDCITE_RETRIEVAL__K", "3")
    assert load_settings(tmp_path).retrieval.k == 3
    with pytest.raises(Exception, match="less than or equal"):
        save_setting_group(tmp_path, "retrieval", {"k": 10**9})
    assert load_settings(tmp_path).retrieval.k == 3
