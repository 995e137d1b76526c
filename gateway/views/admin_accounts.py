"""Staff accounts, managed by consortium administrators: ``/admin/accounts``.

The administrator creates an account (role, institutions, address); the new user gets a
single-use, expiring invitation link by mail and sets their own password, so no administrator ever
knows it. Accounts are disabled and re-enabled here (a disabled account's sessions and tokens stop
at once). Every action goes to the admin audit log shown on the dashboard.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from desk.account_mail import account_mail
from desk.errors import AccountExistsError
from gateway.auth import require_admin
from gateway.csrf import check_csrf, csrf_token
from gateway.keys import ACCOUNTS, ADMIN_AUDIT, INSTITUTIONS, MAIL, SETTINGS
from gateway.render import institutions, render_page
from schemas.accounts import USERNAME_PATTERN, Account, LinkPurpose, StaffRole

INVITATION_HOURS = 72
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}$")


def account_link_url(request: web.Request, secret: str) -> str:
    """Where an invitation or reset mail points (the confirm page)."""
    return f"{request.app[SETTINGS].gateway.public_url.rstrip('/')}/account/link/{secret}"


def _page(request: web.Request, account: Account, *, status: int = 200, **context: Any) -> web.Response:
    response = render_page(request, "admin_accounts.html", {
        "account": account, "csrf_token": csrf_token(request), "errors": {}, "values": {},
        "accounts": context.pop("accounts"), "choices": list(institutions(request).values()), **context},
        status=status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _problems(values: dict[str, Any], known: set[str]) -> dict[str, str]:
    errors = {}
    if not re.match(USERNAME_PATTERN, values["username"]):
        errors["username"] = "2–64 lower-case letters, digits, '.', '_' or '-'"
    if not _EMAIL.match(values["email"]):
        errors["email"] = "an email address"
    if values["role"] not in (r.value for r in StaffRole):
        errors["role"] = "staff or admin"
    if values["role"] == StaffRole.STAFF.value and not values["institutions"]:
        errors["institutions"] = "staff handle at least one institution"
    if any(i not in known for i in values["institutions"]):
        errors["institutions"] = "unknown institution"
    return errors


async def list_accounts(request: web.Request) -> web.Response:
    """``GET /admin/accounts``: every account and the invitation form."""
    account = await require_admin(request)
    return _page(request, account, accounts=await request.app[ACCOUNTS].list_accounts())


async def invite(request: web.Request) -> web.Response:
    """``POST /admin/accounts``: create an account and mail its holder an invitation link."""
    account = await require_admin(request)
    await check_csrf(request)
    form = await request.post()
    values: dict[str, Any] = {
        "username": str(form.get("username", "")).strip(), "email": str(form.get("email", "")).strip(),
        "display_name": str(form.get("display_name", "")).strip()[:200], "role": str(form.get("role", "staff")),
        "institutions": sorted({str(v) for v in form.getall("institutions", [])}),
        "language": "en" if form.get("language") == "en" else "ja"}
    store = request.app[ACCOUNTS]
    errors = _problems(values, set(request.app[INSTITUTIONS].registry))
    if not errors:
        try:
            new, secret = await store.invite(
                values["username"], values["email"], StaffRole(values["role"]),
                institutions=values["institutions"] if values["role"] == "staff" else [],
                display_name=values["display_name"], language=values["language"], hours=INVITATION_HOURS)
        except AccountExistsError as exc:
            errors["username"] = str(exc)
        except ValidationError as exc:
            errors.update({str(e["loc"][0]): e["msg"] for e in exc.errors() if e["loc"]})
    if errors:
        return _page(request, account, status=400, accounts=await store.list_accounts(), values=values,
                     errors=errors)
    now = datetime.now(UTC)
    await request.app[MAIL].enqueue(account_mail("invite", new, now, link=account_link_url(request, secret),
                                                 hours=INVITATION_HOURS))
    await request.app[ADMIN_AUDIT].record(
        account.username, "account.invite", new.username,
        f"role={new.role.value} institutions={','.join(new.institutions) or '-'}", now)
    raise web.HTTPSeeOther("/admin/accounts")


async def change(request: web.Request) -> web.Response:
    """``POST /admin/accounts/{username}``: disable, enable, re-invite, or set role and institutions."""
    account = await require_admin(request)
    username = request.match_info["username"]
    await check_csrf(request)
    form = await request.post()
    store = request.app[ACCOUNTS]
    target = await store.get(username)
    if target is None:
        raise web.HTTPNotFound()
    action = str(form.get("action", ""))
    detail = ""
    if action in ("disable", "enable"):
        if username == account.username:
            return _page(request, account, status=400, accounts=await store.list_accounts(),
                         errors={"form": "you cannot disable your own account"})
        await store.set_disabled(username, action == "disable")
    elif action == "reinvite" and target.invited:
        secret = await store.create_link(username, LinkPurpose.INVITE,
                                         INVITATION_HOURS)
        await request.app[MAIL].enqueue(account_mail("invite", target, datetime.now(UTC),
                                                     link=account_link_url(request, secret), hours=INVITATION_HOURS))
    elif action == "update":
        values = {"username": username, "email": str(form.get("email", target.email)).strip(),
                  "role": str(form.get("role", target.role.value)),
                  "institutions": sorted({str(v) for v in form.getall("institutions", [])})}
        errors = _problems(values, set(request.app[INSTITUTIONS].registry))
        if errors:
            return _page(request, account, status=400, accounts=await store.list_accounts(), errors=errors)
        role = StaffRole(values["role"])
        await store.update(username, role=role, email=values["email"],
                           institutions=values["institutions"] if role is StaffRole.STAFF else [])
        detail = f"role={role.value} institutions={','.join(values['institutions']) or '-'}"
    else:
        raise web.HTTPBadRequest(text="unknown action")
    await request.app[ADMIN_AUDIT].record(account.username, f"account.{action}", username, detail)
    raise web.HTTPSeeOther("/admin/accounts")
