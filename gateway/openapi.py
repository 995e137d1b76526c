"""The OpenAPI 3.1 document of the JSON API, generated from the pydantic boundary models.

Query parameters come from the fields of the request models (``SearchQuery``, ``SuggestParams``,
``ExportOptions``); response bodies from the response models. All JSON Schemas are pydantic's own
(``$defs`` become ``components/schemas``), so the document cannot drift from the validation code.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from gateway.api_models import (
    EntityResponse,
    FacetsResponse,
    Health,
    InstitutionList,
    ProblemModel,
    ResourceResponse,
    SuggestResponse,
)
from gateway.params import ExportOptions, SuggestParams, is_list_field
from gateway.problems import PROBLEM_TABLE
from schemas.harvest import RejectionReason
from schemas.requests import RequestStatus, TransitionInput
from schemas.search import SearchQuery, SearchResponse
from schemas.usage import HarvestOverview, RejectionPage, SourceHealth

REF = "#/components/schemas/{model}"
SEARCH_FILTERS = ["q", "resource_type", "institution", "species", "availability", "disease", "tissue",
                  "include_withdrawn"]
JSON_MODELS: list[type[BaseModel]] = [SearchResponse, ResourceResponse, EntityResponse, SuggestResponse,
                                      FacetsResponse, InstitutionList, Health, ProblemModel,
                                      HarvestOverview, SourceHealth, RejectionPage]
REQUEST_MODELS: list[type[BaseModel]] = [SearchQuery, SuggestParams, ExportOptions]


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent rather than null: drop the null branch and a null default."""
    schema = dict(schema)
    if "anyOf" in schema:
        branches = [b for b in schema["anyOf"] if b.get("type") != "null"]
        if len(branches) == 1:
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            schema = {**branches[0], **rest}
    if schema.get("default", ...) is None:
        del schema["default"]
    schema.pop("title", None)
    return schema


def _parameters(model: type[BaseModel], schema: dict[str, Any], names: list[str] | None = None) -> list[dict[str, Any]]:
    props = schema["properties"]
    required = set(schema.get("required", []))
    params = []
    for name in names or list(model.model_fields):
        prop = _without_null(props[name])
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required,
                                 "description": prop.pop("description", ""), "schema": prop}
        if is_list_field(model, name):
            param |= {"style": "form", "explode": True}
        params.append(param)
    return params


def _problem(description: str, *, retry: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description,
                                "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="ProblemModel")}}}}
    if retry:
        response["headers"] = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
    return response


def _ok(model: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": REF.format(model=model)}}}}


def _operation(op_id: str, summary: str, params: list[dict[str, Any]], ok: dict[str, Any], *,
               not_found: bool = False, tag: str = "search") -> dict[str, Any]:
    bad_request = _problem("Invalid parameters. A request line over 8190 bytes is refused by the HTTP "
                           "server itself, with a plain-text body.")
    bad_request["content"]["text/plain"] = {"schema": {"type": "string"}}
    responses: dict[str, Any] = {"200": ok, "400": bad_request,
                                 "429": _problem("Rate limit exceeded.", retry=True),
                                 "503": _problem("Search temporarily unavailable.", retry=True)}
    if not_found:
        responses["404"] = _problem("No such object.")
    return {"get": {"operationId": op_id, "summary": summary, "tags": [tag], "parameters": params,
                    "responses": responses}}


def _path_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "minLength": 1, "maxLength": 300}}


def _portal_paths() -> dict[str, Any]:
    """The institution portal API (bearer tokens; staff see their institutions' requests only)."""
    security = [{"bearer": []}]
    errors = {"401": _problem("Missing or invalid API token."), "404": _problem("No such request in your scope."),
              "429": _problem("Rate limit exceeded.", retry=True)}
    as_json = {"type": "object", "description": "A usage request: state, history, thread, allowed actions."}
    listing = {"type": "object", "required": ["requests", "counts"], "properties": {
        "requests": {"type": "array", "items": {"type": "object"}},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}}}}
    status = {"name": "status", "in": "query", "required": False, "description": "Only requests in this state.",
              "schema": {"type": "string", "enum": [s.value for s in RequestStatus]}}
    rid = _path_param("id", "Request id.")
    body = {"required": True, "content": {"application/json": {"schema": {"$ref": REF.format(model="TransitionInput")}}}}
    return {
        "/api/portal/requests": {"get": {
            "operationId": "portalRequests", "summary": "Your institutions' requests, newest first, with counts.",
            "tags": ["portal"], "security": security, "parameters": [status], "responses": {
                "200": {"description": "Requests.", "content": {"application/json": {"schema": listing}}},
                "400": _problem("Invalid parameters."), **errors}}},
        "/api/portal/requests/{id}": {"get": {
            "operationId": "portalRequest", "summary": "One request with its history and thread.",
            "tags": ["portal"], "security": security, "parameters": [rid], "responses": {
                "200": {"description": "The request.", "content": {"application/json": {"schema": as_json}}},
                **errors}}},
        "/api/portal/requests/{id}/transition": {"post": {
            "operationId": "portalTransition", "summary": "Take an action (approve, ship...) with a comment.",
            "tags": ["portal"], "security": security, "parameters": [rid], "requestBody": body, "responses": {
                "200": {"description": "The updated request.", "content": {"application/json": {"schema": as_json}}},
                "400": _problem("Invalid body or missing comment."), "403": _problem("Your role may not do this."),
                "409": _problem("The request changed or is in a state that does not allow the action."),
                **errors}}},
    }


