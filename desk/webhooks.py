"""Webhooks: administrators register endpoints for request lifecycle and harvest outcome events;
each event becomes one delivery per subscribed endpoint, signed as the Standard Webhooks
specification says, POSTed by the mailer, retried with exponential backoff, logged attempt by
attempt, and redeliverable by hand.

Signature (https://www.standardwebhooks.com/): headers ``webhook-id`` (the delivery id, the same on
every retry so receivers can drop duplicates), ``webhook-timestamp`` (Unix seconds of this attempt)
and ``webhook-signature`` = ``v1,`` + base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}")), where the
key is the base64 part of the endpoint's ``whsec_`` secret.

Endpoints and deliveries live in ``{prefix}-webhooks`` (``kind`` tells them apart). A delivery
document is created with an id derived from the event and the endpoint, so an event queued twice
(two mailers, a re-scan) is delivered once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import aiohttp
from elasticsearch import AsyncElasticsearch
from elasticsearch import ConflictError as EsConflictError
from elasticsearch import NotFoundError as EsNotFoundError
from pydantic import BaseModel, ConfigDict, Field

from desk.errors import RequestError
from indexer.indices import ensure_index
from indexer.names import harvest_runs_index, webhooks_index

log = logging.getLogger(__name__)
_KW = {"type": "keyword"}
WEBHOOKS_MAPPING: dict[str, Any] = {"dynamic": False, "properties": {
    "kind": _KW, "endpoint_id": _KW, "events": _KW, "event": _KW, "status": _KW, "active": {"type": "boolean"},
    "created_at": {"type": "date"}, "next_attempt_at": {"type": "date"}}}
#: Event types an endpoint can subscribe to.
EVENT_TYPES = ("request.verified", "request.status_changed", "request.message", "harvest.completed",
               "harvest.failed", "harvest.held")
MAX_ATTEMPTS = 8
TIMEOUT = aiohttp.ClientTimeout(total=15)
DeliveryStatus = Literal["pending", "delivered", "failed"]


class WebhookError(RequestError):
    """An endpoint or delivery that does not exist, or an endpoint URL that is not http(s). Raised by
    :class:`WebhookStore`; fix the input (400/404)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WebhookEndpoint(_Model):
    """A receiver registered by an administrator."""

    id: str = Field(description="Endpoint id.")
    url: str = Field(pattern=r"^https?://\S+$", description="Where deliveries are POSTed.")
    events: list[str] = Field(description="Subscribed event types.")
    secret: str = Field(description="whsec_ + base64 key; shown to the administrator to configure the receiver.")
    active: bool = Field(True, description="Inactive endpoints get no new deliveries.")
    created_by: str = Field(description="Administrator who registered it.")
    created_at: datetime = Field(description="When.")


class Attempt(_Model):
    """One try of a delivery."""

    at: datetime
    status_code: int | None = None
    error: str | None = None
    manual: bool = False


class WebhookDelivery(_Model):
    """One event to one endpoint, with its attempts."""

    id: str = Field(description="webhook-id header: msg_... (stable across retries).")
    endpoint_id: str
    url: str
    event: str
    body: str = Field(description="The JSON payload exactly as signed and sent.")
    created_at: datetime
    status: DeliveryStatus = "pending"
    next_attempt_at: datetime | None = None
    attempts: list[Attempt] = Field(default_factory=list)


def new_secret() -> str:
    """A random signing secret in the Standard Webhooks format."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """The ``webhook-signature`` header value."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _source(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("kind", "manual")}


