"""CSRF protection for forms: a random token per session, echoed by every state-changing form.

The token lives in the encrypted session cookie; forms carry it in a hidden ``csrf_token`` field.
A POST without the matching token (or from another origin) is refused with :class:`CsrfError`.
SameSite=Lax on the session cookie is a second line of defence.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from aiohttp import web

from gateway.errors import CsrfError
from gateway.sessions import get_session

FIELD = "csrf_token"


def csrf_token(request: web.Request) -> str:
    """The session's CSRF token, created on first use."""
    session = get_session(request)
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session.put("csrf", token)
    return token


def rotate_csrf(request: web.Request) -> str:
    """A new CSRF token for the session (at login: a token seen before it is worthless after)."""
    token = secrets.token_urlsafe(32)
    get_session(request).put("csrf", token)
    return token


async def check_csrf(request: web.Request) -> dict[str, str]:
    """The POSTed form, once its CSRF token and Origin check out; else :class:`CsrfError`."""
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        raise CsrfError("cross-origin form submission")
    form = await request.post()
    sent = form.get(FIELD)
    expected = get_session(request).get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        raise CsrfError("missing or wrong CSRF token")
    return {k: v for k, v in form.items() if isinstance(v, str)}
