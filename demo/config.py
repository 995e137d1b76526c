"""The demo's ``adapters.toml``: the five simulated institutions, served under one base URL.

``demo/adapters.toml`` is written for the demo's sources at ``http://127.0.0.1:8800`` (as
``python -m demo.sources`` and ``biocross demo`` serve them); ``demo_config(base_url)`` gives the same
text for sources served elsewhere (tests serve them on a free port).
"""

from __future__ import annotations

from pathlib import Path

from adapters.errors import AdapterConfigError

#: The demo's adapters.toml (beside the simulated sources).
DEMO_ADAPTERS_FILE = Path(__file__).resolve().parent / "adapters.toml"
#: The base URL the file is written for.
DEMO_BASE_URL = "http://127.0.0.1:8800"


def demo_config(base_url: str = DEMO_BASE_URL, path: Path = DEMO_ADAPTERS_FILE) -> str:
    """The demo's adapters.toml text with its endpoints under ``base_url`` (e.g. ``http://127.0.0.1:41234``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AdapterConfigError(f"cannot read the demo adapters file {path}: {exc}") from exc
    return text.replace(DEMO_BASE_URL, base_url.rstrip("/"))
