"""Usage requests against the real stack: the fixture corpus in Elasticsearch under its own prefix,
the real app on aiohttp's TestServer, staff accounts with passwords and API tokens, and a real SMTP
server (aiosmtpd) on loopback that collects every mail the mailer delivers."""

from __future__ import annotations

import email
import re
import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiosmtpd.controller import Controller
from elasticsearch import AsyncElasticsearch

from biocross.mailer import Mailer
from desk.accounts import AccountStore
from fixtures.corpus import build_corpus
from gateway.app import create_app
from gateway.keys import LINKS, REQUESTS
from gateway.ratelimit import GatewayLimits
from indexer.publish import bulk_index_resources, create_generation, publish_generation
from schemas.accounts import StaffRole
from schemas.resource import Resource
from schemas.settings import Settings

Client = TestClient[Any, Any]
TEST_LIMITS = GatewayLimits(rate=10_000.0, burst=100_000)
PUBLIC_URL = "http://biocross.test"
PASSWORD = "correct horse battery staple"
HTML = {"Accept": "text/html"}

#: HeLa at two institutions, plus a mouse strain at RIKEN BRC.
HELA_RIKEN, HELA_JCRB, B6_RIKEN = "riken-brc:RCB7", "jcrb:JCRB9004", "riken-brc:RBRC1"
HUMAN_SPECIMEN = "tsukuba-biobank:TBB-COL1"


class Inbox:
    """Mails the SMTP server accepted (the handler runs on the controller's thread)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        """Mails with ``address`` among their recipients, in arrival order."""
        with self._lock:
            return [m for m in self.messages if address in str(m["To"])]


class LoopbackController(Controller):
    """aiosmtpd's controller on a free port (port 0 is resolved before its self-test connects)."""

    def _trigger_server(self) -> None:
        if self.port == 0 and self.server is not None:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class SmtpServer:
    """A running SMTP server and what it received."""

    inbox: Inbox = field(default_factory=Inbox)
    port: int = 0
    controller: LoopbackController | None = None

    def start(self) -> None:
        self.controller = LoopbackController(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        self.port = self.controller.port

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpServer]:
    """One SMTP server on loopback for the session."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_smtp() -> Iterator[SmtpServer]:
    """An SMTP server of one test (to stop and restart at will)."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def with_mail_port(settings: Settings, port: int) -> Settings:
    """``settings`` sending mail to ``port`` on loopback."""
    return settings.model_copy(update={"mail": settings.mail.model_copy(update={"host": "127.0.0.1", "port": port})})


@pytest.fixture(scope="session")
async def rq_settings(es: AsyncElasticsearch, settings: Settings, smtp: SmtpServer) -> Settings:
    """Settings whose prefix holds the corpus (published through the real path), with mail to the
    loopback SMTP server and immediate retries."""
    prefix = f"{settings.es.index_prefix}-rq"
    by_source: dict[str, list[Resource]] = defaultdict(list)
    for resource in build_corpus():
        by_source[resource.provenance.source].append(resource)
    for source, resources in by_source.items():
        index = await create_generation(es, prefix, source)
        await bulk_index_resources(es, index, resources)
        await publish_generation(es, prefix, source, index)
    await es.indices.refresh(index=f"{prefix}*")
    return with_mail_port(settings.model_copy(update={
        "es": settings.es.model_copy(update={"index_prefix": prefix}),
        "gateway": settings.gateway.model_copy(update={"public_url": PUBLIC_URL}),
        "requests": settings.requests.model_copy(update={"mail_retry_seconds": 0.0}),
    }), smtp.port)


@dataclass(frozen=True)
class Staff:
    """A staff account of the tests, with its API token."""

    username: str
    email: str
    token: str


@pytest.fixture(scope="session")
async def staff(es: AsyncElasticsearch, rq_settings: Settings) -> dict[str, Staff]:
    """Two RIKEN BRC staff, one JCRB staff and a consortium administrator."""
    store = AccountStore(es, rq_settings.es.index_prefix)
    people = {"riken": ("riken-brc", StaffRole.STAFF), "riken2": ("riken-brc", StaffRole.STAFF),
              "jcrb": ("jcrb", StaffRole.STAFF), "admin": (None, StaffRole.ADMIN)}
    result: dict[str, Staff] = {}
    for name, (institution, role) in people.items():
        username, address = f"{name}-staff", f"{name}-staff@inst.example"
        await store.add(username, address, role, PASSWORD, institutions=[institution] if institution else [])
        result[name] = Staff(username, address, await store.create_token(username, "tests"))
    return result


@pytest.fixture
async def app_client(rq_settings: Settings) -> AsyncIterator[Client]:
    """A new app and client with an empty cookie jar."""
    async with TestClient(TestServer(create_app(rq_settings, limits=TEST_LIMITS))) as test_client:
        yield test_client


@pytest.fixture
async def new_client(rq_settings: Settings) -> AsyncIterator[Callable[[], Awaitable[Client]]]:
    """A factory of further clients (each its own app and cookie jar), closed at teardown."""
    opened: list[Client] = []

    async def make() -> Client:
        test_client: Client = TestClient(TestServer(create_app(rq_settings, limits=TEST_LIMITS)))
        await test_client.start_server()
        opened.append(test_client)
        return test_client

    yield make
    for test_client in opened:
        await test_client.close()


