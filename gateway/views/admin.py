"""The consortium administrators' dashboard: usage, requests and harvest health as SVG charts and
tables, each table exportable as CSV. Administrators only (staff: 403; anonymous: the login page)."""

from __future__ import annotations

import csv
import io

from aiohttp import web
from markupsafe import Markup

from gateway.auth import require_admin
from gateway.charts import bar_chart, column_chart
from gateway.csrf import csrf_token
from gateway.display import N_ as _  # marks a message for the catalogs; translated when shown
from gateway.export import csv_cell
from gateway.keys import ADMIN_AUDIT, DASHBOARD, DESK, SETTINGS
from gateway.render import institutions, render_page, translator
from schemas.usage import Table

TITLES = {
    "searches-per-day": _("Searches per day (last 30 days)"),
    "top-queries": _("Top queries"),
    "zero-result-queries": _("Top zero-result queries"),
    "most-viewed": _("Most viewed resources"),
    "views-per-institution": _("Views per institution"),
    "requests-per-month": _("Usage requests per institution and month"),
    "time-to-decision": _("Median time from verification to decision"),
    "harvest-health": _("Harvest health of every source"),
}
COLUMNS = {
    "day": _("Day"), "searches": _("Searches"), "zero_result": _("Zero results"), "query": _("Query"),
    "resource": _("Resource"), "institution": _("Institution"), "views": _("Views"), "month": _("Month"),
    "requests": _("Requests"), "decided": _("Decided"), "median_hours": _("Median hours"), "source": _("Source"),
    "outcome": _("Outcome"), "started_at": _("Started"), "run_id": _("Run"), "seen": _("Seen"),
    "indexed": _("Indexed"), "rejected": _("Rejected"), "live_after": _("Live records"),
    "quarantined": _("Quarantined"),
}


def _chart(table: Table, title: str) -> Markup | None:
    """The chart drawing ``table``, if it has one."""
    rows = table.rows
    if table.name == "searches-per-day":
        return column_chart([(str(r[0])[5:], float(r[1] or 0)) for r in rows], title=title, label_every=5,
                            overlay=[float(r[2] or 0) for r in rows])
    if table.name in ("top-queries", "zero-result-queries", "views-per-institution"):
        return bar_chart([(str(r[0]), float(r[1] or 0)) for r in rows[:10]], title=title) if rows else None
    if table.name == "most-viewed":
        return bar_chart([(str(r[0]), float(r[2] or 0)) for r in rows[:10]], title=title) if rows else None
    if table.name == "requests-per-month":
        totals: dict[str, float] = {}
        for r in rows:
            totals[str(r[1])] = totals.get(str(r[1]), 0.0) + float(r[2] or 0)
        return column_chart(sorted(totals.items()), title=title) if totals else None
    if table.name == "time-to-decision":
        return bar_chart([(str(r[0]), float(r[2] or 0)) for r in rows], title=title) if rows else None
    return None


def _named(table: Table, request: web.Request) -> Table:
    """``table`` with institutions by name in the page's language (the CSV export keeps the slugs)."""
    if "institution" not in table.columns:
        return table
    at, lang, names = table.columns.index("institution"), translator(request).lang, institutions(request)
    rows = [[names.name(str(v), lang) if i == at and v is not None else v for i, v in enumerate(row)]
            for row in table.rows]
    return table.model_copy(update={"rows": rows})


async def dashboard(request: web.Request) -> web.Response:
    """``GET /admin``: every table with its chart."""
    account = await require_admin(request)
    t = translator(request)
    tables = [_named(table, request) for table in await request.app[DASHBOARD].tables()]
    sections = [{"table": table, "title": t(TITLES[table.name]), "chart": _chart(table, t(TITLES[table.name]))}
                for table in tables]
    status = await request.app[DESK].outbox_status()
    stall = request.app[SETTINGS].requests.outbox_stall_seconds
    outbox = {"pending": status.pending, "failing": status.failing, "last_error": status.last_error,
              "oldest_minutes": round(status.oldest_age_seconds() / 60, 1), "stalled": status.stalled(stall),
              "stall_minutes": round(stall / 60)}
    response = render_page(request, "admin.html", {"account": account, "sections": sections, "columns": COLUMNS,
                                                   "outbox": outbox, "csrf_token": csrf_token(request),
                                                   "admin_audit": await request.app[ADMIN_AUDIT].entries(30)})
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def export_table(request: web.Request) -> web.Response:
    """``GET /admin/export/{table}.csv``: one dashboard table as CSV (UTF-8 with BOM for spreadsheets)."""
    await require_admin(request)
    table = await request.app[DASHBOARD].table(request.match_info["table"])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    writer.writerows([[csv_cell("" if v is None else str(v)) for v in row] for row in table.rows])
    return web.Response(body=buffer.getvalue().encode("utf-8-sig"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{table.name}.csv"',
                                 "Cache-Control": "private, no-store"})
