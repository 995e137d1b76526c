"""Nothing published is lost silently: the defects seen on real catalogs, each reproduced on a real
loopback source (real public samples) and a real Elasticsearch."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch

from biocross.harvest import harvest_all
from indexer.names import resources_alias
from indexer.runs import AcceptRefusedError
from indexer.store import HarvestStore
from indexer.writer import accept_run
from pipeline.realsources import (
    FileSource,
    OaiSource,
    Served,
    catalog_id,
    dwca_toml,
    generations,
    jcm_export,
    jcm_lines,
    jcm_toml,
    live_ids,
    oai_toml,
    pontaurus,
    specs,
)
from schemas.harvest import HarvestMode
from schemas.settings import HarvestSettings, Settings

FULL = HarvestMode.FULL


@pytest.fixture
def prefix(settings: Settings, request: pytest.FixtureRequest) -> str:
    return f"{settings.es.index_prefix}-{request.node.name[5:25].replace('_', '')}"


# -- defect 1: a stale --accept rolled a source back ------------------------------------------------

async def test_stale_accept_of_a_superseded_held_run_is_refused(es: AsyncElasticsearch, prefix: str, serve: Any,
                                                               registry: Any) -> None:
    source = FileSource({"/pontaurus.zip": Served(pontaurus())})
    sources = specs(dwca_toml(await serve(source.app())), registry)
    [good] = await harvest_all(es, prefix, registry, sources, FULL)
    assert good["outcome"] == "published", good
    before = await live_ids(es, prefix, "bgbm-pontaurus")
    assert len(before) > 1400

    source.files["/pontaurus.zip"] = Served(pontaurus(0.33))  # a third of the archive
    [held] = await harvest_all(es, prefix, registry, sources, FULL)
    assert held["outcome"] == "held", held
    assert "--accept" in held["errors"] and "newest run" in held["errors"]
    assert len(held["withdrawn_ids"]) == held["withdrawn"] > 900  # the review lists what would go
    assert set(held["withdrawn_ids"]) <= before

    source.files["/pontaurus.zip"] = Served(pontaurus())  # the source is whole again: a good run publishes
    [again] = await harvest_all(es, prefix, registry, sources, FULL)
    assert again["outcome"] == "published" and again["withdrawn"] == 0

    with pytest.raises(AcceptRefusedError) as refused:
        await accept_run(es, prefix, held["run_id"])
    message = str(refused.value)
    assert "superseded" in message and again["run_id"] in message
    assert "biocross harvest --full bgbm-pontaurus" in message
    assert await live_ids(es, prefix, "bgbm-pontaurus") == before
    # the superseded run's generation is gone; live + the previous one (grace) remain
    gens = await generations(es, prefix, "bgbm-pontaurus")
    assert held["index"] not in gens and again["index"] in gens and len(gens) <= 2


async def test_accept_refused_after_a_later_run_and_after_expiry(es: AsyncElasticsearch, prefix: str, serve: Any,
                                                                registry: Any) -> None:
    source = FileSource({"/jcm.csv": Served(jcm_export())})
    sources = specs(jcm_toml(await serve(source.app())), registry)
    await harvest_all(es, prefix, registry, sources, FULL)
    before = await live_ids(es, prefix, "jcm-export")
    lines = jcm_lines()
    source.files["/jcm.csv"] = Served(jcm_export(lines[:8]))
    [held] = await harvest_all(es, prefix, registry, sources, FULL)
    assert held["outcome"] == "held"
    del source.files["/jcm.csv"]  # a later run that fails (404) still makes the held one stale
    [failed] = await harvest_all(es, prefix, registry, sources, FULL)
    assert failed["outcome"] == "failed"
    with pytest.raises(AcceptRefusedError, match="superseded by run"):
        await accept_run(es, prefix, held["run_id"])

    source.files["/jcm.csv"] = Served(jcm_export(lines[:8]))
    [short_lived] = await harvest_all(es, prefix, registry, sources, FULL,
                                      policy=HarvestSettings(held_run_ttl_hours=0.0002))
    assert short_lived["outcome"] == "held"
    await asyncio.sleep(1.0)
    with pytest.raises(AcceptRefusedError, match="expired"):
        await accept_run(es, prefix, short_lived["run_id"])
    assert await live_ids(es, prefix, "jcm-export") == before

    [fresh] = await harvest_all(es, prefix, registry, sources, FULL)
    accepted = await accept_run(es, prefix, fresh["run_id"])  # the newest held run, in time: accepted
    assert accepted["outcome"] == "published" and accepted["accepted_at"]
    assert len(await live_ids(es, prefix, "jcm-export")) == 7


# -- defect 2: a broken quoted row swallowed its neighbour; invalid bytes went unreported ---------

async def test_unterminated_quote_quarantines_its_row_and_keeps_the_neighbour(
        es: AsyncElasticsearch, prefix: str, serve: Any, registry: Any) -> None:
    lines = jcm_lines()
    source = FileSource({"/jcm.csv": Served(jcm_export(lines))})
    sources = specs(jcm_toml(await serve(source.app())), registry)
    await harvest_all(es, prefix, registry, sources, FULL)
    before = await live_ids(es, prefix, "jcm-export")
    assert len(before) == 20

    broken, neighbour = lines[19], lines[20]  # the 19th and 20th records (lines 20 and 21)
    remark = broken.split(",")[-2]
    lines[19] = broken.replace(remark, '"要確認 ' + remark)  # an opening quote that never closes
    source.files["/jcm.csv"] = Served(jcm_export(lines))
    [run] = await harvest_all(es, prefix, registry, sources, FULL)

    assert run["outcome"] == "published", run
    after = await live_ids(es, prefix, "jcm-export")
    assert f"riken-brc:{catalog_id(neighbour)}" in after  # the swallowed row is recovered
    assert run["withdrawn_ids"] == [f"riken-brc:{catalog_id(broken)}"]
    assert run["withdrawals"][0]["reason"] and before - after == set(run["withdrawn_ids"])
    total, quarantined = await HarvestStore(es, prefix).rejections("jcm-export", reason="malformed")
    assert total == 1 and "line 20" in quarantined[0]["detail"] and quarantined[0]["payload"]["line"] == 20
    assert "要確認" in quarantined[0]["payload"]["text"]


async def test_invalid_bytes_are_reported_per_record_with_the_line(es: AsyncElasticsearch, prefix: str, serve: Any,
                                                                  registry: Any) -> None:
    lines = jcm_lines()
    body = jcm_export(lines)
    damaged = lines[5]
    remark = damaged.split(",")[-2].encode("cp932")
    body = body.replace(remark, remark[:4] + b"\x85\x40" + remark[4:], 1)  # a vendor character CP932 lacks
    source = FileSource({"/jcm.csv": Served(body)})
    [run] = await harvest_all(es, prefix, registry, specs(jcm_toml(await serve(source.app())), registry), FULL)
    assert run["outcome"] == "published" and run["indexed"] == 20  # the record is kept
    [notice] = run["notices"]
    assert notice["kind"] == "undecodable_bytes" and notice["line"] == 6 and "備考" in notice["detail"]
    assert notice["id"] == f"riken-brc:{catalog_id(damaged)}"
    doc = await es.get(index=resources_alias(prefix), id=f"riken-brc:{catalog_id(damaged)}")
    assert "\ufffd" in doc["_source"]["resource"]["description"]["ja"]


# -- defect 3: truncated payloads were published --------------------------------------------------

async def test_csv_export_cut_inside_a_quote_fails_and_withdraws_nothing(es: AsyncElasticsearch, prefix: str,
                                                                         serve: Any, registry: Any) -> None:
    source = FileSource({"/jcm.csv": Served(jcm_export())})
    sources = specs(jcm_toml(await serve(source.app())), registry)
    await harvest_all(es, prefix, registry, sources, FULL)
    before = await live_ids(es, prefix, "jcm-export")
    text = "".join(jcm_lines())
    cut = text.index("is a ", text.index("\n", len(text) * 3 // 4))  # inside a quoted description, 3/4 through
    source.files["/jcm.csv"] = Served(text[:cut].encode("cp932"))
    [run] = await harvest_all(es, prefix, registry, sources, FULL)
    assert run["outcome"] == "failed" and run["error_kind"] == "truncated", run
    assert "cut off" in run["errors"] and run["withdrawn"] == 0
    assert await live_ids(es, prefix, "jcm-export") == before


async def test_oai_list_cut_on_a_page_boundary_fails(es: AsyncElasticsearch, prefix: str, serve: Any,
                                                     registry: Any) -> None:
    repo = OaiSource()
    sources = specs(oai_toml(await serve(repo.app())), registry)
    [good] = await harvest_all(es, prefix, registry, sources, FULL)
    assert good["outcome"] == "published", good
    before = await live_ids(es, prefix, "eur-dspace")
    assert len(before) == 79
    repo.stop_at_page = 3  # pages 0-3 are whole documents; the fourth has no resumption token: 80 of 81
    [run] = await harvest_all(es, prefix, registry, sources, FULL)
    assert run["outcome"] == "failed" and run["error_kind"] == "truncated", run
    assert "80 of the 81" in run["errors"]
    assert await live_ids(es, prefix, "eur-dspace") == before


# -- defect 4: leftovers of failed and killed runs ------------------------------------------------

async def test_failed_runs_leave_no_generations(es: AsyncElasticsearch, prefix: str, serve: Any,
                                                registry: Any) -> None:
    source = FileSource({"/jcm.csv": Served(jcm_export())})
    sources = specs(jcm_toml(await serve(source.app())), registry)
    [good] = await harvest_all(es, prefix, registry, sources, FULL)
    text = "".join(jcm_lines())
    source.files["/jcm.csv"] = Served(text[:text.index("is a ", len(text) // 2)].encode("cp932"))
    for _ in range(3):
        [run] = await harvest_all(es, prefix, registry, sources, FULL)
        assert run["outcome"] == "failed"
    assert await generations(es, prefix, "jcm-export") == [good["index"]]


async def test_run_killed_before_its_first_checkpoint_is_closed_and_dropped(
        es: AsyncElasticsearch, prefix: str, serve: Any, registry: Any, settings: Settings, tmp_path: Path) -> None:
    source = FileSource({"/jcm.csv": Served(jcm_export())})
    url = await serve(source.app())
    sources = specs(jcm_toml(url), registry)
    [good] = await harvest_all(es, prefix, registry, sources, FULL)
    source.files["/jcm.csv"] = Served(jcm_export(), trickle=0.5)  # about 3 s for the export
    config = tmp_path / "adapters.toml"
    config.write_text(jcm_toml(url), encoding="utf-8")
    env = {**os.environ, "BIOCROSS_ES_URL": settings.es.url, "BIOCROSS_ES_INDEX_PREFIX": prefix}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "biocross.cli", "harvest", "--full", "--config",
                                                str(config), env=env, stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.DEVNULL)
    store = HarvestStore(es, prefix)
    for _ in range(200):
        runs = await store.recent_runs("jcm-export", size=1)
        if runs and runs[0]["outcome"] == "running" and source.bytes_sent:
            break
        await asyncio.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    [killed] = await store.recent_runs("jcm-export", size=1)
    assert killed["outcome"] == "running" and killed["index"] != good["index"]

    source.files["/jcm.csv"] = Served(jcm_export())
    [run] = await harvest_all(es, prefix, registry, sources, FULL, policy=HarvestSettings(stale_run_minutes=0.001))
    assert run["outcome"] == "published"
    closed = await store.get_run(killed["run_id"])
    assert closed is not None and closed["outcome"] == "failed" and "abandoned" in closed["errors"]
    assert closed["finished_at"] is not None
    gens = await generations(es, prefix, "jcm-export")
    assert killed["index"] not in gens and run["index"] in gens
