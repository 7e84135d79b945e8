"""Accounts, passwords, sessions and API tokens, and backoff after failed logins.

1. Passwords are argon2id hashes (:mod:`~medcite.editorial.passwords`); a login that
   proves a password stored in an older format rewrites its hash.
2. A login attempt is first admitted and counted as a failure in one write transaction
   (:mod:`~medcite.editorial.throttle`: per account *and* client address, with a growing
   backoff), then its password is checked; a success clears that pair's count.
3. Session and API tokens are random 32-byte strings of which only the SHA-256 is kept;
   the first hex digits of that hash are the token's public id (for listing and
   revoking). API tokens always expire, and each records who minted it: a token an admin
   minted for someone else is *delegated* (see :attr:`Credential.delegated`).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import NamedTuple

from pydantic import BaseModel

from medcite.editorial import audit
from medcite.editorial.errors import ForbiddenError, ThrottledError, UnauthorizedError
from medcite.editorial.models import ROLES, User
from medcite.editorial.passwords import hash_password, needs_rehash, verify_password
from medcite.editorial.throttle import FORGET_SECONDS, admit, retry_after, wait_words
from medcite.editorial.workflow import can, require
from medcite.errors import InvalidRequestError, NotFoundError
from medcite.store.accounts import SQLiteAccountRepository, TokenRow, UserRow
from medcite.store.protocols import Database

MIN_PASSWORD_CHARS = 10
SESSION_SECONDS = 12 * 3600
LOGIN_TOKEN_SECONDS = 30 * 24 * 3600
DEFAULT_TOKEN_DAYS = 90
TOKEN_ID_CHARS = 12
_DUMMY_HASH: list[str] = []  # computed once: unknown users cost as much as known ones
DECISIONS = {"approved": "approve", "rejected": "reject"}
"""Review decisions (state: verb): only a credential its owner minted may take them."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_delegated(user: User, minted_by: str | None) -> bool:
    """Whether a credential of ``user`` was minted by someone else (or nobody knows whom)."""
    return minted_by is None or minted_by.lower() != user.username.lower()


class Credential(NamedTuple):
    """Who a live token belongs to, its CSRF secret (sessions) and who minted it."""

    user: User
    csrf: str
    minted_by: str | None
    """``None`` for API tokens minted before minters were recorded."""
    token_id: str

    @property
    def delegated(self) -> bool:
        """Minted by someone other than its owner (or by nobody knows whom)."""
        return is_delegated(self.user, self.minted_by)


class TokenInfo(BaseModel):
    """A token as listed: never its secret."""

    id: str
    username: str
    kind: str
    label: str
    created_at: str
    expires_at: str | None
    minted_by: str | None


def _user(row: UserRow) -> User:
    return User(id=row.id, username=row.username, name=row.name, credentials=row.credentials,
                role=row.role, disabled=row.disabled, created_at=row.created_at)


def _iso(timestamp: float | None) -> str | None:
    return None if timestamp is None else \
        datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def _info(row: TokenRow) -> TokenInfo:
    return TokenInfo(id=row.hash[:TOKEN_ID_CHARS], username=row.username, kind=row.kind,
                     label=row.label, created_at=row.created_at,
                     expires_at=_iso(row.expires_at), minted_by=row.minted_by)


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidRequestError(
            f"The password is shorter than {MIN_PASSWORD_CHARS} characters.",
            "Choose a longer one (a passphrase of several words is good).")


