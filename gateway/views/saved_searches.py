"""Saved searches on the researcher's side: save the search on screen, confirm the address, unsubscribe.

Saving is protected like the request form (CSRF token, honeypot, rate limits per client and per
address). The confirmation link only shows a button: the POST confirms, so a mail scanner that opens
links confirms nothing. The unsubscribe link does the same in a browser, and its POST also serves
RFC 8058 one-click unsubscription from mail clients: the signed token in the URL is the credential
there (mail clients send no session, so that POST carries no CSRF token).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from aiohttp import web
from multidict import MultiDict

from desk.errors import RequestNotFoundError
from desk.saved import TooManySavedSearchesError
from desk.saved_store import describe
from gateway.csrf import check_csrf, csrf_token
from gateway.errors import ParameterError, RateLimitedError
from gateway.keys import LINKS, SAVED, SUBMIT_BUCKETS, SUBMIT_EMAIL_BUCKETS
from gateway.params import parse
from gateway.render import render_page, translator
from gateway.sessions import get_session
from gateway.views.requests_common import see_other
from schemas.search import SearchQuery

HONEYPOT = "website"
#: Parameters of the page that are not part of what is saved.
NOT_SAVED = ("lang", "trail", "paged", "cursor", "sort", "page_size", "include_withdrawn")
_EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")


def _(message: str) -> str:
    """Marks ``message`` for the catalogs; it is translated when the page is rendered."""
    return message


def _page(request: web.Request, state: str, *, status: int = 200, **context: object) -> web.Response:
    response = render_page(request, "saved_search.html", {"state": state, "csrf_token": csrf_token(request),
                                                          "error": None, "email": None, "what": None, **context},
                           status=status)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


async def save(request: web.Request) -> web.Response:
    """``POST /saved-searches``: store the search (q and filters) and queue the confirmation mail."""
    form = await check_csrf(request)
    if form.get(HONEYPOT):
        return see_other("/saved-searches/sent")  # a bot: looks accepted, nothing is stored or sent
    wait = request.app[SUBMIT_BUCKETS].take(request.remote or "unknown")
    if wait:
        raise RateLimitedError(wait)
    t = translator(request)
    params = MultiDict(parse_qsl(form.get("search", "")[:4000], keep_blank_values=False))
    try:
        query = parse(SearchQuery, params, ignore=NOT_SAVED, drop_empty=True)
    except ParameterError:
        return _page(request, "error", status=400, error=t(_("This search cannot be saved; run it again first.")))
    email = form.get("email", "").strip()
    lang = "ja" if form.get("language") == "ja" else "en"
    if len(email) > 254 or not _EMAIL.match(email):
        return _page(request, "error", status=400, error=t(_("Enter a valid email address.")))
    if request.app[SUBMIT_EMAIL_BUCKETS].take(email.lower()):
        return _page(request, "error", status=429,
                     error=t(_("Too many requests from this email address; please try again later.")))
    try:
        await request.app[SAVED].save(email, lang, query)
    except TooManySavedSearchesError:
        return _page(request, "error", status=409,
                     error=t(_("This address already has too many saved searches; unsubscribe from some first.")))
    get_session(request).put("saved_to", email)
    return see_other("/saved-searches/sent")


async def sent(request: web.Request) -> web.Response:
    """``GET /saved-searches/sent``: "check your email" (shown to bots too)."""
    email = get_session(request).get("saved_to")
    return _page(request, "sent", email=email if isinstance(email, str) else None)


async def confirm_page(request: web.Request) -> web.Response:
    """``GET /saved-searches/confirm/{token}``: a confirm button (opening the link changes nothing)."""
    saved_id = request.app[LINKS].read_saved_confirm(request.match_info["token"])
    saved = await request.app[SAVED].store.get(saved_id)
    return _page(request, "confirmed" if saved.status == "verified" else "confirm", what=describe(saved.query),
                 action=request.path)


async def confirm(request: web.Request) -> web.Response:
    """``POST /saved-searches/confirm/{token}``: confirm the address; digests start."""
    saved_id = request.app[LINKS].read_saved_confirm(request.match_info["token"])  # a bad link says so first
    await check_csrf(request)
    saved = await request.app[SAVED].confirm(saved_id)
    return _page(request, "confirmed", what=describe(saved.query))


async def unsubscribe_page(request: web.Request) -> web.Response:
    """``GET /saved-searches/unsubscribe/{token}``: one button that unsubscribes."""
    saved_id = request.app[LINKS].read_saved_unsubscribe(request.match_info["token"])
    try:
        saved = await request.app[SAVED].store.get(saved_id)
    except RequestNotFoundError:
        return _page(request, "unsubscribed")
    return _page(request, "unsubscribe", what=describe(saved.query), action=request.path)


async def unsubscribe(request: web.Request) -> web.Response:
    """``POST /saved-searches/unsubscribe/{token}``: remove the saved search (the button, or a mail
    client's one-click POST with ``List-Unsubscribe=One-Click``); idempotent."""
    saved_id = request.app[LINKS].read_saved_unsubscribe(request.match_info["token"])
    await request.app[SAVED].unsubscribe(saved_id)
    return _page(request, "unsubscribed")
