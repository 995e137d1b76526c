"""The fault battery: real samples broken the ways real catalogs break, harvested into a real
Elasticsearch. After each fault, the published catalog holds every record it held before, or each
record it no longer holds is listed in the run record with its reason."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch

from biocross.harvest import harvest_all
from indexer.runs import AcceptRefusedError
from indexer.store import HarvestStore
from indexer.writer import accept_run
from pipeline.realsources import (
    FileSource,
    OaiSource,
    Served,
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


@dataclass
class Bench:
    """One source under test: its server state, its specs, and how to harvest it."""

    es: AsyncElasticsearch
    prefix: str
    registry: Any
    name: str
    url: str
    state: Any
    toml: str

    async def harvest(self, toml: str | None = None, policy: HarvestSettings | None = None) -> dict[str, Any]:
        [run] = await harvest_all(self.es, self.prefix, self.registry, specs(toml or self.toml, self.registry), FULL,
                                  policy=policy)
        return run


async def nothing_lost_silently(bench: Bench, before: set[str], run: dict[str, Any]) -> set[str]:
    """The battery's invariant; returns the ids withdrawn (each listed with a reason)."""
    after = await live_ids(bench.es, bench.prefix, bench.name)
    listed = {w["id"]: w["reason"] for w in run.get("withdrawals", [])}
    lost = before - after
    assert lost <= set(listed), f"withdrawn without a word: {sorted(lost - set(listed))[:5]}"
    assert all(listed[i] for i in lost)
    assert set(run.get("withdrawn_ids", [])) == set(listed)
    if run["outcome"] != "published":
        assert not lost, run["outcome"]
    return lost


