"""A local single-node Elasticsearch for development, tests, demo and benchmarks.

The node is Elastic's ``integ-test-zip`` distribution from Maven Central (server, transport and
x-pack core/security only; none of the optional modules). It is fetched with Maven into a Maven
repository under the biocross cache, verified against the SHA-512 pinned next to the version (the
registries reached from some machines serve the zip but not its ``.sha1``/``.md5``, so Maven's own
strict checksums cannot be relied on), cached outside the clone, configured for 127.0.0.1 with security off, and run as an
unprivileged user when we are root, because Elasticsearch refuses to run as root.
"""

from __future__ import annotations

import hashlib
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
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from schemas.settings import LocalNodeSettings

#: The one place the Elasticsearch version is pinned, with the SHA-512 of its integ-test-zip: bump both
#: in the same line. The major must match the Python client's.
ES_VERSION, ES_SHA512 = "9.5.4", "a75df614854ace52dd0bce977662b3792873ac077ec0af9026cd0b2a0eb119e449910f8eb8ed577d1a83c51c6ee6af71bf5004c3cf5b418c979186de8b5dd9e6"
MAVEN_COORDINATES = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
MIN_JAVA = 21


class LocalNodeError(RuntimeError):
    """Raised by the local node manager when the node cannot be fetched, started or stopped."""


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


def default_cache_dir() -> Path:
    """Cache outside the clone, readable by the unprivileged node user when we are root."""
    if env := os.environ.get("BIOCROSS_CACHE_DIR"):
        return Path(env)
    if os.geteuid() == 0:
        # /root is mode 0700, so the node user could not read a distribution cached there.
        return Path("/var/cache/biocross")
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "biocross"


def _java_version(java_home: Path) -> int | None:
    release = java_home / "release"
    if not release.is_file():
        return None
    for line in release.read_text(errors="replace").splitlines():
        if line.startswith("JAVA_VERSION="):
            value = line.split("=", 1)[1].strip().strip('"')
            head = value.split(".")[0]
            return int(head) if head.isdigit() else None
    return None


def find_jdk() -> tuple[Path, int]:
    """ES_JAVA_HOME if set, else the newest JDK >= 21 under /usr/lib/jvm."""
    explicit = os.environ.get("ES_JAVA_HOME")
    if explicit:
        version = _java_version(Path(explicit))
        if version is None or version < MIN_JAVA:
            raise LocalNodeError(f"ES_JAVA_HOME={explicit} is not a JDK >= {MIN_JAVA}")
        return Path(explicit), version
    candidates: list[tuple[int, Path]] = []
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        for home in jvm.iterdir():
            if home.is_symlink():
                continue
            version = _java_version(home)
            if version is not None and version >= MIN_JAVA and (home / "bin" / "java").exists():
                candidates.append((version, home))
    if not candidates:
        raise LocalNodeError(f"no JDK >= {MIN_JAVA} found; install one or set ES_JAVA_HOME")
    version, home = max(candidates)
    return home, version


def verify_sha512(path: Path, expected: str) -> None:
    """Check ``path`` against a pinned SHA-512; on a mismatch delete it and say both hashes."""
    digest = hashlib.sha512()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    actual = digest.hexdigest()
    if actual != expected.lower():
        path.unlink(missing_ok=True)
        raise LocalNodeError(
            f"checksum mismatch for {path.name}: expected SHA-512 {expected}, got {actual}; "
            "the file was deleted (fetch again, or check the registry you reach)"
        )


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
        if (self.home / "bin" / "elasticsearch").exists():
            return self.home
        archive = self.fetch_archive(log)
        log(f"unpacking {archive.name} into {self.cache}")
        self.cache.mkdir(parents=True, exist_ok=True)
        tmp = self.cache / f".unpack-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(tmp)
        for path in (tmp / f"elasticsearch-{ES_VERSION}" / "bin").iterdir():
            path.chmod(0o755)
        jdk_bin = tmp / f"elasticsearch-{ES_VERSION}" / "lib" / "platform"
        for path in jdk_bin.rglob("*") if jdk_bin.exists() else []:
            if path.is_file():
                path.chmod(path.stat().st_mode | 0o555)
        os.replace(tmp / f"elasticsearch-{ES_VERSION}", self.home)
        shutil.rmtree(tmp, ignore_errors=True)
        return self.home

    @property
    def maven_repo(self) -> Path:
        """The Maven repository biocross fetches into (never the user's ``~/.m2``)."""
        return self.cache / "m2"

    def fetch_archive(self, log: Callable[[str], object] = print) -> Path:
        """The pinned distribution zip in the cache's Maven repository, fetched if needed, verified."""
        archive = (self.maven_repo / "org/elasticsearch/distribution/integ-test-zip/elasticsearch"
                   / ES_VERSION / f"elasticsearch-{ES_VERSION}.zip")
        if not archive.is_file():
            if shutil.which("mvn") is None:
                raise LocalNodeError("Maven (mvn) is needed to fetch Elasticsearch from Maven Central")
            log(f"fetching {MAVEN_COORDINATES} from Maven Central into {self.maven_repo} ...")
            self.maven_repo.mkdir(parents=True, exist_ok=True)
            proc = subprocess.run(
                ["mvn", "-B", "-q", "dependency:get", f"-Dmaven.repo.local={self.maven_repo}",
                 f"-Dartifact={MAVEN_COORDINATES}", "-Dtransitive=false"],
                capture_output=True, text=True, check=False,
            )
            if proc.returncode != 0 or not archive.is_file():
                raise LocalNodeError(f"Maven could not fetch {MAVEN_COORDINATES}:\n{proc.stdout}{proc.stderr}")
        verify_sha512(archive, ES_SHA512)
        return archive

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
