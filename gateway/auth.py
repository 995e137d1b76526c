"""Who is asking: requesters by signed links, staff by login session or API token.

* Requesters have no password: they prove who they are with the signed links of
  :mod:`gateway.signing`.
* Staff log in with a password; the ``biocross_staff`` cookie holds a random session token
  (HttpOnly, SameSite=Lax, Secure when the site is https) whose hash names a server-side session,
  so logging out or disabling the account ends it at once.
* An institution's own systems call ``/api/portal/`` with ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from gateway.errors import AuthenticationRequiredError
from gateway.keys import ACCOUNTS, SETTINGS
from indexer.requests.errors import AuthenticationError
from indexer.requests.service import Actor
from schemas.accounts import Account, StaffRole
from schemas.requests import Role
from schemas.settings import Settings

STAFF_COOKIE = "biocross_staff"
STAFF_ACCOUNT = web.RequestKey("staff_account", Account)


def actor_for(account: Account) -> Actor:
    """The service-level actor of a staff account."""
    role = Role.ADMIN if account.role is StaffRole.ADMIN else Role.STAFF
    return Actor(name=account.username, role=role, institutions=frozenset(account.institutions))


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


def set_staff_cookie(request: web.Request, response: web.StreamResponse, token: str | None) -> None:
    """Set (or, with ``None``, clear) the staff session cookie."""
    settings: Settings = request.app[SETTINGS]
    if token is None:
        response.del_cookie(STAFF_COOKIE, path="/")
        return
    response.set_cookie(STAFF_COOKIE, token, max_age=settings.requests.staff_session_hours * 3600, path="/",
                        httponly=True, samesite="Lax", secure=settings.gateway.public_url.startswith("https://"))
    response.headers["Cache-Control"] = "private, no-store"