def _cut_inside_quote(text: str) -> str:
    return text[:text.index("is a ", text.index("\n", len(text) * 3 // 4))]


def _cut_mid_row(text: str) -> str:
    line_end = text.index("\n", len(text) * 3 // 4) + 1
    return text[:line_end + 12]  # a dozen characters into the next record, outside any quote


async def broken_quotes(bench: Bench) -> dict[str, Any]:
    lines = jcm_lines()
    remark = lines[19].split(",")[-2]
    lines[19] = lines[19].replace(remark, '"' + remark)
    bench.state.files["/jcm.csv"] = Served(jcm_export(lines))
    return await bench.harvest()


async def invalid_bytes(bench: Bench) -> dict[str, Any]:
    body = jcm_export()
    bench.state.files["/jcm.csv"] = Served(body.replace("の株".encode("cp932"), b"\x85\x40\x82\xcc\x8a\x94", 3))
    run = await bench.harvest()
    assert len(run["notices"]) == 3 and all(n["line"] for n in run["notices"])
    return run


async def truncated_csv_in_quote(bench: Bench) -> dict[str, Any]:
    bench.state.files["/jcm.csv"] = Served(_cut_inside_quote("".join(jcm_lines())).encode("cp932"))
    return await bench.harvest()


async def truncated_csv_mid_row(bench: Bench) -> dict[str, Any]:
    bench.state.files["/jcm.csv"] = Served(_cut_mid_row("".join(jcm_lines())).encode("cp932"))
    return await bench.harvest()


async def truncated_csv_on_a_line_end(bench: Bench) -> dict[str, Any]:
    """Cut exactly after a row: only the export's declared row count can tell."""
    bench.state.files["/jcm.csv"] = Served(jcm_export(jcm_lines()[:16]), headers={"X-Row-Count": "20"})
    return await bench.harvest(jcm_toml(bench.url, row_count_header='"X-Row-Count"'))


async def truncated_transfer(bench: Bench) -> dict[str, Any]:
    body = jcm_export()
    bench.state.files["/jcm.csv"] = Served(body, cut_transfer=len(body) * 2 // 3)
    return await bench.harvest()


async def unreachable_host(bench: Bench) -> dict[str, Any]:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return await bench.harvest(bench.toml.replace(bench.url, f"http://127.0.0.1:{port}"))


async def shrinks_by_half(bench: Bench) -> dict[str, Any]:
    bench.state.files["/jcm.csv"] = Served(jcm_export(jcm_lines()[:11]))
    run = await bench.harvest()
    assert len(run["withdrawn_ids"]) == 10  # held, with the ids the maintainer would lose
    return run


async def stale_accept(bench: Bench) -> dict[str, Any]:
    bench.state.files["/jcm.csv"] = Served(jcm_export(jcm_lines()[:9]))
    held = await bench.harvest()
    bench.state.files["/jcm.csv"] = Served(jcm_export())
    good = await bench.harvest()
    with pytest.raises(AcceptRefusedError):
        await accept_run(bench.es, bench.prefix, held["run_id"])
    return good


async def oai_cut_off_a_page_boundary(bench: Bench) -> dict[str, Any]:
    bench.state.cut_page = (2, 0.6)
    return await bench.harvest()


async def oai_cut_on_a_page_boundary(bench: Bench) -> dict[str, Any]:
    bench.state.stop_at_page = 2
    return await bench.harvest()


async def oai_shrinks_by_half(bench: Bench) -> dict[str, Any]:
    bench.state.records = bench.state.records[:40]
    return await bench.harvest()


async def truncated_zip(bench: Bench) -> dict[str, Any]:
    body = pontaurus()
    bench.state.files["/pontaurus.zip"] = Served(body[:len(body) // 2])
    return await bench.harvest()


async def dwca_broken_quotes(bench: Bench) -> dict[str, Any]:
    bench.state.files["/pontaurus.zip"] = Served(pontaurus(broken_row=700))
    run = await bench.harvest()
    assert run["reasons"].get("malformed") == 1 and run["withdrawn"] == 1
    return run


async def dwca_shrinks_by_half(bench: Bench) -> dict[str, Any]:
    bench.state.files["/pontaurus.zip"] = Served(pontaurus(0.5))
    return await bench.harvest()


async def sigkill_mid_run(bench: Bench, settings: Settings, tmp_path: Path) -> dict[str, Any]:
    bench.state.files["/jcm.csv"] = Served(jcm_export(jcm_lines()[:11]), trickle=0.4)
    config = tmp_path / "adapters.toml"
    config.write_text(bench.toml, encoding="utf-8")
    env = {**os.environ, "BIOCROSS_ES_URL": settings.es.url, "BIOCROSS_ES_INDEX_PREFIX": bench.prefix}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "biocross.cli", "harvest", "--full", "--config",
                                                str(config), env=env, stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.DEVNULL)
    store = HarvestStore(bench.es, bench.prefix)
    for _ in range(200):
        runs = await store.recent_runs(bench.name, size=1)
        if runs and runs[0]["outcome"] == "running" and bench.state.bytes_sent:
            break
        await asyncio.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    [killed] = await store.recent_runs(bench.name, size=1)
    assert killed["outcome"] == "running"
    return killed


Fault = Callable[..., Awaitable[dict[str, Any]]]
CSV, OAI, DWCA = "csv", "oai", "dwca"
#: fault → (source, outcomes it may end in, error kind of a failed run)
BATTERY: dict[str, tuple[Fault, str, set[str], str | None]] = {
    "stale accept": (stale_accept, CSV, {"published"}, None),
    "broken quotes": (broken_quotes, CSV, {"published"}, None),
    "invalid bytes": (invalid_bytes, CSV, {"published"}, None),
    "truncated csv inside a quote": (truncated_csv_in_quote, CSV, {"failed"}, "truncated"),
    "truncated csv mid-row": (truncated_csv_mid_row, CSV, {"failed"}, "truncated"),
    "truncated csv on a line end, row count declared": (truncated_csv_on_a_line_end, CSV, {"failed"}, "truncated"),
    "truncated transfer (Content-Length)": (truncated_transfer, CSV, {"failed"}, "interrupted"),
    "unreachable host": (unreachable_host, CSV, {"failed"}, "unreachable"),
    "csv shrinks by half": (shrinks_by_half, CSV, {"held"}, None),
    "truncated xml off a page boundary": (oai_cut_off_a_page_boundary, OAI, {"failed"}, "protocol"),
    "truncated xml on a page boundary": (oai_cut_on_a_page_boundary, OAI, {"failed"}, "truncated"),
    "oai list shrinks by half": (oai_shrinks_by_half, OAI, {"held"}, None),
    "truncated zip": (truncated_zip, DWCA, {"failed"}, "protocol"),
    "archive shrinks by half": (dwca_shrinks_by_half, DWCA, {"held"}, None),
    "archive with broken quotes": (dwca_broken_quotes, DWCA, {"published"}, None),
    "sigkill mid-run": (sigkill_mid_run, CSV, {"running"}, None),
}


@pytest.mark.parametrize("fault", list(BATTERY))
async def test_fault_battery(fault: str, es: AsyncElasticsearch, settings: Settings, registry: Any, serve: Any,
                             tmp_path: Path) -> None:
    breaker, kind, outcomes, error_kind = BATTERY[fault]
    prefix = f"{settings.es.index_prefix}-fb{list(BATTERY).index(fault)}"
    state: Any
    if kind == CSV:
        state = FileSource({"/jcm.csv": Served(jcm_export())})
        url = await serve(state.app())
        bench = Bench(es, prefix, registry, "jcm-export", url, state, jcm_toml(url))
    elif kind == OAI:
        state = OaiSource()
        url = await serve(state.app())
        bench = Bench(es, prefix, registry, "eur-dspace", url, state, oai_toml(url))
    else:
        state = FileSource({"/pontaurus.zip": Served(pontaurus())})
        url = await serve(state.app())
        bench = Bench(es, prefix, registry, "bgbm-pontaurus", url, state, dwca_toml(url))
    first = await bench.harvest()
    assert first["outcome"] == "published", first
    before = await live_ids(es, prefix, bench.name)
    assert before

    extra = {"settings": settings, "tmp_path": tmp_path} if breaker is sigkill_mid_run else {}
    run = await breaker(bench, **extra)
    assert run["outcome"] in outcomes, (run["outcome"], run.get("errors"))
    if error_kind is not None:
        assert run.get("error_kind") == error_kind, run.get("errors")
    await nothing_lost_silently(bench, before, run)

    # and the source, whole again, publishes everything the fault did not really remove
    if kind == OAI:
        state.records, state.cut_page, state.stop_at_page = OaiSource().records, None, None
    else:
        path = "/jcm.csv" if kind == CSV else "/pontaurus.zip"
        state.files[path] = Served(jcm_export() if kind == CSV else pontaurus())
    healed = await bench.harvest(policy=HarvestSettings(stale_run_minutes=0.001))  # a killed run is stale at once
    assert healed["outcome"] == "published", healed
    assert await live_ids(es, prefix, bench.name) == before
    runs = await HarvestStore(es, prefix).recent_runs(bench.name, size=20)
    assert not [r["run_id"] for r in runs if r["outcome"] in ("running", "held")]
    assert len(await generations(es, prefix, bench.name)) <= 2  # live + the previous one
