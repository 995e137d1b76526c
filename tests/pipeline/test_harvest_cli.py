"""``biocross harvest`` as a maintainer runs it: exit codes by what went wrong, withdrawn ids printed,
a stale ``--accept`` refused with what to run instead (a real process, a real loopback source)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from pipeline.realsources import FileSource, Served, jcm_export, jcm_lines, jcm_toml
from schemas.settings import Settings


async def biocross(settings: Settings, prefix: str, *args: str) -> tuple[int, str]:
    env = {**os.environ, "BIOCROSS_ES_URL": settings.es.url, "BIOCROSS_ES_INDEX_PREFIX": prefix,
           "BIOCROSS_HARVEST_WORKERS": "1", "COLUMNS": "200"}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "biocross.cli", *args, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, out.decode()


async def test_exit_codes_withdrawals_and_stale_accept(settings: Settings, serve: Any, tmp_path: Path) -> None:
    prefix = f"{settings.es.index_prefix}-cli"
    source = FileSource({"/jcm.csv": Served(jcm_export())})
    url = await serve(source.app())
    config = tmp_path / "adapters.toml"
    config.write_text(jcm_toml(url), encoding="utf-8")
    harvest = ("harvest", "--full", "--config", str(config))

    code, out = await biocross(settings, prefix, *harvest)
    assert code == 0 and "published" in out, out

    text = "".join(jcm_lines())
    source.files["/jcm.csv"] = Served(text[:text.index("is a ", len(text) // 2)].encode("cp932"))
    code, out = await biocross(settings, prefix, *harvest)
    assert code == 3 and "failed" in out and "cut off" in out, out  # protocol: the export is truncated

    source.files["/jcm.csv"] = Served(jcm_export(jcm_lines()[:6]))
    code, out = await biocross(settings, prefix, *harvest)
    assert code == 5 and "held" in out and "would withdraw 15:" in out, out
    assert "absent from the full harvest" in out and "... and 5 more" in out
    held = out.split("--accept ", 1)[1].split("`", 1)[0]
    code, out = await biocross(settings, prefix, "adapters", "check", "jcm-export", "--config", str(config))
    assert code == 0 and f"run {held} (held" in out and "would withdraw 15" in out, out
    assert "Withdrawn records" in out and "absent from the full harvest" in out

    source.files["/jcm.csv"] = Served(jcm_export())
    code, out = await biocross(settings, prefix, *harvest)
    assert code == 0, out
    code, out = await biocross(settings, prefix, "harvest", "--accept", held)
    assert code == 5 and "refused" in out and "superseded" in out and "biocross harvest --full jcm-export" in out, out

    code, out = await biocross(settings, prefix, "harvest", "--accept", "no-such-run")
    assert code == 1 and "no harvest run" in out

    config.write_text(jcm_toml("http://127.0.0.1:9"), encoding="utf-8")
    code, out = await biocross(settings, prefix, *harvest)
    assert code == 2 and "failed" in out, out  # unreachable: try again later
