"""Two staff members acting on one request at the same moment: one wins, the other gets a clear
409, and the history holds exactly the winner's event (nothing lost, nothing doubled)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from desk.service import Actor
from gateway.keys import REQUESTS
from schemas.requests import Role


async def test_two_staff_pages_racing_one_wins_the_other_gets_409(app_client: Any, new_client: Any, staff: Any,
                                                                   flow: Any) -> None:
    ids = await flow.verified_request(app_client, "race.pages@lab.example", flow.HELA_RIKEN)
    rid = ids["riken-brc"]
    first, second = await new_client(), await new_client()
    await flow.login(first, staff["riken"].username)
    await flow.login(second, staff["riken2"].username)
    await flow.staff_act(first, rid, "start_review")

    # Both open the page (same revision), then both submit at once: one approves, one asks.
    pages = [await flow.page(c, f"/portal/requests/{rid}?lang=en") for c in (first, second)]
    revisions = {re.search(r'name="revision" value="(\d+)"', p).group(1) for p in pages}  # type: ignore[union-attr]
    assert len(revisions) == 1
    revision = revisions.pop()

    async def act(client: Any, page: str, action: str, comment: str) -> tuple[int, str]:
        response = await client.post(f"/portal/requests/{rid}/transition?lang=en", allow_redirects=False,
                                     headers={"Accept": "text/html"},
                                     data={"csrf_token": flow.csrf_of(page), "action": action, "comment": comment,
                                           "revision": revision})
        return response.status, await response.text()

    results = await asyncio.gather(act(first, pages[0], "approve", "Looks good."),
                                   act(second, pages[1], "ask_information", "Which lab?"))
    assert sorted(status for status, _ in results) == [303, 409]
    loser = next(text for status, text in results if status == 409)
    assert 'role="alert"' in loser and "Someone else acted on this request first" in loser
    assert "is no longer possible" not in loser  # the service's English detail never reaches the page

    detail = await (await app_client.get(f"/api/portal/requests/{rid}",
                                         headers=flow.bearer(staff["riken"].token))).json()
    actions = [e["action"] for e in detail["events"]]
    assert actions[:3] == ["submit", "verify", "start_review"] and len(actions) == 4
    assert actions[3] in ("approve", "ask_information")
    assert detail["status"] == ("approved" if actions[3] == "approve" else "needs_information")


async def test_api_race_and_concurrent_messages_lose_nothing(app_client: Any, staff: Any, flow: Any) -> None:
    ids = await flow.verified_request(app_client, "race.api@lab.example", flow.HELA_JCRB)
    rid = ids["jcrb"]
    jcrb, admin = flow.bearer(staff["jcrb"].token), flow.bearer(staff["admin"].token)
    start = await app_client.post(f"/api/portal/requests/{rid}/transition", headers=jcrb,
                                  json={"action": "start_review"})
    revision = (await start.json())["revision"]

    async def call(headers: dict[str, str], action: str) -> tuple[int, dict[str, Any]]:
        response = await app_client.post(f"/api/portal/requests/{rid}/transition", headers=headers,
                                         json={"action": action, "comment": "decided", "revision": revision})
        return response.status, await response.json(content_type=None)

    results = await asyncio.gather(call(jcrb, "approve"), call(admin, "reject"))
    assert sorted(status for status, _ in results) == [200, 409]
    problem = next(body for status, body in results if status == 409)
    assert problem["type"].endswith("/conflict") and "reload" in problem["detail"]

    # Messages from both sides at once: each lands (read-modify-write retried on conflict).
    service = app_client.server.app[REQUESTS]
    found = await service.store.load(rid)
    before = len(found.request.messages)
    requester = Actor("race.api@lab.example", Role.REQUESTER, submission_id=found.request.submission_id)
    staff_actor = Actor(staff["jcrb"].username, Role.STAFF, frozenset({"jcrb"}))
    await asyncio.gather(*(service.post_message(a, rid, f"message {i}") for i, a in
                           enumerate([requester, staff_actor] * 4)))
    after = (await service.store.load(rid)).request
    assert len(after.messages) == before + 8
    assert sorted(m.body for m in after.messages[before:]) == sorted(f"message {i}" for i in range(8))

