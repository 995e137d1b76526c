"""adapters.toml validation (all errors at once), the registry and entry-point discovery."""

from __future__ import annotations

import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.config import AdapterConfig, parse_adapters_toml
from adapters.errors import AdapterConfigError
from adapters.registry import Registry, load_registry
from adapters.toolkits import CsvExportAdapter, OaiPmhAdapter
from adapters.toolkits.csvexport import CsvConfig

GOOD = """
[defaults]
rate_limit = 1.0
timeout = 20

[adapters.naro-genebank]
type = "oaipmh"
institution = "naro"
endpoint = "https://oai.example.org/oai"
schedule = "6h"
sets = ["plants"]
credentials = { username = "harvester", password = "s3cret" }
[adapters.naro-genebank.mapping]
catalog_id = "header.local_id"
name = ["dwc:scientificName", "dc:title"]
resource_type = { const = "plant" }
"""


def test_valid_file_with_defaults_and_secrets() -> None:
    configs = parse_adapters_toml(GOOD, load_registry(entry_points=False))
    naro = configs["naro-genebank"]
    assert naro.schedule == timedelta(hours=6) and naro.rate_limit == 1.0 and naro.timeout == 20
    assert naro.credentials is not None and "s3cret" not in repr(naro) and "s3cret" not in naro.model_dump_json()
    policy = naro.request_policy("naro-genebank")
    assert policy.headers["Authorization"] == "Basic aGFydmVzdGVyOnMzY3JldA==" and "s3cret" not in repr(policy)


def test_every_error_of_every_adapter_is_reported_at_once() -> None:
    bad = """
    [adapters.one]
    type = "oaipmh"
    endpoint = "ftp://nope"
    rate_limit = -1
    colour = "blue"
    [adapters.one.mapping]
    nonsense_field = "x"
    name = { from = "a", transforms = ["no-such-transform"] }

    [adapters.two]
    type = "carrier-pigeon"

    [adapters.three]
    institution = "nies"

    [extra]
    x = 1
    """
    with pytest.raises(AdapterConfigError) as info:
        parse_adapters_toml(textwrap.dedent(bad), load_registry(entry_points=False))
    text = "\n".join(info.value.problems)
    for expected in ("adapters.one.institution", "adapters.one.endpoint", "adapters.one.rate_limit",
                     "adapters.one.colour", "nonsense_field", "no-such-transform", "carrier-pigeon",
                     "adapters.three.type", "extra"):
        assert expected in text, expected
    assert len(info.value.problems) >= 8


def test_registry_is_loud_on_duplicate_names() -> None:
    class Other(CsvExportAdapter):
        name = "oaipmh"

    registry = Registry([OaiPmhAdapter])
    with pytest.raises(AdapterConfigError, match="duplicate adapter name 'oaipmh'"):
        registry.register(Other)

    class Sloppy(CsvExportAdapter):
        name = "sloppy"
        config_model = type("Loose", (AdapterConfig,), {"model_config": {"extra": "allow"}})  # type: ignore[assignment]

    with pytest.raises(AdapterConfigError, match="forbid"):
        registry.register(Sloppy)


def test_missing_package_metadata_is_named_not_an_empty_registry() -> None:
    """A checkout used without installing (or with metadata from before the entry points) gets a fix to
    run, not "unknown adapter type 'csv' (known: )" at the first configuration it reads."""
    with pytest.raises(AdapterConfigError) as caught:
        Registry().load_entry_points("biocross.adapters-of-no-installed-package")
    assert "reinstall (bash scripts/bootstrap.sh" in "\n".join(caught.value.problems)


def test_entry_points_register_institution_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real distribution on sys.path publishing an adapter in the `biocross.adapters` group."""
    (tmp_path / "biocross_demo_inst.py").write_text(textwrap.dedent("""
        from adapters.toolkits.csvexport import CsvExportAdapter

        class DemoInstitutionAdapter(CsvExportAdapter):
            name = "demo-institution"
    """))
    dist = tmp_path / "biocross_demo_inst-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: biocross-demo-inst\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[biocross.adapters]\ndemo-institution = biocross_demo_inst:DemoInstitutionAdapter\n"
        "csv-again = biocross_demo_inst:Missing\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = Registry()
    with pytest.raises(AdapterConfigError) as info:
        registry.load_entry_points()
    assert "demo-institution" in registry and "csv-again" in str(info.value)
    assert registry.origin("demo-institution").startswith("entry point")
    sys.modules.pop("biocross_demo_inst", None)


def test_csv_config_model_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="columns"):
        CsvConfig.model_validate({"type": "csv", "institution": "riken-brc", "endpoint": "http://x", "header": False})
