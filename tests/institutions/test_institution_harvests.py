"""Full harvests of the five simulated institutions: contract battery, planted dirt, field coverage, HeLa."""

from __future__ import annotations

import asyncio
import tomllib
from collections import Counter, defaultdict
from typing import Any

import pytest
from institutions.demosources import RAW_ID, SLUGS, Sources, StartSources, clean, key

from adapters.config import parse_adapters_toml
from adapters.institutions import INSTITUTION_ADAPTERS, example_config
from adapters.registry import Registry, load_registry
from adapters.testing import AdapterContractTests, ContractCase, Outcome, collect, contract_params
from demo.config import DEMO_ADAPTERS_FILE, DEMO_BASE_URL, demo_config
from demo.generator import SourceRegistry
from demo.generator.ledger import expected_dirt
from fixtures.samples.institutions import INSTITUTION_FIXTURES
from schemas.resource import Resource, resource_id

NAMES = list(SLUGS)
#: Adapter name → two full harvests of the shared sources.
Runs = dict[str, tuple[Outcome, Outcome]]

@pytest.fixture(params=contract_params(INSTITUTION_FIXTURES, Registry(INSTITUTION_ADAPTERS)))
def contract_case(request: pytest.FixtureRequest) -> ContractCase:
    return request.param  # type: ignore[no-any-return]


class TestInstitutionContract(AdapterContractTests):
    """The testkit's battery, against each institution's simulated source (a small catalog)."""


@pytest.fixture(scope="module")
async def full_runs(shared_sources: Sources) -> Runs:
    """Two full harvests of every institution of the shared sources."""
    runs = {}
    for name in NAMES:
        first = await collect(shared_sources.adapter(name).run())
        second = await collect(shared_sources.adapter(name).run())
        runs[name] = (first, second)
    return runs


def test_demo_config_is_valid_at_its_own_and_any_base_url() -> None:
    registry = load_registry()
    written = parse_adapters_toml(DEMO_ADAPTERS_FILE.read_text(encoding="utf-8"), registry)
    assert set(written) == set(SLUGS)
    assert all(c.endpoint.startswith(f"{DEMO_BASE_URL}/") for c in written.values())
    text = demo_config("http://10.0.0.7:9999/")
    assert "127.0.0.1:8800" not in text and "http://10.0.0.7:9999/riken/detail/{id}" in text
    moved = parse_adapters_toml(text, registry)
    assert {n: c.institution for n, c in moved.items()} == SLUGS
    assert all(c.endpoint.startswith("http://10.0.0.7:9999/") for c in moved.values())
    assert tomllib.loads(text)["adapters"]["jcrb"]["endpoints"]["deleted"].startswith("http://10.0.0.7:9999/")


def test_example_config_configures_every_institution_adapter_as_the_demo_does() -> None:
    """The institution adapters' own example configuration: valid, and the same tables as the demo's."""
    example = example_config()
    assert "127.0.0.1" not in example
    configured = parse_adapters_toml(example, load_registry(), origin="example")
    assert {n: c.institution for n, c in configured.items()} == SLUGS
    assert {c.type for c in configured.values()} == {cls.name for cls in INSTITUTION_ADAPTERS}
    demo = tomllib.loads(demo_config("https://catalog.example.org"))["adapters"]
    assert tomllib.loads(example)["adapters"] == demo


@pytest.mark.parametrize("name", NAMES)
async def test_full_harvest_completes_with_every_valid_record(name: str, shared_sources: Sources, full_runs: Runs) -> None:
    out, _ = full_runs[name]
    ledger = expected_dirt(name, shared_sources.state)
    stats = out.finished.stats
    assert out.finished.ok and not out.finished.truncated, out.finished.error
    assert stats.errors == 0 and stats.deleted == 0 and not out.deletions
    assert stats.mapped == len(out.resources) == ledger.valid
    assert len({r.id for r in out.resources}) == ledger.valid
    for resource in out.resources:
        assert resource.institution == SLUGS[name] and resource.name and resource.resource_type
        assert resource.id == resource_id(SLUGS[name], resource.catalog_id)
        assert resource.provenance.source == name


@pytest.mark.parametrize("name", NAMES)
async def test_ids_and_content_are_stable_across_runs(name: str, full_runs: Runs) -> None:
    first, second = full_runs[name]

    def digest(out: Outcome) -> dict[str, str | None]:
        return {r.id: r.provenance.content_hash for r in out.resources}

    assert digest(first) == digest(second)
    assert [r.reason for r in first.rejections] == [r.reason for r in second.rejections]


def assert_rejections_match(name: str, out: Outcome, state: SourceRegistry) -> None:
    """The run quarantined exactly what the generator planted: same reasons, same counts, same ids."""
    ledger = expected_dirt(name, state)
    expected = ledger.reasons() + Counter({"duplicate": len(ledger.duplicates)})
    assert Counter(str(r.reason) for r in out.rejections) == expected
    got: dict[str, set[str]] = defaultdict(set)
    for rejection in out.rejections:
        got[str(rejection.reason)].add(clean(rejection.payload.get(RAW_ID[name])))
    assert got["missing_name"] == {clean(r.served_id) for r in ledger.rejected if r.reason == "missing_name"}
    assert got["invalid_id"] == {clean(r.served_id) for r in ledger.rejected if r.reason == "invalid_id"}
    assert got["missing_id"] <= {""}
    assert {key(i) for i in got["duplicate"]} == {key(i) for i in ledger.duplicates}
    assert all(r.detail and r.payload and r.source == name for r in out.rejections)
    assert out.finished.stats.mapped == ledger.valid


