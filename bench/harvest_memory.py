"""Benchmark (not a test): harvest 200,000 OAI-PMH records and 200,000 CP932 CSV rows in constant memory.

A loopback aiohttp server in a *separate process* serves both sources, generated on the fly (the
server's memory is not ours to measure). This process harvests and maps both concurrently with the
toolkits, sampling its own RSS with psutil, and writes ``bench/results/harvest_memory.json``.
Target: peak RSS < 200 MB.

    .venv/bin/python bench/harvest_memory.py [--records 200000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import platform
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from adapters.events import HarvestFinished, ResourceMapped  # noqa: E402
from adapters.http import HttpClient  # noqa: E402
from adapters.toolkits.csvexport import CsvExportAdapter  # noqa: E402
from adapters.toolkits.oaipmh import OaiPmhAdapter  # noqa: E402
from demo.samples.oairepo import OaiRepository, SampleRecord  # noqa: E402

T0 = datetime(2020, 1, 1, tzinfo=UTC)
FAST = {"rate_limit": 1000, "concurrency": 4, "timeout": 60, "retries": 3}


class LazyRecords:
    """200,000 OAI records that exist only when asked for."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> SampleRecord:
        return SampleRecord(
            f"oai:naro.example:JP {100000 + i}", T0 + timedelta(minutes=i),
            {"dc:title": [f"イネ 在来品種 {i} (Oryza sativa)"], "dc:type": ["植物"],
             "dc:description@ja": [f"農研機構ジーンバンク保存の在来品種 {i}。" * 3],
             "dc:description@en": [f"Landrace {i} conserved at the NARO Genebank. " * 3],
             "dc:subject": ["Oryza sativa"], "dc:date": ["2001/04/01"]},
            sets=["plants"], deleted=i % 1000 == 999,
        )


def csv_rows(n: int) -> Any:
    yield "カタログ番号,系統名,別名,種類,学名,登録日,説明\r\n"
    for i in range(n):
        note = f'"{i} 行目の説明\r\n改行を含む、""引用""付き"' if i % 50 == 0 else f"普通の説明 {i}"
        yield f"RBRC{i + 1:05d},系統 {i},別名A{i};別名B{i},マウス,Mus musculus,2001/04/01,{note}\r\n"


def serve_forever(n: int, ports: Any) -> None:
    """The source process: OAI-PMH at /oai, CP932 CSV at /export.csv."""
    repo = OaiRepository(LazyRecords(n), page_size=1000, day_granularity=False)  # type: ignore[arg-type]

    async def export(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/csv; charset=Shift_JIS", "ETag": '"bench"'})
        await resp.prepare(request)
        batch: list[str] = []
        for line in csv_rows(n):
            batch.append(line)
            if len(batch) == 500:
                await resp.write("".join(batch).encode("cp932"))
                batch.clear()
        await resp.write("".join(batch).encode("cp932"))
        await resp.write_eof()
        return resp

    async def main() -> None:
        app = repo.app()
        app.router.add_get("/export.csv", export)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        ports.put(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(main())


class PeakRss:
    """Samples this process's RSS every 20 ms in a thread."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def harvest(adapter: Any) -> dict[str, Any]:
    started = time.perf_counter()
    mapped = 0
    finished: HarvestFinished | None = None
    async for event in adapter.run():
        if isinstance(event, ResourceMapped):
            mapped += 1
        elif isinstance(event, HarvestFinished):
            finished = event
    seconds = time.perf_counter() - started
    assert finished is not None
    stats = finished.stats
    return {"seen": stats.seen, "mapped": stats.mapped, "rejected": stats.rejected, "deleted": stats.deleted,
            "error": str(finished.error) if finished.error else None, "seconds": round(seconds, 2),
            "records_per_s": round((stats.seen + stats.deleted) / seconds, 1)}


async def run(port: int) -> dict[str, Any]:
    base = f"http://127.0.0.1:{port}"
    async with HttpClient() as http:
        oai = OaiPmhAdapter(OaiPmhAdapter.config_model.model_validate({
            "type": "oaipmh", "institution": "naro", "endpoint": f"{base}/oai", **FAST,
            "mapping": {"catalog_id": "header.local_id", "name": "dc:title", "description.ja": "dc:description@ja",
                        "description.en": "dc:description@en", "species.scientific_name": "dc:subject",
                        "resource_type": {"from": "dc:type", "transforms": [{"lookup": {"植物": "plant"}}]},
                        "created": {"from": "dc:date", "transforms": ["date"]}}}), http=http, source="bench-oai")
        csv = CsvExportAdapter(CsvExportAdapter.config_model.model_validate({
            "type": "csv", "institution": "riken-brc", "endpoint": f"{base}/export.csv", "encoding": "auto", **FAST,
            "header_aliases": {"id": ["カタログ番号"], "name": ["系統名"], "aliases": ["別名"]},
            "multi_valued": {"aliases": [";"]},
            "mapping": {"catalog_id": "id", "name": "name", "synonyms": "aliases", "description.ja": "説明",
                        "species.scientific_name": "学名", "resource_type": {"from": "種類", "transforms": [
                            {"lookup": {"マウス": "mouse_strain"}}]}, "created": {"from": "登録日", "transforms": ["date"]}}}),
            http=http, source="bench-csv")
        started = time.perf_counter()
        oai_result, csv_result = await asyncio.gather(harvest(oai), harvest(csv))
        return {"oaipmh": oai_result, "csv_cp932": csv_result, "wall_seconds": round(time.perf_counter() - started, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    ports = ctx.Queue()
    server = ctx.Process(target=serve_forever, args=(args.records, ports), daemon=True)
    server.start()
    try:
        port = ports.get(timeout=30)
        baseline = psutil.Process().memory_info().rss
        with PeakRss() as rss:
            result = asyncio.run(run(port))
    finally:
        server.terminate()
        server.join(5)
    result.update(
        records_per_source=args.records, baseline_rss_mb=round(baseline / 2**20, 1),
        peak_rss_mb=round(rss.peak / 2**20, 1), target_peak_rss_mb=200, within_target=rss.peak < 200 * 2**20,
        python=platform.python_version(), measured_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    out = ROOT / "bench/results/harvest_memory.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
