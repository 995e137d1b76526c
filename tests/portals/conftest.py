"""Portals against the real stack: the fixture corpus, harvest runs and quarantined records, and
usage requests with known timestamps, under this package's own index prefix; staff accounts with
passwords and tokens; the real app on aiohttp's TestServer."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from elasticsearch import AsyncElasticsearch

from desk.accounts import AccountStore
from desk.sealing import PersonalDataCipher
from desk.store import RequestStore
from fixtures.corpus import build_corpus
from fixtures.indexing import publish_corpus
from gateway.app import create_app
from gateway.ratelimit import GatewayLimits
from indexer.store import HarvestStore, ensure_system_indices
from schemas.accounts import StaffRole
from schemas.requests import Event, OutboxMail, RequestItem, RequestStatus, Role, SubmissionForm, UsageRequest
from schemas.settings import Settings

Client = TestClient[Any, Any]
TEST_LIMITS = GatewayLimits(rate=10_000.0, burst=100_000)
PASSWORD = "correct horse battery staple"
HTML = {"Accept": "text/html"}
#: A proxy in front of the gateway: loopback clients are no longer trusted for /metrics.
PROXIED = {"X-Forwarded-For": "203.0.113.9"}
RIKEN_SOURCE, RIKEN_DNA_SOURCE, JCRB_SOURCE = "riken_cells", "riken_dna", "jcrb_oai"
HELD_RUN = "riken_cells-20260301T020000-held"
HOSTILE = "<script>alert('pwned')</script>"
T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def run(source: str, institution: str, run_id: str, outcome: str, started: datetime, **counts: Any) -> dict[str, Any]:
    """A harvest run document as the writer stores it."""
    doc: dict[str, Any] = {"run_id": run_id, "source": source, "institution": institution, "mode": "full",
                           "outcome": outcome, "index": f"x-{run_id}", "started_at": started.isoformat(),
                           "finished_at": (started + timedelta(minutes=5)).isoformat(), "seen": 100, "indexed": 95,
                           "unchanged": 0, "rejected": 5, "withdrawn": 0, "deleted": 0, "errors": None,
                           "live_before": 100, "live_after": 95, "reasons": {}, "stats": {}}
    doc.update(counts)
    return doc


def rejection(source: str, reason: str, record_id: str, payload: dict[str, Any], run_id: str) -> dict[str, Any]:
    """A quarantine document."""
    return {"source": source, "reason": reason, "detail": f"{reason} in record {record_id}",
            "source_record_id": record_id, "harvest_run": run_id, "rejected_at": T0.isoformat(), "payload": payload}


def usage_request(institution: str, number: int, created: datetime, status: RequestStatus,
                  decided_after_hours: float | None = None) -> UsageRequest:
    """A request verified one hour after submission and (optionally) decided ``decided_after_hours`` later."""
    email = f"researcher{number}@lab.example"
    form = SubmissionForm.model_validate({
        "name": "Hanako Tsukuba", "email": email, "affiliation": "University of Tsukuba", "position": "PI",
        "country": "Japan", "purpose": "Metabolism.", "planned_use": "Culture.", "shipping_address": "Tsukuba",
        "language": "en"})
    events = [Event(at=created, actor=email, role=Role.REQUESTER, action="submit", to_status=RequestStatus.SUBMITTED)]
    verified = created + timedelta(hours=1)
    if status is not RequestStatus.SUBMITTED:
        events.append(Event(at=verified, actor=email, role=Role.REQUESTER, action="verify",
                            from_status=RequestStatus.SUBMITTED, to_status=RequestStatus.EMAIL_VERIFIED))
    if decided_after_hours is not None:
        action = "approve" if status is RequestStatus.APPROVED else "reject"
        events.append(Event(at=verified + timedelta(hours=decided_after_hours), actor="staff", role=Role.STAFF,
                            action=action, from_status=RequestStatus.UNDER_REVIEW, to_status=status))
    # An unverified request still waits for its verification mail: one pending mail for the gauge.
    outbox = [OutboxMail(id=f"m{number}", kind="verify", to=[email], lang="en", subject="Verify", body="Verify.",
                         created_at=created)] if status is RequestStatus.SUBMITTED else []
    return UsageRequest(id=f"BX-{number}-{institution}", outbox=outbox, submission_id=f"BX-{number}", institution=institution,
                        status=status, status_since=events[-1].at, created_at=created, updated_at=events[-1].at,
                        requester=form, items=[RequestItem(id=f"{institution}:X{number}", catalog_id=f"X{number}",
                                                           name="HeLa", resource_type="cell_line")],
                        events=events)


@pytest.fixture(scope="session")
async def pt_settings(es: AsyncElasticsearch, settings: Settings) -> Settings:
    """Settings whose prefix holds the corpus, three sources' runs and rejections, and six requests."""
    prefix = f"{settings.es.index_prefix}-pt"
    await publish_corpus(es, prefix, build_corpus())
    await ensure_system_indices(es, prefix)
    store = HarvestStore(es, prefix)
    await store.save_run(run(RIKEN_SOURCE, "riken-brc", "riken_cells-20260201", "published", T0 - timedelta(days=28)))
    await store.save_run(run(RIKEN_SOURCE, "riken-brc", HELD_RUN, "held", T0, seen=20, indexed=20, rejected=2,
                             live_after=20, errors="lost 80% of the live records", withdrawn=2,
                             withdrawn_ids=["riken-brc:RCB0001", "riken-brc:RCB0002"],
                             withdrawals=[{"id": "riken-brc:RCB0001", "catalog_id": "RCB0001", "name": "HeLa",
                                           "reason": "absent from the full harvest"},
                                          {"id": "riken-brc:RCB0002", "catalog_id": "RCB0002", "name": HOSTILE,
                                           "reason": "absent from the full harvest"}],
                             protected=[{"id": "riken-brc:RCB0001", "open_requests": ["BX-1"], "recent_views": 0,
                                         "reason": "open usage request BX-1"}]))
    await store.save_run(run(RIKEN_DNA_SOURCE, "riken-brc", "riken_dna-1", "updated", T0, mode="incremental"))
    await store.save_run(run(JCRB_SOURCE, "jcrb", "jcrb_oai-1", "published", T0))
    for doc in (rejection(RIKEN_SOURCE, "missing_name", "R1", {"id": "R1", "name": HOSTILE}, HELD_RUN),
                rejection(RIKEN_SOURCE, "missing_name", "R2", {"id": "R2"}, HELD_RUN),
                rejection(RIKEN_SOURCE, "invalid_id", "R 3", {"id": "R 3", "name": "ok"}, HELD_RUN),
                rejection(JCRB_SOURCE, "malformed", "J1", {"secret": "jcrb-only-payload"}, "jcrb_oai-1")):
        await es.index(index=store.quarantine, document=doc)
    await es.indices.refresh(index=store.quarantine)
    requests = RequestStore(es, prefix, PersonalDataCipher(settings.personal_data_keys()))
    jan, feb = datetime(2026, 1, 10, tzinfo=UTC), datetime(2026, 2, 10, tzinfo=UTC)
    for r in (usage_request("riken-brc", 1, jan, RequestStatus.APPROVED, 2),
              usage_request("riken-brc", 2, jan, RequestStatus.REJECTED, 10),
              usage_request("riken-brc", 3, feb, RequestStatus.APPROVED, 4),
              usage_request("riken-brc", 4, feb, RequestStatus.SUBMITTED),  # unverified: never counted
              usage_request("jcrb", 5, feb, RequestStatus.REJECTED, 6),
              usage_request("jcrb", 6, feb, RequestStatus.UNDER_REVIEW)):
        await requests.create(r)
    return settings.model_copy(update={"es": settings.es.model_copy(update={"index_prefix": prefix})})


