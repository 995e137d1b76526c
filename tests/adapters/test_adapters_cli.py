"""``biocross adapters list|check`` end to end: a real process against a real loopback source."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from fixtures.samples.servers import csv_app

CLI = "from biocross.adapters_cli import app; app(prog_name='biocross adapters')"
TOML = """
[adapters.nies-csv]
type = "csv"
institution = "nies"
endpoint = "{url}/export.csv"
[adapters.nies-csv.header_aliases]
id = ["株番号"]
name = ["和名"]
[adapters.nies-csv.mapping]
catalog_id = "id"
name = "name"
resource_type = {{ const = "algae" }}

[adapters.nothing-maps]
type = "csv"
institution = "nies"
endpoint = "{url}/export.csv"
[adapters.nothing-maps.mapping]
catalog_id = "no-such-column"
name = "和名"
resource_type = {{ const = "algae" }}

[adapters.down]
type = "oaipmh"
institution = "naro"
endpoint = "http://127.0.0.1:9/oai"
retries = 0
"""


async def run_cli(*args: str, cwd: Path) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CLI, *args, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
    return proc.returncode or 0, out.decode()


async def test_list_and_check(server, tmp_path: Path) -> None:
    url = await server(csv_app())
    (tmp_path / "adapters.toml").write_text(TOML.format(url=url))
    code, out = await run_cli("list", cwd=tmp_path)
    assert code == 0 and "oaipmh" in out and "nies-csv" in out and "bbmri-directory" in out
    code, out = await run_cli("check", "nies-csv", "-n", "5", cwd=tmp_path)
    assert code == 0, out
    assert "seen 5" in out and "mapped 5" in out and "ミクロキスティス" in out and "usable" in out
    code, out = await run_cli("check", "nothing-maps", cwd=tmp_path)
    assert code == 4 and "missing_id" in out
    code, out = await run_cli("check", "down", cwd=tmp_path)
    assert code == 2 and "unreachable" in out
    (tmp_path / "adapters.toml").write_text('[adapters.x]\ntype = "nope"\n')
    code, out = await run_cli("check", "x", cwd=tmp_path)
    assert code == 1 and "unknown adapter type" in out


async def test_config_errors_print_intact_and_consts_are_checked(tmp_path: Path) -> None:
    (tmp_path / "adapters.toml").write_text(
        '[adapters.oai]\ntype = "oaipmh"\ninstitution = "NARO Genebank"\nendpoint = "http://127.0.0.1:9/oai"\n'
        'local_id = "^oai:[^:]+:[A-Z]{1,31}$"\n'
        '[adapters.oai.mapping]\ncatalog_id = "header.local_id"\nname = "dc:title"\n'
        'resource_type = { const = "microbes" }\n')
    code, out = await run_cli("check", "oai", cwd=tmp_path)
    assert code == 1, out
    assert "one capturing group" in out
    assert "'^[a-z][a-z0-9_-]{1,31}$'" in out  # pydantic's pattern, brackets and all
    assert "const 'microbes' is not in its vocabulary" in out and "microbe" in out


async def test_check_reports_warnings_by_kind_and_why_nothing_mapped(server, tmp_path: Path) -> None:
    import json

    from aiohttp import web

    real = Path(__file__).resolve().parents[1] / "data" / "realdata"
    organization = (real / "samply-bbmri-fhir-ig/exampleCollection.json").read_bytes()
    lines = (real / "bacdive-kg-microbe/bacdive.tsv").read_bytes().splitlines(keepends=True)
    lines[3] = lines[3].replace(b"bacterium", b"bacter\x85\x40ium", 1)  # bytes that are no UTF-8 text

    async def org(request: web.Request) -> web.Response:
        return web.Response(body=organization, content_type="application/fhir+json")

    async def tsv(request: web.Request) -> web.Response:
        return web.Response(body=b"".join(lines), content_type="text/tab-separated-values")

    app = web.Application()
    app.router.add_get("/fhir/Organization/1", org)
    app.router.add_get("/bacdive.tsv", tsv)
    url = await server(app)
    example = (Path(__file__).resolve().parents[2] / "adapters/examples/jcm_bacdive.toml").read_text()
    (tmp_path / "adapters.toml").write_text(
        example.replace("http://127.0.0.1:8765", url).replace('encoding = "auto"', 'encoding = "utf-8"')
        + f'\n[adapters.gba]\ntype = "fhir-biobank"\ninstitution = "tsukuba-biobank"\n'
          f'endpoint = "{url}/fhir/Organization/1"\nretries = 0\n')
    code, out = await run_cli("check", "jcm-bacdive", cwd=tmp_path)
    assert code == 0, out
    assert "Warnings by kind" in out and "undecodable_bytes" in out and "(line 4)" in out
    code, out = await run_cli("check", "gba", cwd=tmp_path)
    assert code == 3, out
    assert "FHIR Organization, not a Bundle" in out
    assert json.loads(organization)["resourceType"] == "Organization"
