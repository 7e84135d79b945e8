"""``medcite users ...``: accounts of editors, reviewers, readers and administrators."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from medcite.cli.common import emit_json as emit
from medcite.cli.common import err, json_option, out
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
    out.print(f"added {user.username} ({user.role})", markup=False)


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
        out.print(f"{u.username:<16} {u.role:<9} {state:<9} {u.display}", markup=False,
                  highlight=False)


@users.command("disable")
@click.argument("username")
@as_option
def users_disable(username: str, actor: str) -> None:
    """Disable an account and revoke its sessions and tokens."""
    with open_desk() as desk:
        admin = require(acting(desk, actor), "users.manage")
        desk.accounts.disable(username, admin.username)
    out.print(f"disabled {username}", markup=False)


@users.command("token")
@click.argument("username")
@as_option
@click.option("--label", default="cli", help="What the token is for.")
@click.option("--days", type=click.IntRange(1, 3650),
              help="Expire after this many days (default: the accounts.token_days setting).")
def users_token(username: str, actor: str, label: str, days: int | None) -> None:
    """Print a new API token (Bearer) for USERNAME: yourself, or anyone as an admin. A
    token an admin mints for someone else cannot approve or reject articles."""
    with open_desk() as desk:
        me = acting(desk, actor)
        if me.username.lower() != username.lower():
            require(me, "users.manage")
        days = days or desk.service.settings.accounts.token_days
        token, _ = desk.accounts.new_token(acting(desk, username), "api", label, days * 86400,
                                           minted_by=me)
    click.echo(token)
    err.print(f"expires in {days} day{'s' if days != 1 else ''}; "
              "see `medcite users tokens` for its id", highlight=False)


@users.command("tokens")
@click.argument("username", required=False)
@as_option
@json_option
def users_tokens(username: str | None, actor: str, as_json: bool) -> None:
    """List live tokens (never their secrets): yours, USERNAME's (admins), or, for an
    admin without USERNAME, everyone's."""
    with open_desk() as desk:
        found = desk.accounts.tokens(acting(desk, actor), username)
    if as_json:
        emit([t.model_dump() for t in found])
        return
    table = Table("id", "user", "kind", "label", "created", "expires", "minted by",
                  box=None, pad_edge=False)
    for t in found:
        table.add_row(t.id, escape(t.username), t.kind, escape(t.label), t.created_at,
                      t.expires_at or "never", escape(t.minted_by or "unknown"))
    out.print(table if found else "no live tokens")


@users.command("revoke")
@click.argument("token_id", metavar="TOKEN-ID")
@as_option
def users_revoke(token_id: str, actor: str) -> None:
    """Revoke a token or session by its id (see `medcite users tokens`): admins any,
    everyone else their own."""
    with open_desk() as desk:
        gone = desk.accounts.revoke_id(acting(desk, actor), token_id)
    out.print(f"revoked {gone.kind} {gone.id} of {escape(gone.username)}"
              f"{' (' + escape(gone.label) + ')' if gone.label else ''}", highlight=False)


@users.command("passwd")
@click.argument("username")
@click.option("--as", "actor", metavar="USERNAME",
              help="An admin resetting USERNAME's password (no current password needed).")
@click.option("--current", help="The current password (prompted for when needed).")
@click.option("--new", "new", help="The new password (prompted for, twice, when not given).")
def users_passwd(username: str, actor: str | None, current: str | None,
                 new: str | None) -> None:
    """Change USERNAME's password (knowing the current one), or reset it as an admin.
    Every session and API token of USERNAME is revoked."""
    with open_desk() as desk:
        user = acting(desk, username)
        admin = None
        if actor is not None and actor.lower() != username.lower():
            admin = require(acting(desk, actor), "users.manage")
        elif current is None:
            current = click.prompt("Current password", hide_input=True)
        if new is None:
            new = click.prompt("New password", hide_input=True, confirmation_prompt=True)
        assert new is not None
        if admin is not None:
            revoked = desk.accounts.set_password(user, new, admin)
        else:
            assert current is not None
            revoked = desk.accounts.change_password(user, current, new)
    out.print(f"password changed for {user.username}; {revoked} session(s) and token(s) "
              "revoked", markup=False, highlight=False)
