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


def test_web_settings_are_typed_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = load_settings(tmp_path).web
    assert web.public_url is None and web.trusted_proxies == []
    (tmp_path / "settings.toml").write_text(
        '[web]\npublic_url = "https://medcite.example.org"\n'
        'trusted_proxies = ["127.0.0.1", "10.0.0.0/8", "::1"]\n')
    web = load_settings(tmp_path).web
    assert web.public_url is not None and web.public_url.scheme == "https"
    assert [str(n) for n in web.trusted_proxies] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    monkeypatch.setenv("MEDCITE_WEB__TRUSTED_PROXIES", '["192.168.0.0/16"]')
    assert [str(n) for n in load_settings(tmp_path).web.trusted_proxies] == ["192.168.0.0/16"]
    monkeypatch.delenv("MEDCITE_WEB__TRUSTED_PROXIES")
    for bad, where in (('trusted_proxies = ["10.0.0.1/8"]', "web.trusted_proxies.0"),
                       ('trusted_proxies = ["proxy.local"]', "web.trusted_proxies.0"),
                       ('public_url = "ftp://medcite.example.org"', "web.public_url")):
        (tmp_path / "settings.toml").write_text(f"[web]\n{bad}\n")
        with pytest.raises(SettingsError, match=where.replace(".", r"\.")):
            load_settings(tmp_path)
