"""Passwords, tokens, sessions and login backoff, over a real store."""

from __future__ import annotations

import base64
import hashlib
import threading
from datetime import datetime
from pathlib import Path

import pytest

from medcite.editorial import audit
from medcite.editorial.auth import Accounts, Credential, token_hash
from medcite.editorial.desk import Desk
from medcite.editorial.errors import ForbiddenError, ThrottledError, UnauthorizedError
from medcite.editorial.passwords import hash_password, needs_rehash, verify_password
from medcite.editorial.throttle import BASE_DELAY_SECONDS, FREE_FAILURES, MAX_DELAY_SECONDS
from medcite.errors import InvalidRequestError, NotFoundError
from medcite.service import Medcite
from medcite.settings import load_settings
from medcite.store.migrations import MIGRATIONS
from medcite.store.sqlite import SQLiteStore
from tests.editorial.conftest import PASSWORD

NEW_PASSWORD = "a different long passphrase"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def legacy_scrypt_hash(password: str) -> str:
    """A hash as medcite wrote them before argon2id (scrypt, N=2^14)."""
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${b64(salt)}${b64(digest)}"


def stored_hash(accounts: Accounts, username: str) -> str:
    row = accounts.repo.user(username)
    assert row is not None
    return row.password_hash


def test_hashes_are_argon2id_at_owasp_cost_salted_and_verifiable() -> None:
    one, two = hash_password("a long passphrase"), hash_password("a long passphrase")
    assert one != two and one.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password("a long passphrase", one) and not needs_rehash(one)
    assert not verify_password("a long passphrasE", one)
    assert not verify_password("a long passphrase", "md5$abc")
    assert not verify_password("a long passphrase", "$argon2id$broken")


def test_an_old_scrypt_hash_logs_in_and_is_upgraded(ed_service: Medcite) -> None:
    accounts = Accounts(ed_service.store)
    user = accounts.require("rita")
    with ed_service.store.transaction() as tx:
        accounts.repo.set_password_hash(tx, user.id, legacy_scrypt_hash(PASSWORD))
    assert needs_rehash(stored_hash(accounts, "rita"))
    with pytest.raises(UnauthorizedError):
        accounts.authenticate("rita", "not the password", "10.0.0.1")
    assert stored_hash(accounts, "rita").startswith("scrypt$")  # a failure upgrades nothing
    assert accounts.authenticate("rita", PASSWORD, "10.0.0.1").username == "rita"
    upgraded = stored_hash(accounts, "rita")
    assert upgraded.startswith("$argon2id$") and not needs_rehash(upgraded)
    assert verify_password(PASSWORD, upgraded)
    assert accounts.authenticate("rita", PASSWORD, "10.0.0.1").username == "rita"
    logins = [e for e in audit.events(ed_service.store) if e.action == "login"]
    assert [e.detail["rehashed"] for e in logins[-2:]] == [True, False]


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
    assert found is not None and found.user.username == "rita" and found.csrf == csrf
    assert found.minted_by == "rita" and not found.delegated
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


# -- backoff -------------------------------------------------------------------------------

def test_concurrent_guesses_are_counted_atomically(ed_service: Medcite) -> None:
    """30 wrong passwords at once from one address: only the free ones are checked."""
    accounts = Accounts(ed_service.store)
    start = threading.Barrier(30)
    outcomes: list[str] = []
    lock = threading.Lock()

    def guess(i: int) -> None:
        start.wait()
        try:
            accounts.authenticate("rita", f"wrong guess {i}", "203.0.113.7")
            outcome = "ok"
        except ThrottledError:
            outcome = "429"
        except UnauthorizedError:
            outcome = "401"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["401"] * FREE_FAILURES + ["429"] * (30 - FREE_FAILURES)
    failed = [e for e in audit.events(ed_service.store) if e.action == "login.failed"]
    assert len(failed) == FREE_FAILURES  # the refused ones never reached a password check


