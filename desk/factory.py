"""The one place the request desk is wired: the gateway, the mailer and the CLI build it here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from elasticsearch import AsyncElasticsearch

from desk.accounts import AccountStore
from desk.admin_audit import AdminAuditLog
from desk.institutions import InstitutionStore
from desk.mailqueue import MailQueue
from desk.notices import RequestLinks
from desk.outbox import OutboxStatus, outbox_status
from desk.privacy import AuditLog, PrivacyService
from desk.saved import SavedSearches, SavedSearchLinks
from desk.saved_store import SavedSearchStore
from desk.sealing import PersonalDataCipher
from desk.service import RequestService
from desk.store import RequestStore
from desk.webhooks import WebhookStore
from schemas.settings import Settings


class DeskLinks(RequestLinks, SavedSearchLinks, Protocol):
    """Every signed link the desk's mails carry."""


@dataclass(frozen=True)
class Desk:
    """Accounts, institutions, requests and personal-data services over one Elasticsearch client.

    ``institutions.registry`` is empty until ``await institutions.load()``; callers load it once at start.
    """

    accounts: AccountStore
    requests: RequestService
    privacy: PrivacyService
    institutions: InstitutionStore
    admin_audit: AdminAuditLog
    mail: MailQueue
    webhooks: WebhookStore
    saved: SavedSearches

    async def outbox_status(self) -> OutboxStatus:
        """Unsent mail over the request outboxes, the saved searches' outboxes and the mail queue."""
        return await outbox_status(self.requests.store, self.saved.store, self.mail)


def build_desk(es: AsyncElasticsearch, settings: Settings, links: DeskLinks) -> Desk:
    """Wire the desk from ``settings`` (the caller owns ``es``; ``links`` signs the links mails carry)."""
    prefix = settings.es.index_prefix
    accounts = AccountStore(es, prefix)
    institutions = InstitutionStore(es, prefix)
    cipher = PersonalDataCipher(settings.personal_data_keys())
    store = RequestStore(es, prefix, cipher)
    requests = RequestService(store, accounts, links, settings.requests, institutions.registry)
    requests.webhooks = webhooks = WebhookStore(es, prefix, retry_seconds=settings.requests.mail_retry_seconds)
    saved_store = SavedSearchStore(es, prefix, cipher)
    saved = SavedSearches(saved_store, links, confirm_hours=settings.requests.verify_link_hours,
                          institutions=institutions.registry)
    privacy = PrivacyService(store, AuditLog(es, prefix), settings.requests.retention_days, saved_store)
    return Desk(accounts, requests, privacy, institutions, AdminAuditLog(es, prefix), MailQueue(es, prefix),
                webhooks, saved)
