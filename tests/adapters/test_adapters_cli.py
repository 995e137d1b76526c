"""``biocross adapters list|check`` end to end: a real process against a real loopback source."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from adapters.samples.servers import csv_app

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
