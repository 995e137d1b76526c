"""`biocross es start|status|stop` on a second node (own ports), exactly as a user runs it."""

from __future__ import annotations

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
def node_cleanup() -> object:
    yield None
    _cli("stop")


def test_start_twice_status_kill_stop_start(node_cleanup: object) -> None:
    first = _cli("start")
    assert first.returncode == 0, first.stderr + first.stdout
    assert "running" in first.stdout

    second = _cli("start")
    assert second.returncode == 0
    assert "already running" in second.stdout + second.stderr

    status = _cli("status")
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
    killed = _cli("status")
    assert killed.returncode == 1
    assert "killed" in killed.stdout

    again = _cli("start")
    assert again.returncode == 0, again.stderr + again.stdout
    assert "stale pid" in again.stdout

    stopped = _cli("stop")
    assert "stopped" in stopped.stdout
    assert _cli("status").returncode == 3


def test_port_in_use_gives_clear_error() -> None:
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", PORT))
        squatter.listen()
        result = _cli("start")
    assert result.returncode == 1
    assert f"port {PORT} on 127.0.0.1 is in use" in result.stderr
