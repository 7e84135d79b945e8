"""Passwords, tokens, sessions and login throttling."""

from __future__ import annotations

import pytest

from medcite.editorial.auth import (
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_CLIENT,
    THROTTLE_WINDOW,
    Accounts,
    hash_password,
    verify_password,
)
from medcite.editorial.desk import Desk
from medcite.editorial.errors import ThrottledError, UnauthorizedError
from medcite.errors import InvalidRequestError
from medcite.service import Medcite
from tests.editorial.conftest import PASSWORD


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_hashes_are_salted_slow_and_verifiable() -> None:
    one, two = hash_password("a long passphrase"), hash_password("a long passphrase")
    assert one != two and one.startswith("scrypt$16384$8$1$")
    assert verify_password("a long passphrase", one)
    assert not verify_password("a long passphrasE", one)
    assert not verify_password("a long passphrase", "md5$abc")


def test_the_store_keeps_no_password_or_token_in_clear(ed_service: Medcite) -> None:
    accounts = Accounts(ed_service.store)
    token, _ = accounts.new_token(accounts.require("rita"), "api")
    dump = "\n".join(ed_service.store.conn.iterdump())
    assert PASSWORD not in dump and token not in dump


def test_add_validates(ed_service: Medcite) -> None:
    accounts = Accounts(ed_service.store)
    with pytest.raises(InvalidRequestError, match="shorter"):
        accounts.add("newbie", "New", "editor", "short")
    with pytest.raises(InvalidRequestError, match="exists"):
        accounts.add("RITA", "Rita again", "reviewer", PASSWORD)  # usernames ignore case
    with pytest.raises(InvalidRequestError, match="role"):
        accounts.add("boss", "Boss", "owner", PASSWORD)
    with pytest.raises(InvalidRequestError, match="username"):
        accounts.add("a b", "Spaces", "reader", PASSWORD)


def test_authenticate_and_tokens(ed_service: Medcite) -> None:
    clock = Clock()
    accounts = Accounts(ed_service.store, clock)
    user = accounts.authenticate("rita", PASSWORD, "10.0.0.1")
    assert user.role == "reviewer"
    with pytest.raises(UnauthorizedError):
        accounts.authenticate("rita", "wrong password", "10.0.0.1")
    with pytest.raises(UnauthorizedError):
        accounts.authenticate("nobody", PASSWORD, "10.0.0.1")
    token, csrf = accounts.new_token(user, "session", seconds=60)
    found = accounts.lookup(token, "session")
    assert found is not None and found[0].username == "rita" and found[1] == csrf
    assert accounts.lookup(token, "api") is None  # a session is not an API token
    clock.now += 61
    assert accounts.lookup(token, "session") is None  # expired
    api, _ = accounts.new_token(user, "api")
    assert accounts.revoke(api, "rita")
    assert accounts.lookup(api, "api") is None


def test_disabling_revokes_everything(ed_service: Medcite) -> None:
    accounts = Accounts(ed_service.store)
    token, _ = accounts.new_token(accounts.require("ravi"), "api")
    accounts.disable("ravi", "ada")
    assert accounts.lookup(token, "api") is None
    with pytest.raises(UnauthorizedError):
        accounts.authenticate("ravi", PASSWORD)


def test_failed_logins_are_throttled_per_account(ed_service: Medcite) -> None:
    clock = Clock()
    accounts = Accounts(ed_service.store, clock)
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        with pytest.raises(UnauthorizedError):
            accounts.authenticate("rita", "guess", f"10.0.0.{_}")
    with pytest.raises(ThrottledError, match="minutes"):
        accounts.authenticate("rita", PASSWORD, "10.9.9.9")  # even the right password
    accounts.authenticate("erin", PASSWORD, "10.9.9.9")  # other accounts are not locked
    clock.now += THROTTLE_WINDOW + 1
    assert accounts.authenticate("rita", PASSWORD).username == "rita"


def test_failed_logins_are_throttled_per_client(ed_service: Medcite) -> None:
    accounts = Accounts(ed_service.store, Clock())
    for i in range(MAX_FAILURES_PER_CLIENT):
        with pytest.raises(UnauthorizedError):
            accounts.authenticate(f"user{i}", "guess", "10.6.6.6")
    with pytest.raises(ThrottledError):
        accounts.authenticate("erin", PASSWORD, "10.6.6.6")
    assert accounts.authenticate("erin", PASSWORD, "10.7.7.7").username == "erin"


def test_logins_are_audited(desk: Desk) -> None:
    desk.accounts.authenticate("erin", PASSWORD, "10.0.0.1")
    with pytest.raises(UnauthorizedError):
        desk.accounts.authenticate("erin", "nope", "10.0.0.1")
    from medcite.editorial import audit

    actions = [(e.actor, e.action) for e in audit.events(desk.store.conn)]
    assert actions[-2:] == [("erin", "login"), ("erin", "login.failed")]
