"""Delivering the outbox: claim, send, mark sent, each step under optimistic concurrency.

1. *Claim*: a mailer writes a short lease (``claimed_by``/``claimed_until``) on the due, unsent
   mails of a request. Two mailers racing for the same mails both write against the same
   ``_seq_no``; only one write succeeds, so only one of them sends.
2. *Send*: each claimed mail goes to the SMTP server with a Message-ID derived from its outbox id.
3. *Mark*: ``sent_at`` is set (or, on failure, ``attempts``, ``last_error`` and a backed-off
   ``next_attempt_at``), re-applied to a fresh read if the document changed meanwhile (a staff
   action, a new message), so neither the mark nor the other change is lost.

SMTP down: mails stay pending and are retried. A mailer crash between 2 and 3: the lease expires and
the mail is sent again with the same Message-ID (at-least-once; the only window for a duplicate).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from desk.errors import DeliveryError, RequestNotFoundError
from schemas.requests import OutboxMail

log = logging.getLogger(__name__)

#: Hands one mail to the SMTP server; raises :class:`DeliveryError` when that fails for now.
Sender = Callable[[OutboxMail], Awaitable[None]]
MAX_BACKOFF = timedelta(hours=6)
#: Documents that carry mails (``has_pending_mail`` is true while one of them is unsent).
PENDING_MAIL = {"term": {"has_pending_mail": True}}


class HasOutbox(Protocol):
    """A document that carries its own outbox: a usage request, a saved search."""

    @property
    def id(self) -> str:
        """The document id."""
        ...

    @property
    def outbox(self) -> list[OutboxMail]:
        """Its mails, sent and unsent."""
        ...


Owner = TypeVar("Owner", bound=HasOutbox)
Owner_co = TypeVar("Owner_co", bound=HasOutbox, covariant=True)


class OutboxStore(Protocol[Owner_co]):
    """A store of outbox-carrying documents written under optimistic concurrency."""

    async def mutate(self, doc_id: str, change: Callable[[Owner_co], bool], /) -> Owner_co:
        """Apply ``change`` to a fresh read until the write wins (RequestNotFoundError when gone)."""
        ...

    def scan(self, query: dict[str, Any], /) -> AsyncIterator[Owner_co]:
        """Every document matching ``query``."""
        ...

    async def refresh(self) -> None:
        """Make every write so far visible to searches."""
        ...


class UnsentMailSource(Protocol):
    """Anything that can list the mails it still has to send (an outbox store, the mail queue)."""

    def unsent(self) -> AsyncIterator[OutboxMail]:
        """Every mail not sent yet."""
        ...


@dataclass
class DeliveryReport:
    """What one pass of :func:`deliver_pending` did."""

    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def add(self, other: DeliveryReport) -> None:
        """Fold another pass's outcome into this one."""
        self.sent.extend(other.sent)
        self.failed.update(other.failed)


async def send_claimed(claimed: list[OutboxMail], send: Sender) -> tuple[dict[str, datetime], dict[str, str]]:
    """Send each claimed mail: when each was sent, and why each that failed did (by outbox id)."""
    sent: dict[str, datetime] = {}
    failed: dict[str, str] = {}
    for mail in claimed:
        try:
            await send(mail)
        except DeliveryError as exc:
            failed[mail.id] = str(exc)
            continue
        sent[mail.id] = datetime.now(UTC)
    return sent, failed


def _due(mail: OutboxMail, now: datetime) -> bool:
    return (mail.sent_at is None and (mail.next_attempt_at is None or mail.next_attempt_at <= now)
            and (mail.claimed_until is None or mail.claimed_until <= now))


def backoff(attempts: int, retry_seconds: float) -> timedelta:
    """Delay before the next attempt after ``attempts`` failures: doubling, at most :data:`MAX_BACKOFF`."""
    return min(timedelta(seconds=retry_seconds * 2 ** (attempts - 1)), MAX_BACKOFF)


