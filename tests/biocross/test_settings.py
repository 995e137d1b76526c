"""Settings come from env vars and TOML; secrets never appear in dumps."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.client import client_kwargs
from schemas.settings import Settings


def test_env_configures_a_tls_cluster_with_api_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    monkeypatch.setenv("BIOCROSS_ES_URL", "https://search.example.org:9243")
    monkeypatch.setenv("BIOCROSS_ES_API_KEY", "c2VjcmV0")
    monkeypatch.setenv("BIOCROSS_ES_CA_CERTS", str(ca))
    monkeypatch.setenv("BIOCROSS_GATEWAY_PORT", "9090")
    settings = Settings()
    kwargs = client_kwargs(settings.es)
    assert kwargs["hosts"] == ["https://search.example.org:9243"]
    assert kwargs["api_key"] == "c2VjcmV0"
    assert kwargs["ca_certs"] == str(ca)
    assert settings.gateway.port == 9090
    assert "c2VjcmV0" not in str(settings.redacted()) and "c2VjcmV0" not in repr(settings)


def test_toml_file_with_basic_auth(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    toml = tmp_path / "biocross.toml"
    toml.write_text('[es]\nurl = "https://es:9200"\nusername = "elastic"\npassword = "pw"\nindex_prefix = "prod"\n')
    monkeypatch.delenv("BIOCROSS_ES_URL", raising=False)
    monkeypatch.setenv("BIOCROSS_CONFIG", str(toml))
    settings = Settings()
    assert client_kwargs(settings.es)["basic_auth"] == ("elastic", "pw")
    assert settings.es.index_prefix == "prod"


def test_half_configured_auth_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIOCROSS_ES_USERNAME", "elastic")
    with pytest.raises(ValueError, match=r"username and es\.password"):
        Settings()
