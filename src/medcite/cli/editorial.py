"""What the editorial commands (``review``, ``users``) add to ``common``: the desk over
``--home``, the acting user, an article line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from rich.markup import escape

from medcite.cli.common import open_service, out
from medcite.editorial.desk import Desk
from medcite.editorial.errors import UnauthorizedError
from medcite.editorial.models import Article, User
from medcite.editorial.workflow import label

as_option = click.option("--as", "actor", required=True, metavar="USERNAME",
                         help="Act as this user (their role is checked).")


@contextmanager
def open_desk() -> Iterator[Desk]:
    with open_service() as service:
        yield Desk(service)


def acting(desk: Desk, username: str) -> User:
    user = desk.accounts.require(username)
    if user.disabled:
        raise UnauthorizedError(f"The account {username!r} is disabled.",
                                "Act as an enabled user.")
    return user


def print_article(article: Article) -> None:
    flag = f"  [yellow]needs re-review: {escape('; '.join(article.stale_reasons))}[/]" \
        if article.stale_reasons else ""
    out.print(f"[bold]{article.id}[/] {label(article.state):<18} v{article.current_version} "
              f"{escape(article.question)}{flag}", highlight=False)
