"""``medcite users ...``: accounts of editors, reviewers, readers and administrators."""

from __future__ import annotations

import click

from medcite.cli.common import emit_json as emit
from medcite.cli.common import json_option, out
from medcite.cli.editorial import acting, as_option, open_desk
from medcite.editorial.models import ROLES
from medcite.editorial.workflow import require
from medcite.errors import InvalidRequestError

# -- users ------------------------------------------------------------------------------

@click.group()
def users() -> None:
    """Accounts of editors, reviewers, readers and administrators."""


@users.command("add")
@click.argument("username")
@click.option("--name", required=True, help="Full name, as shown with approvals.")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--credentials", default="", help="e.g. 'MD, FACP' (shown with approvals).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when not given.")
@click.option("--as", "actor", metavar="USERNAME",
              help="The admin adding the account (not needed for the very first one).")
def users_add(username: str, name: str, role: str, credentials: str, password: str,
              actor: str | None) -> None:
    """Add an account. The first account must be an admin and needs no --as."""
    with open_desk() as desk:
        if desk.accounts.users():
            if actor is None:
                raise InvalidRequestError("Adding an account needs --as ADMIN.",
                                          "Name the administrator who adds it.")
            require(acting(desk, actor), "users.manage")
        elif role != "admin":
            raise InvalidRequestError("The first account must be an admin.",
                                      "Add it with --role admin.")
        user = desk.accounts.add(username, name, role, password, credentials, actor or "cli")
    out.print(f"added {user.username} ({user.role})")


@users.command("list")
@json_option
def users_list(as_json: bool) -> None:
    """List accounts (no secrets are shown)."""
    with open_desk() as desk:
        found = desk.accounts.users()
    if as_json:
        emit([u.model_dump() for u in found])
        return
    for u in found:
        state = "disabled" if u.disabled else "active"
        out.print(f"{u.username:<16} {u.role:<9} {state:<9} {u.display}", highlight=False)


@users.command("disable")
@click.argument("username")
@as_option
def users_disable(username: str, actor: str) -> None:
    """Disable an account and revoke its sessions and tokens."""
    with open_desk() as desk:
        admin = require(acting(desk, actor), "users.manage")
        desk.accounts.disable(username, admin.username)
    out.print(f"disabled {username}")


@users.command("token")
@click.argument("username")
@as_option
@click.option("--label", default="cli", help="What the token is for.")
@click.option("--days", type=click.IntRange(1, 3650), help="Expire after this many days.")
def users_token(username: str, actor: str, label: str, days: int | None) -> None:
    """Print a new API token (Bearer) for USERNAME: yourself, or anyone as an admin."""
    with open_desk() as desk:
        me = acting(desk, actor)
        if me.username.lower() != username.lower():
            require(me, "users.manage")
        token, _ = desk.accounts.new_token(acting(desk, username), "api", label,
                                           days * 86400 if days else None)
    click.echo(token)
