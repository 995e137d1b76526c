"""HTML pages: search, resource detail, institutions."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from desk.saved_store import saved_params
from gateway import links
from gateway.csrf import csrf_token
from gateway.errors import ParameterError, ResourceNotFoundError
from gateway.jsonld import catalog_jsonld, resource_jsonld
from gateway.keys import SEARCH, SETTINGS
from gateway.params import parse
from gateway.render import institutions, render_page, script_json
from gateway.suggestions import alternatives
from gateway.usage import record_search, record_view
from gateway.views.cart import cart_ids
from indexer.search.builder import FACET_FIELDS
from schemas.search import MAX_QUERY_CHARS, SearchQuery
from schemas.vocab import XREF_URLS

PAGE_ONLY = ("lang", "trail", "paged")


async def search_page(request: web.Request) -> web.Response:
    """``GET /``: the search form, facets, grouped results and paging. Bad parameters show the form
    again with the user's input and the problems, never a bare error."""
    catalog = script_json(catalog_jsonld(request.app[SETTINGS].gateway.public_url, institutions(request)))
    try:
        query = parse(SearchQuery, request.query, ignore=PAGE_ONLY, drop_empty=True)
    except ParameterError as exc:
        kept = SearchQuery.model_validate({"q": request.query.get("q", "")[:MAX_QUERY_CHARS]})
        return render_page(request, "search.html", {"query": kept, "result": None, "issues": exc.issues,
                                                    "links": links, "facet_names": list(FACET_FIELDS),
                                                    "catalog_jsonld": catalog}, status=400)
    result = await request.app[SEARCH].search(query)
    record_search(request, query, result, "page")
    tries = await alternatives(request.app[SEARCH], query.q) if not result.groups and query.q else []
    return render_page(request, "search.html", {
        "query": query, "result": result, "issues": [], "links": links, "facet_names": list(FACET_FIELDS),
        "catalog_jsonld": catalog, "alternatives": tries, "csrf_token": csrf_token(request),
        "saved_query": urlencode(saved_params(query), doseq=True),
        "pager": links.pager("/", request.query, result.next_cursor, result.page, result.last_page,
                            result.total_entities, query.page_size)})


async def resource_page(request: web.Request) -> web.Response:
    """``GET /resources/{id}``: every field, cross-references, other holdings, JSON-LD, add to cart."""
    resource, withdrawn, others = await request.app[SEARCH].get_resource(request.match_info["id"])
    record_view(request, resource, "page")
    url = request.app[SETTINGS].gateway.public_url.rstrip("/") + request.path
    return render_page(request, "resource.html", {
        "r": resource, "withdrawn": withdrawn, "others": others, "xref_urls": XREF_URLS,
        "jsonld": script_json(resource_jsonld(resource, url, withdrawn, institutions(request))), "csrf_token": csrf_token(request),
        "institution": institutions(request).get(resource["institution"]), "in_cart": resource["id"] in cart_ids(request),
    })


async def institutions_page(request: web.Request) -> web.Response:
    """``GET /institutions``: the member institutions."""
    return render_page(request, "institutions.html", {"institutions": list(institutions(request).values())})


async def institution_page(request: web.Request) -> web.Response:
    """``GET /institutions/{slug}``: one institution, its conditions and what it holds."""
    institution = institutions(request).get(request.match_info["slug"])
    if institution is None:
        raise ResourceNotFoundError(f"no institution {request.match_info['slug']!r}")
    summary = await request.app[SEARCH].search(
        SearchQuery.model_validate({"institution": [institution.slug], "page_size": 10, "sort": "updated"}))
    return render_page(request, "institution.html", {"inst": institution, "summary": summary})
