"""Member institutions, managed by consortium administrators: ``/admin/institutions``.

A change is stored, then put into this process's registry at once (other processes reload within
half a minute), and written to the admin audit log. Invalid input shows the form again with the
problems (400), never a bare error.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import ValidationError

from desk.errors import InstitutionExistsError
from gateway.auth import require_admin
from gateway.csrf import check_csrf, csrf_token
from gateway.keys import ADMIN_AUDIT, INSTITUTIONS
from gateway.render import render_page
from schemas.accounts import Account
from schemas.institution import Institution

FIELDS = ("slug", "name_ja", "name_en", "homepage", "contact_email", "mta_note_ja", "mta_note_en", "mta_url",
          "status")


def _page(request: web.Request, account: Account, template: str, *, status: int = 200,
          **context: Any) -> web.Response:
    response = render_page(request, template, {"account": account, "csrf_token": csrf_token(request),
                                               "errors": {}, **context}, status=status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _values(form: dict[str, str]) -> dict[str, Any]:
    values = {name: form.get(name, "").strip() for name in FIELDS}
    return {k: v for k, v in values.items() if v}


def _errors(exc: ValidationError) -> dict[str, str]:
    return {str(e["loc"][0]) if e["loc"] else "form": e["msg"] for e in exc.errors()}


async def list_institutions(request: web.Request) -> web.Response:
    """``GET /admin/institutions``: every institution with its state and contact address."""
    account = await require_admin(request)
    return _page(request, account, "admin_institutions.html",
                 institutions=await request.app[INSTITUTIONS].list())


async def new_institution(request: web.Request) -> web.Response:
    """``GET /admin/institutions/new``: the empty form."""
    account = await require_admin(request)
    return _page(request, account, "admin_institution_form.html", values={}, editing=False)


async def create_institution(request: web.Request) -> web.Response:
    """``POST /admin/institutions/new``: add an institution."""
    account = await require_admin(request)
    values = _values(await check_csrf(request))
    try:
        institution = Institution.model_validate(values)
        await request.app[INSTITUTIONS].add(institution)
    except ValidationError as exc:
        return _page(request, account, "admin_institution_form.html", status=400, values=values, editing=False,
                     errors=_errors(exc))
    except InstitutionExistsError as exc:
        return _page(request, account, "admin_institution_form.html", status=409, values=values, editing=False,
                     errors={"slug": str(exc)})
    await request.app[ADMIN_AUDIT].record(account.username, "institution.add", institution.slug, institution.name_en)
    raise web.HTTPSeeOther("/admin/institutions")


async def edit_institution(request: web.Request) -> web.Response:
    """``GET /admin/institutions/{slug}``: the form filled with the institution's fields."""
    account = await require_admin(request)
    institution = await request.app[INSTITUTIONS].get(request.match_info["slug"])
    return _page(request, account, "admin_institution_form.html", editing=True,
                 values=institution.model_dump(mode="json", exclude_none=True))


async def update_institution(request: web.Request) -> web.Response:
    """``POST /admin/institutions/{slug}``: change an institution (the slug stays)."""
    account = await require_admin(request)
    slug = request.match_info["slug"]
    current = await request.app[INSTITUTIONS].get(slug)
    values = {**_values(await check_csrf(request)), "slug": slug}
    try:
        institution = Institution.model_validate(values)
    except ValidationError as exc:
        return _page(request, account, "admin_institution_form.html", status=400, values=values, editing=True,
                     errors=_errors(exc))
    await request.app[INSTITUTIONS].update(institution)
    changed = sorted(k for k in FIELDS if getattr(current, k) != getattr(institution, k))
    await request.app[ADMIN_AUDIT].record(account.username, "institution.edit", slug, ", ".join(changed))
    raise web.HTTPSeeOther("/admin/institutions")