def _harvest_paths() -> dict[str, Any]:
    """Harvest health for institutions' systems (staff tokens: own institutions' sources only)."""
    errors = {"401": _problem("Missing or invalid API token."), "429": _problem("Rate limit exceeded.", retry=True),
              "503": _problem("Harvest records temporarily unavailable.", retry=True)}
    scoped = {**errors, "404": _problem("No such source in your scope.")}
    source = _path_param("source", "Source (adapter) name.")
    reason = {"name": "reason", "in": "query", "required": False, "description": "Only records of this reason.",
              "schema": {"type": "string", "enum": [r.value for r in RejectionReason]}}

    def get(op_id: str, summary: str, params: list[dict[str, Any]], model: str, responses: dict[str, Any]
            ) -> dict[str, Any]:
        return {"get": {"operationId": op_id, "summary": summary, "tags": ["portal"], "security": [{"bearer": []}],
                        "parameters": params, "responses": {"200": _ok(model, summary), **responses}}}

    return {
        "/api/portal/harvests": get("portalHarvests", "Harvest health of every source in your scope.", [],
                                    "HarvestOverview", errors),
        "/api/portal/harvests/{source}": get("portalHarvest", "Latest run, history and rejections of one source.",
                                             [source], "SourceHealth", scoped),
        "/api/portal/harvests/{source}/rejections": get(
            "portalRejections", "Quarantined records of one source, newest first, with raw payloads.",
            [source, reason], "RejectionPage", {**scoped, "400": _problem("Invalid parameters.")}),
    }


def build_openapi(version: str = "0.1.0") -> dict[str, Any]:
    """The OpenAPI 3.1 document for the gateway's JSON API."""
    _, defs = models_json_schema([(m, "validation") for m in REQUEST_MODELS] +
                                 [(m, "serialization") for m in JSON_MODELS], ref_template=REF)
    components: dict[str, Any] = defs["$defs"]
    search_schema, suggest_schema, export_schema = (components[m.__name__] for m in REQUEST_MODELS)
    filters = _parameters(SearchQuery, search_schema, SEARCH_FILTERS)
    paging = _parameters(SearchQuery, search_schema, ["sort", "page_size", "cursor", "page"])
    csv_or_jsonl = {"description": "Matching resources, streamed.",
                    "headers": {"Content-Disposition": {"description": "Attachment file name.", "schema": {"type": "string"}}},
                    "content": {"text/csv": {"schema": {"type": "string"}},
                                "application/x-ndjson": {"schema": {"type": "string"}},
                                "application/zip": {"schema": {"type": "string", "contentMediaType": "application/zip"}}}}
    paths: dict[str, Any] = {
        "/api/search": _operation("search", "Search resources, grouped by entity, with facets and a cursor.",
                                  filters + paging, _ok("SearchResponse", "A page of entity groups.")),
        "/api/facets": _operation("facets", "Facet counts for a search.", filters,
                                  _ok("FacetsResponse", "Facet counts.")),
        "/api/suggest": _operation("suggest", "Autocomplete names and identifiers.",
                                   _parameters(SuggestParams, suggest_schema), _ok("SuggestResponse", "Suggestions.")),
        "/api/export": _operation("export", "Export every matching resource (no cap) as CSV, JSON Lines or a "
                                  "Darwin Core Archive, streamed. A search page's lang, cursor and page_size "
                                  "are ignored; 429 when too many exports run at once.",
                                  filters + _parameters(SearchQuery, search_schema, ["sort"])
                                  + _parameters(ExportOptions, export_schema), csv_or_jsonl),
        "/api/resources/{id}": _operation("getResource", "One resource and the other holdings of its material.",
                                          [_path_param("id", "Resource id, institution:catalog id.")],
                                          _ok("ResourceResponse", "The resource."), not_found=True),
        "/api/entities/{key}": _operation("getEntity", "One material with all its holdings.",
                                          [_path_param("key", "Entity key.")],
                                          _ok("EntityResponse", "The entity."), not_found=True),
        "/api/institutions": _operation("institutions", "Member institutions.", [],
                                        _ok("InstitutionList", "Institutions."), tag="catalog"),
        "/api/health": {"get": {"operationId": "health", "summary": "Liveness.", "tags": ["operations"],
                                "responses": {"200": _ok("Health", "Alive.")}}},
        "/api/health/ready": {"get": {"operationId": "ready", "summary": "Readiness (Elasticsearch reachable).",
                                      "tags": ["operations"], "responses": {
                                          "200": _ok("Health", "Ready."),
                                          "503": {"description": "Not ready.", "headers": {"Retry-After": {
                                              "description": "Seconds to wait.", "schema": {"type": "integer"}}},
                                              "content": {"application/json": {"schema": {"$ref": REF.format(model="Health")}}}}}}},
    }
    paths.update(_portal_paths())
    paths.update(_harvest_paths())
    transition_schema = TransitionInput.model_json_schema(ref_template=REF)
    components.update(transition_schema.pop("$defs", {}))
    components["TransitionInput"] = transition_schema
    problem_types = sorted({kind.type for kind in PROBLEM_TABLE.values()})
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {"title": "biocross API", "version": version,
                 "description": "Cross-search of the Tsukuba Biomedical Resource Consortium's catalogs. "
                                "Errors are RFC 9457 problem details; problem types: " + ", ".join(problem_types)},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer", "description": "An API token from `biocross users token`."}}},
    }
