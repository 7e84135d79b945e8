"""Where each effective setting came from: ``medcite settings`` prints this.

Sources, highest first (as :func:`medcite.settings.load_settings` applies them): a command's
own option, a ``MEDCITE_*`` environment variable, ``<home>/settings.toml``, the default.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from medcite.settings import ENV_PREFIX, SETTINGS_FILE, Settings, load_settings


@dataclass(frozen=True)
class SettingValue:
    name: str  # dotted, e.g. "answer.llm.model"
    value: Any
    source: str  # "default", "settings file", "environment (MEDCITE_...)", "command line"
    description: str

    def as_json(self) -> dict[str, Any]:
        value = self.value if isinstance(self.value, bool | int | float | type(None)) \
            else str(self.value) if not isinstance(self.value, list) \
            else [str(v) for v in self.value]
        return {"name": self.name, "value": value, "source": self.source,
                "description": self.description}


def effective_settings(home: Path | None = None) -> list[SettingValue]:
    """Every leaf setting with its value and where the value came from."""
    settings = load_settings(home)
    path = settings.home / SETTINGS_FILE
    from_file = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    rows: list[SettingValue] = []
    _walk(settings, (), from_file, rows, home_given=home is not None)
    return rows


def _walk(model: BaseModel, prefix: tuple[str, ...], from_file: dict[str, Any],
          rows: list[SettingValue], home_given: bool) -> None:
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        path = (*prefix, name)
        if isinstance(value, BaseModel):
            _walk(value, path, from_file.get(name, {}) if isinstance(from_file, dict) else {},
                  rows, home_given)
            continue
        rows.append(SettingValue(".".join(path), value, _source(path, from_file, home_given),
                                 field.description or ""))


def _source(path: tuple[str, ...], from_file: dict[str, Any], home_given: bool) -> str:
    if path == ("home",) and home_given:
        return "command line (--home)"
    env = ENV_PREFIX + "__".join(part.upper() for part in path)
    if env in os.environ:
        return f"environment ({env})"
    if path[-1] in from_file:
        return f"settings file ({SETTINGS_FILE})"
    return "default"


__all__ = ["SettingValue", "Settings", "effective_settings"]
