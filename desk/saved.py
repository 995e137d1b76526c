"""Saved searches: a researcher (no account) saves a search and gets a digest of new matches by mail.

The digest pass (run by the mailer) looks, for each verified search, for resources that match it,
are not withdrawn and changed after ``last_digest_at``; when there are any, one mail listing up to
:data:`DIGEST_LIMIT` of them is queued and ``last_digest_at`` advances to the newest change listed,
in the same write. Delivery is the request outbox's (:func:`desk.outbox.deliver_pending`): claim
under optimistic concurrency, send, mark sent (or back off). Every digest carries a signed
unsubscribe link and the RFC 8058 ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers.
Storage is :mod:`desk.saved_store`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol
from urllib.parse import quote

from elasticsearch import NotFoundError as EsNotFoundError

from desk.errors import RequestError, RequestNotFoundError
from desk.outbox import DeliveryReport, Sender, deliver_pending
from desk.saved_store import MAX_PER_ADDRESS, SavedSearch, SavedSearchStore, describe, saved_params, search_path
from indexer.analysis.synonyms import SynonymTable
from indexer.search.builder import base_query, facet_filters, with_filters
from schemas.institution import InstitutionRegistry
from schemas.requests import OutboxMail
from schemas.search import SearchQuery

#: Resources listed in one digest mail (the mail gives the total and a link to the whole search).
DIGEST_LIMIT = 20


class SavedSearchLinks(Protocol):
    """Absolute URLs put into saved-search mails (signed by the application)."""

    base: str

    def saved_confirm_url(self, saved_id: str) -> str:
        """Signed, expiring confirmation link of a saved search."""
        ...

    def saved_unsubscribe_url(self, saved_id: str) -> str:
        """Signed unsubscribe link of a saved search."""
        ...


SIGNATURE = {"ja": "\n--\nつくば生物医学資源横断検索システム (biocross)\n",
             "en": "\n--\nTsukuba Biomedical Resource Cross-Search (biocross)\n"}


class TooManySavedSearchesError(RequestError):
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

    async def drop_unconfirmed(self, now: datetime | None = None) -> list[str]:
        """Delete the saved searches whose confirmation link has expired unused (nobody can confirm
        them any more, and they hold an address); the ids deleted."""
        cutoff = (now or datetime.now(UTC)) - timedelta(hours=self.confirm_hours)
        await self.store.refresh()
        query = {"bool": {"filter": [{"term": {"status": "pending"}},
                                     {"range": {"created_at": {"lt": cutoff.isoformat()}}}]}}
        stale = [s.id async for s in self.store.scan(query)]
        return [saved_id for saved_id in stale if await self.store.delete(saved_id)]

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
        await self.store.refresh()
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
                      retry_seconds: float = 60.0) -> DeliveryReport:
        """Send every due mail of every saved search once."""
        return await deliver_pending(self.store, send, worker=worker, claim_seconds=claim_seconds,
                                     retry_seconds=retry_seconds)
