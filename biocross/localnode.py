"""A local single-node Elasticsearch for development, tests, demo and benchmarks.

The node is Elastic's ``integ-test-zip`` distribution from Maven Central (server, transport and
x-pack core/security only; none of the optional modules), fetched and verified by
:mod:`biocross.esdist`, cached outside the clone, configured for 127.0.0.1 with security off, and run
as an unprivileged user when we are root, because Elasticsearch refuses to run as root.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from biocross.errors import LocalNodeError
from biocross.esdist import (
    ES_SHA512,
    ES_VERSION,
    MAVEN_COORDINATES,
    MIN_JAVA,
    default_cache_dir,
    ensure_distribution,
    fetch_archive,
    find_jdk,
    maven_repo,
    verify_sha512,
)
from schemas.settings import LocalNodeSettings

__all__ = [
    "ES_SHA512", "ES_VERSION", "MAVEN_COORDINATES", "MIN_JAVA", "LocalNode", "LocalNodeError", "NodeStatus",
    "default_cache_dir", "find_jdk", "verify_sha512",
]

@dataclass(frozen=True)
class NodeStatus:
    """What ``biocross es status`` reports."""

    running: bool
    pid: int | None
    url: str
    es_version: str | None
    jdk: str | None
    stale_pid: bool
    message: str


class LocalNode:
    """Fetch, configure, start, stop and inspect the local node."""

    def __init__(self, settings: LocalNodeSettings) -> None:
        self.settings = settings
        self.cache = (settings.cache_dir or default_cache_dir()) / "es"
        self.home = self.cache / f"elasticsearch-{ES_VERSION}"
        self.node_dir = self.cache / f"node-{ES_VERSION}-{settings.port}"
        self.conf_dir = self.node_dir / "config"
        self.pid_file = self.node_dir / "es.pid"
        self.url = f"http://127.0.0.1:{settings.port}"

    # -- fetching -------------------------------------------------------------------------
    def ensure_distribution(self, log: Callable[[str], object] = print) -> Path:
        """Fetch (Maven, into the cache's own repository), verify (pinned SHA-512) and unpack once."""
        return ensure_distribution(self.cache, log)

    @property
    def maven_repo(self) -> Path:
        """The Maven repository biocross fetches into (never the user's ``~/.m2``)."""
        return maven_repo(self.cache)

    def fetch_archive(self, log: Callable[[str], object] = print) -> Path:
        """The pinned distribution zip in the cache's Maven repository, fetched if needed, verified."""
        return fetch_archive(self.cache, log)

    # -- configuration --------------------------------------------------------------------
    def _write_config(self) -> None:
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        for name in ("jvm.options", "log4j2.properties"):
            shutil.copy2(self.home / "config" / name, self.conf_dir / name)
        (self.conf_dir / "jvm.options.d").mkdir(exist_ok=True)
        heap = self.settings.heap
        (self.conf_dir / "jvm.options.d" / "heap.options").write_text(f"-Xms{heap}\n-Xmx{heap}\n")
        data, logs = self.node_dir / "data", self.node_dir / "logs"
        data.mkdir(exist_ok=True)
        logs.mkdir(exist_ok=True)
        (self.conf_dir / "elasticsearch.yml").write_text(
            "# written by `biocross es start`; edits are overwritten\n"
            "cluster.name: biocross-local\n"
            "node.name: biocross-local\n"
            "network.host: 127.0.0.1\n"
            f"http.port: {self.settings.port}\n"
            f"transport.port: {self.settings.transport_port}\n"
            "discovery.type: single-node\n"
            "xpack.security.enabled: false\n"
            "action.destructive_requires_name: false\n"
            "cluster.routing.allocation.disk.threshold_enabled: false\n"
            f"path.data: {data}\n"
            f"path.logs: {logs}\n"
        )

    def _node_user(self) -> pwd.struct_passwd | None:
        if os.geteuid() != 0:
            return None
        name = self.settings.run_as
        try:
            return pwd.getpwnam(name)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                check=True, capture_output=True,
            )
            return pwd.getpwnam(name)

    def _chown_tree(self, user: pwd.struct_passwd) -> None:
        for root in (self.node_dir,):
            for path in [root, *root.rglob("*")]:
                os.lchown(path, user.pw_uid, user.pw_gid)
        # The node user must be able to traverse to the distribution and read it.
        for parent in [self.cache, *self.cache.parents]:
            if parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o011)

    # -- process --------------------------------------------------------------------------
    def _read_pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    @staticmethod
    def _alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        stat = Path(f"/proc/{pid}/stat")
        return not (stat.exists() and ") Z " in stat.read_text())  # a zombie is dead

    def _port_in_use(self) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(("127.0.0.1", self.settings.port)) == 0

    def _get(self, path: str, timeout: float = 2.0) -> dict | None:  # type: ignore[type-arg]
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as resp:
                return json.loads(resp.read())  # type: ignore[no-any-return]
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def status(self) -> NodeStatus:
        """Inspect pid file and HTTP endpoint; detects a killed node (stale pid file)."""
        pid = self._read_pid()
        stale = pid is not None and not self._alive(pid)
        info = self._get("/_nodes/_local/jvm?filter_path=nodes.*.version,nodes.*.jvm.version,nodes.*.jvm.vm_vendor")
        es_version = jdk = None
        if info and info.get("nodes"):
            node = next(iter(info["nodes"].values()))
            es_version = node.get("version")
            jvm = node.get("jvm", {})
            jdk = f"{jvm.get('vm_vendor', '')} {jvm.get('version', '')}".strip()
        running = info is not None and pid is not None and not stale
        if running:
            message = f"running (pid {pid}) at {self.url}"
        elif stale:
            message = f"not running: pid file names {pid}, which is gone (node was killed or crashed)"
        elif info is not None:
            message = f"an Elasticsearch not started by biocross answers at {self.url}"
        elif pid is not None:
            message = f"pid {pid} is alive but {self.url} does not answer (starting, or hung)"
        else:
            message = "not running"
        return NodeStatus(running, pid, self.url, es_version, jdk, stale, message)

    def start(self, timeout: float = 120.0, log: Callable[[str], object] = print) -> NodeStatus:
        """Start the node unless ours is already running; wait for yellow health."""
        current = self.status()
        if current.running:
            log(f"Elasticsearch already {current.message}")
            return current
        if current.stale_pid:
            log(f"removing stale pid file ({current.message})")
            self.pid_file.unlink(missing_ok=True)
        elif current.pid is not None and self._alive(current.pid):
            log(f"waiting for starting node pid {current.pid}")
            return self._wait_healthy(current.pid, timeout)
        if self._port_in_use():
            raise LocalNodeError(
                f"port {self.settings.port} on 127.0.0.1 is in use by another process; stop it or choose "
                "another port with BIOCROSS_LOCAL_NODE_PORT (and BIOCROSS_LOCAL_NODE_TRANSPORT_PORT)"
            )
        self.ensure_distribution(log)
        java_home, java_version = find_jdk()
        self._write_config()
        user = self._node_user()
        if user is not None:
            self._chown_tree(user)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "ES_JAVA_HOME": str(java_home),
            "ES_PATH_CONF": str(self.conf_dir),
            "ES_TMPDIR": str(self.node_dir / "tmp"),
            "HOME": str(self.node_dir),
            "LANG": "C.UTF-8",
        }
        (self.node_dir / "tmp").mkdir(exist_ok=True)
        if user is not None:
            os.chown(self.node_dir / "tmp", user.pw_uid, user.pw_gid)
        log(f"starting Elasticsearch {ES_VERSION} on {self.url} with JDK {java_version} ({java_home})"
            + (f" as user {user.pw_name}" if user else ""))
        with open(self.node_dir / "logs" / "startup.out", "ab") as out:
            proc = subprocess.run(
                [str(self.home / "bin" / "elasticsearch"), "-d", "-p", str(self.pid_file)],
                env=env, stdout=out, stderr=subprocess.STDOUT, check=False,
                user=user.pw_uid if user else None, group=user.pw_gid if user else None,
                cwd=self.node_dir,
            )
        if proc.returncode != 0:
            raise LocalNodeError(f"Elasticsearch failed to start (exit {proc.returncode}); see {self.log_file()}\n"
                                 + self._log_tail())
        deadline = time.monotonic() + 10
        while self._read_pid() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        pid = self._read_pid()
        if pid is None:
            raise LocalNodeError(f"Elasticsearch wrote no pid file; see {self.log_file()}")
        return self._wait_healthy(pid, timeout)

    def _wait_healthy(self, pid: int, timeout: float) -> NodeStatus:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._alive(pid):
                raise LocalNodeError(f"Elasticsearch (pid {pid}) exited during startup; see {self.log_file()}")
            health = self._get("/_cluster/health?wait_for_status=yellow&timeout=1s")
            if health and health.get("status") in ("yellow", "green"):
                return self.status()
            time.sleep(0.5)
        raise LocalNodeError(f"Elasticsearch did not become healthy within {timeout:.0f}s; see {self.log_file()}")

    def stop(self, timeout: float = 60.0) -> str:
        """Stop the node with SIGTERM (SIGKILL after ``timeout``)."""
        pid = self._read_pid()
        if pid is None:
            return "not running"
        if not self._alive(pid):
            self.pid_file.unlink(missing_ok=True)
            return f"not running (removed stale pid file for {pid})"
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self._alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if self._alive(pid):
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
        self.pid_file.unlink(missing_ok=True)
        return f"stopped (pid {pid})"

    def _log_tail(self, lines: int = 25) -> str:
        """The end of the startup output and of the node log, for error messages."""
        parts = []
        for path in (self.node_dir / "logs" / "startup.out", self.log_file()):
            try:
                tail = path.read_text(errors="replace").splitlines()[-lines:]
            except OSError:
                continue
            parts.append(f"--- {path.name} (last {len(tail)} lines)\n" + "\n".join(tail))
        return "\n".join(parts)

    def log_file(self) -> Path:
        """The node's main log file."""
        return self.node_dir / "logs" / "biocross-local.log"
