"""Every staff page and portal API route, tried as anonymous, staff of another institution, staff of
the right institution and administrator: exactly the expected answer, and never another
institution's request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from gateway.keys import REQUESTS


@dataclass(frozen=True)
class Route:
    """One route of the matrix: how to call it, and the expected status per principal."""

    method: str
    path: str
    api: bool
    expected: dict[str, int]
    #: For lists: whether the RIKEN request may appear in the answer, per principal.
    lists: bool = False
    body: dict[str, str] | None = None


PRINCIPALS = ("anonymous", "other", "right", "admin")
ROUTES = [
    Route("GET", "/portal/", False, {"anonymous": 303, "other": 200, "right": 200, "admin": 200}, lists=True),
    Route("GET", "/portal/requests/{rid}", False, {"anonymous": 303, "other": 404, "right": 200, "admin": 200}),
    Route("GET", "/portal/export.csv", False, {"anonymous": 303, "other": 200, "right": 200, "admin": 200}, lists=True),
    Route("POST", "/portal/requests/{rid}/messages", False,
          {"anonymous": 303, "other": 404, "right": 303, "admin": 303}, body={"body": "hello"}),
    # "ship" is not possible in under_review: allowed callers learn that (409), others learn nothing (404).
    Route("POST", "/portal/requests/{rid}/transition", False,
          {"anonymous": 303, "other": 404, "right": 409, "admin": 409}, body={"action": "ship", "comment": ""}),
    Route("GET", "/api/portal/requests", True, {"anonymous": 401, "other": 200, "right": 200, "admin": 200}, lists=True),
    Route("GET", "/api/portal/requests/{rid}", True, {"anonymous": 401, "other": 404, "right": 200, "admin": 200}),
    Route("POST", "/api/portal/requests/{rid}/transition", True,
          {"anonymous": 401, "other": 404, "right": 409, "admin": 409}, body={"action": "ship"}),
    # Staff may not act for the requester.
    Route("POST", "/api/portal/requests/{rid}/transition", True,
          {"anonymous": 401, "other": 404, "right": 403, "admin": 403}, body={"action": "withdraw"}),
]


@pytest.fixture
async def matrix_setup(app_client: Any, new_client: Any, staff: Any, flow: Any) -> dict[str, Any]:
    """A RIKEN BRC request under review, and one logged-in client per principal."""
    ids = await flow.verified_request(app_client, "matrix@lab.example", flow.HELA_RIKEN)
    rid = ids["riken-brc"]
    await app_client.post(f"/api/portal/requests/{rid}/transition", headers=flow.bearer(staff["riken"].token),
                          json={"action": "start_review"})
    await app_client.server.app[REQUESTS].store.refresh()
    who = {"other": staff["jcrb"], "right": staff["riken"], "admin": staff["admin"]}
    clients: dict[str, Any] = {"anonymous": await new_client()}
    for name, person in who.items():
        clients[name] = await new_client()
        await flow.login(clients[name], person.username)
    csrf = {name: flow.csrf_of(await flow.page(c, "/portal/login")) for name, c in clients.items()}
    tokens = {name: flow.bearer(person.token) for name, person in who.items()}
    return {"rid": rid, "clients": clients, "csrf": csrf, "tokens": tokens}


async def test_authorization_matrix(matrix_setup: dict[str, Any], flow: Any) -> None:
    rid = matrix_setup["rid"]
    answers: dict[tuple[int, str], int] = {}
    wrong: list[str] = []
    for number, route in enumerate(ROUTES):
        for who in PRINCIPALS:
            client = matrix_setup["clients"][who]
            path = route.path.format(rid=rid)
            if route.api:
                headers = matrix_setup["tokens"].get(who, {})
                response = await client.request(route.method, path, headers=headers, json=route.body,
                                                allow_redirects=False)
            else:
                data = {**route.body, "csrf_token": matrix_setup["csrf"][who]} if route.body else None
                response = await client.request(route.method, path, data=data, allow_redirects=False,
                                                headers={"Accept": "text/html"})
            text = await response.text()
            answers[(number, who)] = response.status
            if response.status != route.expected[who]:
                wrong.append(f"{route.method} {route.path} {route.body} as {who}: {response.status} "
                             f"(expected {route.expected[who]}) {text[:200]}")
            if response.status == 303 and who == "anonymous":
                assert response.headers["Location"].startswith("/portal/login?next=")
            if route.lists and response.status == 200 and (rid in text) != (who in ("right", "admin")):
                wrong.append(f"{route.method} {route.path} as {who}: request visible={rid in text}")
            if response.status == 401:
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
                assert response.content_type == "application/problem+json"
    assert not wrong, "\n".join(wrong)
    assert len(answers) == len(ROUTES) * len(PRINCIPALS)


async def test_bad_tokens_and_disabled_accounts_are_refused(app_client: Any, staff: Any, flow: Any) -> None:
    for header in ({"Authorization": "Bearer nope"}, {"Authorization": "Bearer bxt_abc.def"},
                   {"Authorization": staff["riken"].token}, flow.bearer(staff["riken"].token + "x")):
        response = await app_client.get("/api/portal/requests", headers=header)
        assert response.status == 401, header
