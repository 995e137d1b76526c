"""`biocross es start|status|stop` on a second node (own ports), exactly as a user runs it.

The main test starts from an empty cache directory, so it takes the path a new machine takes: Maven
fetches the distribution into an empty repository under that cache, biocross verifies the pinned
SHA-512, unpacks and starts it. A broken fetch fails here, on every run, not on a newcomer's machine.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

PORT, TRANSPORT = 9251, 9351


def _cli(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BIOCROSS_LOCAL_NODE_PORT": str(PORT), "BIOCROSS_LOCAL_NODE_TRANSPORT_PORT": str(TRANSPORT),
           "BIOCROSS_LOCAL_NODE_HEAP": "512m", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "biocross.cli", "es", *args], env=env, capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.fixture
def cold_cache(tmp_path: Path) -> object:
    """An empty biocross cache (and so an empty Maven repository); the node is stopped afterwards."""
    cache = tmp_path / "cold-cache"
    env = {"BIOCROSS_CACHE_DIR": str(cache)}
    yield env
    _cli("stop", env_extra=env)


def test_cold_fetch_start_twice_status_kill_stop_start(cold_cache: dict[str, str]) -> None:
    cache = Path(cold_cache["BIOCROSS_CACHE_DIR"])
    assert not cache.exists()
    first = _cli("start", env_extra=cold_cache)
    assert first.returncode == 0, first.stderr + first.stdout
    assert "running" in first.stdout
    assert "fetching org.elasticsearch.distribution.integ-test-zip" in first.stdout
    zips = list((cache / "es" / "m2").rglob("elasticsearch-*.zip"))
    assert len(zips) == 1, "the distribution is fetched into the cache's own Maven repository"

    second = _cli("start", env_extra=cold_cache)
    assert second.returncode == 0
    assert "already running" in second.stdout + second.stderr

    status = _cli("status", env_extra=cold_cache)
    assert status.returncode == 0
    assert "elasticsearch:   9." in status.stdout
    assert "python client:   elasticsearch-py 9." in status.stdout
    jdk_line = next(line for line in status.stdout.splitlines() if line.startswith("jdk:"))
    jdk_version = re.search(r"\b(\d+)\.\d+\.\d+", jdk_line)
    assert jdk_version is not None and int(jdk_version.group(1)) >= 21, jdk_line

    pid = int(status.stdout.split("pid ")[1].split(")")[0])
    os.kill(pid, signal.SIGKILL)
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        if " Z " in Path(f"/proc/{pid}/stat").read_text():
            break
        time.sleep(0.1)
    killed = _cli("status", env_extra=cold_cache)
    assert killed.returncode == 1
    assert "killed" in killed.stdout

    again = _cli("start", env_extra=cold_cache)
    assert again.returncode == 0, again.stderr + again.stdout
    assert "stale pid" in again.stdout

    stopped = _cli("stop", env_extra=cold_cache)
    assert "stopped" in stopped.stdout
    assert _cli("status", env_extra=cold_cache).returncode == 3


def test_corrupt_download_is_deleted_and_both_hashes_named(tmp_path: Path) -> None:
    from biocross.localnode import ES_SHA512, ES_VERSION

    cache = tmp_path / "bad-cache"
    archive = (cache / "es" / "m2" / "org/elasticsearch/distribution/integ-test-zip/elasticsearch" / ES_VERSION
               / f"elasticsearch-{ES_VERSION}.zip")
    archive.parent.mkdir(parents=True)
    archive.write_bytes(b"not the distribution")
    result = _cli("start", env_extra={"BIOCROSS_CACHE_DIR": str(cache)})
    assert result.returncode == 1
    assert "checksum mismatch" in result.stderr
    assert ES_SHA512 in result.stderr
    assert hashlib.sha512(b"not the distribution").hexdigest() in result.stderr
    assert not archive.exists(), "a file that failed verification is deleted"


def test_port_in_use_gives_clear_error() -> None:
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", PORT))
        squatter.listen()
        result = _cli("start")
    assert result.returncode == 1
    assert f"port {PORT} on 127.0.0.1 is in use" in result.stderr