@pytest.fixture
def mailer(es: AsyncElasticsearch, rq_settings: Settings) -> Mailer:
    """The mail worker, delivering to the session's SMTP server."""
    return Mailer.build(rq_settings, es)


@pytest.fixture
def mailer_to(es: AsyncElasticsearch, rq_settings: Settings) -> Callable[[int], Mailer]:
    """Mail workers delivering to another SMTP port."""
    return lambda port: Mailer.build(with_mail_port(rq_settings, port), es)


def csrf_of(text: str) -> str:
    """The CSRF token of a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match, "no CSRF token in the page"
    return match.group(1)


def link_in(message: EmailMessage, kind: str) -> str:
    """The path of the ``kind`` link (verify, track, portal) in a mail."""
    body = message.get_content()
    match = re.search(rf"{re.escape(PUBLIC_URL)}(/(?:requests/)?{kind}/\S+)", body)
    assert match, f"no {kind} link in {body!r}"
    return match.group(1)


class Flow:
    """The steps a researcher and staff take through the real HTTP interface, and small helpers
    (test modules here cannot import each other, so they reach these through the fixture)."""

    csrf_of = staticmethod(csrf_of)
    link_in = staticmethod(link_in)
    HELA_RIKEN, HELA_JCRB, B6_RIKEN, HUMAN_SPECIMEN = HELA_RIKEN, HELA_JCRB, B6_RIKEN, HUMAN_SPECIMEN

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        """The Authorization header of an API token."""
        return {"Authorization": f"Bearer {token}"}

    @staticmethod
    async def page(client: Client, url: str, status: int = 200) -> str:
        response = await client.get(url, headers=HTML)
        text = await response.text()
        assert response.status == status, text[:800]
        return text

    async def fill_cart(self, client: Client, *ids: str) -> None:
        token = csrf_of(await self.page(client, f"/resources/{ids[0]}"))
        for rid in ids:
            added = await client.post("/cart/add", allow_redirects=False, data={"resource_id": rid, "csrf_token": token})
            assert added.status == 303, await added.text()

    @staticmethod
    def form(email_address: str, language: str = "en", **overrides: str) -> dict[str, str]:
        data = {"name": "Hanako Tsukuba", "email": email_address, "affiliation": "University of Tsukuba",
                "position": "Assistant professor", "country": "Japan",
                "purpose": "Study of cervical cancer cell metabolism.", "planned_use": "Culture and RNA-seq.",
                "shipping_address": "1-1-1 Tennodai, Tsukuba, Ibaraki 305-8577", "message": "Thank you.",
                "language": language, "website": ""}
        data.update(overrides)
        return data

    async def submit(self, client: Client, email_address: str, language: str = "en", *, status: int = 303,
                     **overrides: str) -> str:
        """Fill and send the form for the cart, agreeing to every institution's conditions."""
        text = await self.page(client, "/requests/new")
        data = {"csrf_token": csrf_of(text), **self.form(email_address, language, **overrides)}
        for slug in re.findall(r'name="agree_([a-z0-9-]+)"', text):
            data.setdefault(f"agree_{slug}", "on")
        response = await client.post("/requests/new", data=data, allow_redirects=False, headers=HTML)
        body = await response.text()
        assert response.status == status, body[:2000]
        return body

    async def verified_request(self, client: Client, email_address: str, *ids: str, language: str = "en"
                               ) -> dict[str, str]:
        """Cart, form and the verification link (built by the app's signer, not read from a mail):
        institution slug → request id."""
        await self.fill_cart(client, *ids)
        await self.submit(client, email_address, language)
        found = await client.server.app[REQUESTS].store.find_by_email(email_address)
        token = client.server.app[LINKS].verify_token(found[0].submission_id)
        await self.confirm(client, f"/requests/verify/{token}")
        return {r.institution: r.id for r in found}

    async def confirm(self, client: Client, path: str) -> Any:
        """Open a verification link (a page with a button, which changes nothing) and press the
        button; returns the POST's redirect response."""
        token = csrf_of(await self.page(client, path))
        response = await client.post(path, data={"csrf_token": token}, allow_redirects=False, headers=HTML)
        assert response.status == 303, (await response.text())[:800]
        return response

    async def login(self, client: Client, username: str, password: str = PASSWORD, status: int = 303) -> str:
        token = csrf_of(await self.page(client, "/portal/login"))
        response = await client.post("/portal/login", allow_redirects=False, headers=HTML,
                                     data={"username": username, "password": password, "csrf_token": token})
        body = await response.text()
        assert response.status == status, body[:800]
        return body

    async def staff_act(self, client: Client, request_id: str, action: str, comment: str = "", *,
                        status: int = 303) -> str:
        detail = await self.page(client, f"/portal/requests/{request_id}")
        revision = re.search(r'name="revision" value="(\d+)"', detail)
        assert revision, "no action form on the detail page"
        response = await client.post(f"/portal/requests/{request_id}/transition", allow_redirects=False, headers=HTML,
                                     data={"csrf_token": csrf_of(detail), "action": action, "comment": comment,
                                           "revision": revision.group(1), "confirm": "yes"})
        body = await response.text()
        assert response.status == status, body[:1500]
        return body


@pytest.fixture
def flow() -> Flow:
    """Helpers driving the real pages."""
    return Flow()
