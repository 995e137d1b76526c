"""The adapter registry: adapter types by ``name``, loud on duplicates.

Every type comes from an entry point in the group ``biocross.adapters``: the toolkits and adapters
biocross ships are registered in its own ``pyproject.toml`` exactly as a plugin package registers
its adapter (an institution ships its adapter as its own package)::

    [project.entry-points."biocross.adapters"]
    riken-brc = "biocross_riken.adapter:RikenBrcAdapter"

No global registry: the entry point builds one with ``load_registry()`` and passes it down.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from adapters.config import AdapterConfig
from adapters.contract import Adapter
from adapters.errors import AdapterConfigError
from adapters.http import HttpClient

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "biocross.adapters"
#: The distribution whose entry points are the built-in adapters.
BUILTIN_DISTRIBUTION = "biocross"


def _is_builtin(ep: importlib.metadata.EntryPoint) -> bool:
    return ep.dist is not None and ep.dist.name == BUILTIN_DISTRIBUTION


class Registry:
    """Adapter types keyed by their ``name``."""

    def __init__(self, adapters: Iterable[type[Adapter[Any]]] = ()) -> None:
        self._types: dict[str, type[Adapter[Any]]] = {}
        self._origins: dict[str, str] = {}
        for cls in adapters:
            self.register(cls)

    def register(self, cls: type[Adapter[Any]], *, origin: str = "built-in") -> type[Adapter[Any]]:
        """Add an adapter type; a second type with the same name is an ``AdapterConfigError``."""
        if not (isinstance(cls, type) and issubclass(cls, Adapter)):
            raise AdapterConfigError(f"{origin}: {cls!r} is not an Adapter subclass")
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not name:
            raise AdapterConfigError(f"{origin}: {cls.__qualname__} has no `name`")
        if not issubclass(cls.config_model, AdapterConfig):
            raise AdapterConfigError(f"{origin}: {cls.__qualname__}.config_model must extend AdapterConfig")
        if cls.config_model.model_config.get("extra") != "forbid":
            raise AdapterConfigError(f"{origin}: {cls.__qualname__}.config_model must forbid extra keys")
        existing = self._types.get(name)
        if existing is not None and existing is not cls:
            raise AdapterConfigError(
                f"duplicate adapter name {name!r}: {existing.__module__}.{existing.__qualname__} "
                f"({self._origins[name]}) and {cls.__module__}.{cls.__qualname__} ({origin})"
            )
        self._types[name] = cls
        self._origins[name] = origin
        return cls

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator[type[Adapter[Any]]]:
        return iter(self._types.values())

    def get(self, name: str) -> type[Adapter[Any]]:
        """The adapter type called ``name``."""
        try:
            return self._types[name]
        except KeyError:
            raise AdapterConfigError(f"unknown adapter type {name!r} (known: {', '.join(self.names())})") from None

    def config_model(self, name: str) -> type[AdapterConfig]:
        """The config model of the type called ``name``."""
        return self.get(name).config_model

    def names(self) -> list[str]:
        """Registered type names, sorted."""
        return sorted(self._types)

    def origin(self, name: str) -> str:
        """Where a type came from: ``built-in`` or ``entry point <dist>``."""
        return self._origins[name]

    def build(self, source: str, config: AdapterConfig, http: HttpClient) -> Adapter[Any]:
        """An adapter instance for the configured source ``source``."""
        return self.get(config.type)(config, http=http, source=source)

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP, *, plugins: bool = True) -> None:
        """Register the adapters published in the entry-point group; all failures reported at once.

        ``plugins`` False: only biocross's own entry points (the built-in adapters).
        """
        problems: list[str] = []
        own = 0
        for ep in importlib.metadata.entry_points(group=group):
            builtin = _is_builtin(ep)
            own += builtin
            if not (builtin or plugins):
                continue
            origin = "built-in" if builtin else f"entry point {ep.name!r} ({ep.value})"
            try:
                cls = ep.load()
            except (ImportError, AttributeError) as exc:
                problems.append(f"{origin}: cannot load: {exc}")
                continue
            try:
                self.register(cls, origin=origin)
            except AdapterConfigError as exc:
                problems.append(str(exc))
        if not own:
            problems.append(f"biocross's own adapters are not in the {group!r} entry points: the installed "
                            "package metadata is missing or stale; reinstall (bash scripts/bootstrap.sh, or "
                            "pip install -e .)")
        if problems:
            raise AdapterConfigError("adapter entry points are broken", problems=problems)


def builtin_adapters() -> list[type[Adapter[Any]]]:
    """The toolkits and the adapters shipped with biocross (its own entry points)."""
    registry = Registry()
    registry.load_entry_points(plugins=False)
    return list(registry)


def load_registry(*, entry_points: bool = True) -> Registry:
    """The built-in types plus (by default) every other installed entry point."""
    registry = Registry()
    registry.load_entry_points(plugins=entry_points)
    return registry