@dataclass(frozen=True)
class Staff:
    """A staff account of the tests, with its API token."""

    username: str
    token: str

    @property
    def bearer(self) -> dict[str, str]:
        """The Authorization header of its token."""
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="session")
async def pt_staff(es: AsyncElasticsearch, pt_settings: Settings) -> dict[str, Staff]:
    """RIKEN BRC staff ("right"), JCRB staff ("other") and a consortium administrator."""
    accounts = AccountStore(es, pt_settings.es.index_prefix)
    people = {"right": ("riken-brc", StaffRole.STAFF), "other": ("jcrb", StaffRole.STAFF), "admin": (None, StaffRole.ADMIN)}
    result: dict[str, Staff] = {}
    for name, (institution, role) in people.items():
        username = f"pt-{name}"
        await accounts.add(username, f"{username}@inst.example", role, PASSWORD,
                           institutions=[institution] if institution else [])
        result[name] = Staff(username, await accounts.create_token(username, "tests"))
    return result


@pytest.fixture
async def new_client(pt_settings: Settings) -> AsyncIterator[Callable[[], Awaitable[Client]]]:
    """A factory of clients (each its own app and cookie jar), closed at teardown (which flushes
    their usage events)."""
    opened: list[Client] = []

    async def make() -> Client:
        test_client: Client = TestClient(TestServer(create_app(pt_settings, limits=TEST_LIMITS)))
        await test_client.start_server()
        opened.append(test_client)
        return test_client

    yield make
    for test_client in opened:
        await test_client.close()


async def page(client: Client, url: str, status: int = 200) -> str:
    """GET an HTML page and check its status."""
    response = await client.get(url, headers=HTML, allow_redirects=False)
    text = await response.text()
    assert response.status == status, f"{url}: {response.status} {text[:500]}"
    return text


async def login(client: Client, username: str) -> None:
    """Log ``client`` in through the real form."""
    form = await page(client, "/portal/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    response = await client.post("/portal/login", allow_redirects=False, headers=HTML,
                                 data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
    assert response.status == 303, await response.text()


class Portal:
    """Helpers reached through a fixture (test modules cannot import each other)."""

    page = staticmethod(page)
    login = staticmethod(login)
    HTML, PROXIED, HOSTILE, HELD_RUN = HTML, PROXIED, HOSTILE, HELD_RUN
    RIKEN_SOURCE, RIKEN_DNA_SOURCE, JCRB_SOURCE = RIKEN_SOURCE, RIKEN_DNA_SOURCE, JCRB_SOURCE

    def __init__(self, make: Callable[[], Awaitable[Client]], staff: dict[str, Staff]) -> None:
        self.make = make
        self.staff = staff

    async def logged_in(self, who: str) -> Client:
        """A new client logged in as ``who`` (anonymous for "anonymous")."""
        client = await self.make()
        if who != "anonymous":
            await login(client, self.staff[who].username)
        return client


@pytest.fixture
def portal(new_client: Callable[[], Awaitable[Client]], pt_staff: dict[str, Staff]) -> Portal:
    """Clients per principal and page helpers."""
    return Portal(new_client, pt_staff)
