"""The control API (mutations and faults between harvests) and the root index."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from demo.generator.ledger import expected_dirt
from demo.generator.registry import UnknownInstitutionError
from demo.generator.state import FAULT_MODES, SourceState, UnknownFaultError, iso
from demo.keys import REGISTRY_KEY

_FIELDS = {"add", "update", "delete", "break", "count", "delay", "retry_after"}
MAX_MUTATION = 1_000_000


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": {"status": status, "message": message}}, status=status)


def _state(request: web.Request) -> SourceState:
    try:
        return request.app[REGISTRY_KEY][request.match_info["institution"]]
    except UnknownInstitutionError:
        raise web.HTTPNotFound(text=f"unknown institution {request.match_info['institution']!r}") from None


def apply_control(state: SourceState, body: dict[str, Any]) -> dict[str, Any]:
    """Apply a control request (``add``/``update``/``delete`` counts, ``break`` mode) to ``state``."""
    if unknown := set(body) - _FIELDS:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    counts = {}
    for key in ("add", "update", "delete"):
        value = body.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_MUTATION:
            raise ValueError(f"{key} must be an integer between 0 and {MAX_MUTATION}")
        counts[key] = value
    tick = state.mutate(**counts) if any(counts.values()) else None
    if "break" in body:
        count, delay, retry = body.get("count"), body.get("delay"), body.get("retry_after")
        if count is not None and (not isinstance(count, int) or count < 1):
            raise ValueError("count must be a positive integer")
        if delay is not None and (not isinstance(delay, int | float) or not 0 <= delay <= 600):
            raise ValueError("delay must be a number of seconds between 0 and 600")
        if retry is not None and (not isinstance(retry, int) or retry < 0):
            raise ValueError("retry_after must be a non-negative integer")
        state.set_fault(str(body["break"]), count=count, delay=delay, retry_after=retry)
    return {"tick": iso(tick) if tick is not None else None, "state": state.summary()}


async def control(request: web.Request) -> web.Response:
    """``POST /_control/{institution}`` with ``{"add", "update", "delete", "break", "count", "delay", "retry_after"}``."""
    state = _state(request)
    try:
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        return web.json_response(apply_control(state, body))
    except UnknownFaultError as exc:
        return _problem(400, f"{exc}")
    except ValueError as exc:
        return _problem(400, str(exc))


async def control_state(request: web.Request) -> web.Response:
    """``GET /_control/state``: every source's size, clock, mutation counts and fault."""
    return web.json_response(request.app[REGISTRY_KEY].summary())


async def ledger(request: web.Request) -> web.Response:
    """``GET /_control/{institution}/ledger``: what was planted (rejects, duplicates, deletions ...)."""
    state = _state(request)
    led = expected_dirt(state.name, state)
    return web.json_response({
        "institution": led.institution, "served": led.served, "valid": led.valid, "reasons": dict(led.reasons()),
        "rejected": [{"index": r.index, "kind": r.kind, "catalog_id": r.catalog_id, "served_id": r.served_id,
                      "reason": r.reason} for r in led.rejected],
        "duplicates": led.duplicates, "deleted": led.deleted, "added": led.added, "updated": led.updated,
        "injection": led.injection, "anchors": led.anchors, "cosmetic": {k: len(v) for k, v in led.cosmetic.items()},
    })


ENDPOINTS: dict[str, dict[str, Any]] = {
    "riken": {"format": "csv", "exports": ["/riken/export/mouse.csv", "/riken/export/cell.csv", "/riken/export/dna.tsv",
                                           "/riken/export/microbe.csv", "/riken/export/plant.csv"],
              "detail": "/riken/detail/{catalog_id}", "encoding": "cp932"},
    "jcrb": {"format": "json", "resources": "/jcrb/api/v1/resources", "deleted": "/jcrb/api/v1/deleted"},
    "tsukuba": {"format": "miabis-json", "collections": "/tsukuba/miabis/collections", "biobank": "/tsukuba/miabis/biobank"},
    "naro": {"format": "oai-pmh", "base_url": "/naro/oai", "metadata_prefixes": ["oai_dc", "dwc"]},
    "nies": {"format": "html", "list": "/nies/strains", "detail": "/nies/strains/{strain_id}", "robots": "/robots.txt"},
}


async def index(request: web.Request) -> web.Response:
    """``GET /``: the institutions and their endpoints."""
    registry = request.app[REGISTRY_KEY]
    return web.json_response({
        "service": "biocross simulated institution sources", "total": registry.total, "seed": registry.seed,
        "fault_modes": list(FAULT_MODES),
        "institutions": {name: {"title": registry[name].catalog.spec.title, "records": registry[name].size,
                                **ENDPOINTS[name]} for name in registry},
        "control": {"state": "/_control/state", "mutate": "/_control/{institution}", "ledger": "/_control/{institution}/ledger"},
    })


def add_routes(app: web.Application) -> None:
    """Register the control API and the root index."""
    app.router.add_get("/", index, name="index")
    app.router.add_get("/_control/state", control_state, name="control_state")
    app.router.add_post("/_control/{institution}", control, name="control")
    app.router.add_get("/_control/{institution}/ledger", ledger, name="control_ledger")
