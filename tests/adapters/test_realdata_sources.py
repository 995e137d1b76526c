"""Real samples through the toolkits: BBMRI Directory collections, FHIR collections, BacDive via pure TOML."""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from adapters.config import parse_adapters_toml
from adapters.registry import load_registry
from adapters.standards.bbmri import BbmriDirectoryAdapter, FhirCollectionAdapter
from adapters.testing import build_adapter, collect
from schemas.harvest import RejectionReason
from schemas.vocab import ResourceType

REAL = Path(__file__).resolve().parents[1] / "data" / "realdata"
EXAMPLE = Path(__file__).resolve().parents[2] / "adapters/examples/jcm_bacdive.toml"


def static(path: str, body: bytes, **headers: str) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        return web.Response(body=body, headers=headers)

    app = web.Application()
    app.router.add_get(path, handle)
    return app


async def test_bbmri_directory_collections_gzip_transfer(http, server) -> None:
    """3,436 real collections served gzip-encoded; 169 multi-line values; aggregate counts only."""
    body = (REAL / "bbmri-directory-emx2/Collections.csv.gz").read_bytes()
    url = await server(static("/Collections.csv", body, **{"Content-Encoding": "gzip", "Content-Type": "text/csv"}))
    adapter = build_adapter(BbmriDirectoryAdapter, http, "bbmri-eric", institution="tsukuba-biobank",
                            endpoint=f"{url}/Collections.csv")
    out = await collect(adapter.run())
    assert out.finished.ok, out.finished.error
    assert out.finished.stats.seen == 3436 and len(out.resources) >= 3300
    graz = next(r for r in out.resources if r.catalog_id == "bbmri-eric:ID:AT_MUG:collection:Bio-UV2017")
    assert graz.resource_type is ResourceType.HUMAN_SPECIMEN and graz.specimen_stats is not None
    assert graz.specimen_stats.donors == 68 and graz.specimen_stats.samples == 3432
    assert graz.specimen_stats.age_range == "18-99 year" and graz.specimen_stats.sex == ["female", "male"]
    assert "血清 serum" in graz.sample_types and "L40" in graz.diseases
    assert {x.id for x in graz.xrefs if x.db == "ICD-10"} >= {"L40", "L30.9"}
    assert all(r.reason in {RejectionReason.MISSING_NAME, RejectionReason.INVALID_FIELD} for r in out.rejections)


async def test_fhir_bbmri_collection_examples(http, server) -> None:
    entries = [json.loads((REAL / "samply-bbmri-fhir-ig" / name).read_text())
               for name in ("exampleBiobank.json", "exampleCollection.json", "exampleCollectionRD.json")]
    bundle = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": e} for e in entries]}
    url = await server(static("/fhir/Organization", json.dumps(bundle).encode(), **{"Content-Type": "application/fhir+json"}))
    adapter = build_adapter(FhirCollectionAdapter, http, "gba", institution="tsukuba-biobank",
                            endpoint=f"{url}/fhir/Organization")
    out = await collect(adapter.run())
    assert out.finished.ok and len(out.resources) == 2  # the Biobank Organization is not a collection
    vampir = out.resources[0]
    assert vampir.catalog_id == "bbmri-eric:ID:DE_12345:collection:vampir" and vampir.synonyms == ["VAMPIR"]
    assert vampir.description.en and "Klinikum Neustadt" in vampir.description.en


async def test_pure_toml_example_adapter_loads_and_harvests(http, server) -> None:
    url = await server(static("/bacdive.tsv", (REAL / "bacdive-kg-microbe/bacdive.tsv").read_bytes()))
    text = EXAMPLE.read_text().replace("http://127.0.0.1:8765", url)
    assert len(EXAMPLE.read_text().splitlines()) < 40
    registry = load_registry(entry_points=False)
    configs = parse_adapters_toml(text, registry)
    adapter = registry.build("jcm-bacdive", configs["jcm-bacdive"], http)
    out = await collect(adapter.run())
    assert out.finished.ok and out.finished.stats.seen == 20
    jcm = {r.catalog_id: r for r in out.resources}
    assert "JCM 1407" in jcm and jcm["JCM 1407"].species is not None
    assert jcm["JCM 1407"].species.taxon_id == 1543 and jcm["JCM 1407"].name == "Clostridium oceanicum DSM 1290"
    assert "ATCC 25647" in jcm["JCM 1407"].synonyms
    assert {r.reason for r in out.rejections} <= {RejectionReason.MISSING_ID}
