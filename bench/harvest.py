"""Harvest benchmark: full harvest of the simulated sources vs raw ``async_bulk`` of the same documents.

Both run in their own child process whose RSS this process samples (psutil, every 50 ms). The
simulated sources run in a third process (``python -m demo.sources``), so generating the catalog is
not charged to the harvester's memory (its CPU still competes on a small machine).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.indices import HARVEST_PREFIX, baseline_index
from bench.procs import PYTHON, RssSampler, child_env, spawn, stop

#: Targets of issue 9.
RATIO_TARGET = 0.7
PEAK_RSS_TARGET_MB = 300


def _run_child(args: list[str], env: dict[str, str], log: Path, out: Path, timeout: float) -> dict[str, Any]:
    out.unlink(missing_ok=True)
    proc = spawn(args, env, log)
    with RssSampler(proc.pid) as rss:
        try:
            code = proc.wait(timeout)
        except Exception:
            stop(proc)
            raise
    if code != 0 or not out.exists():
        raise RuntimeError(f"{' '.join(args[:3])} failed with exit {code}; see {log}")
    result: dict[str, Any] = json.loads(out.read_text())
    result["peak_rss_mb"] = rss.peak_mb
    result["peak_rss_single_mb"] = rss.peak_single_mb
    return result


def run_harvest(sources_url: str, es_url: str, work: Path, logs: Path, timeout: float) -> dict[str, Any]:
    """The harvest (child 1), then the baseline over its final documents (child 2); both with peak RSS."""
    env = child_env(BIOCROSS_ES_URL=es_url, BIOCROSS_ES_INDEX_PREFIX=HARVEST_PREFIX)
    harvest = _run_child([PYTHON, "-m", "bench.harvest_child", "--sources", sources_url, "--out", str(work / "harvest.json")],
                         env, logs / "harvest.log", work / "harvest.json", timeout)
    baseline = _run_child([PYTHON, "-m", "bench.bulk_child", "--source-alias", f"{HARVEST_PREFIX}-resources",
                           "--index", baseline_index(), "--out", str(work / "baseline.json")],
                          env, logs / "baseline.log", work / "baseline.json", timeout)
    ratio = harvest["records_per_s"] / baseline["records_per_s"]
    return {
        "harvest": harvest, "baseline_bulk": baseline, "ratio": round(ratio, 3), "ratio_target": RATIO_TARGET,
        "ratio_met": ratio >= RATIO_TARGET, "peak_rss_target_mb": PEAK_RSS_TARGET_MB,
        "peak_rss_met": harvest["peak_rss_mb"] <= PEAK_RSS_TARGET_MB,
        "same_documents": harvest["indexed"] == baseline["documents"],
    }
