"""Staff login against hostile clients: unknown and real user names get the same answer in about the
same time, guessing slows down per address and per account without ever locking the real user out,
and the CSRF token changes at login."""

from __future__ import annotations

import re
import statistics
import time
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient
from elasticsearch import AsyncElasticsearch

from desk.accounts import AccountStore
from gateway.keys import LOGIN_THROTTLE
from gateway.throttle import ThrottlePolicy
from schemas.accounts import StaffRole
from schemas.settings import Settings

PASSWORD = "correct horse battery staple"
HTML = {"Accept": "text/html"}


Client = TestClient[Any, Any]


def csrf_of(text: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match, "no CSRF token in the page"
    return match.group(1)


async def attempt(client: Client, username: str, password: str) -> tuple[int, str, float, dict[str, str]]:
    token = csrf_of(await (await client.get("/portal/login", headers=HTML)).text())
    started = time.perf_counter()
    response = await client.post("/portal/login", allow_redirects=False, headers=HTML,
                                 data={"username": username, "password": password, "csrf_token": token})
    return response.status, await response.text(), time.perf_counter() - started, dict(response.headers)


async def test_unknown_and_real_user_names_get_the_same_answer(app_client: Client, es: AsyncElasticsearch,
                                                               rq_settings: Settings) -> None:
    await AccountStore(es, rq_settings.es.index_prefix).add(
        "same-answer", "same@inst.example", StaffRole.STAFF, PASSWORD, institutions=["nies"])
    # Throttling is keyed by what the client sends, never by whether the name exists; it is tested
    # below. Here it is out of the way, so only the accounts' own answers are compared.
    app_client.server.app[LOGIN_THROTTLE].policy = ThrottlePolicy(free_per_address=100, free_per_pair=100,
                                                                  free_per_account=100)
    real, unknown = [], []
    for _ in range(6):  # past the old lock threshold (five): a real account used to answer 429, others 401
        real.append(await attempt(app_client, "same-answer", "wrong password"))
        unknown.append(await attempt(app_client, "no-such-user", "wrong password"))
    assert [r[0] for r in real] == [u[0] for u in unknown] == [401] * 6
    refused = list(zip(real, unknown, strict=True))
    assert {r[1].replace("same-answer", "NAME") for r, _u in refused} == \
        {u[1].replace("no-such-user", "NAME") for _r, u in refused}
    real_time, unknown_time = statistics.median(r[2] for r, _u in refused), statistics.median(u[2] for _r, u in refused)
    assert abs(real_time - unknown_time) < max(0.1, 0.5 * min(real_time, unknown_time)), (real_time, unknown_time)


async def test_guessing_from_one_address_slows_it_but_never_locks_the_real_user_out(
        app_client: Client, es: AsyncElasticsearch, rq_settings: Settings) -> None:
    await AccountStore(es, rq_settings.es.index_prefix).add(
        "targeted", "targeted@inst.example", StaffRole.STAFF, PASSWORD, institutions=["nies"])
    statuses = [(await attempt(app_client, "targeted", f"guess {i}"))[0] for i in range(50)]
    assert statuses[:3] == [401, 401, 401] and statuses.count(401) <= 8 and statuses.count(429) >= 40
    status, body, _s, headers = await attempt(app_client, "targeted", PASSWORD)  # even the right one waits
    assert status == 429 and int(headers["Retry-After"]) >= 1 and "秒待って" in body
    # The real user, from another address, gets in at once (a short wait at most).
    connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
        page = await other.get(app_client.make_url("/portal/login"))
        started = time.perf_counter()
        login = await other.post(app_client.make_url("/portal/login"), allow_redirects=False, data={
            "username": "targeted", "password": PASSWORD, "csrf_token": csrf_of(await page.text())})
        assert login.status == 303, await login.text()
        assert time.perf_counter() - started < 4.0


async def test_spraying_user_names_from_one_address_is_throttled(app_client: Client) -> None:
    statuses = [(await attempt(app_client, f"name-{i}", "password"))[0] for i in range(30)]
    assert statuses[:10] == [401] * 10
    assert statuses.count(429) >= 15


async def test_csrf_token_changes_at_login(app_client: Client, es: AsyncElasticsearch,
                                           rq_settings: Settings) -> None:
    await AccountStore(es, rq_settings.es.index_prefix).add(
        "rotating", "rotating@inst.example", StaffRole.STAFF, PASSWORD, institutions=["nies"])
    before = csrf_of(await (await app_client.get("/portal/login")).text())
    login = await app_client.post("/portal/login", allow_redirects=False, data={
        "username": "rotating", "password": PASSWORD, "csrf_token": before})
    assert login.status == 303
    after = csrf_of(await (await app_client.get("/portal/", headers=HTML)).text())
    assert after != before
    stale = await app_client.post("/portal/logout", data={"csrf_token": before}, allow_redirects=False, headers=HTML)
    assert stale.status == 403
    assert (await app_client.post("/portal/logout", data={"csrf_token": after}, allow_redirects=False)).status == 303
