"""``medcite settings``: the effective settings and where each value came from."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from medcite.cli.common import emit_json, json_option, out, state
from medcite.settings_origin import effective_settings


@click.command("settings")
@json_option
def settings(as_json: bool) -> None:
    """Show every setting's effective value and its source (default, settings file,
    environment variable or command line). Set values in <home>/settings.toml or with
    MEDCITE_<GROUP>__<NAME> environment variables."""
    rows = effective_settings(state.home)
    if as_json:
        emit_json({"settings": [row.as_json() for row in rows]})
        return
    table = Table("setting", "value", "source", box=None, pad_edge=False)
    for row in rows:
        table.add_row(escape(row.name), escape(str(row.value)), escape(row.source))
    out.print(table)