async def _deliver_one(store: OutboxStore[Owner], send: Sender, doc_id: str, *, worker: str, claim_seconds: float,
                       retry_seconds: float, now: datetime, report: DeliveryReport) -> None:
    """Claim, send and mark the due mails of one document."""
    claimed: list[OutboxMail] = []

    def claim(doc: Owner) -> bool:
        claimed.clear()  # a retry after a concurrent write claims afresh
        for mail in doc.outbox:
            if _due(mail, now):
                mail.claimed_by, mail.claimed_until = worker, now + timedelta(seconds=claim_seconds)
                claimed.append(mail.model_copy())
        return bool(claimed)

    try:
        await store.mutate(doc_id, claim)
    except RequestNotFoundError:
        return  # removed since the scan (an unsubscribed saved search, an erased requester)
    if not claimed:
        return
    sent, failed = await send_claimed(claimed, send)

    def mark(doc: Owner) -> bool:
        for mail in doc.outbox:
            if mail.id in sent or mail.id in failed:
                mail.attempts += 1
                mail.claimed_by = mail.claimed_until = None
            if mail.id in sent:
                mail.sent_at, mail.last_error, mail.next_attempt_at = sent[mail.id], None, None
            elif mail.id in failed:
                mail.last_error, mail.next_attempt_at = failed[mail.id], now + backoff(mail.attempts, retry_seconds)
        return True

    with contextlib.suppress(RequestNotFoundError):  # removed while its mail went out: nothing left to mark
        await store.mutate(doc_id, mark)
    report.sent.extend(sent)
    report.failed.update(failed)
    if failed:
        log.warning("%d mail(s) of %s not delivered, will retry: %s", len(failed), doc_id,
                    next(iter(failed.values())))


async def deliver_pending(store: OutboxStore[Owner], send: Sender, *, worker: str, claim_seconds: float = 120.0,
                          retry_seconds: float = 60.0, now: datetime | None = None) -> DeliveryReport:
    """One pass over every document with unsent mail: send what is due, record the outcome."""
    now = now or datetime.now(UTC)
    report = DeliveryReport()
    await store.refresh()
    pending = [doc.id async for doc in store.scan(PENDING_MAIL)]
    for doc_id in pending:
        await _deliver_one(store, send, doc_id, worker=worker, claim_seconds=claim_seconds,
                           retry_seconds=retry_seconds, now=now, report=report)
    return report


async def unsent_of(store: OutboxStore[Owner]) -> AsyncIterator[OutboxMail]:
    """The unsent mails of every document of ``store``."""
    async for doc in store.scan(PENDING_MAIL):
        for mail in doc.outbox:
            if mail.sent_at is None:
                yield mail


@dataclass(frozen=True)
class OutboxStatus:
    """How the outbox drains: what the dashboard shows and ``/metrics`` exports."""

    pending: int
    failing: int
    oldest_pending_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, mails: Iterable[OutboxMail]) -> OutboxStatus:
        """The status of these unsent mails."""
        pending = failing = 0
        oldest: datetime | None = None
        last_error: tuple[datetime, str] | None = None
        for mail in mails:
            pending += 1
            oldest = mail.created_at if oldest is None else min(oldest, mail.created_at)
            if mail.last_error:
                failing += 1
                at = mail.next_attempt_at or mail.created_at
                if last_error is None or at > last_error[0]:
                    last_error = (at, mail.last_error)
        return cls(pending, failing, oldest, last_error[1] if last_error else None)

    def oldest_age_seconds(self, now: datetime | None = None) -> float:
        """Age of the oldest unsent mail (0 when nothing is pending)."""
        if self.oldest_pending_at is None:
            return 0.0
        return max(0.0, ((now or datetime.now(UTC)) - self.oldest_pending_at).total_seconds())

    def stalled(self, warn_seconds: float, now: datetime | None = None) -> bool:
        """True when the oldest unsent mail has waited longer than ``warn_seconds``: no mailer is
        running, or the SMTP server refuses mail."""
        return self.pending > 0 and self.oldest_age_seconds(now) > warn_seconds


async def outbox_status(*sources: UnsentMailSource) -> OutboxStatus:
    """Unsent mails over every source: request outboxes, saved-search outboxes, the mail queue
    (searches lag by a refresh)."""
    return OutboxStatus.of([mail for source in sources async for mail in source.unsent()])
