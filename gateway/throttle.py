"""Progressive delays for failed staff logins (in memory, per gateway process).

Three counters of recent failures, each keyed by what the client *sent*, never by whether the
account exists, so an answer tells nothing about which user names are real:

* per client address (any user name): name spraying from one address slows down;
* per (user name, address): guessing one account's password from one address slows down fast;
* per user name (from every address): distributed guessing costs every try a short wait, capped,
  so it slows an attacker without ever locking the real user out.

The first two are enforced by refusing early attempts (429 with ``Retry-After``), the third by
waiting before the password is checked. Nothing here is a hard lock that an anonymous visitor
could trigger against somebody else: the real user, from another address, always gets in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures are free and how the delay then grows (doubling from ``base``)."""

    free_per_address: int = 10
    free_per_pair: int = 3
    free_per_account: int = 5
    base_seconds: float = 1.0
    address_cap_seconds: float = 60.0
    pair_cap_seconds: float = 300.0
    #: Longest wait a user name's failures from elsewhere impose on anyone logging in as it.
    account_cap_seconds: float = 2.0
    #: Failures older than this are forgotten.
    forget_seconds: float = 900.0
    max_keys: int = 20_000


def _delay(failures: int, free: int, base: float, cap: float) -> float:
    if failures <= free:
        return 0.0
    return min(cap, base * 2 ** min(failures - free - 1, 30))


@dataclass
class LoginThrottle:
    """Failure counters and the delays they impose; one per application."""

    policy: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    _seen: dict[tuple[str, ...], _Failures] = field(default_factory=dict)

    def _get(self, key: tuple[str, ...], now: float) -> _Failures:
        record = self._seen.get(key)
        if record is None or now - record.last > self.policy.forget_seconds:
            return _Failures()
        return record

    def retry_after(self, address: str, username: str, now: float | None = None) -> int:
        """Whole seconds this address must still wait before trying ``username`` (0: go ahead)."""
        now = time.monotonic() if now is None else now
        p = self.policy
        by_address = self._get(("address", address), now)
        by_pair = self._get(("pair", username, address), now)
        ready_at = max(by_address.last + _delay(by_address.count, p.free_per_address, p.base_seconds,
                                                p.address_cap_seconds),
                       by_pair.last + _delay(by_pair.count, p.free_per_pair, p.base_seconds, p.pair_cap_seconds))
        wait = ready_at - now
        return 0 if wait <= 0 else int(wait) + 1

    def account_wait(self, username: str, now: float | None = None) -> float:
        """Seconds to wait before checking a password for ``username`` (failures from anywhere)."""
        now = time.monotonic() if now is None else now
        p = self.policy
        record = self._get(("account", username), now)
        return _delay(record.count, p.free_per_account, p.base_seconds / 4, p.account_cap_seconds)

    def attempt(self, address: str, username: str, now: float | None = None) -> None:
        """Count one login attempt as failed until :meth:`succeeded` says otherwise (counted before
        the password is checked, so parallel guesses cannot all slip in under the same count)."""
        now = time.monotonic() if now is None else now
        for key in (("address", address), ("pair", username, address), ("account", username)):
            record = self._get(key, now)
            self._seen[key] = _Failures(record.count + 1, now)
        if len(self._seen) > self.policy.max_keys:
            self._seen = {k: v for k, v in self._seen.items() if now - v.last <= self.policy.forget_seconds}

    def delays_began(self, username: str, now: float | None = None) -> bool:
        """Whether the last failure for ``username`` is the one after which its logins wait: true once
        per run of failures, when the account holder is told."""
        now = time.monotonic() if now is None else now
        return self._get(("account", username), now).count == self.policy.free_per_account + 1

    def succeeded(self, address: str, username: str) -> None:
        """The real user got in: forget the account's failures; the address's earlier failures stay."""
        self._seen.pop(("pair", username, address), None)
        self._seen.pop(("account", username), None)
        record = self._seen.get(("address", address))
        if record is not None:
            record.count = max(0, record.count - 1)