class Accounts:
    """Users and their credentials, over the store's database."""

    def __init__(self, store: Database, clock: Callable[[], float] = time.time,
                 token_days: int = DEFAULT_TOKEN_DAYS) -> None:
        self.store = store
        self.clock = clock
        self.token_days = token_days
        self.repo = SQLiteAccountRepository(store)

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
        check_new_password(password)
        if self.get(username) is not None:
            raise InvalidRequestError(f"The user {username!r} exists already.",
                                      "Choose another username, or disable the old one.")
        encoded = hash_password(password)
        with self.store.transaction() as tx:
            self.repo.add_user(tx, username, name.strip() or username, credentials.strip(),
                               role, encoded, audit.now_iso())
            audit.record(tx, actor, "user.add", username=username, role=role)
        return self.require(username)

    def get(self, username: str) -> User | None:
        row = self.repo.user(username)
        return _user(row) if row else None

    def require(self, username: str) -> User:
        user = self.get(username)
        if user is None:
            raise NotFoundError(f"No user {username!r}.", "See `medcite users list`.")
        return user

    def users(self) -> list[User]:
        return [_user(row) for row in self.repo.users()]

    def disable(self, username: str, actor: str = "cli") -> User:
        """Disable an account and revoke its sessions and tokens."""
        user = self.require(username)
        with self.store.transaction() as tx:
            self.repo.disable_user(tx, user.id)
            self.repo.delete_user_tokens(tx, user.id)
            audit.record(tx, actor, "user.disable", username=user.username)
        return self.require(username)

    # -- passwords -----------------------------------------------------------------------

    def authenticate(self, username: str, password: str, client: str = "",
                     event: str = "login") -> User:
        """The user, if the password is right and this account is not in backoff from
        this ``client`` address; a failure lengthens only that pair's backoff. Audited
        as ``event`` (or ``event.failed``)."""
        account = username.strip().lower()[:64]
        self._admit(account, client)
        row = self.repo.user(username.strip())
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hash_password(secrets.token_hex(8)))
        ok = verify_password(password, row.password_hash if row else _DUMMY_HASH[0])
        user = _user(row) if row and ok and not row.disabled else None
        upgraded = hash_password(password) if row and user and \
            needs_rehash(row.password_hash) else None
        with self.store.transaction() as tx:
            if user is None:
                audit.record(tx, username.strip()[:64] or "?", f"{event}.failed",
                             client=client)  # the name as typed
            else:
                self.repo.clear_attempts(tx, account, client)
                if upgraded is not None:
                    self.repo.set_password_hash(tx, user.id, upgraded)
                audit.record(tx, user.username, event, client=client,
                             rehashed=upgraded is not None)
        if user is None:
            raise UnauthorizedError("Wrong username or password, or the account is disabled.",
                                    "Check them and try again.")
        return user

    def _admit(self, account: str, client: str) -> None:
        """Count this attempt as a failure, or raise :class:`ThrottledError`: the check
        and the count are one write transaction, so concurrent guesses queue on it."""
        now = self.clock()
        with self.store.transaction() as tx:
            wait, attempts = admit(self.repo.attempts(tx, account, client), now)
            if not wait:
                self.repo.put_attempts(tx, account, client, attempts)
                self.repo.forget_attempts(tx, now - FORGET_SECONDS, now)
        if wait:
            seconds = retry_after(wait)
            raise ThrottledError("Too many failed logins to this account from your address.",
                                 f"Try again in {wait_words(seconds)}.", seconds)

    def change_password(self, user: User, current: str, new: str, client: str = "",
                        keep_token: str = "") -> int:
        """Set ``user``'s password after checking the current one (throttled like a
        login); every other session and token of theirs is revoked. How many were."""
        check_new_password(new)
        self.authenticate(user.username, current, client, "password.check")
        return self.set_password(user, new, user, keep_token)

    def set_password(self, user: User, new: str, actor: User, keep_token: str = "") -> int:
        """Set the password without the old one (an admin's reset, or after
        :meth:`change_password` checked it) and revoke the user's other tokens."""
        check_new_password(new)
        encoded = hash_password(new)
        with self.store.transaction() as tx:
            self.repo.set_password_hash(tx, user.id, encoded)
            revoked = self.repo.delete_user_tokens(tx, user.id,
                                                   token_hash(keep_token) if keep_token else "")
            audit.record(tx, actor.username, "password.change", username=user.username,
                         revoked_tokens=revoked)
        return revoked

    # -- sessions and tokens -----------------------------------------------------------

    def new_token(self, user: User, kind: str = "api", label: str = "",
                  seconds: float | None = None, minted_by: User | None = None
                  ) -> tuple[str, str]:
        """A new token (and, for a session, its CSRF token); only the hash is kept. An API
        token lives ``seconds``, by default ``token_days``; ``minted_by`` (default: the
        owner) is recorded and is the audit event's actor."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32) if kind == "session" else ""
        now = self.clock()
        if seconds is None and kind == "api":
            seconds = self.token_days * 86400
        expires = now + seconds if seconds else None
        minter = minted_by or user
        digest = token_hash(token)
        with self.store.transaction() as tx:
            self.repo.delete_expired_tokens(tx, now)
            self.repo.add_token(tx, digest, user.id, kind, csrf, label, audit.now_iso(),
                                expires, minter.username)
            if kind == "api":
                audit.record(tx, minter.username, "token.create", owner=user.username,
                             label=label, token_id=digest[:TOKEN_ID_CHARS],
                             expires_at=_iso(expires))
        return token, csrf

    def lookup(self, token: str, kind: str) -> Credential | None:
        """The (enabled) owner of a live token, with its CSRF secret and minter."""
        row = self.repo.token(token_hash(token), kind)
        if row is None or (row.expires_at is not None and row.expires_at < self.clock()):
            return None
        user = self.get(row.username)
        assert user is not None
        return Credential(user, row.csrf, row.minted_by, row.hash[:TOKEN_ID_CHARS])

    def revoke(self, token: str, actor: str) -> bool:
        """Revoke the token in hand (logging out)."""
        with self.store.transaction() as tx:
            gone = self.repo.delete_token(tx, token_hash(token))
            if gone:
                audit.record(tx, actor, "logout")
        return gone

    def refuse_delegated_decision(self, user: User, minted_by: str | None, article_id: int,
                                  to: str) -> None:
        """Approving or rejecting needs a credential the reviewer minted: with a token an
        admin minted "as" a reviewer, the admin could approve in the reviewer's name. The
        refusal (403) is audited like the desk's other denials."""
        if to not in DECISIONS or not is_delegated(user, minted_by):
            return
        refusal = ForbiddenError(
            "A token minted by someone else cannot approve or reject an article.",
            "Use a token you minted yourself (POST /api/v1/auth/login or "
            "`medcite users token YOUR-NAME --as YOUR-NAME`), or the review pages.")
        with self.store.transaction() as tx:
            audit.record(tx, user.username, "denied", article_id, attempted=DECISIONS[to],
                         reason=refusal.message, minted_by=minted_by or "unknown")
        raise refusal

    def tokens(self, viewer: User, username: str | None = None) -> list[TokenInfo]:
        """Live tokens of ``username`` (default: admins see everyone's, others their
        own); only admins may list someone else's."""
        if username is None and can(viewer, "users.manage"):
            return [_info(row) for row in self.repo.tokens(None, self.clock())]
        if username is not None and username.lower() != viewer.username.lower():
            require(viewer, "users.manage")
        owner = self.require(username) if username else viewer
        return [_info(row) for row in self.repo.tokens(owner.id, self.clock())]

    def revoke_id(self, viewer: User, token_id: str) -> TokenInfo:
        """Revoke a token by its id: admins any, everyone else only their own."""
        rows = self.repo.tokens_by_prefix(token_id.strip()) if \
            len(token_id.strip()) >= 6 else []
        if len(rows) > 1:
            raise InvalidRequestError(f"The id {token_id!r} matches {len(rows)} tokens.",
                                      "Give more of it (see `medcite users tokens`).")
        owner = self.get(rows[0].username) if rows else None
        if not rows or owner is None or not (
                can(viewer, "users.manage") or owner.id == viewer.id):
            raise NotFoundError(f"No token {token_id!r} of yours.",
                                "See `medcite users tokens` for the ids.")
        info = _info(rows[0])
        with self.store.transaction() as tx:
            self.repo.delete_token(tx, rows[0].hash)
            audit.record(tx, viewer.username, "token.revoke", owner=owner.username,
                         token_id=info.id, kind=info.kind, label=info.label)
        return info
