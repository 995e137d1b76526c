"""Mail that belongs to no usage request (invitations, password resets, login warnings, harvest
alerts), queued in ``{prefix}-mail-queue`` and delivered by the mailer with the request outboxes.

Each mail is one document: the mailer claims it with a conditional write (so two mailers never both
send it), hands it to SMTP, and marks it sent or backs off (doubling ``retry_seconds``, at most six
hours). A sent mail keeps its subject and recipients for the record but loses its body, which may
carry a single-use link.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch
from elasticsearch import ConflictError as EsConflictError

from desk.errors import DeliveryError
from desk.outbox import DeliveryReport, Sender, backoff
from desk.scanning import scan_sources
from indexer.indices import ensure_index
from indexer.names import mail_queue_index
from schemas.requests import OutboxMail

log = logging.getLogger(__name__)
_KW = {"type": "keyword"}
MAIL_QUEUE_MAPPING: dict[str, Any] = {"dynamic": False, "properties": {
    "id": _KW, "kind": _KW, "to": _KW, "created_at": {"type": "date"}, "sent_at": {"type": "date"},
    "next_attempt_at": {"type": "date"}, "pending": {"type": "boolean"}}}


def new_mail(kind: str, to: list[str], lang: str, subject: str, body: str,
             now: datetime | None = None) -> OutboxMail:
    """A mail ready to queue."""
    return OutboxMail(id=uuid.uuid4().hex, kind=kind, to=sorted(set(to)), lang=lang, subject=subject, body=body,
                      created_at=now or datetime.now(UTC))


class MailQueue:
    """The queue of mails outside the request outboxes."""

    def __init__(self, es: AsyncElasticsearch, prefix: str) -> None:
        self.es = es
        self.index = mail_queue_index(prefix)
        self._ready = False

    async def ensure(self) -> None:
        """Create the index on first use (and add fields a queue made by an older release lacks)."""
        if not self._ready:
            await ensure_index(self.es, self.index, MAIL_QUEUE_MAPPING)
            await self.es.indices.put_mapping(index=self.index, properties=MAIL_QUEUE_MAPPING["properties"])
            self._ready = True

    async def unsent(self) -> AsyncIterator[OutboxMail]:
        """Every queued mail not sent yet (searches lag by a refresh)."""
        await self.ensure()
        async for source in scan_sources(self.es, self.index, {"term": {"pending": True}}):
            yield OutboxMail.model_validate({k: v for k, v in source.items() if k != "pending"})

    async def enqueue(self, mail: OutboxMail) -> None:
        """Queue ``mail`` (the next delivery pass sends it)."""
        if not mail.to:
            return
        await self.ensure()
        # No refresh wait: each delivery pass refreshes before it searches.
        await self.es.index(index=self.index, id=mail.id, document={**mail.model_dump(mode="json"), "pending": True})

    async def deliver(self, send: Sender, *, worker: str, claim_seconds: float = 120.0,
                      retry_seconds: float = 60.0, now: datetime | None = None) -> DeliveryReport:
        """Send every due mail once; failures stay queued with backoff."""
        now = now or datetime.now(UTC)
        report = DeliveryReport()
        await self.ensure()
        await self.es.indices.refresh(index=self.index)
        resp = await self.es.search(index=self.index, size=500, seq_no_primary_term=True, query={"bool": {
            "filter": [{"term": {"pending": True}}],
            "must_not": [{"range": {"next_attempt_at": {"gt": now.isoformat()}}}]}}, sort=[{"created_at": "asc"}])
        for hit in resp["hits"]["hits"]:
            source = hit["_source"]
            mail = OutboxMail.model_validate({k: v for k, v in source.items() if k != "pending"})
            if mail.claimed_until is not None and mail.claimed_until > now:
                continue
            mail.claimed_by, mail.claimed_until = worker, now + timedelta(seconds=claim_seconds)
            try:
                claimed = await self.es.index(index=self.index, id=mail.id, if_seq_no=hit["_seq_no"],
                                              if_primary_term=hit["_primary_term"],
                                              document={**mail.model_dump(mode="json"), "pending": True})
            except EsConflictError:
                continue  # another mailer has it
            try:
                await send(mail)
            except DeliveryError as exc:
                mail.attempts += 1
                mail.last_error = str(exc)[:500]
                mail.next_attempt_at = now + backoff(mail.attempts, retry_seconds)
                mail.claimed_by = mail.claimed_until = None
                report.failed[mail.id] = mail.last_error
                log.warning("queued mail %s (%s) not delivered: %s", mail.id, mail.kind, mail.last_error)
                document = {**mail.model_dump(mode="json"), "pending": True}
            else:
                mail.sent_at, mail.body = datetime.now(UTC), ""
                mail.claimed_by = mail.claimed_until = None
                report.sent.append(mail.id)
                document = {**mail.model_dump(mode="json"), "pending": False}
            await self.es.index(index=self.index, id=mail.id, document=document, refresh="wait_for",
                                if_seq_no=claimed["_seq_no"], if_primary_term=claimed["_primary_term"])
        return report
