"""JSON API views: parse parameters into a model, call the search service, dump the result."""

from __future__ import annotations

from aiohttp import web

from gateway import exports
from gateway.api_models import EntityResponse, FacetsResponse, InstitutionList, SuggestResponse
from gateway.errors import ResourceNotFoundError
from gateway.keys import INSTITUTIONS, SEARCH
from gateway.params import SuggestParams, parse
from gateway.render import json_body, json_model
from gateway.usage import record_search, record_view
from schemas.search import SearchQuery


async def search(request: web.Request) -> web.Response:
    """``GET /api/search``: one page of entity groups with facets and ``next_cursor``."""
    query = parse(SearchQuery, request.query)
    result = await request.app[SEARCH].search(query)
    record_search(request, query, result, "api")
    return json_model(result)


async def facets(request: web.Request) -> web.Response:
    """``GET /api/facets``: facet counts only."""
    query = parse(SearchQuery, request.query, reject=("sort", "page_size", "cursor", "page"))
    result = await request.app[SEARCH].search(query.model_copy(update={"page_size": 1}))
    return json_model(FacetsResponse(total_holdings=result.total_holdings, total_entities=result.total_entities,
                                     facets=result.facets))


async def suggest(request: web.Request) -> web.Response:
    """``GET /api/suggest?q=``: names and ids starting with ``q``."""
    params = parse(SuggestParams, request.query)
    suggestions = await request.app[SEARCH].suggest(params.q, params.size)
    return json_model(SuggestResponse(q=params.q, suggestions=suggestions))


async def resource(request: web.Request) -> web.Response:
    """``GET /api/resources/{id}``: a resource, whether withdrawn, and its material's other holdings."""
    found, withdrawn, others = await request.app[SEARCH].get_resource(request.match_info["id"])
    record_view(request, found, "api")
    return json_body({"resource": found, "withdrawn": withdrawn,
                      "other_holdings": [h.model_dump(mode="json") for h in others]})


async def entity(request: web.Request) -> web.Response:
    """``GET /api/entities/{key}``: every live holding of one material."""
    key = request.match_info["key"]
    holdings = await request.app[SEARCH].entity_holdings(key)
    if not holdings:
        raise ResourceNotFoundError(f"no entity {key!r}")
    return json_model(EntityResponse(entity_key=key, holdings=holdings))


async def institutions(request: web.Request) -> web.Response:
    """``GET /api/institutions``: the member institutions."""
    return json_model(InstitutionList(institutions=list(request.app[INSTITUTIONS].registry.values())))


async def export(request: web.Request) -> web.StreamResponse:
    """``GET /api/export?format=csv|jsonl|dwca&...``: every matching resource, streamed (see gateway.exports)."""
    return await exports.export(request)
