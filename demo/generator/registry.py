"""All simulated sources of one run: the catalog of every institution and its mutable state."""

from __future__ import annotations

from collections.abc import Iterator

from demo.generator.catalog import Catalog, generate
from demo.generator.state import SourceState


class UnknownInstitutionError(KeyError):
    """Raised when a source is asked for by a slug that is not one of the five institutions."""


class SourceRegistry:
    """The served state of every institution for ``(total, seed)``."""

    def __init__(self, total: int, seed: int = 42) -> None:
        self.catalog: Catalog = generate(total, seed)
        self.total = total
        self.seed = seed
        self._states = {name: SourceState(cat) for name, cat in self.catalog.institutions.items()}

    def __getitem__(self, institution: str) -> SourceState:
        try:
            return self._states[institution]
        except KeyError:
            raise UnknownInstitutionError(institution) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._states)

    def states(self) -> Iterator[SourceState]:
        """Yield every institution's state."""
        return iter(self._states.values())

    def summary(self) -> dict[str, object]:
        """Return every institution's state as JSON-ready data."""
        return {"total": self.total, "seed": self.seed,
                "institutions": {name: st.summary() for name, st in self._states.items()}}
