"""compose.yaml and the Dockerfile tell the truth: every file they build from or mount exists in the
clone, every service runs a real ``biocross`` command with options that command accepts, no secret
has a default, and the shipped adapters example is a valid configuration."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from adapters.config import parse_adapters_toml
from adapters.registry import load_registry
from biocross.cli import app

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SECRETS = ("ELASTIC_PASSWORD", "BIOCROSS_GATEWAY_SECRET_KEY")
_DEFAULTED = re.compile(r"\$\{([A-Z_]+):?-([^}]*)\}")


def _with_defaults(value: str) -> str:
    """``${VAR:-default}`` as compose resolves it when VAR is unset."""
    return _DEFAULTED.sub(lambda m: m.group(2), value)


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = COMPOSE["services"]
    return services


def test_compose_builds_from_and_mounts_only_files_that_exist() -> None:
    mounted = []
    for name, service in _services().items():
        if "build" in service:
            context = ROOT / (service["build"] if isinstance(service["build"], str) else service["build"]["context"])
            dockerfile = context / "Dockerfile"
            assert dockerfile.is_file(), name
            for line in dockerfile.read_text().splitlines():
                if line.startswith("COPY "):
                    for source in line.split()[1:-1]:
                        assert (context / source).exists(), f"{name}: Dockerfile copies missing {source}"
        for volume in service.get("volumes", []):
            host = _with_defaults(volume).split(":")[0]
            if host.startswith((".", "/")):
                assert (ROOT / host).exists(), f"{name} mounts {host}, which the clone does not hold"
                mounted.append(host)
    assert "./adapters.example.toml" in mounted


def test_every_service_command_is_a_real_biocross_command() -> None:
    runner = CliRunner()
    commands = 0
    for name, service in _services().items():
        command = service.get("command")
        if "build" not in service:
            continue  # third-party images (Elasticsearch, the SMTP catcher)
        command = command or ["biocross", "serve"]
        assert command[0] == "biocross", name
        result = runner.invoke(app, [*command[1:], "--help"])  # unknown commands or options fail to parse
        assert result.exit_code == 0, f"{name}: {' '.join(command)}\n{result.output}"
        commands += 1
    assert commands >= 3  # gateway, indexer (scheduler), mailer


def test_secrets_have_no_default() -> None:
    text = (ROOT / "compose.yaml").read_text()
    for secret in SECRETS:
        uses = re.findall(r"\$\{" + secret + r"([^}]*)\}", text)
        assert uses, secret
        assert not [u for u in uses if u.startswith(("-", ":-"))], f"{secret} has a default: {uses}"
        assert any(use.startswith(":?") for use in uses), f"{secret} must fail fast when unset: {uses}"


def test_compose_cites_docs_that_exist() -> None:
    for cited in re.findall(r"docs/[\w.-]+\.md", (ROOT / "compose.yaml").read_text()):
        assert (ROOT / cited).is_file(), cited
    deploy = (ROOT / "docs/deploy.md").read_text()
    for topic in ("secret", "TLS", "snapshot", "upgrade", "scal"):
        assert topic.lower() in deploy.lower(), topic


def test_adapters_example_is_a_valid_configuration() -> None:
    configured = parse_adapters_toml((ROOT / "adapters.example.toml").read_text(), load_registry(),
                                     origin="adapters.example.toml")
    assert list(configured) == ["jcm-bacdive"]


def test_the_image_holds_every_package_the_install_finds() -> None:
    """``pip install .`` in the image installs what was copied: a package left out of the COPY lines
    is missing from the image (the desk once was), and the gateway fails at its first import."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = {line.split()[1].strip("./") for line in (ROOT / "Dockerfile").read_text().splitlines()
              if line.startswith("COPY ")}
    assert packages <= copied, f"the Dockerfile does not copy {sorted(packages - copied)}"
    assert set(pyproject["tool"]["importlinter"]["root_packages"]) <= packages
