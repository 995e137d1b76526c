"""The OpenAPI document is valid, covers every API route, and describes what the live server sends:
real responses validate against it, and a bounded schemathesis property run finds no 5xx and no
schema violation."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import hypothesis
import pytest
import schemathesis
from aiohttp.test_utils import TestClient
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from gateway.openapi import build_openapi

Client = TestClient[Any, Any]
SCHEMATHESIS_EXAMPLES = 25


def response_validator(spec: dict[str, Any], model: str) -> OAS31Validator:
    """A validator for ``components/schemas/<model>`` with the document's refs resolvable."""
    return OAS31Validator({"$ref": f"#/components/schemas/{model}", "components": spec["components"]})


def test_document_is_valid_openapi_31() -> None:
    spec = build_openapi()
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    search_params = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert search_params == {"q", "resource_type", "institution", "species", "availability", "disease", "tissue",
                             "include_withdrawn", "sort", "page_size", "cursor", "page"}
    resource_type = next(p for p in spec["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "resource_type")
    assert resource_type["explode"] is True and resource_type["schema"]["type"] == "array"


async def test_document_is_served_and_covers_every_api_route(client: Client) -> None:
    served = await (await client.get("/api/openapi.json")).json()
    assert served == build_openapi()
    routes = {r.resource.canonical for r in client.app.router.routes() if r.resource is not None}  # type: ignore[union-attr]
    api_routes = {r for r in routes if r.startswith("/api/")} - {"/api/openapi.json", "/api/docs",
                                                                 "/api/health/{probe}"}
    assert api_routes | {"/api/health/ready"} == set(served["paths"])
    docs = await (await client.get("/api/docs")).text()
    for path in served["paths"]:
        assert path in docs
    assert "<script>" not in docs.split("</head>")[1]


@pytest.mark.parametrize(("url", "model"), [
    ("/api/search?q=HeLa", "SearchResponse"),
    ("/api/search?q=マウス 糖尿病&page_size=3", "SearchResponse"),
    ("/api/resources/riken-brc:RCB7", "ResourceResponse"),
    ("/api/resources/riken-brc:RBRC9999", "ResourceResponse"),
    ("/api/entities/cellosaurus:CVCL_0030", "EntityResponse"),
    ("/api/suggest?q=he", "SuggestResponse"),
    ("/api/facets?q=rice", "FacetsResponse"),
    ("/api/institutions", "InstitutionList"),
    ("/api/search?page_size=0", "ProblemModel"),
    ("/api/resources/nope:0", "ProblemModel"),
])
async def test_real_responses_match_their_schema(client: Client, url: str, model: str) -> None:
    spec = build_openapi()
    body = await (await client.get(url)).json(content_type=None)
    errors = [e.message for e in response_validator(spec, model).iter_errors(body)]
    assert not errors, errors


def _check_operation(operation: Any, mode: schemathesis.GenerationMode, checks: list[Any], base_url: str) -> None:
    """Run a bounded number of generated requests against one operation; raise on any failure."""

    @hypothesis.settings(max_examples=SCHEMATHESIS_EXAMPLES, deadline=None, database=None, derandomize=True,
                         suppress_health_check=list(hypothesis.HealthCheck),
                         phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        response = case.call(base_url=base_url, timeout=30)
        case.validate_response(response, checks=checks)

    run()


def _property_run(spec: dict[str, Any], base_url: str) -> list[str]:
    """Generate valid and invalid requests for every operation and check each response (runs in a
    worker thread, while the server answers on the event loop)."""
    common = [schemathesis.checks.not_a_server_error, schemathesis.checks.status_code_conformance,
              schemathesis.checks.content_type_conformance, schemathesis.checks.response_schema_conformance]
    by_mode = {schemathesis.GenerationMode.POSITIVE: common,
               schemathesis.GenerationMode.NEGATIVE: [*common, schemathesis.checks.negative_data_rejection]}
    operations = [result.ok() for result in schemathesis.openapi.from_dict(spec).get_all_operations()]
    failures: list[str] = []
    for operation, (mode, checks) in itertools.product(operations, by_mode.items()):
        if mode is schemathesis.GenerationMode.NEGATIVE and not spec["paths"][operation.path][operation.method.lower()].get("parameters"):
            continue  # nothing to get wrong
        try:
            _check_operation(operation, mode, checks, base_url)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - one report for every operation
            failures.append(f"{operation.label} ({mode.value}): {exc}")
    return failures


async def test_schemathesis_finds_no_server_error_or_schema_violation(client: Client) -> None:
    base_url = str(client.make_url("/")).rstrip("/")
    failures = await asyncio.to_thread(_property_run, build_openapi(), base_url)
    assert not failures, "\n\n".join(failures)
