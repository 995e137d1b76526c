"""A staff member's own account: setting a password from an invitation or reset link, asking for a
reset, changing the password.

Opening a link (GET) only shows a form: mail scanners that follow links change nothing. The POST
sets the password and uses the link up. Asking for a reset always gets the same answer, whether
the name or address exists or not.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from desk.account_mail import account_mail
from desk.errors import AuthenticationError, InvitationError
from gateway.auth import require_staff
from gateway.csrf import check_csrf, csrf_token
from gateway.display import N_ as _  # marks a message for the catalogs; translated when shown
from gateway.keys import ACCOUNTS, MAIL
from gateway.render import render_page, translator
from gateway.views.admin_accounts import account_link_url
from schemas.accounts import LinkPurpose

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
RESET_HOURS = 2


def _page(request: web.Request, template: str, *, status: int = 200, **context: object) -> web.Response:
    response = render_page(request, template, {"csrf_token": csrf_token(request), "error": None, "done": False,
                                               **context}, status=status)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the link's secret never leaves in a Referer
    return response


def _password_problem(request: web.Request, new: str, again: str) -> str | None:
    t = translator(request)
    if len(new) < MIN_PASSWORD or len(new) > MAX_PASSWORD:
        return t(_("The password needs at least %(count)s characters."), count=MIN_PASSWORD)
    if new != again:
        return t(_("The two passwords differ."))
    return None


async def link_form(request: web.Request) -> web.Response:
    """``GET /account/link/{secret}``: the set-password form of a live link (using nothing up)."""
    try:
        link = await request.app[ACCOUNTS].peek_link(request.match_info["secret"])
    except InvitationError:
        return _page(request, "account_link.html", status=400, link=None,
                     error=translator(request)(_("This link is not valid any more. Ask for a new one.")))
    return _page(request, "account_link.html", link=link, invite=link.purpose is LinkPurpose.INVITE)


async def link_submit(request: web.Request) -> web.Response:
    """``POST /account/link/{secret}``: set the password; the link is used up."""
    form = await check_csrf(request)
    secret = request.match_info["secret"]
    store = request.app[ACCOUNTS]
    try:
        link = await store.peek_link(secret)
    except InvitationError:
        return _page(request, "account_link.html", status=400, link=None,
                     error=translator(request)(_("This link is not valid any more. Ask for a new one.")))
    problem = _password_problem(request, form.get("password", ""), form.get("password_again", ""))
    if problem:
        return _page(request, "account_link.html", status=400, link=link,
                     invite=link.purpose is LinkPurpose.INVITE, error=problem)
    try:
        await store.redeem_link(secret, form["password"])
    except InvitationError:
        return _page(request, "account_link.html", status=400, link=None,
                     error=translator(request)(_("This link is not valid any more. Ask for a new one.")))
    return _page(request, "account_link.html", link=link, done=True)


async def reset_form(request: web.Request) -> web.Response:
    """``GET /portal/reset``: ask for a password-reset link."""
    return _page(request, "account_reset.html")


async def reset_submit(request: web.Request) -> web.Response:
    """``POST /portal/reset``: mail a reset link to the account's address, if there is such an
    account; the same answer either way."""
    form = await check_csrf(request)
    who = form.get("who", "").strip()[:254]
    if who:
        found = await request.app[ACCOUNTS].reset_link(who, RESET_HOURS)
        if found is not None:
            account, secret = found
            await request.app[MAIL].enqueue(account_mail("reset", account, datetime.now(UTC),
                                                         link=account_link_url(request, secret), hours=RESET_HOURS))
    return _page(request, "account_reset.html", done=True)


async def password_form(request: web.Request) -> web.Response:
    """``GET /portal/password``: change one's own password."""
    account = await require_staff(request)
    return _page(request, "account_password.html", account=account)


async def password_submit(request: web.Request) -> web.Response:
    """``POST /portal/password``: the current password, then the new one twice."""
    account = await require_staff(request)
    form = await check_csrf(request)
    problem = _password_problem(request, form.get("password", ""), form.get("password_again", ""))
    if problem:
        return _page(request, "account_password.html", status=400, account=account, error=problem)
    try:
        await request.app[ACCOUNTS].change_password(account.username, form.get("current", "")[:MAX_PASSWORD],
                                                    form["password"])
    except AuthenticationError:
        return _page(request, "account_password.html", status=400, account=account,
                     error=translator(request)(_("The current password is wrong.")))
    return _page(request, "account_password.html", account=account, done=True)
