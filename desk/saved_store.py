"""Saved searches as stored: one document each in ``{prefix}-saved-searches``.

A document holds the search's parameters (``q`` and the facet filters, as the search page takes them,
never query DSL: they are validated again as a :class:`schemas.search.SearchQuery` each time the
search runs), the language, the state (``pending`` until the address is confirmed, then
``verified``), ``last_digest_at`` and a small outbox. The address is sealed with the desk's
:class:`desk.sealing.PersonalDataCipher` and found by its keyed hash (``email_hmac``); so are the
recipients, subjects and bodies of the queued mails. Writes go under optimistic concurrency.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlencode

from elasticsearch import AsyncElasticsearch
from elasticsearch import ConflictError as EsConflictError
from elasticsearch import NotFoundError as EsNotFoundError
from pydantic import BaseModel, ConfigDict, Field

from desk.errors import ContentionError, RequestNotFoundError
from desk.outbox import unsent_of
from desk.scanning import scan_sources
from desk.sealing import PersonalDataCipher
from indexer.indices import ensure_index
from indexer.names import resources_alias, saved_searches_index
from schemas.requests import OutboxMail
from schemas.search import SearchQuery

#: Saved searches one address may hold.
MAX_PER_ADDRESS = 50
#: The parameters of a search that are saved: the text and the facet filters.
SAVED_PARAMS = ("q", "resource_type", "institution", "species", "availability", "disease", "tissue")
MAX_ATTEMPTS = 20

_KW = {"type": "keyword"}
_DATE = {"type": "date"}
SAVED_SEARCHES_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {"id": _KW, "status": _KW, "email_hmac": _KW, "created_at": _DATE, "last_digest_at": _DATE,
                   "has_pending_mail": {"type": "boolean"}},
}

class SavedSearch(BaseModel):
    """One saved search as the services use it (the address in clear)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    email: str
    lang: Literal["ja", "en"] = "en"
    query: dict[str, str | list[str]] = Field(default_factory=dict)
    status: Literal["pending", "verified"] = "pending"
    created_at: datetime
    verified_at: datetime | None = None
    last_digest_at: datetime | None = None
    outbox: list[OutboxMail] = Field(default_factory=list)

    def search_query(self) -> SearchQuery:
        """The stored parameters validated again as a search (never withdrawn records)."""
        return SearchQuery.model_validate({k: v for k, v in self.query.items() if k in SAVED_PARAMS})


def saved_params(query: SearchQuery) -> dict[str, str | list[str]]:
    """What is stored of a search: its text and filters, without paging, order or cursor."""
    data = query.model_dump(mode="json", include=set(SAVED_PARAMS))
    out: dict[str, str | list[str]] = {}
    for key in SAVED_PARAMS:
        value = data.get(key)
        if value:
            out[key] = value if isinstance(value, str) else [str(v) for v in value]
    return out


def search_path(params: dict[str, str | list[str]]) -> str:
    """The search page URL path of saved parameters."""
    return "/?" + urlencode(params, doseq=True) if params else "/"


def describe(params: dict[str, str | list[str]]) -> str:
    """A one-line human description of a saved search (for subjects and pages)."""
    parts = [f"\u201c{params['q']}\u201d"] if params.get("q") else []
    for key in SAVED_PARAMS[1:]:
        values = params.get(key)
        if values:
            parts.append(f"{key}: {', '.join(values if isinstance(values, list) else [values])}")
    return "; ".join(parts) or "*"


