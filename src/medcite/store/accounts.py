"""Accounts' tables and their SQL: users, session and API tokens, and the failed logins
per (account, client address). :mod:`medcite.editorial.auth` holds the logic.

``ed_users`` and ``ed_tokens`` come with the other editorial tables (migration 6); the
accounts migration (:data:`ACCOUNTS_SCHEMA`) records who minted each token and replaces
the old failure log (``ed_login_failures``: one row per failure, counted per account and
per address apart) by one row per (account, address).
"""

from __future__ import annotations

from dataclasses import dataclass

from medcite.store.protocols import Database, Tx

ACCOUNTS_SCHEMA = """
ALTER TABLE ed_tokens ADD COLUMN minted_by TEXT;
UPDATE ed_tokens SET minted_by = (SELECT username FROM ed_users WHERE id = user_id)
    WHERE kind = 'session';
CREATE INDEX IF NOT EXISTS ed_tokens_user ON ed_tokens (user_id);
DROP TABLE IF EXISTS ed_login_failures;
CREATE TABLE IF NOT EXISTS ed_login_attempts (
    account TEXT NOT NULL,
    address TEXT NOT NULL,
    failures INTEGER NOT NULL,
    last_at REAL NOT NULL,
    blocked_until REAL NOT NULL,
    PRIMARY KEY (account, address)
);
"""
"""The accounts migration. Sessions were only ever minted by their owner's login, so they
get the owner as minter; older API tokens keep NULL: nobody knows who minted them."""

USER_COLUMNS = "id, username, name, credentials, role, disabled, created_at, password_hash"
TOKEN_COLUMNS = ("t.hash, u.username, t.kind, t.csrf, t.label, t.created_at, t.expires_at, "
                 "t.minted_by")

