"""Backoff after failed logins, per (account, client address), as pure functions.

The first ``FREE_FAILURES`` failures of an account from one address cost nothing; each
one after that makes the next attempt from that address wait twice as long as the last
(1, 2, 4, 8 minutes ... at most 15). Nobody else is slowed: the account's owner logs in
from their own address while an attacker hammers it from another, and many people
behind one address do not lock each other out. An attempt counts as a failure *before*
its password is checked (a success then clears the count), so concurrent guesses cannot
all slip through between a check and an increment.
"""

from __future__ import annotations

import math

from medcite.store.accounts import AttemptsRow

FREE_FAILURES = 5
BASE_DELAY_SECONDS = 60.0
MAX_DELAY_SECONDS = 15 * 60.0
FORGET_SECONDS = 24 * 3600.0
"""A pair's count starts afresh after this long without a failure."""


def delay_after(failures: int) -> float:
    """Seconds the next attempt must wait after ``failures`` failures in a row."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2.0 ** (failures - FREE_FAILURES))


def admit(previous: AttemptsRow | None, now: float) -> tuple[float, AttemptsRow]:
    """``(0, the record with this attempt counted as a failure)`` when an attempt may go
    ahead, else ``(seconds to wait, the record unchanged)``."""
    if previous is None or now - previous.last_at > FORGET_SECONDS:
        previous = AttemptsRow(0, now, 0.0)
    if previous.blocked_until > now:
        return previous.blocked_until - now, previous
    failures = previous.failures + 1
    return 0.0, AttemptsRow(failures, now, now + delay_after(failures))


def retry_after(wait: float) -> int:
    """Whole seconds for a ``Retry-After`` header (never 0)."""
    return max(1, math.ceil(wait))


def wait_words(seconds: int) -> str:
    """'45 seconds', '1 minute', '8 minutes'."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
