"""Saved searches: a researcher (no account) saves a search and gets a digest of new matches by mail.

A saved search is one document in ``{prefix}-saved-searches``: the search's parameters (``q`` and
the facet filters, as the search page takes them, never query DSL: they are validated again as a
:class:`schemas.search.SearchQuery` each time the search runs), the language, the state
(``pending`` until the address is confirmed, then ``verified``), ``last_digest_at`` and a small
outbox. The address is sealed with the desk's :class:`desk.sealing.PersonalDataCipher` and found
by its keyed hash (``email_hmac``); so are the recipients, subjects and bodies of the queued mails.

The digest pass (run by the mailer) looks, for each verified search, for resources that match it,
are not withdrawn and changed after ``last_digest_at``; when there are any, one mail listing up to
:data:`DIGEST_LIMIT` of them is queued and ``last_digest_at`` advances to the newest change listed,
in the same write. Delivery then works like the request outbox: claim under optimistic concurrency,
send, mark sent (or back off). Every digest carries a signed unsubscribe link and the RFC 8058
``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol
from urllib.parse import quote, urlencode

from elasticsearch import AsyncElasticsearch
from elasticsearch import ConflictError as EsConflictError
from elasticsearch import NotFoundError as EsNotFoundError
from pydantic import BaseModel, ConfigDict, Field

from desk.errors import DeliveryError, RequestNotFoundError
from desk.outbox import MAX_BACKOFF
from desk.sealing import PersonalDataCipher
from indexer.analysis.synonyms import SynonymTable
from indexer.indices import ensure_index
from indexer.names import resources_alias, saved_searches_index
from indexer.search.builder import base_query, facet_filters, with_filters
from schemas.institution import InstitutionRegistry
from schemas.requests import OutboxMail
from schemas.search import SearchQuery

log = logging.getLogger(__name__)

#: Resources listed in one digest mail (the mail gives the total and a link to the whole search).
DIGEST_LIMIT = 20
#: Saved searches one address may hold.
MAX_PER_ADDRESS = 50
#: The parameters of a search that are saved: the text and the facet filters.
SAVED_PARAMS = ("q", "resource_type", "institution", "species", "availability", "disease", "tissue")
MAX_ATTEMPTS = 20
PAGE = 500

_KW = {"type": "keyword"}
_DATE = {"type": "date"}
SAVED_SEARCHES_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {"id": _KW, "status": _KW, "email_hmac": _KW, "created_at": _DATE, "last_digest_at": _DATE,
                   "has_pending_mail": {"type": "boolean"}},
}

Sender = Callable[[OutboxMail], Awaitable[None]]


class SavedSearchLinks(Protocol):
    """Absolute URLs put into saved-search mails (signed by the application)."""

    base: str

    def saved_confirm_url(self, saved_id: str) -> str:
        """Signed, expiring confirmation link of a saved search."""
        ...

    def saved_unsubscribe_url(self, saved_id: str) -> str:
        """Signed unsubscribe link of a saved search."""
        ...


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

    async def mutate(self, saved_id: str, change: Callable[[SavedSearch], bool]) -> SavedSearch:
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
        raise RuntimeError(f"saved search {saved_id} kept changing; gave up after {MAX_ATTEMPTS} attempts")

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

    async def scan(self, query: dict[str, Any]) -> AsyncIterator[SavedSearch]:
        """Every saved search matching ``query`` (oldest first)."""
        await self.ensure()
        await self.es.indices.refresh(index=self.index)
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {"query": query, "size": PAGE, "sort": [{"created_at": "asc"}, {"id": "asc"}]}
            if after is not None:
                body["search_after"] = after
            hits = (await self.es.search(index=self.index, **body))["hits"]["hits"]
            for hit in hits:
                yield self._saved(hit["_source"])
            if len(hits) < PAGE:
                return
            after = hits[-1]["sort"]


SIGNATURE = {"ja": "\n--\nつくば生物医学資源横断検索システム (biocross)\n",
             "en": "\n--\nTsukuba Biomedical Resource Cross-Search (biocross)\n"}


class TooManySavedSearchesError(Exception):
    """The address already holds :data:`MAX_PER_ADDRESS` saved searches."""


class SavedSearches:
    """Saving, confirming, unsubscribing, the digest pass and delivery."""

    def __init__(self, store: SavedSearchStore, links: SavedSearchLinks, *, confirm_hours: int,
                 institutions: InstitutionRegistry | None = None) -> None:
        self.store = store
        self.institutions = institutions if institutions is not None else InstitutionRegistry()
        self.links = links
        self.confirm_hours = confirm_hours
        self._synonyms: SynonymTable | None = None

    def _mail(self, saved: SavedSearch, kind: str, subject: str, body: str, now: datetime,
              headers: dict[str, str] | None = None) -> OutboxMail:
        return OutboxMail(id=f"saved-{uuid.uuid4().hex}", kind=kind, to=[saved.email], lang=saved.lang,
                          subject=subject, body=body + SIGNATURE[saved.lang], created_at=now,
                          headers=headers or {})

    async def save(self, email: str, lang: Literal["ja", "en"], query: SearchQuery) -> SavedSearch:
        """Store a pending saved search with its confirmation mail queued."""
        if await self.store.count_by_email(email) >= MAX_PER_ADDRESS:
            raise TooManySavedSearchesError(email)
        now = datetime.now(UTC)
        saved = SavedSearch(id=uuid.uuid4().hex, email=email.strip(), lang=lang, query=saved_params(query),
                            created_at=now)
        link, what, hours = self.links.saved_confirm_url(saved.id), describe(saved.query), self.confirm_hours
        if lang == "ja":
            subject = "【biocross】検索の保存を確認してください"
            body = (f"次の検索の新着資源をメールでお知らせする設定を受け付けました:\n{what}\n\n"
                    f"次のリンクを開き、確認ボタンを押してください({hours} 時間有効):\n{link}\n\n"
                    "心当たりがない場合はこのメールを無視してください。何も送られません。\n")
        else:
            subject = "[biocross] Please confirm your saved search"
            body = (f"You asked to get new resources matching this search by mail:\n{what}\n\n"
                    f"Open this link and press the confirm button (valid for {hours} hours):\n{link}\n\n"
                    "If this was not you, ignore this mail; nothing will be sent.\n")
        saved.outbox.append(self._mail(saved, "saved-verify", subject, body, now))
        await self.store.create(saved)
        return saved

    async def confirm(self, saved_id: str) -> SavedSearch:
        """Mark the address confirmed; digests list what changes from now on (idempotent)."""
        def change(s: SavedSearch) -> bool:
            if s.status == "verified":
                return False
            now = datetime.now(UTC)
            s.status, s.verified_at, s.last_digest_at = "verified", now, now
            return True
        return await self.store.mutate(saved_id, change)

    async def unsubscribe(self, saved_id: str) -> bool:
        """Remove the saved search and its queued mails (False when already gone)."""
        return await self.store.delete(saved_id)

    async def _new_matches(self, saved: SavedSearch, since: datetime, until: datetime
                           ) -> tuple[int, list[dict[str, Any]]]:
        query = saved.search_query()
        changed = {"range": {"changed_at": {"gt": since.isoformat(), "lte": until.isoformat()}}}
        if self._synonyms is None:
            self._synonyms = SynonymTable.load()
        es_query = with_filters(base_query(query, self._synonyms), [*facet_filters(query).values(), changed])
        try:
            resp = await self.store.es.search(
                index=self.store.alias, query=es_query, size=DIGEST_LIMIT, track_total_hits=True,
                sort=[{"changed_at": "desc"}, {"id": "asc"}],
                source_includes=["id", "resource.name", "institution", "changed_at"])
        except EsNotFoundError:
            return 0, []  # no catalog published yet
        return int(resp["hits"]["total"]["value"]), [h["_source"] for h in resp["hits"]["hits"]]

    def _digest(self, saved: SavedSearch, total: int, hits: list[dict[str, Any]], now: datetime) -> OutboxMail:
        base, lang = self.links.base, saved.lang
        lines = []
        for hit in hits:
            inst_name = self.institutions.name(hit["institution"], lang)
            lines.append(f"- {(hit.get('resource') or {}).get('name') or hit['id']} ({inst_name})\n  {base}/resources/{quote(hit['id'], safe=':')}")
        listing, search = "\n".join(lines), base + search_path(saved.query)
        unsubscribe, what = self.links.saved_unsubscribe_url(saved.id), describe(saved.query)
        if lang == "ja":
            subject = f"【biocross】保存した検索の新着 {total} 件: {what}"
            more = f"(ほか {total - len(hits)} 件)\n" if total > len(hits) else ""
            body = (f"保存した検索「{what}」に新しく一致した資源が {total} 件あります。\n\n{listing}\n{more}\n"
                    f"検索結果をすべて見る:\n{search}\n\n配信を停止する:\n{unsubscribe}\n")
        else:
            subject = f"[biocross] {total} new for your saved search: {what}"
            more = f"(and {total - len(hits)} more)\n" if total > len(hits) else ""
            body = (f"{total} new resource(s) match your saved search {what}.\n\n{listing}\n{more}\n"
                    f"See the whole search:\n{search}\n\nUnsubscribe:\n{unsubscribe}\n")
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        return self._mail(saved, "saved-digest", subject, body, now, headers)

    async def digest_pass(self, now: datetime | None = None) -> int:
        """Queue one digest for each verified search with new matches; returns how many were queued."""
        now = now or datetime.now(UTC)
        queued = 0
        verified = [s async for s in self.store.scan({"term": {"status": "verified"}})]
        for saved in verified:
            since = saved.last_digest_at or saved.verified_at or saved.created_at
            total, hits = await self._new_matches(saved, since, now)
            if not total:
                continue
            mail = self._digest(saved, total, hits, now)
            newest = max(datetime.fromisoformat(h["changed_at"]) for h in hits)

            def change(s: SavedSearch, mail: OutboxMail = mail, newest: datetime = newest, since: datetime = since
                       ) -> bool:
                if s.status != "verified" or (s.last_digest_at or since) != since:
                    return False  # another mailer queued this digest meanwhile
                s.outbox = [*[m for m in s.outbox if m.sent_at is None][-5:], mail]
                s.last_digest_at = min(max(newest, since), now)
                return True
            try:
                after = await self.store.mutate(saved.id, change)
            except RequestNotFoundError:
                continue  # unsubscribed meanwhile
            queued += any(m.id == mail.id for m in after.outbox)
        return queued

    async def deliver(self, send: Sender, *, worker: str, claim_seconds: float = 120.0,
                      retry_seconds: float = 60.0) -> tuple[list[str], dict[str, str]]:
        """Send every due mail of every saved search once (ids sent, id → error of those that failed)."""
        sent_all: list[str] = []
        failed_all: dict[str, str] = {}
        pending = [s.id async for s in self.store.scan({"term": {"has_pending_mail": True}})]
        for saved_id in pending:
            now = datetime.now(UTC)
            claimed: list[OutboxMail] = []

            def claim(s: SavedSearch, now: datetime = now, claimed: list[OutboxMail] = claimed) -> bool:
                claimed.clear()
                for m in s.outbox:
                    if (m.sent_at is None and (m.next_attempt_at is None or m.next_attempt_at <= now)
                            and (m.claimed_until is None or m.claimed_until <= now)):
                        m.claimed_by, m.claimed_until = worker, now + timedelta(seconds=claim_seconds)
                        claimed.append(m.model_copy())
                return bool(claimed)
            try:
                await self.store.mutate(saved_id, claim)
            except RequestNotFoundError:
                continue
            sent: dict[str, datetime] = {}
            failed: dict[str, str] = {}
            for mail in claimed:
                try:
                    await send(mail)
                except DeliveryError as exc:
                    failed[mail.id] = str(exc)
                    continue
                sent[mail.id] = datetime.now(UTC)

            def mark(s: SavedSearch, now: datetime = now, sent: dict[str, datetime] = sent,
                     failed: dict[str, str] = failed) -> bool:
                for m in s.outbox:
                    if m.id in sent or m.id in failed:
                        m.attempts += 1
                        m.claimed_by = m.claimed_until = None
                    if m.id in sent:
                        m.sent_at, m.last_error, m.next_attempt_at = sent[m.id], None, None
                    elif m.id in failed:
                        delay = min(timedelta(seconds=retry_seconds * 2 ** (m.attempts - 1)), MAX_BACKOFF)
                        m.last_error, m.next_attempt_at = failed[m.id], now + delay
                return bool(sent or failed)
            if claimed:
                with contextlib.suppress(RequestNotFoundError):  # unsubscribed while its mail went out
                    await self.store.mutate(saved_id, mark)
            sent_all.extend(sent)
            failed_all.update(failed)
        if failed_all:
            log.warning("%d saved-search mail(s) not delivered, will retry", len(failed_all))
        return sent_all, failed_all