class WebhookStore:
    """Endpoints, deliveries, queueing and sending."""

    def __init__(self, es: AsyncElasticsearch, prefix: str, *, retry_seconds: float = 30.0) -> None:
        self.es = es
        self.index = webhooks_index(prefix)
        self.runs = harvest_runs_index(prefix)
        self.retry_seconds = retry_seconds
        self._ready = False

    async def ensure(self) -> None:
        """Create the index on first use."""
        if not self._ready:
            await ensure_index(self.es, self.index, WEBHOOKS_MAPPING)
            self._ready = True

    async def add_endpoint(self, url: str, events: list[str], actor: str) -> WebhookEndpoint:
        """Register an endpoint (its secret is generated here)."""
        unknown = sorted(set(events) - set(EVENT_TYPES))
        if unknown or not events:
            raise WebhookError(f"choose event types among {', '.join(EVENT_TYPES)}")
        if not url.startswith(("http://", "https://")) or any(c.isspace() for c in url) or len(url) > 2000:
            raise WebhookError("the endpoint URL must be http(s)")
        endpoint = WebhookEndpoint(id="ep_" + secrets.token_hex(8), url=url, events=sorted(set(events)),
                                   secret=new_secret(), created_by=actor, created_at=datetime.now(UTC))
        await self.ensure()
        await self.es.index(index=self.index, id=endpoint.id, refresh="wait_for",
                            document={"kind": "endpoint", **endpoint.model_dump(mode="json")})
        return endpoint

    async def set_active(self, endpoint_id: str, active: bool) -> None:
        """Pause or resume an endpoint."""
        await self.ensure()
        try:
            await self.es.update(index=self.index, id=endpoint_id, doc={"active": active}, refresh="wait_for")
        except EsNotFoundError as exc:
            raise WebhookError(f"no endpoint {endpoint_id!r}") from exc

    async def endpoints(self) -> list[WebhookEndpoint]:
        """Every endpoint, newest first."""
        await self.ensure()
        resp = await self.es.search(index=self.index, size=200, query={"term": {"kind": "endpoint"}},
                                    sort=[{"created_at": "desc"}])
        return [WebhookEndpoint.model_validate(_source(h["_source"])) for h in resp["hits"]["hits"]]

    async def deliveries(self, size: int = 100) -> list[WebhookDelivery]:
        """The newest deliveries with their attempts."""
        await self.ensure()
        resp = await self.es.search(index=self.index, size=size, query={"term": {"kind": "delivery"}},
                                    sort=[{"created_at": "desc"}])
        return [WebhookDelivery.model_validate(_source(h["_source"])) for h in resp["hits"]["hits"]]

    async def emit(self, event: str, data: dict[str, Any], *, key: str, now: datetime | None = None) -> int:
        """Queue ``event`` for every active endpoint subscribed to it; ``key`` names the event
        uniquely (a request id and revision, a run id), so emitting it again queues nothing."""
        now = now or datetime.now(UTC)
        queued = 0
        for endpoint in await self.endpoints():
            if not endpoint.active or event not in endpoint.events:
                continue
            msg_id = "msg_" + hashlib.sha256(f"{endpoint.id}|{event}|{key}".encode()).hexdigest()[:26]
            body = json.dumps({"type": event, "timestamp": now.isoformat(), "data": data}, ensure_ascii=False,
                              sort_keys=True, separators=(",", ":"))
            delivery = WebhookDelivery(id=msg_id, endpoint_id=endpoint.id, url=endpoint.url, event=event, body=body,
                                       created_at=now, next_attempt_at=now)
            try:
                # No refresh wait (this runs inside a user's action): each delivery pass refreshes first.
                await self.es.create(index=self.index, id=msg_id,
                                     document={"kind": "delivery", **delivery.model_dump(mode="json")})
            except EsConflictError:
                continue
            queued += 1
        return queued

    async def emit_harvest_outcomes(self, since: timedelta = timedelta(days=2), now: datetime | None = None) -> int:
        """Queue ``harvest.completed|failed|held`` for every finished run recorded lately."""
        now = now or datetime.now(UTC)
        if not await self.es.indices.exists(index=self.runs):
            return 0
        await self.es.indices.refresh(index=self.runs)
        resp = await self.es.search(index=self.runs, size=500, sort=[{"started_at": "asc"}], query={"bool": {
            "filter": [{"range": {"started_at": {"gte": (now - since).isoformat()}}}],
            "must_not": [{"term": {"outcome": "running"}}]}})
        queued = 0
        for hit in resp["hits"]["hits"]:
            run = hit["_source"]
            event = {"failed": "harvest.failed", "held": "harvest.held"}.get(run["outcome"], "harvest.completed")
            data = {k: run.get(k) for k in ("run_id", "source", "institution", "outcome", "started_at", "finished_at",
                                            "seen", "indexed", "rejected", "withdrawn", "live_before", "live_after",
                                            "errors")}
            queued += await self.emit(event, data, key=run["run_id"], now=now)
        return queued

    async def redeliver(self, delivery_id: str) -> None:
        """Send a delivery again at the next pass (whatever its state), keeping its attempts log."""
        await self.ensure()
        try:
            await self.es.update(index=self.index, id=delivery_id, refresh="wait_for", doc={
                "status": "pending", "next_attempt_at": datetime.now(UTC).isoformat(), "manual": True})
        except EsNotFoundError as exc:
            raise WebhookError(f"no delivery {delivery_id!r}") from exc

    async def deliver(self, session: aiohttp.ClientSession, now: datetime | None = None) -> dict[str, int]:
        """POST every due delivery once; returns how many were delivered and how many failed."""
        now = now or datetime.now(UTC)
        await self.ensure()
        await self.es.indices.refresh(index=self.index)
        resp = await self.es.search(index=self.index, size=200, seq_no_primary_term=True, query={"bool": {"filter": [
            {"term": {"kind": "delivery"}}, {"term": {"status": "pending"}},
            {"range": {"next_attempt_at": {"lte": now.isoformat()}}}]}}, sort=[{"created_at": "asc"}])
        secrets_by_endpoint = {e.id: e.secret for e in await self.endpoints()}
        counts = {"delivered": 0, "failed": 0}
        for hit in resp["hits"]["hits"]:
            source = hit["_source"]
            manual = bool(source.get("manual"))
            delivery = WebhookDelivery.model_validate(_source(source))
            # Claim: push the next attempt out, so a concurrent mailer skips it.
            try:
                claimed = await self.es.index(
                    index=self.index, id=delivery.id, if_seq_no=hit["_seq_no"], if_primary_term=hit["_primary_term"],
                    document={"kind": "delivery", **delivery.model_dump(mode="json"),
                              "next_attempt_at": (now + timedelta(minutes=5)).isoformat()})
            except EsConflictError:
                continue
            attempt = await self._post(session, delivery, secrets_by_endpoint.get(delivery.endpoint_id), manual)
            delivery.attempts.append(attempt)
            ok = attempt.status_code is not None and 200 <= attempt.status_code < 300
            tries = sum(1 for a in delivery.attempts if not a.manual) if not manual else 0
            if ok:
                delivery.status, delivery.next_attempt_at = "delivered", None
                counts["delivered"] += 1
            elif manual or tries >= MAX_ATTEMPTS:
                delivery.status, delivery.next_attempt_at = "failed", None
                counts["failed"] += 1
            else:
                delivery.next_attempt_at = now + timedelta(seconds=self.retry_seconds * 2 ** (tries - 1))
                counts["failed"] += 1
            await self.es.index(index=self.index, id=delivery.id, refresh="wait_for",
                                if_seq_no=claimed["_seq_no"], if_primary_term=claimed["_primary_term"],
                                document={"kind": "delivery", **delivery.model_dump(mode="json")})
        return counts

    async def _post(self, session: aiohttp.ClientSession, delivery: WebhookDelivery, secret: str | None,
                    manual: bool) -> Attempt:
        at = datetime.now(UTC)
        if secret is None:
            return Attempt(at=at, error="the endpoint was removed", manual=manual)
        timestamp = int(at.timestamp())
        headers = {"content-type": "application/json", "webhook-id": delivery.id,
                   "webhook-timestamp": str(timestamp),
                   "webhook-signature": signature(secret, delivery.id, timestamp, delivery.body)}
        try:
            async with session.post(delivery.url, data=delivery.body.encode(), headers=headers, timeout=TIMEOUT,
                                    allow_redirects=False) as response:
                await response.read()
                return Attempt(at=at, status_code=response.status, manual=manual)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("webhook %s to %s failed: %s", delivery.id, delivery.url, type(exc).__name__)
            return Attempt(at=at, error=f"{type(exc).__name__}: {exc}"[:300], manual=manual)
