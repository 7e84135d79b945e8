"""What the editorial commands share: the desk over ``--home``, the acting user, output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console

from medcite.cli_support import open_service
from medcite.editorial.desk import Desk
from medcite.editorial.errors import UnauthorizedError
from medcite.editorial.models import Article, User
from medcite.editorial.workflow import label

out = Console()
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
as_option = click.option("--as", "actor", required=True, metavar="USERNAME",
                         help="Act as this user (their role is checked).")


@contextmanager
def open_desk() -> Iterator[Desk]:
    with open_service() as service:
        yield Desk(service)


def emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def acting(desk: Desk, username: str) -> User:
    user = desk.accounts.require(username)
    if user.disabled:
        raise UnauthorizedError(f"The account {username!r} is disabled.",
                                "Act as an enabled user.")
    return user


def print_article(article: Article) -> None:
    flag = f"  [yellow]needs re-review: {'; '.join(article.stale_reasons)}[/]" \
        if article.stale_reasons else ""
    out.print(f"[bold]{article.id}[/] {label(article.state):<18} v{article.current_version} "
              f"{article.question}{flag}", highlight=False)
