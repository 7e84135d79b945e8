"""Accounts, passwords, sessions and API tokens, and brute-force login throttling.

Passwords are hashed with scrypt (stdlib ``hashlib``; N=2^14, r=8, p=1, a random 16-byte
salt each), so a stolen database does not reveal them cheaply. Session and API tokens are
random 32-byte strings; only their SHA-256 is stored. Failed logins are counted per
account and per client address in the database (so every server process sees them);
past the limit, logins are refused until the window has passed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any

from medcite.editorial import audit
from medcite.editorial.errors import ThrottledError, UnauthorizedError
from medcite.editorial.models import ROLES, User
from medcite.errors import InvalidRequestError, NotFoundError
from medcite.store.editorial import USER_COLUMNS, ensure_schema
from medcite.store.sqlite import SQLiteStore

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSWORD_CHARS = 10
SESSION_SECONDS = 12 * 3600
LOGIN_TOKEN_SECONDS = 30 * 24 * 3600
THROTTLE_WINDOW = 15 * 60
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_CLIENT = 20
_DUMMY_HASH: list[str] = []  # computed once: unknown users cost as much as known ones


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` for ``password``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    found = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
                           dklen=len(_unb64(digest)))
    return hmac.compare_digest(found, _unb64(digest))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row: tuple[Any, ...]) -> User:
    values = dict(zip(USER_COLUMNS.split(", "), row, strict=True))
    values["disabled"] = bool(values["disabled"])
    return User.model_validate(values)


class Accounts:
    """Users and their credentials, over the store's database."""

    def __init__(self, store: SQLiteStore, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        ensure_schema(store)

    # -- users -------------------------------------------------------------------------

    def add(self, username: str, name: str, role: str, password: str, credentials: str = "",
            actor: str = "cli") -> User:
        username = username.strip()
        if not username or not username.replace("-", "").replace("_", "").replace(".", "") \
                .isalnum():
            raise InvalidRequestError(f"Invalid username {username!r}.",
                                      "Use letters, digits, '.', '-' and '_'.")
        if role not in ROLES:
            raise InvalidRequestError(f"Unknown role {role!r}.", f"Use one of {', '.join(ROLES)}.")
        if len(password) < MIN_PASSWORD_CHARS:
            raise InvalidRequestError(
                f"The password is shorter than {MIN_PASSWORD_CHARS} characters.",
                "Choose a longer one (a passphrase of several words is good).")
        if self.get(username) is not None:
            raise InvalidRequestError(f"The user {username!r} exists already.",
                                      "Choose another username, or disable the old one.")
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO ed_users (username, name, credentials, role, password_hash, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (username, name.strip() or username, credentials.strip(), role,
                 hash_password(password), audit.now_iso()))
            audit.record(conn, actor, "user.add", username=username, role=role)
        user = self.get(username)
        assert user is not None
        return user

    def get(self, username: str) -> User | None:
        row = self.store.conn.execute(
            f"SELECT {USER_COLUMNS} FROM ed_users WHERE username = ?", (username,)).fetchone()
        return _user(row) if row else None

    def require(self, username: str) -> User:
        user = self.get(username)
        if user is None:
            raise NotFoundError(f"No user {username!r}.", "See `medcite users list`.")
        return user

    def users(self) -> list[User]:
        return [_user(r) for r in self.store.conn.execute(
            f"SELECT {USER_COLUMNS} FROM ed_users ORDER BY username")]

    def disable(self, username: str, actor: str = "cli") -> User:
        """Disable an account and revoke its sessions and tokens."""
        user = self.require(username)
        with self.store.transaction() as conn:
            conn.execute("UPDATE ed_users SET disabled = 1 WHERE id = ?", (user.id,))
            conn.execute("DELETE FROM ed_tokens WHERE user_id = ?", (user.id,))
            audit.record(conn, actor, "user.disable", username=user.username)
        return self.require(username)

    # -- login -------------------------------------------------------------------------

    def authenticate(self, username: str, password: str, client: str = "") -> User:
        """The user, if the password is right and neither the account nor the client is
        throttled; every failure counts towards both limits."""
        keys = {f"user:{username.strip().lower()}": MAX_FAILURES_PER_ACCOUNT}
        if client:
            keys[f"client:{client}"] = MAX_FAILURES_PER_CLIENT
        now = self.clock()
        for key, limit in keys.items():
            failures = self.store.conn.execute(
                "SELECT COUNT(*), MIN(at) FROM ed_login_failures WHERE key = ? AND at > ?",
                (key, now - THROTTLE_WINDOW)).fetchone()
            if failures[0] >= limit:
                wait = max(1, int((failures[1] + THROTTLE_WINDOW - now) // 60) + 1)
                raise ThrottledError("Too many failed logins.",
                                     f"Try again in {wait} minute{'s' if wait > 1 else ''}.")
        row = self.store.conn.execute(
            f"SELECT {USER_COLUMNS}, password_hash FROM ed_users WHERE username = ?",
            (username.strip(),)).fetchone()
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hash_password(secrets.token_hex(8)))
        ok = verify_password(password, row[-1] if row else _DUMMY_HASH[0])
        user = _user(row[:-1]) if row and ok else None
        with self.store.transaction() as conn:
            if user is None or user.disabled:
                conn.executemany("INSERT INTO ed_login_failures (key, at) VALUES (?, ?)",
                                 [(key, now) for key in keys])
                conn.execute("DELETE FROM ed_login_failures WHERE at < ?",
                             (now - THROTTLE_WINDOW,))
                audit.record(conn, username.strip()[:64] or "?", "login.failed", client=client)
            else:
                conn.execute("DELETE FROM ed_login_failures WHERE key = ?",
                             (f"user:{user.username.lower()}",))
                audit.record(conn, user.username, "login", client=client)
        if user is None or user.disabled:
            raise UnauthorizedError("Wrong username or password, or the account is disabled.",
                                    "Check them and try again.")
        return user

    # -- sessions and tokens -----------------------------------------------------------

    def new_token(self, user: User, kind: str = "api", label: str = "",
                  seconds: float | None = None) -> tuple[str, str]:
        """A new token (and, for a session, its CSRF token); only the hash is kept."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32) if kind == "session" else ""
        expires = self.clock() + seconds if seconds else None
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO ed_tokens (hash, user_id, kind, csrf, label, created_at, "
                "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (token_hash(token), user.id, kind, csrf, label, audit.now_iso(), expires))
            if kind == "api":
                audit.record(conn, user.username, "token.create", label=label)
        return token, csrf

    def lookup(self, token: str, kind: str) -> tuple[User, str] | None:
        """The (enabled) user a live token belongs to, and the token's CSRF secret."""
        row = self.store.conn.execute(
            f"SELECT {', '.join('u.' + c for c in USER_COLUMNS.split(', '))}, t.csrf, "
            "t.expires_at FROM ed_tokens t JOIN ed_users u ON u.id = t.user_id "
            "WHERE t.hash = ? AND t.kind = ? AND u.disabled = 0",
            (token_hash(token), kind)).fetchone()
        if row is None or (row[-1] is not None and row[-1] < self.clock()):
            return None
        return _user(row[:-2]), str(row[-2])

    def revoke(self, token: str, actor: str) -> bool:
        with self.store.transaction() as conn:
            gone = conn.execute("DELETE FROM ed_tokens WHERE hash = ?",
                                (token_hash(token),)).rowcount > 0
            if gone:
                audit.record(conn, actor, "logout")
        return gone
