"""Child processes of a benchmark run: spawning, waiting for a port, sampling RSS, stopping."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(**overrides: str) -> dict[str, str]:
    """This process's environment plus ``overrides`` (e.g. ``BIOCROSS_ES_INDEX_PREFIX``)."""
    env = dict(os.environ)
    # A benchmark run signs with a key of its own (the gateway refuses to start without one).
    env.setdefault("BIOCROSS_GATEWAY_SECRET_KEY", secrets.token_urlsafe(48))
    env.update(overrides)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``args`` in its own process group, output appended to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def wait_http(url: str, timeout: float, proc: subprocess.Popen[bytes] | None = None, interval: float = 0.02) -> float:
    """Poll ``url`` until it answers 200; returns when it did (``time.monotonic()``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return time.monotonic()
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(interval)
    raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGINT, timeout: float = 20.0) -> int | None:
    """Signal ``proc`` (our own child) and wait; kill it if it does not exit in time."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    return proc.returncode


class RssSampler:
    """Samples the resident set size of one process (by pid) every ``interval`` seconds in a thread:
    ``peak`` is the peak of the process plus its children (worker processes), ``peak_single`` the
    largest single process."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.proc = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.peak_single = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                own = self.proc.memory_info().rss
                children = []
                for child in self.proc.children(recursive=True):
                    try:
                        children.append(child.memory_info().rss)
                    except psutil.Error:
                        continue
                self.peak = max(self.peak, own + sum(children))
                self.peak_single = max(self.peak_single, own, *children)
                self.samples += 1
            except psutil.Error:
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        """Peak RSS seen (process and children together), in MiB."""
        return round(self.peak / 2**20, 1)

    @property
    def peak_single_mb(self) -> float:
        """Peak RSS of the largest single process, in MiB."""
        return round(self.peak_single / 2**20, 1)
