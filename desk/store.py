"""Storage of usage requests: read-modify-write with optimistic concurrency control.

Reads by id (``get``/``mget``) are real-time, so a page that shows a request right after changing it
needs no refresh; writes whose readers search (a new request, its verification) wait for the refresh
(``refresh="wait_for"``), and the mailer refreshes once before each pass. Staff inbox searches may lag
a write by up to the index refresh interval (one second).

Every write names the ``_seq_no``/``_primary_term`` it read (``if_seq_no``/``if_primary_term``); when
Elasticsearch answers 409 the change is re-applied to a fresh read, so no concurrent update is ever
lost. Business rules (is the action still allowed?) are checked again on every attempt by the
``change`` callback, which is how a staff member who acted second gets a clear conflict.

Personal data is sealed on every write and opened on every read (:mod:`desk.sealing`):
what Elasticsearch holds of a requester is ciphertext and a keyed hash of the address.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Literal

from elasticsearch import AsyncElasticsearch
from elasticsearch import ConflictError as EsConflictError
from elasticsearch import NotFoundError as EsNotFoundError

from desk.errors import ContentionError, RequestNotFoundError
from desk.mappings import REQUESTS_MAPPING
from desk.outbox import unsent_of
from desk.scanning import scan_sources
from desk.sealing import EMAIL_HASH_FIELD, PersonalDataCipher
from indexer.indices import ensure_index
from indexer.names import requests_index
from schemas.requests import OutboxMail, UsageRequest

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20
Refresh = Literal["wait_for", "false"]


@dataclass(frozen=True)
class Versioned:
    """A request as read, with the sequence number and primary term to write it back."""

    request: UsageRequest
    seq_no: int
    primary_term: int


class RequestStore:
    """The ``{prefix}-requests`` index. One per application."""

    def __init__(self, es: AsyncElasticsearch, prefix: str, cipher: PersonalDataCipher) -> None:
        self.es = es
        self.index = requests_index(prefix)
        self.cipher = cipher
        self._ready = False

    def _document(self, request: UsageRequest) -> dict[str, Any]:
        return self.cipher.seal(request.model_dump(mode="json"))

    def _request(self, source: dict[str, Any]) -> UsageRequest:
        return UsageRequest.model_validate(self.cipher.open(source))

    async def ensure(self) -> None:
        """Create the index on first use."""
        if not self._ready:
            await ensure_index(self.es, self.index, REQUESTS_MAPPING)
            self._ready = True

    async def create(self, request: UsageRequest) -> None:
        """Store a new request (fails if the id exists), visible to searches on return."""
        await self.ensure()
        request.sync_pending()
        await self.es.create(index=self.index, id=request.id, document=self._document(request),
                             refresh="wait_for")

    async def load(self, request_id: str) -> Versioned:
        """The request with its version; :class:`RequestNotFoundError` if there is none."""
        await self.ensure()
        try:
            resp = await self.es.get(index=self.index, id=request_id)
        except EsNotFoundError as exc:
            raise RequestNotFoundError(f"no request {request_id!r}") from exc
        return Versioned(self._request(resp["_source"]), resp["_seq_no"], resp["_primary_term"])

    async def mutate(self, request_id: str, change: Callable[[UsageRequest], bool], *,
                     refresh: Refresh = "false") -> UsageRequest:
        """Apply ``change`` (which edits the request in place and says whether it changed anything)
        and write it back under optimistic concurrency, retrying on a concurrent write."""
        for attempt in range(MAX_ATTEMPTS):
            current = await self.load(request_id)
            if not change(current.request):
                return current.request
            current.request.sync_pending()
            try:
                await self.es.index(index=self.index, id=request_id, document=self._document(current.request),
                                    if_seq_no=current.seq_no, if_primary_term=current.primary_term, refresh=refresh)
            except EsConflictError:
                log.info("concurrent update of %s, attempt %d; re-reading", request_id, attempt + 1)
                continue
            return current.request
        raise ContentionError(f"request {request_id} kept changing under {MAX_ATTEMPTS} attempts")

    async def load_many(self, request_ids: list[str]) -> list[UsageRequest]:
        """The requests among ``request_ids`` that exist, in that order (real-time, like ``get``)."""
        await self.ensure()
        resp = await self.es.mget(index=self.index, ids=request_ids)
        return [self._request(d["_source"]) for d in resp["docs"] if d.get("found")]

    async def refresh(self) -> None:
        """Make every write so far visible to searches (the mailer does this before each pass)."""
        await self.ensure()
        await self.es.indices.refresh(index=self.index)

    async def find(self, query: dict[str, Any], *, size: int = 100, sort: list[Any] | None = None
                   ) -> list[UsageRequest]:
        """Requests matching ``query`` (newest first unless ``sort`` says otherwise)."""
        await self.ensure()
        resp = await self.es.search(index=self.index, query=query, size=size,
                                    sort=sort or [{"created_at": "desc"}, {"id": "asc"}])
        return [self._request(h["_source"]) for h in resp["hits"]["hits"]]

    async def find_by_email(self, email: str, *, size: int = 1000) -> list[UsageRequest]:
        """Every request (up to ``size``) of the requester with this address, found by its keyed hash."""
        return await self.find({"term": {EMAIL_HASH_FIELD: self.cipher.email_digest(email)}}, size=size)

    async def scan(self, query: dict[str, Any], /) -> AsyncIterator[UsageRequest]:
        """Every request matching ``query``, paged with ``search_after`` (oldest first)."""
        await self.ensure()
        async for source in scan_sources(self.es, self.index, query):
            yield self._request(source)

    def unsent(self) -> AsyncIterator[OutboxMail]:
        """The unsent mails of every request (searches lag by a refresh)."""
        return unsent_of(self)

    async def status_counts(self, query: dict[str, Any]) -> dict[str, int]:
        """How many requests matching ``query`` are in each state."""
        await self.ensure()
        resp = await self.es.search(index=self.index, query=query, size=0,
                                    aggs={"status": {"terms": {"field": "status", "size": 20}}})
        return {b["key"]: b["doc_count"] for b in resp["aggregations"]["status"]["buckets"]}
