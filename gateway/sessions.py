"""A small session kept client-side in one encrypted, authenticated cookie.

The cookie is a Fernet token (AES-128-CBC + HMAC-SHA256, from ``cryptography``) over a JSON object;
the key is derived from ``settings.gateway.secret_key``, so a client can neither read nor forge it,
and tokens older than :data:`MAX_AGE` are refused. Cookies made with one of
``gateway.previous_secret_keys`` are still read (and rewritten with the current key when changed).
It holds only the CSRF token and the cart (resource ids), never anything that needs server-side
revocation.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from gateway.keys import SETTINGS
from schemas.settings import GatewaySettings

COOKIE = "biocross_session"
MAX_AGE = 30 * 86400
MAX_COOKIE_BYTES = 3800


class Session(dict[str, Any]):
    """Session data; mark :attr:`changed` (or use :meth:`put`) so it is written back."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        super().__init__(data or {})
        self.changed = False

    def put(self, key: str, value: Any) -> None:
        """Set ``key`` and mark the session for saving."""
        self[key] = value
        self.changed = True


SESSION = web.RequestKey("session", Session)


@functools.lru_cache(maxsize=8)
def _cipher(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(base64.urlsafe_b64encode(key)) for key in keys])


def fernet_for(gateway: GatewaySettings) -> MultiFernet:
    """The cookie cipher of the gateway's keys: encrypts with the current key, decrypts with any."""
    return _cipher(tuple(gateway.derived_keys("session")))


def _fernet(request: web.Request) -> MultiFernet:
    return fernet_for(request.app[SETTINGS].gateway)


def get_session(request: web.Request) -> Session:
    """The request's session, decrypted on first use (a fresh one if the cookie is bad or old)."""
    if SESSION in request:
        return request[SESSION]
    session = Session()
    token = request.cookies.get(COOKIE)
    if token:
        try:
            data = json.loads(_fernet(request).decrypt(token.encode(), ttl=MAX_AGE))
        except (InvalidToken, ValueError):
            data = None
        if isinstance(data, dict):
            session = Session(data)
    request[SESSION] = session
    return session


def _write(request: web.Request, response: web.StreamResponse, session: Session) -> None:
    token = _fernet(request).encrypt(json.dumps(session, separators=(",", ":")).encode()).decode()
    if len(token) > MAX_COOKIE_BYTES:
        raise ValueError("session too large for a cookie")
    secure = request.app[SETTINGS].gateway.public_url.startswith("https://")
    response.set_cookie(COOKIE, token, max_age=MAX_AGE, httponly=True, samesite="Lax", secure=secure, path="/")
    response.headers["Cache-Control"] = "private, no-store"


@web.middleware
async def session_middleware(request: web.Request,
                             handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    """Write the session cookie back when a handler changed the session."""
    response = await handler(request)
    session = request.get(SESSION)
    if session is not None and session.changed and not response.prepared:
        _write(request, response, session)
    return response