def test_backoff_is_per_account_and_address_and_grows(ed_service: Medcite) -> None:
    clock = Clock()
    accounts = Accounts(ed_service.store, clock)
    attacker, owner = "203.0.113.7", "198.51.100.2"
    for i in range(FREE_FAILURES):
        with pytest.raises(UnauthorizedError):
            accounts.authenticate("rita", f"guess {i}", attacker)
    with pytest.raises(ThrottledError, match="1 minute") as refused:
        accounts.authenticate("rita", PASSWORD, attacker)  # even the right password
    assert refused.value.retry_after == BASE_DELAY_SECONDS
    assert refused.value.headers == {"Retry-After": str(int(BASE_DELAY_SECONDS))}
    # the owner, from their own address, is not locked out; nor is anyone else
    assert accounts.authenticate("rita", PASSWORD, owner).username == "rita"
    assert accounts.authenticate("erin", PASSWORD, attacker).username == "erin"
    waits = []
    for _ in range(6):
        with pytest.raises(ThrottledError) as refused:
            accounts.authenticate("rita", "another guess", attacker)
        waits.append(refused.value.retry_after)
        clock.now += refused.value.retry_after
        with pytest.raises(UnauthorizedError):
            accounts.authenticate("rita", "another guess", attacker)  # one try, then wait
    assert waits == [60, 120, 240, 480, 900, 900]  # doubling, at most MAX_DELAY_SECONDS
    assert max(waits) == MAX_DELAY_SECONDS
    clock.now += MAX_DELAY_SECONDS
    assert accounts.authenticate("rita", PASSWORD, attacker).username == "rita"
    with pytest.raises(UnauthorizedError):  # a success started the count afresh
        accounts.authenticate("rita", "guess", attacker)


def test_many_people_behind_one_address_do_not_lock_each_other_out(
        ed_service: Medcite) -> None:
    """Before, 20 failures from one address locked every account from it."""
    accounts = Accounts(ed_service.store, Clock())
    for i in range(25):
        with pytest.raises(UnauthorizedError):
            accounts.authenticate(f"user{i}", "guess", "10.6.6.6")
    assert accounts.authenticate("erin", PASSWORD, "10.6.6.6").username == "erin"


def test_logins_are_audited(desk: Desk) -> None:
    desk.accounts.authenticate("erin", PASSWORD, "10.0.0.1")
    with pytest.raises(UnauthorizedError):
        desk.accounts.authenticate("erin", "nope", "10.0.0.1")
    actions = [(e.actor, e.action) for e in audit.events(desk.store)]
    assert actions[-2:] == [("erin", "login"), ("erin", "login.failed")]


# -- tokens --------------------------------------------------------------------------------

def test_api_tokens_expire_by_default(ed_service: Medcite) -> None:
    clock = Clock()
    accounts = Accounts(ed_service.store, clock, token_days=7)
    token, _ = accounts.new_token(accounts.require("rita"), "api", "laptop")
    clock.now += 7 * 86400 - 1
    assert accounts.lookup(token, "api") is not None
    clock.now += 2
    assert accounts.lookup(token, "api") is None


def test_a_token_minted_for_someone_else_is_audited_as_the_minter(ed_service: Medcite) -> None:
    accounts = Accounts(ed_service.store)
    ada, rita = accounts.require("ada"), accounts.require("rita")
    token, _ = accounts.new_token(rita, "api", "for rita", minted_by=ada)
    event = audit.events(ed_service.store)[-1]
    assert (event.actor, event.action, event.detail["owner"]) == ("ada", "token.create", "rita")
    assert event.detail["expires_at"] and event.detail["token_id"]
    found = accounts.lookup(token, "api")
    assert isinstance(found, Credential) and found.user.username == "rita"
    assert found.minted_by == "ada" and found.delegated
    own, _ = accounts.new_token(rita, "api", "mine")
    mine = accounts.lookup(own, "api")
    assert mine is not None and not mine.delegated


def test_tokens_are_listed_without_secrets_and_revoked_by_id(ed_service: Medcite) -> None:
    accounts = Accounts(ed_service.store)
    ada, rita, ravi = (accounts.require(n) for n in ("ada", "rita", "ravi"))
    rita_token, _ = accounts.new_token(rita, "api", "rita's laptop")
    ravi_token, _ = accounts.new_token(ravi, "api", "for ravi", minted_by=ada)
    mine = accounts.tokens(rita)
    assert [(t.username, t.label, t.minted_by) for t in mine] == [
        ("rita", "rita's laptop", "rita")]
    assert mine[0].expires_at and rita_token not in mine[0].model_dump_json()
    everyone = accounts.tokens(ada)
    assert {t.username for t in everyone} == {"rita", "ravi"}
    assert [t.minted_by for t in accounts.tokens(ada, "ravi")] == ["ada"]
    with pytest.raises(ForbiddenError):
        accounts.tokens(rita, "ravi")  # only admins see other people's
    ravi_id = accounts.tokens(ravi)[0].id
    with pytest.raises(NotFoundError):
        accounts.revoke_id(rita, ravi_id)  # not hers
    assert accounts.lookup(ravi_token, "api") is not None
    assert accounts.revoke_id(rita, mine[0].id).label == "rita's laptop"  # her own
    assert accounts.lookup(rita_token, "api") is None
    assert accounts.revoke_id(ada, ravi_id).username == "ravi"  # admins revoke any
    assert accounts.lookup(ravi_token, "api") is None
    event = audit.events(ed_service.store)[-1]
    assert (event.actor, event.action, event.detail["owner"]) == ("ada", "token.revoke", "ravi")
    with pytest.raises(NotFoundError):
        accounts.revoke_id(ada, ravi_id)  # gone


