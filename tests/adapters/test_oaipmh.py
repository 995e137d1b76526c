"""OAI-PMH toolkit against a real loopback repository: paging, incremental, sets, deletions, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.http import HttpClient
from adapters.testing import build_adapter as build
from adapters.testing import collect
from adapters.toolkits.oaipmh import OaiPmhAdapter
from demo.samples.oairepo import OaiRepository, SampleRecord
from schemas.harvest import Checkpoint, HarvestMode, RejectionReason
from schemas.vocab import ResourceType

T0 = datetime(2024, 1, 1, tzinfo=UTC)
MAPPING = {
    "catalog_id": "header.local_id",
    "name": "dc:title",
    "resource_type": {"from": "dc:type", "transforms": [{"lookup": {"植物": "plant", "微生物": "microbe"}}],
                      "const": "other"},
    "description.ja": "dc:description@ja",
    "description.en": "dc:description@en",
    "created": {"from": "dc:date", "transforms": ["date"]},
}


def records(n: int, *, day0: int = 0, sets: list[str] | None = None) -> list[SampleRecord]:
    return [
        SampleRecord(
            identifier=f"oai:naro:JP {1000 + i}",
            datestamp=T0 + timedelta(days=day0 + i // 10),
            fields={"dc:title": [f"イネ 品種 {i}"], "dc:type": ["植物"], "dc:description@ja": ["日本の在来品種"],
                    "dc:description@en": ["A Japanese landrace"], "dc:date": ["2001/4/1" if i % 7 else "not a date"]},
            sets=sets or ["plants"],
        )
        for i in range(n)
    ]


def oai(http: HttpClient, url: str, **extra: object) -> OaiPmhAdapter:
    adapter = build(OaiPmhAdapter, http, "naro-genebank", institution="naro", endpoint=f"{url}/oai",
                    mapping=MAPPING, **extra)
    assert isinstance(adapter, OaiPmhAdapter)
    return adapter


async def test_full_harvest_pages_through_resumption_tokens(http, server) -> None:
    repo = OaiRepository(records(95), page_size=20)
    url = await server(repo.app())
    out = await collect(oai(http, url).run())
    assert out.finished.ok and len(out.resources) == 95 and not out.rejections
    assert sum(1 for q in repo.requests if "resumptionToken" in q) == 4
    first = out.resources[0]
    assert first.catalog_id == "JP 1000" and first.id == "naro:JP1000"
    assert first.name == "イネ 品種 0" and first.resource_type is ResourceType.PLANT
    assert first.description.ja == "日本の在来品種" and first.description.en == "A Japanese landrace"
    assert first.provenance.source == "naro-genebank" and first.provenance.content_hash == first.content_hash()
    assert first.provenance.harvested_at is not None and first.provenance.source_record_id == "oai:naro:JP 1000"
    assert out.finished.stats.warnings["created:malformed_date"] == 14  # None + a warning, not a rejection
    mids = [e for e in out.events if type(e).__name__ == "CheckpointAdvanced"]
    assert len(mids) == 5 and mids[0].checkpoint.resumption_token and mids[-1].checkpoint.resumption_token is None
    assert out.finished.checkpoint is not None and out.finished.checkpoint.datestamp == repo.now.replace(microsecond=0)


async def test_incremental_from_datestamp_yields_only_changes_and_deletions(http, server) -> None:
    data = records(30)
    repo = OaiRepository(data, page_size=7)
    url = await server(repo.app())
    adapter = oai(http, url)
    full = await collect(adapter.run())
    later = T0 + timedelta(days=30)
    data[3] = SampleRecord("oai:naro:JP 1003", later, {"dc:title": ["changed"], "dc:type": ["植物"]}, ["plants"])
    data.append(SampleRecord("oai:naro:JP 1004", later, deleted=True))
    checkpoint = Checkpoint(datestamp=later)
    inc = await collect(adapter.run(HarvestMode.INCREMENTAL, checkpoint))
    assert inc.finished.ok and inc.ids == ["JP 1003"] and [d.catalog_id for d in inc.deletions] == ["JP 1004"]
    assert repo.requests[-1]["from"] == "2024-01-31"
    assert inc.deletions[0].institution == "naro" and inc.deletions[0].source == "naro-genebank"
    assert len(full.resources) == 30
    # incremental with nothing new: noRecordsMatch is an empty harvest, not a failure
    empty = await collect(adapter.run(HarvestMode.INCREMENTAL, Checkpoint(datestamp=later + timedelta(days=5))))
    assert empty.finished.ok and not empty.resources and empty.finished.checkpoint is not None


async def test_bad_resumption_token_restarts_from_last_datestamp_without_duplicates(http, server) -> None:
    repo = OaiRepository(records(100), page_size=15, bad_token_pages={3})
    url = await server(repo.app())
    adapter = oai(http, url)
    out = await collect(adapter.run())
    assert out.finished.ok, out.finished.error
    assert sorted(out.ids) == sorted(f"JP {1000 + i}" for i in range(100))
    assert not out.rejections and out.finished.stats.duplicates == 0
    restart = [q for q in repo.requests if "from" in q]
    assert restart and restart[0]["from"] == "2024-01-05"  # highest datestamp seen before the bad token


async def test_resume_after_crash_from_mid_run_checkpoint(http, server) -> None:
    repo = OaiRepository(records(60), page_size=10)
    url = await server(repo.app())
    adapter = oai(http, url)
    seen: list[str] = []
    checkpoint = None
    async for event in adapter.run():
        if type(event).__name__ == "ResourceMapped":
            seen.append(event.resource.catalog_id)  # type: ignore[union-attr]
        if type(event).__name__ == "CheckpointAdvanced" and len(seen) >= 20:
            checkpoint = event.checkpoint  # type: ignore[union-attr]
            break  # the "crash"
    assert checkpoint is not None and checkpoint.resumption_token
    rest = await collect(adapter.run(HarvestMode.FULL, checkpoint))
    assert rest.finished.ok and sorted(seen + rest.ids) == sorted(f"JP {1000 + i}" for i in range(60))


async def test_sets_are_harvested_without_repeating_shared_records(http, server) -> None:
    data = records(10, sets=["plants"]) + records(5, day0=2, sets=["plants", "microbes"])[:0]
    data += [SampleRecord(f"oai:naro:MAFF {i}", T0, {"dc:title": ["菌"], "dc:type": ["微生物"]}, ["plants", "microbes"])
             for i in range(3)]
    repo = OaiRepository(data, page_size=4)
    url = await server(repo.app())
    out = await collect(oai(http, url, sets=["plants", "microbes"]).run())
    assert out.finished.ok and len(out.resources) == 13 and not out.rejections


async def test_mapping_failures_become_typed_rejections(http, server) -> None:
    data = records(3)
    data.append(SampleRecord("oai:naro:JP 9", T0, {"dc:type": ["植物"]}))  # no title
    data.append(SampleRecord("oai:naro:KEY 1", T0, {"dc:title": ["x"]}))  # not a JP id
    data.append(SampleRecord("", T0, {"dc:title": ["x"]}))  # no identifier at all
    data.append(SampleRecord("oai:naro:JP 1000", T0, {"dc:title": ["イネ 品種 0"], "dc:type": ["植物"],
                                                        "dc:description@ja": ["日本の在来品種"]}))
    repo = OaiRepository(data, page_size=50)
    url = await server(repo.app())
    out = await collect(oai(http, url, ids={"pattern": r"JP \d+"}).run())
    reasons = sorted(r.reason for r in out.rejections)
    assert reasons == sorted([RejectionReason.MISSING_NAME, RejectionReason.INVALID_ID, RejectionReason.DUPLICATE,
                              RejectionReason.MISSING_ID])
    dup = next(r for r in out.rejections if r.reason is RejectionReason.DUPLICATE)
    assert "conflicting" in dup.detail and dup.payload["header.identifier"] == "oai:naro:JP 1000"
    assert out.finished.stats.rejected == 4 and out.finished.stats.mapped == 3


async def test_oai_errors_with_http_422_and_simple_darwin_core(http, server) -> None:
    repo = OaiRepository(records(2), error_status=422)
    url = await server(repo.app())
    bad = await collect(oai(http, url, metadata_prefix="nope").run())
    assert not bad.finished.ok and bad.finished.error is not None
    assert "cannotDisseminateFormat" in str(bad.finished.error) and bad.finished.error.adapter == "naro-genebank"

    dwc = [SampleRecord("oai:naro:MAFF 240001", T0, {"dwc:catalogNumber": ["MAFF 240001"],
                                                     "dwc:scientificName": ["Bacillus subtilis"]})]
    url2 = await server(OaiRepository(dwc).app())
    mapping = {"catalog_id": "dwc:catalogNumber", "name": "dwc:scientificName",
               "species.scientific_name": "dwc:scientificName", "resource_type": {"const": "microbe"}}
    adapter = build(OaiPmhAdapter, http, "naro-maff", institution="naro", endpoint=f"{url2}/oai",
                    metadata_prefix="dwc", mapping=mapping)
    out = await collect(adapter.run())
    assert out.ids == ["MAFF 240001"] and out.resources[0].species is not None
    assert (await adapter.probe())["granularity"] == "YYYY-MM-DD"