class SavedSearchStore:
    """The ``{prefix}-saved-searches`` index, personal data sealed, writes under optimistic concurrency."""

    def __init__(self, es: AsyncElasticsearch, prefix: str, cipher: PersonalDataCipher) -> None:
        self.es = es
        self.index = saved_searches_index(prefix)
        self.alias = resources_alias(prefix)
        self.cipher = cipher
        self._ready = False

    async def ensure(self) -> None:
        """Create the index on first use."""
        if not self._ready:
            await ensure_index(self.es, self.index, SAVED_SEARCHES_MAPPING)
            self._ready = True

    def _document(self, saved: SavedSearch) -> dict[str, Any]:
        doc = saved.model_dump(mode="json")
        doc["email"] = self.cipher.encrypt(saved.email)
        doc["email_hmac"] = self.cipher.email_digest(saved.email)
        doc["outbox"] = [{**m, "to": [self.cipher.encrypt(t) for t in m["to"]],
                          "subject": self.cipher.encrypt(m["subject"]), "body": self.cipher.encrypt(m["body"])}
                         for m in doc["outbox"]]
        doc["has_pending_mail"] = any(m.sent_at is None for m in saved.outbox)
        return doc

    def _saved(self, source: dict[str, Any]) -> SavedSearch:
        doc = {k: v for k, v in source.items() if k not in ("email_hmac", "has_pending_mail")}
        doc["email"] = self.cipher.decrypt(doc["email"])
        doc["outbox"] = [{**m, "to": [self.cipher.decrypt(t) for t in m["to"]],
                          "subject": self.cipher.decrypt(m["subject"]), "body": self.cipher.decrypt(m["body"])}
                         for m in doc.get("outbox", [])]
        return SavedSearch.model_validate(doc)

    async def create(self, saved: SavedSearch) -> None:
        """Store a new saved search, visible to searches on return."""
        await self.ensure()
        await self.es.create(index=self.index, id=saved.id, document=self._document(saved), refresh="wait_for")

    async def get(self, saved_id: str) -> SavedSearch:
        """One saved search (:class:`RequestNotFoundError` when it does not exist, or no longer)."""
        await self.ensure()
        try:
            resp = await self.es.get(index=self.index, id=saved_id)
        except EsNotFoundError as exc:
            raise RequestNotFoundError(f"no saved search {saved_id!r}") from exc
        return self._saved(resp["_source"])

    async def mutate(self, saved_id: str, change: Callable[[SavedSearch], bool], /) -> SavedSearch:
        """Apply ``change`` (False: nothing to write) to a fresh read until the write wins."""
        await self.ensure()
        for _attempt in range(MAX_ATTEMPTS):
            try:
                resp = await self.es.get(index=self.index, id=saved_id)
            except EsNotFoundError as exc:
                raise RequestNotFoundError(f"no saved search {saved_id!r}") from exc
            saved = self._saved(resp["_source"])
            if not change(saved):
                return saved
            try:
                await self.es.index(index=self.index, id=saved_id, document=self._document(saved),
                                    if_seq_no=resp["_seq_no"], if_primary_term=resp["_primary_term"],
                                    refresh="wait_for")
            except EsConflictError:
                continue
            return saved
        raise ContentionError(f"saved search {saved_id} kept changing; gave up after {MAX_ATTEMPTS} attempts")

    async def delete(self, saved_id: str) -> bool:
        """Remove a saved search (False when it was already gone)."""
        await self.ensure()
        try:
            await self.es.delete(index=self.index, id=saved_id, refresh="wait_for")
        except EsNotFoundError:
            return False
        return True

    async def count_by_email(self, email: str) -> int:
        """How many saved searches the address holds (found by its keyed hash)."""
        await self.ensure()
        resp = await self.es.count(index=self.index, query={"term": {"email_hmac": self.cipher.email_digest(email)}})
        return int(resp["count"])

    async def refresh(self) -> None:
        """Make every write so far visible to searches (the mailer does this before each pass)."""
        await self.ensure()
        await self.es.indices.refresh(index=self.index)

    async def scan(self, query: dict[str, Any], /) -> AsyncIterator[SavedSearch]:
        """Every saved search matching ``query`` (oldest first)."""
        await self.ensure()
        async for source in scan_sources(self.es, self.index, query):
            yield self._saved(source)

    def unsent(self) -> AsyncIterator[OutboxMail]:
        """The unsent mails of every saved search (confirmations and digests)."""
        return unsent_of(self)

    async def find_by_email(self, email: str) -> list[SavedSearch]:
        """Every saved search of the address (at most :data:`MAX_PER_ADDRESS`), found by its keyed hash."""
        await self.ensure()
        await self.refresh()
        query = {"term": {"email_hmac": self.cipher.email_digest(email)}}
        return [s async for s in self.scan(query)]