INSERT_USER = (
    "INSERT INTO ed_users (username, name, credentials, role, password_hash, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
SELECT_USER = f"SELECT {USER_COLUMNS} FROM ed_users WHERE username = ?"
SELECT_USERS = f"SELECT {USER_COLUMNS} FROM ed_users ORDER BY username"
DISABLE_USER = "UPDATE ed_users SET disabled = 1 WHERE id = ?"
SET_PASSWORD_HASH = "UPDATE ed_users SET password_hash = ? WHERE id = ?"

INSERT_TOKEN = (
    "INSERT INTO ed_tokens (hash, user_id, kind, csrf, label, created_at, expires_at, "
    "minted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_TOKENS = f"SELECT {TOKEN_COLUMNS} FROM ed_tokens t JOIN ed_users u ON u.id = t.user_id"
SELECT_TOKEN = f"{_TOKENS} WHERE t.hash = ? AND t.kind = ? AND u.disabled = 0"
SELECT_TOKENS = (f"{_TOKENS} WHERE (? IS NULL OR t.user_id = ?) AND "
                 "(t.expires_at IS NULL OR t.expires_at >= ?) ORDER BY t.created_at, t.hash")
SELECT_TOKENS_BY_PREFIX = f"{_TOKENS} WHERE t.hash LIKE ? || '%'"
DELETE_TOKEN = "DELETE FROM ed_tokens WHERE hash = ?"
DELETE_USER_TOKENS = "DELETE FROM ed_tokens WHERE user_id = ? AND hash != ?"
DELETE_EXPIRED_TOKENS = "DELETE FROM ed_tokens WHERE expires_at < ?"

SELECT_ATTEMPTS = ("SELECT failures, last_at, blocked_until FROM ed_login_attempts "
                   "WHERE account = ? AND address = ?")
UPSERT_ATTEMPTS = (
    "INSERT INTO ed_login_attempts (account, address, failures, last_at, blocked_until) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, address) DO UPDATE SET "
    "failures = excluded.failures, last_at = excluded.last_at, "
    "blocked_until = excluded.blocked_until"
)
DELETE_ATTEMPTS = "DELETE FROM ed_login_attempts WHERE account = ? AND address = ?"
FORGET_ATTEMPTS = "DELETE FROM ed_login_attempts WHERE last_at < ? AND blocked_until < ?"


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    name: str
    credentials: str
    role: str
    disabled: bool
    created_at: str
    password_hash: str


@dataclass(frozen=True)
class TokenRow:
    hash: str
    username: str
    kind: str
    csrf: str
    label: str
    created_at: str
    expires_at: float | None
    minted_by: str | None


@dataclass(frozen=True)
class AttemptsRow:
    """Failed logins of one account from one address: how many, the last, and until
    when the next is refused."""

    failures: int
    last_at: float
    blocked_until: float


def _user(row: tuple[object, ...]) -> UserRow:
    values = list(row)
    values[5] = bool(values[5])
    return UserRow(*values)  # type: ignore[arg-type]


class SQLiteAccountRepository:
    """Users, tokens and login attempts in the store's SQLite database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- users ---------------------------------------------------------------------------

    def add_user(self, tx: Tx, username: str, name: str, credentials: str, role: str,
                 password_hash: str, created_at: str) -> None:
        tx.execute(INSERT_USER, (username, name, credentials, role, password_hash, created_at))

    def user(self, username: str) -> UserRow | None:
        """The user, matching the name without regard to case."""
        row = self.db.conn.execute(SELECT_USER, (username,)).fetchone()
        return _user(row) if row else None

    def users(self) -> list[UserRow]:
        return [_user(row) for row in self.db.conn.execute(SELECT_USERS)]

    def disable_user(self, tx: Tx, user_id: int) -> None:
        tx.execute(DISABLE_USER, (user_id,))

    def set_password_hash(self, tx: Tx, user_id: int, password_hash: str) -> None:
        tx.execute(SET_PASSWORD_HASH, (password_hash, user_id))

    # -- tokens --------------------------------------------------------------------------

    def add_token(self, tx: Tx, token_hash: str, user_id: int, kind: str, csrf: str,
                  label: str, created_at: str, expires_at: float | None,
                  minted_by: str) -> None:
        tx.execute(INSERT_TOKEN, (token_hash, user_id, kind, csrf, label, created_at,
                                  expires_at, minted_by))

    def token(self, token_hash: str, kind: str) -> TokenRow | None:
        """A token of an enabled user (expired or not)."""
        row = self.db.conn.execute(SELECT_TOKEN, (token_hash, kind)).fetchone()
        return TokenRow(*row) if row else None

    def tokens(self, user_id: int | None, now: float) -> list[TokenRow]:
        """Live tokens: of one user, or (``None``) of everyone, oldest first."""
        return [TokenRow(*row) for row in
                self.db.conn.execute(SELECT_TOKENS, (user_id, user_id, now))]

    def tokens_by_prefix(self, prefix: str) -> list[TokenRow]:
        """Tokens whose hash starts with ``prefix`` (a token's public id)."""
        clean = "".join(c for c in prefix.lower() if c in "0123456789abcdef")
        return [TokenRow(*row) for row in
                self.db.conn.execute(SELECT_TOKENS_BY_PREFIX, (clean,))] if clean else []

    def delete_token(self, tx: Tx, token_hash: str) -> bool:
        return tx.execute(DELETE_TOKEN, (token_hash,)).rowcount > 0

    def delete_user_tokens(self, tx: Tx, user_id: int, keep_hash: str = "") -> int:
        """Delete every token of the user but ``keep_hash``; how many went."""
        return int(tx.execute(DELETE_USER_TOKENS, (user_id, keep_hash)).rowcount)

    def delete_expired_tokens(self, tx: Tx, now: float) -> None:
        tx.execute(DELETE_EXPIRED_TOKENS, (now,))

    # -- failed logins -------------------------------------------------------------------

    def attempts(self, tx: Tx, account: str, address: str) -> AttemptsRow | None:
        """Read inside the write transaction that will update it (check-and-count)."""
        row = tx.execute(SELECT_ATTEMPTS, (account, address)).fetchone()
        return AttemptsRow(*row) if row else None

    def put_attempts(self, tx: Tx, account: str, address: str, attempts: AttemptsRow) -> None:
        tx.execute(UPSERT_ATTEMPTS, (account, address, attempts.failures, attempts.last_at,
                                     attempts.blocked_until))

    def clear_attempts(self, tx: Tx, account: str, address: str) -> None:
        tx.execute(DELETE_ATTEMPTS, (account, address))

    def forget_attempts(self, tx: Tx, before: float, now: float) -> None:
        """Drop pairs whose last failure is older than ``before`` and that block nothing."""
        tx.execute(FORGET_ATTEMPTS, (before, now))