@pytest.mark.parametrize("name", NAMES)
async def test_rejections_match_the_planted_dirt(name: str, shared_sources: Sources, full_runs: Runs) -> None:
    assert_rejections_match(name, full_runs[name][0], shared_sources.state)


async def test_rejections_match_the_planted_dirt_at_scale(start_sources: StartSources) -> None:
    """20,000 records: several kinds of planted rejects at every institution (NIES's dead detail links too)."""
    sources = await start_sources(total=20_000)
    outs = await asyncio.gather(*(collect(sources.adapter(name).run()) for name in NAMES))
    for name, out in zip(NAMES, outs, strict=True):
        assert out.finished.ok, out.finished.error
        assert_rejections_match(name, out, sources.state)
        assert len(expected_dirt(name, sources.state).reasons()) >= 2  # the comparison is not vacuous


@pytest.mark.parametrize("name", NAMES)
async def test_japanese_text_round_trips(name: str, shared_sources: Sources, full_runs: Runs) -> None:
    """Clean records' Japanese descriptions arrive exactly as the source holds them."""
    out, _ = full_runs[name]
    state = shared_sources.state[name]
    by_id = {r.id: r for r in out.resources}
    checked = 0
    for index in range(state.size):
        catalog = state.catalog
        planted = catalog.dirt(index)
        if planted.reject or planted.cosmetic or catalog.injection(index) is not None:
            continue
        record = state.record(index)
        if not record.get("description_ja"):
            continue
        resource = by_id[resource_id(SLUGS[name], catalog.catalog_id(index))]
        assert resource.description.ja == record["description_ja"]
        checked += 1
        if checked == 40:
            break
    assert checked == 40


def _share(resources: list[Resource], present: Any) -> float:
    return sum(1 for r in resources if present(r)) / len(resources)


@pytest.mark.parametrize("name", NAMES)
async def test_the_fields_sources_offer_are_mapped(name: str, full_runs: Runs) -> None:
    resources = full_runs[name][0].resources
    assert _share(resources, lambda r: r.species and r.species.scientific_name) >= 0.99
    assert _share(resources, lambda r: r.species and r.species.taxon_id) >= 0.99
    assert _share(resources, lambda r: r.updated) >= 0.99
    assert _share(resources, lambda r: r.description.ja or r.description.en) >= 0.9
    assert _share(resources, lambda r: r.distribution.mta_type) == 1
    if name != "naro":  # Darwin Core states no registration date
        assert _share(resources, lambda r: r.created) >= 0.9
    if name in ("riken", "nies"):
        assert _share(resources, lambda r: r.source_url and r.source_url.startswith("http")) == 1
    if name == "tsukuba":
        assert all(r.resource_type == "human_specimen" and r.specimen_stats for r in resources)
        stats = [r.specimen_stats for r in resources if r.specimen_stats]
        assert all(s.donors and s.samples and s.sex and s.age_range and s.storage_temperature for s in stats)
        assert _share(resources, lambda r: r.diseases and any(x.db == "ICD-10" for x in r.xrefs)) == 1
    if name in ("riken", "jcrb"):
        assert {r.resource_type for r in resources} >= ({"mouse_strain", "cell_line", "dna", "microbe", "plant"}
                                                        if name == "riken" else {"cell_line", "primate_sample"})
    if name == "naro":
        assert {r.resource_type for r in resources} == {"plant", "microbe"}


async def test_hela_is_one_entity_at_riken_and_jcrb(full_runs: Runs) -> None:
    riken = {r.catalog_id: r for r in full_runs["riken"][0].resources}["RCB0007"]
    jcrb = {r.catalog_id: r for r in full_runs["jcrb"][0].resources}["JCRB9004"]
    assert riken.name == jcrb.name == "HeLa"
    assert riken.entity_key == jcrb.entity_key == "cellosaurus:CVCL_0030"
    assert {(x.db, x.id) for x in riken.xrefs} >= {("Cellosaurus", "CVCL_0030"), ("JCRB", "JCRB9004")}
    assert {(x.db, x.id) for x in jcrb.xrefs} >= {
        ("Cellosaurus", "CVCL_0030"), ("RIKEN_BRC", "RCB0007"), ("ATCC", "CCL-2"),  # JCRB cites ＲＣＢ０００７
    }
    assert "ヒーラ細胞" in riken.synonyms and riken.description.ja == "ヒト子宮頸部由来の細胞株。子宮頸癌由来。"
    assert riken.species and riken.species.taxon_id == 9606 and "子宮頸部" in riken.tissues
    assert riken.source_url and riken.source_url.endswith("/riken/detail/RCB0007")
