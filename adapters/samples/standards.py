"""Contract fixtures of the community-standard adapters (small samples in the sources' real layouts)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from aiohttp import web

from adapters.fixtures import ContractFixture

BBMRI_HEADER = ("id,Country,Biobank,Name,Acronym,Description,Collection Type,Size,TimeStamp,Number of Donors,Sex,"
                "Diagnosis Available,Age Low,Age High,Age Unit,Materials,Storage Temperatures,URL")
BBMRI_ROWS = [
    'bbmri-eric:ID:JP_TSUKUBA:collection:lung,JP,bbmri-eric:ID:JP_TSUKUBA,つくばヒト組織バイオバンク 肺がんコレクション,LUNG,'
    '"外科切除肺がん組織と血清\n(凍結保存)",DISEASE_SPECIFIC,1200,2024-03-01 10:00:00.0,400,"FEMALE,MALE",'
    '"urn:miriam:icd:C34.9,urn:miriam:icd:C34",20,90,YEAR,"TISSUE_FROZEN,SERUM","temperatureLN,temperature-60to-85",'
    'https://www.hosp.tsukuba.ac.jp/',
    'bbmri-eric:ID:JP_TSUKUBA:collection:liver,JP,bbmri-eric:ID:JP_TSUKUBA,肝疾患コレクション,,Liver disease,SAMPLE,300,'
    '2024-02-01 10:00:00.0,150,FEMALE,urn:miriam:icd:K74,30,80,YEAR,PLASMA,temperature-60to-85,',
    'bbmri-eric:ID:JP_TSUKUBA:collection:blood,JP,bbmri-eric:ID:JP_TSUKUBA,Healthy volunteers,,Blood,COHORT,,,,'
    '"FEMALE,MALE",,,,,"WHOLE_BLOOD,DNA",temperatureLN,',
]


def _static(path: str, body: bytes, content_type: str) -> web.Application:
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'

    async def handle(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": content_type})

    app = web.Application()
    app.router.add_get(path, handle)
    return app


def bbmri_fixture() -> ContractFixture:
    """Collections.csv in the Directory's layout (UTF-8, quoted newlines, comma-joined lists)."""
    body = ("\n".join([BBMRI_HEADER, *BBMRI_ROWS]) + "\n").encode()
    return ContractFixture(
        make_app=lambda: _static("/Collections.csv", body, "text/csv"),
        config=lambda url: {"institution": "tsukuba-biobank", "endpoint": f"{url}/Collections.csv"},
        japanese="肺がんコレクション", change_granularity="source",
    )


def _collection(ident: str, name: str, updated: str) -> dict[str, object]:
    return {
        "resourceType": "Organization", "id": ident,
        "meta": {"profile": ["https://fhir.bbmri.de/StructureDefinition/Collection"], "lastUpdated": updated},
        "extension": [
            {"url": "https://fhir.bbmri.de/StructureDefinition/OrganizationDescription", "valueString": f"{name} の説明"},
            {"url": "https://fhir.bbmri.de/StructureDefinition/DataCategory", "valueCodeableConcept": {"coding": [
                {"system": "https://fhir.bbmri.de/CodeSystem/DataCategory", "code": "BIOLOGICAL_SAMPLES",
                 "display": "Biological samples"}]}},
        ],
        "identifier": [{"system": "http://www.bbmri-eric.eu/", "value": f"bbmri-eric:ID:JP_TSUKUBA:collection:{ident}"}],
        "name": name, "alias": [ident.upper()],
    }


def fhir_app() -> web.Application:
    """``/fhir/Organization``: a searchset Bundle paged by ``link[next]``, honouring ``_lastUpdated=gt...``."""
    orgs = [_collection(f"c{i}", f"胃がん組織コレクション {i}", f"2024-0{1 + i}-01T00:00:00Z") for i in range(5)]
    orgs.append({"resourceType": "Organization", "id": "bb", "name": "Biobank", "meta": {"profile": ["x/Biobank"]}})

    async def handle(request: web.Request) -> web.Response:
        since = request.query.get("_lastUpdated", "gt")[2:]
        rows = [o for o in orgs if not since or str(o["meta"].get(  # type: ignore[attr-defined]
            "lastUpdated", "")) > since]
        offset = int(request.query.get("_offset", "0"))
        page = rows[offset:offset + 3]
        bundle: dict[str, object] = {"resourceType": "Bundle", "type": "searchset", "total": len(rows)}
        if page:
            bundle["entry"] = [{"fullUrl": f"Organization/{o['id']}", "resource": o} for o in page]
        if offset + 3 < len(rows):
            bundle["link"] = [{"relation": "next", "url": f"/fhir/Organization?_offset={offset + 3}"}]
        now = datetime(2024, 12, 1, tzinfo=UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
        return web.json_response(bundle, headers={"Date": now})

    app = web.Application()
    app.router.add_get("/fhir/Organization", handle)
    return app


def fhir_fixture() -> ContractFixture:
    """Five collections (and a Biobank Organization that is not one)."""
    return ContractFixture(
        make_app=fhir_app,
        config=lambda url: {"institution": "tsukuba-biobank", "endpoint": f"{url}/fhir/Organization"},
        japanese="胃がん組織コレクション",
    )
