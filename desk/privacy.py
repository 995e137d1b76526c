"""Requesters' rights and retention: export one requester's data, erase it, and anonymise closed
requests after the retention period. Every export and erasure is written to an audit index.

Erasure keeps what the consortium's statistics and the institutions' records need that does not
identify anybody (institution, items, states and their dates, country), and replaces the rest:
the form's personal fields, the requester's name in the history, every comment and message body,
and the whole outbox (its mails carry the address and the name). The requester's saved searches
(address, search and queued digests) are part of the export and are deleted by the erasure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from elasticsearch import AsyncElasticsearch

from desk.mappings import AUDIT_MAPPING
from desk.saved_store import SavedSearch, SavedSearchStore
from desk.store import RequestStore
from indexer.indices import ensure_index
from indexer.names import audit_index
from schemas.requests import RequestStatus, Role, UsageRequest

ERASED = "(erased)"
ERASED_EMAIL = "erased@erased.invalid"
#: States after which nothing more happens to a request (and unverified ones, abandoned).
CLOSED = (RequestStatus.COMPLETED, RequestStatus.REJECTED, RequestStatus.WITHDRAWN, RequestStatus.SUBMITTED)
AuditAction = Literal["export", "erase", "retention"]


def anonymise(request: UsageRequest, now: datetime) -> bool:
    """Erase the personal data of ``request`` in place; False if it was erased already."""
    if request.anonymised_at is not None:
        return False
    request.requester = request.requester.model_copy(update={
        "name": ERASED, "email": ERASED_EMAIL, "affiliation": ERASED, "position": ERASED, "purpose": ERASED,
        "planned_use": ERASED, "ethics_approval": "", "shipping_address": ERASED, "message": ""})
    request.events = [e.model_copy(update={"comment": "", **({"actor": ERASED} if e.role is Role.REQUESTER else {})})
                      for e in request.events]
    request.messages = [m.model_copy(update={"body": ERASED, **({"author": ERASED} if m.role is Role.REQUESTER
                                                                 else {})}) for m in request.messages]
    request.outbox = []
    request.anonymised_at = now
    return True


class AuditLog:
    """Who exported or erased whose data, when (``{prefix}-audit``); never holds the data itself."""

    def __init__(self, es: AsyncElasticsearch, prefix: str) -> None:
        self.es = es
        self.index = audit_index(prefix)

    async def record(self, action: AuditAction, actor: str, subject: str, request_ids: list[str],
                     now: datetime, saved_search_ids: list[str] | None = None) -> None:
        """One audit entry; ``subject`` is the keyed hash of the requester's address, not the address."""
        await ensure_index(self.es, self.index, AUDIT_MAPPING)
        await self.es.index(index=self.index, refresh="wait_for", document={
            "at": now.isoformat(), "action": action, "actor": actor, "subject": subject, "requests": request_ids,
            "saved_searches": saved_search_ids or []})

    async def entries(self, size: int = 100) -> list[dict[str, Any]]:
        """The newest entries."""
        await ensure_index(self.es, self.index, AUDIT_MAPPING)
        resp = await self.es.search(index=self.index, size=size, sort=[{"at": "desc"}])
        return [dict(h["_source"]) for h in resp["hits"]["hits"]]


@dataclass(frozen=True)
class RequesterData:
    """Everything stored about one requester: usage requests and saved searches."""

    requests: list[UsageRequest]
    saved_searches: list[SavedSearch]


@dataclass(frozen=True)
class Erasure:
    """What an erasure did: requests anonymised, saved searches deleted."""

    requests: list[str]
    saved_searches: list[str]


class PrivacyService:
    """Export, erasure and retention over the request and saved-search stores, audited. One per application."""

    def __init__(self, store: RequestStore, audit: AuditLog, retention_days: int, saved: SavedSearchStore) -> None:
        self.store = store
        self.saved = saved
        self.audit = audit
        self.retention = timedelta(days=retention_days)

    async def find(self, email: str) -> RequesterData:
        """The requests and saved searches of ``email`` (not audited: nothing leaves the portal)."""
        return RequesterData(await self.store.find_by_email(email), await self.saved.find_by_email(email))

    async def export(self, email: str, actor: str, now: datetime) -> RequesterData:
        """Everything stored about the requester with address ``email``, in full (audited)."""
        found = await self.find(email)
        await self.audit.record("export", actor, self.store.cipher.email_digest(email), [r.id for r in found.requests],
                                now, [s.id for s in found.saved_searches])
        return found

    async def erase(self, email: str, actor: str, now: datetime) -> Erasure:
        """Erase the personal data of every request of ``email`` and delete the address's saved
        searches (audited)."""
        found = await self.find(email)
        erased = [r.id for r in found.requests if not r.anonymised_at]
        for request_id in erased:
            await self.store.mutate(request_id, lambda r: anonymise(r, now), refresh="wait_for")
        deleted = [s.id for s in found.saved_searches if await self.saved.delete(s.id)]
        await self.audit.record("erase", actor, self.store.cipher.email_digest(email), erased, now, deleted)
        return Erasure(erased, deleted)

    async def apply_retention(self, now: datetime) -> list[str]:
        """Anonymise every closed request whose state is older than the retention period (audited)."""
        cutoff = now - self.retention
        await self.store.refresh()  # searches must see the latest state changes
        query = {"bool": {"filter": [{"terms": {"status": [s.value for s in CLOSED]}},
                                     {"range": {"status_since": {"lt": cutoff.isoformat()}}}],
                          "must_not": [{"exists": {"field": "anonymised_at"}}]}}
        due = [r.id async for r in self.store.scan(query)]
        for request_id in due:
            await self.store.mutate(request_id, lambda r: anonymise(r, now) if r.status in CLOSED else False,
                                    refresh="wait_for")
        if due:
            await self.audit.record("retention", "system", "", due, now)
        return due

    async def reseal(self) -> int:
        """Rewrite every request with the current key: seals documents written before encryption and
        re-encrypts those of an old key (which can be removed afterwards). Returns how many."""
        ids = [r.id async for r in self.store.scan({"match_all": {}})]
        for request_id in ids:
            await self.store.mutate(request_id, lambda r: True)
        return len(ids)
