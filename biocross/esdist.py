"""The pinned Elasticsearch distribution of the local node: fetched with Maven, verified, unpacked; the JDK.

The node is Elastic's ``integ-test-zip`` distribution from Maven Central. It is fetched into a Maven
repository under the biocross cache and verified against the SHA-512 pinned next to the version (the
registries reached from some machines serve the zip but not its ``.sha1``/``.md5``, so Maven's own
strict checksums cannot be relied on).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

from biocross.errors import LocalNodeError

#: The one place the Elasticsearch version is pinned, with the SHA-512 of its integ-test-zip: bump both
#: in the same line. The major must match the Python client's.
ES_VERSION, ES_SHA512 = "9.5.4", "a75df614854ace52dd0bce977662b3792873ac077ec0af9026cd0b2a0eb119e449910f8eb8ed577d1a83c51c6ee6af71bf5004c3cf5b418c979186de8b5dd9e6"
MAVEN_COORDINATES = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
MIN_JAVA = 21


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


def ensure_distribution(cache: Path, log: Callable[[str], object] = print) -> Path:
    """Fetch (Maven, into the cache's own repository), verify (pinned SHA-512) and unpack once; the ES home."""
    home = cache / f"elasticsearch-{ES_VERSION}"
    if (home / "bin" / "elasticsearch").exists():
        return home
    archive = fetch_archive(cache, log)
    log(f"unpacking {archive.name} into {cache}")
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f".unpack-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp)
    for path in (tmp / f"elasticsearch-{ES_VERSION}" / "bin").iterdir():
        path.chmod(0o755)
    jdk_bin = tmp / f"elasticsearch-{ES_VERSION}" / "lib" / "platform"
    for path in jdk_bin.rglob("*") if jdk_bin.exists() else []:
        if path.is_file():
            path.chmod(path.stat().st_mode | 0o555)
    os.replace(tmp / f"elasticsearch-{ES_VERSION}", home)
    shutil.rmtree(tmp, ignore_errors=True)
    return home


def maven_repo(cache: Path) -> Path:
    """The Maven repository biocross fetches into (never the user's ``~/.m2``)."""
    return cache / "m2"


def fetch_archive(cache: Path, log: Callable[[str], object] = print) -> Path:
    """The pinned distribution zip in the cache's Maven repository, fetched if needed, verified."""
    repo = maven_repo(cache)
    archive = (repo / "org/elasticsearch/distribution/integ-test-zip/elasticsearch"
               / ES_VERSION / f"elasticsearch-{ES_VERSION}.zip")
    if not archive.is_file():
        if shutil.which("mvn") is None:
            raise LocalNodeError("Maven (mvn) is needed to fetch Elasticsearch from Maven Central")
        log(f"fetching {MAVEN_COORDINATES} from Maven Central into {repo} ...")
        repo.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            ["mvn", "-B", "-q", "dependency:get", f"-Dmaven.repo.local={repo}",
             f"-Dartifact={MAVEN_COORDINATES}", "-Dtransitive=false"],
            capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0 or not archive.is_file():
            raise LocalNodeError(f"Maven could not fetch {MAVEN_COORDINATES}:\n{proc.stdout}{proc.stderr}")
    verify_sha512(archive, ES_SHA512)
    return archive
