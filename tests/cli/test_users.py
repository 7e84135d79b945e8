"""``medcite users ...`` (add, list, disable, token, tokens, revoke, passwd), in-process
through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path
from shutil import copytree

from medcite.editorial import audit
from medcite.editorial.auth import Accounts
from medcite.service import Medcite
from tests.cli.conftest import run_cli
from tests.editorial.conftest import PASSWORD, Prepared

NEW_PASSWORD = "a different long passphrase"


def test_users_bootstrap_add_list_disable(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, _, err = run_cli(home, "users", "add", "erin", "--name", "Erin", "--role", "editor",
                           "--password", PASSWORD)
    assert code == 2 and "first account must be an admin" in err
    code, out, _ = run_cli(home, "users", "add", "ada", "--name", "Ada Admin", "--role", "admin",
                           "--password", PASSWORD)
    assert code == 0 and "added ada (admin)" in out
    code, _, err = run_cli(home, "users", "add", "rita", "--name", "Rita", "--role", "reviewer",
                           "--password", PASSWORD)
    assert code == 2 and "--as ADMIN" in err
    code, _, _ = run_cli(home, "users", "add", "rita", "--name", "Rita Roe", "--role",
                         "reviewer", "--credentials", "MD, FACP", "--password", PASSWORD,
                         "--as", "ada")
    assert code == 0
    code, _, err = run_cli(home, "users", "add", "rex", "--name", "Rex", "--role", "reader",
                           "--password", PASSWORD, "--as", "rita")
    assert code == 7 and "does not allow" in err  # a reviewer cannot manage users
    code, out, _ = run_cli(home, "users", "list", "--json")
    listed = {u["username"]: u for u in json.loads(out)}
    assert listed["rita"]["credentials"] == "MD, FACP" and not listed["rita"]["disabled"]
    assert "password" not in out
    code, _, err = run_cli(home, "users", "disable", "ada", "--as", "rita")
    assert code == 7
    code, out, _ = run_cli(home, "users", "disable", "rita", "--as", "ada")
    assert code == 0
    code, out, _ = run_cli(home, "users", "list")
    assert "rita" in out and "disabled" in out
    code, _, err = run_cli(home, "review", "queue", "--as", "rita")
    assert code == 7 and "disabled" in err


def test_users_token_works_for_the_api(prepared: Prepared, tmp_path: Path) -> None:
    home = Path(copytree(prepared.home, tmp_path / "home"))
    code, out, _ = run_cli(home, "users", "token", "rita", "--as", "rita", "--days", "1")
    token = out.strip()
    assert code == 0 and len(token) > 30
    code, _, _ = run_cli(home, "users", "token", "ravi", "--as", "rita")
    assert code == 7  # only admins issue tokens for others
    with Medcite.open(home) as service:
        found = Accounts(service.store).lookup(token, "api")
        assert found is not None and found[0].username == "rita"


def test_tokens_are_minted_listed_and_revoked(prepared: Prepared, tmp_path: Path) -> None:
    home = Path(copytree(prepared.home, tmp_path / "home"))
    code, out, err = run_cli(home, "users", "token", "rita", "--as", "ada", "--label", "ci")
    minted = out.strip()
    assert code == 0 and "expires in 90 days" in err  # the accounts.token_days default
    with Medcite.open(home) as service:
        found = Accounts(service.store).lookup(minted, "api")
        assert found is not None and found.minted_by == "ada" and found.delegated
        event = audit.events(service.store)[-1]
        assert (event.actor, event.action, event.detail["owner"]) == ("ada", "token.create",
                                                                      "rita")
    code, out, _ = run_cli(home, "users", "tokens", "--as", "rita", "--json")
    listed = json.loads(out)
    assert code == 0 and {t["username"] for t in listed} == {"rita"}
    assert minted not in out and all(t["expires_at"] for t in listed)
    ours = next(t for t in listed if t["label"] == "ci")
    assert ours["minted_by"] == "ada"
    code, out, _ = run_cli(home, "users", "tokens", "--as", "ada")
    assert code == 0 and "ci" in out and "ada" in out and minted not in out
    code, _, err = run_cli(home, "users", "tokens", "erin", "--as", "rita")
    assert code == 7  # only admins list other people's tokens
    erin_id = json.loads(run_cli(home, "users", "tokens", "erin", "--as", "ada", "--json")[1]
                         )[0]["id"]
    code, _, err = run_cli(home, "users", "revoke", erin_id, "--as", "rita")
    assert code == 5 and "users tokens" in err  # not hers
    code, out, _ = run_cli(home, "users", "revoke", ours["id"], "--as", "rita")
    assert code == 0 and f"revoked api {ours['id']} of rita" in out
    code, out, _ = run_cli(home, "users", "revoke", erin_id, "--as", "ada")
    assert code == 0 and "of erin" in out  # admins revoke anyone's
    with Medcite.open(home) as service:
        accounts = Accounts(service.store)
        assert accounts.lookup(minted, "api") is None
        assert accounts.lookup(prepared.tokens["editor"], "api") is None
        assert accounts.lookup(prepared.tokens["reviewer"], "api") is not None


def test_token_days_come_from_the_setting(prepared: Prepared, tmp_path: Path) -> None:
    home = Path(copytree(prepared.home, tmp_path / "home"))
    (home / "settings.toml").write_text("[accounts]\ntoken_days = 3\n")
    code, _, err = run_cli(home, "users", "token", "rita", "--as", "rita")
    assert code == 0 and "expires in 3 days" in err
    (home / "settings.toml").write_text("[accounts]\ntoken_days = 0\n")
    code, _, err = run_cli(home, "users", "token", "rita", "--as", "rita")
    assert code == 2 and "accounts.token_days" in err


def test_passwd_changes_with_the_current_password_or_an_admin_reset(
        prepared: Prepared, tmp_path: Path) -> None:
    home = Path(copytree(prepared.home, tmp_path / "home"))
    code, _, err = run_cli(home, "users", "passwd", "rita", "--current", "not it",
                           "--new", NEW_PASSWORD)
    assert code == 7 and "Wrong username or password" in err
    code, out, _ = run_cli(home, "users", "passwd", "rita", "--current", PASSWORD,
                           "--new", NEW_PASSWORD)
    assert code == 0 and "password changed for rita" in out
    with Medcite.open(home) as service:
        accounts = Accounts(service.store)
        assert accounts.authenticate("rita", NEW_PASSWORD).username == "rita"
        assert accounts.lookup(prepared.tokens["reviewer"], "api") is None  # revoked
    code, _, _ = run_cli(home, "users", "passwd", "ravi", "--as", "rita", "--new",
                         NEW_PASSWORD)
    assert code == 7  # a reviewer cannot reset someone else's password
    code, out, _ = run_cli(home, "users", "passwd", "ravi", "--as", "ada", "--new",
                           NEW_PASSWORD)
    assert code == 0
    with Medcite.open(home) as service:
        assert Accounts(service.store).authenticate("ravi", NEW_PASSWORD).username == "ravi"
