"""The one place the request desk is wired: the gateway, the mailer and the CLI build it here."""

from __future__ import annotations

from dataclasses import dataclass

from elasticsearch import AsyncElasticsearch

from desk.accounts import AccountStore
from desk.notices import RequestLinks
from desk.privacy import AuditLog, PrivacyService
from desk.sealing import PersonalDataCipher
from desk.service import RequestService
from desk.store import RequestStore
from schemas.settings import Settings


@dataclass(frozen=True)
class Desk:
    """Accounts, requests and personal-data services over one Elasticsearch client."""

    accounts: AccountStore
    requests: RequestService
    privacy: PrivacyService


def build_desk(es: AsyncElasticsearch, settings: Settings, links: RequestLinks) -> Desk:
    """Wire the desk from ``settings`` (the caller owns ``es``; ``links`` signs the links mails carry)."""
    prefix = settings.es.index_prefix
    accounts = AccountStore(es, prefix)
    store = RequestStore(es, prefix, PersonalDataCipher(settings.personal_data_keys()))
    return Desk(accounts, RequestService(store, accounts, links, settings.requests),
                PrivacyService(store, AuditLog(es, prefix), settings.requests.retention_days))
