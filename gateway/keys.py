"""Typed application keys: how views reach shared resources."""

from __future__ import annotations

from aiohttp import web
from elasticsearch import AsyncElasticsearch

from desk.accounts import AccountStore
from desk.admin_audit import AdminAuditLog
from desk.factory import Desk
from desk.institutions import InstitutionStore
from desk.mailqueue import MailQueue
from desk.privacy import PrivacyService
from desk.saved import SavedSearches
from desk.service import RequestService
from desk.webhooks import WebhookStore
from gateway.metrics import GatewayMetrics
from gateway.ratelimit import GatewayLimits, TokenBuckets
from gateway.signing import RequestLinks
from gateway.throttle import LoginThrottle
from indexer.breaker import CircuitBreaker
from indexer.health import HarvestHealthService
from indexer.search.service import SearchService
from indexer.usage.events import UsageEventWriter
from indexer.usage.stats import DashboardService
from schemas.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
ES = web.AppKey("es", AsyncElasticsearch)
#: The circuit breaker every Elasticsearch call of this app goes through.
BREAKER = web.AppKey("breaker", CircuitBreaker)
SEARCH = web.AppKey("search", SearchService)
#: Language code → :class:`gateway.i18n.Translator`.
TRANSLATORS = web.AppKey("translators", dict)
LIMITS = web.AppKey("limits", GatewayLimits)
BUCKETS = web.AppKey("buckets", TokenBuckets)
#: The OpenAPI document, built once at startup.
OPENAPI = web.AppKey("openapi", dict)
#: Usage requests: the service, staff accounts, signed links and submission rate limits.
REQUESTS = web.AppKey("requests", RequestService)
ACCOUNTS = web.AppKey("accounts", AccountStore)
#: Export and erasure of one requester's personal data (audited).
PRIVACY = web.AppKey("privacy", PrivacyService)
LINKS = web.AppKey("links", RequestLinks)
#: Researchers' saved searches (digest mails).
SAVED = web.AppKey("saved", SavedSearches)
#: Token buckets for request submissions: per client address and per email address.
SUBMIT_BUCKETS = web.AppKey("submit_buckets", TokenBuckets)
SUBMIT_EMAIL_BUCKETS = web.AppKey("submit_email_buckets", TokenBuckets)
#: Portals: harvest health, the admin dashboard, the usage-event writer and Prometheus metrics.
HEALTH = web.AppKey("health", HarvestHealthService)
DASHBOARD = web.AppKey("dashboard", DashboardService)
USAGE = web.AppKey("usage", UsageEventWriter)
METRICS = web.AppKey("metrics", GatewayMetrics)
#: Progressive delays of failed staff logins.
LOGIN_THROTTLE = web.AppKey("login_throttle", LoginThrottle)
#: Member institutions (their store; ``.registry`` is what pages read, loaded at start and on change).
INSTITUTIONS = web.AppKey("institutions", InstitutionStore)
#: Administrators' actions on accounts and institutions.
ADMIN_AUDIT = web.AppKey("admin_audit", AdminAuditLog)
#: Mail outside the request outboxes (invitations, resets, warnings, alerts).
MAIL = web.AppKey("mail", MailQueue)
#: Webhook endpoints and deliveries.
WEBHOOKS = web.AppKey("webhooks", WebhookStore)
#: The whole request desk (what spans its parts, such as the outbox status).
DESK = web.AppKey("desk", Desk)
