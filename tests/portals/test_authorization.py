"""Every new portal, dashboard and metrics route, as anonymous, staff of another institution, staff
of the right institution and administrator: exactly the expected status, and never another
institution's source in a list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PRINCIPALS = ("anonymous", "other", "right", "admin")


@dataclass(frozen=True)
class Route:
    """A route and the expected status per principal."""

    path: str
    api: bool
    expected: dict[str, int]
    lists: bool = False


def _statuses(anonymous: int, other: int, right: int, admin: int) -> dict[str, int]:
    return {"anonymous": anonymous, "other": other, "right": right, "admin": admin}


ROUTES = [
    Route("/portal/harvests", False, _statuses(303, 200, 200, 200), lists=True),
    Route("/portal/harvests/riken_cells/rejections", False, _statuses(303, 404, 200, 200)),
    Route("/portal/harvests/riken_cells/rejections?reason=missing_name", False, _statuses(303, 404, 200, 200)),
    Route("/admin", False, _statuses(303, 403, 403, 200)),
    Route("/admin/export/top-queries.csv", False, _statuses(303, 403, 403, 200)),
    Route("/admin/export/no-such-table.csv", False, _statuses(303, 403, 403, 404)),
    Route("/api/portal/harvests", True, _statuses(401, 200, 200, 200), lists=True),
    Route("/api/portal/harvests/riken_cells", True, _statuses(401, 404, 200, 200)),
    Route("/api/portal/harvests/riken_cells/rejections", True, _statuses(401, 404, 200, 200)),
    Route("/metrics", True, _statuses(401, 403, 403, 200)),
]


async def test_authorization_matrix(portal: Any, pt_staff: Any) -> None:
    clients = {who: await portal.logged_in(who) for who in PRINCIPALS}
    wrong: list[str] = []
    for route in ROUTES:
        for who in PRINCIPALS:
            if route.api:  # tokens only, behind a "proxy" so loopback trust never applies
                headers = {**portal.PROXIED, **(pt_staff[who].bearer if who in pt_staff else {})}
                response = await clients["anonymous"].get(route.path, headers=headers, allow_redirects=False)
            else:
                response = await clients[who].get(route.path, headers=portal.HTML, allow_redirects=False)
            text = await response.text()
            if response.status != route.expected[who]:
                wrong.append(f"{route.path} as {who}: {response.status} (expected {route.expected[who]}) {text[:200]}")
            if response.status == 303:
                assert response.headers["Location"].startswith("/portal/login?next=")
            if response.status == 403 and not route.api:
                assert "Not allowed" in text or "権限がありません" in text
            if response.status == 401:
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
            if route.lists and response.status == 200 and ("riken_cells" in text) != (who in ("right", "admin")):
                wrong.append(f"{route.path} as {who}: RIKEN source visible={'riken_cells' in text}")
    assert not wrong, "\n".join(wrong)
