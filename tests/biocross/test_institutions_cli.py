"""``biocross institutions list|add|edit`` and the harvest's check that adapters name a registered
institution, as real processes against the real Elasticsearch and a loopback CSV source."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from elasticsearch import AsyncElasticsearch

from biocross import exitcodes
from fixtures.samples.servers import csv_app
from indexer.names import resources_alias
from schemas.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TOML = """
[adapters.aist-csv]
type = "csv"
institution = "aist-bmd"
endpoint = "{url}/export.csv"
[adapters.aist-csv.header_aliases]
id = ["株番号"]
name = ["和名"]
[adapters.aist-csv.mapping]
catalog_id = "id"
name = "name"
resource_type = {{ const = "algae" }}
"""


@pytest.fixture
async def source() -> AsyncIterator[str]:
    runner = web.AppRunner(csv_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def biocross(settings: Settings, prefix: str, *args: str, cwd: Path) -> tuple[int, str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "COLUMNS": "200",
           "BIOCROSS_ES_URL": settings.es.url, "BIOCROSS_ES_INDEX_PREFIX": prefix, "BIOCROSS_HARVEST_WORKERS": "1"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from biocross.cli import main; main()", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, out.decode()


async def test_institutions_from_the_cli_and_adapters_must_name_one(
        settings: Settings, es: AsyncElasticsearch, source: str, tmp_path: Path) -> None:
    prefix = f"{settings.es.index_prefix}-icli"
    code, out = await biocross(settings, prefix, "institutions", "list", cwd=tmp_path)
    assert code == 0, out
    assert len(out.strip().splitlines()) == 5 and "RIKEN BioResource Research Center" in out  # seeded
    (tmp_path / "adapters.toml").write_text(TOML.format(url=source))
    code, out = await biocross(settings, prefix, "harvest", "aist-csv", "--config", "adapters.toml", cwd=tmp_path)
    assert code == exitcodes.CONFIG and "unknown institution 'aist-bmd'" in out, out
    assert not await es.indices.exists_alias(name=resources_alias(prefix))  # nothing was harvested

    code, out = await biocross(settings, prefix, "institutions", "add", "aist-bmd", "--name-ja", "産総研 バイオメディカル",
                               "--name-en", "AIST Biomedical", "--contact-email", "not-an-address", cwd=tmp_path)
    assert code == 2 and "contact_email" in out
    code, out = await biocross(settings, prefix, "institutions", "add", "aist-bmd", "--name-ja", "産総研 バイオメディカル",
                               "--name-en", "AIST Biomedical", "--contact-email", "desk@aist.example", cwd=tmp_path)
    assert code == 0, out
    code, out = await biocross(settings, prefix, "institutions", "edit", "aist-bmd", "--mta-en", "AIST MTA applies.",
                               cwd=tmp_path)
    assert code == 0, out
    code, out = await biocross(settings, prefix, "institutions", "list", cwd=tmp_path)
    assert "aist-bmd" in out and "desk@aist.example" in out and len(out.strip().splitlines()) == 6
    code, out = await biocross(settings, prefix, "harvest", "aist-csv", "--config", "adapters.toml", cwd=tmp_path)
    assert code == 0 and "published" in out, out
    await es.indices.refresh(index=resources_alias(prefix))
    hits = await es.search(index=resources_alias(prefix), query={"term": {"institution": "aist-bmd"}}, size=0)
    assert hits["hits"]["total"]["value"] > 0
