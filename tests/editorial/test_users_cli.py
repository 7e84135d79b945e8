"""``medcite users token/tokens/revoke/passwd``, in-process through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path
from shutil import copytree

from medcite.editorial import audit
from medcite.editorial.auth import Accounts
from medcite.service import Medcite
from tests.editorial.conftest import PASSWORD, Prepared
from tests.editorial.test_cli import run_cli

NEW_PASSWORD = "a different long passphrase"


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
