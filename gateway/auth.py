"""Who is asking: requesters by signed links, staff by login session or API token.

* Requesters have no password: they prove who they are with the signed links of
  :mod:`gateway.signing`.
* Staff log in with a password; the ``biocross_staff`` cookie holds a random session token
  (HttpOnly, SameSite=Lax, Secure when the site is https) whose hash names a server-side session,
  so logging out or disabling the account ends it at once.
* An institution's own systems call ``/api/portal/`` with ``Authorization: Bearer <token>``.
* The admin dashboard needs an administrator's session; ``/metrics`` an administrator's token, or a
  loopback client that came through no proxy (see :func:`require_metrics_access`).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import quote

from aiohttp import web

from desk.errors import AuthenticationError
from desk.service import Actor
from gateway.errors import AdminRequiredError, AuthenticationRequiredError
from gateway.keys import ACCOUNTS, SETTINGS
from indexer.health import Scope
from schemas.accounts import Account, StaffRole
from schemas.requests import Role
from schemas.settings import Settings

STAFF_COOKIE = "biocross_staff"
STAFF_ACCOUNT = web.RequestKey("staff_account", Account)


def actor_for(account: Account) -> Actor:
    """The service-level actor of a staff account."""
    role = Role.ADMIN if account.role is StaffRole.ADMIN else Role.STAFF
    return Actor(name=account.username, role=role, institutions=frozenset(account.institutions))


def scope_of(account: Account) -> Scope:
    """The institutions whose harvests ``account`` may see (``None``: all, for administrators)."""
    return None if account.role is StaffRole.ADMIN else frozenset(account.institutions)


async def staff_account(request: web.Request) -> Account | None:
    """The logged-in staff account of a page request, if any (cached on the request)."""
    if STAFF_ACCOUNT in request:
        return request[STAFF_ACCOUNT]
    token = request.cookies.get(STAFF_COOKIE)
    if not token or len(token) > 100:
        return None
    try:
        account = await request.app[ACCOUNTS].session_account(token)
    except AuthenticationError:
        return None
    request[STAFF_ACCOUNT] = account
    return account


async def require_staff(request: web.Request) -> Account:
    """The logged-in staff account; anyone else is sent to the login page."""
    account = await staff_account(request)
    if account is None:
        target = quote(request.path_qs, safe="/?=&")
        raise web.HTTPSeeOther(f"/portal/login?next={target}")
    return account


async def require_token(request: web.Request) -> Account:
    """The account of the request's bearer token; :class:`AuthenticationRequiredError` without one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationRequiredError("send an API token as 'Authorization: Bearer <token>'")
    return await request.app[ACCOUNTS].token_account(token.strip())


async def require_admin(request: web.Request) -> Account:
    """A logged-in administrator: anonymous visitors go to the login page, staff get 403."""
    account = await require_staff(request)
    if account.role is not StaffRole.ADMIN:
        raise AdminRequiredError("this page is for consortium administrators")
    return account


_PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def _direct_loopback(request: web.Request) -> bool:
    """Whether the peer is a loopback address and the request came through no (header-adding) proxy."""
    if any(name in request.headers for name in _PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False


async def require_metrics_access(request: web.Request) -> None:
    """``/metrics``: an administrator's bearer token, or (if ``gateway.metrics_loopback``) a direct
    loopback client. A staff token is 403; anyone else 401."""
    if "Authorization" in request.headers:
        if (await require_token(request)).role is not StaffRole.ADMIN:
            raise AdminRequiredError("metrics are for consortium administrators")
        return
    if request.app[SETTINGS].gateway.metrics_loopback and _direct_loopback(request):
        return
    raise AuthenticationRequiredError("send an administrator's API token as 'Authorization: Bearer <token>'")


def set_staff_cookie(request: web.Request, response: web.StreamResponse, token: str | None) -> None:
    """Set (or, with ``None``, clear) the staff session cookie."""
    settings: Settings = request.app[SETTINGS]
    if token is None:
        response.del_cookie(STAFF_COOKIE, path="/")
        return
    response.set_cookie(STAFF_COOKIE, token, max_age=settings.requests.staff_session_hours * 3600, path="/",
                        httponly=True, samesite="Lax", secure=settings.gateway.public_url.startswith("https://"))
    response.headers["Cache-Control"] = "private, no-store"