# -- passwords -----------------------------------------------------------------------------

def test_changing_a_password_needs_the_current_one_and_revokes_other_tokens(
        ed_service: Medcite) -> None:
    accounts = Accounts(ed_service.store)
    rita = accounts.require("rita")
    keep, _ = accounts.new_token(rita, "api", "in use")
    other, _ = accounts.new_token(rita, "api", "elsewhere")
    session, _ = accounts.new_token(rita, "session", seconds=600)
    with pytest.raises(UnauthorizedError):
        accounts.change_password(rita, "not my password", NEW_PASSWORD, "10.0.0.1", keep)
    with pytest.raises(InvalidRequestError, match="shorter"):
        accounts.change_password(rita, PASSWORD, "short", "10.0.0.1", keep)
    assert accounts.change_password(rita, PASSWORD, NEW_PASSWORD, "10.0.0.1", keep) == 2
    assert accounts.lookup(keep, "api") is not None
    assert accounts.lookup(other, "api") is None and accounts.lookup(session, "session") is None
    with pytest.raises(UnauthorizedError):
        accounts.authenticate("rita", PASSWORD, "10.0.0.2")
    assert accounts.authenticate("rita", NEW_PASSWORD, "10.0.0.2").username == "rita"
    actions = [(e.actor, e.action) for e in audit.events(ed_service.store)]
    assert ("rita", "password.check.failed") in actions and ("rita", "password.change") in actions


def test_wrong_current_passwords_back_off_like_logins(ed_service: Medcite) -> None:
    accounts = Accounts(ed_service.store, Clock())
    rita = accounts.require("rita")
    for i in range(FREE_FAILURES):
        with pytest.raises(UnauthorizedError):
            accounts.change_password(rita, f"guess {i}", NEW_PASSWORD, "10.0.0.9")
    with pytest.raises(ThrottledError):
        accounts.change_password(rita, PASSWORD, NEW_PASSWORD, "10.0.0.9")


def test_an_older_store_is_upgraded_and_its_unattributed_tokens_are_delegated(
        tmp_path: Path) -> None:
    """The accounts migration on a store as migration 7 left it: sessions get their owner
    as minter; API tokens of unknown origin count as delegated (they cannot approve or
    reject); the old failure log is replaced."""
    home = tmp_path / "home"
    older = SQLiteStore(home, MIGRATIONS[:7])
    with older.transaction() as tx:
        tx.execute("INSERT INTO ed_users (id, username, name, role, password_hash, "
                   "created_at) VALUES (1, 'rita', 'Rita', 'reviewer', ?, '')",
                   (legacy_scrypt_hash(PASSWORD),))
        tx.executemany("INSERT INTO ed_tokens (hash, user_id, kind, created_at) "
                       "VALUES (?, 1, ?, '')",
                       [(token_hash("old session"), "session"), (token_hash("old api"), "api")])
        tx.execute("INSERT INTO ed_login_failures (key, at) VALUES ('user:rita', 1.0)")
    older.close()
    store = SQLiteStore(home)
    try:
        accounts = Accounts(store)
        session, api = accounts.lookup("old session", "session"), accounts.lookup("old api", "api")
        assert session is not None and session.minted_by == "rita" and not session.delegated
        assert api is not None and api.minted_by is None and api.delegated
        for i in range(FREE_FAILURES):
            with pytest.raises(UnauthorizedError):
                accounts.authenticate("rita", f"guess {i}", "10.0.0.1")
        with pytest.raises(ThrottledError):
            accounts.authenticate("rita", PASSWORD, "10.0.0.1")
        assert accounts.authenticate("rita", PASSWORD, "10.0.0.2").username == "rita"
        assert stored_hash(accounts, "rita").startswith("$argon2id$")
    finally:
        store.close()


def test_the_desk_mints_tokens_for_the_configured_lifetime(tmp_path: Path) -> None:
    service = Medcite(load_settings(tmp_path, embedder={"kind": "none"},
                                    accounts={"token_days": 7}))
    with service:
        desk = Desk(service)
        user = desk.accounts.add("tess", "Tess Token", "reviewer", "a long enough password 1")
        token, _ = desk.accounts.new_token(user)
        [info] = desk.accounts.tokens(user)
        credential = desk.accounts.lookup(token, "api")
        assert credential is not None
        assert info.expires_at is not None
        days = (datetime.fromisoformat(info.expires_at) - datetime.fromisoformat(info.created_at))
        assert round(days.total_seconds() / 86400) == 7
