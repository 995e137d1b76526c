"""Member institutions of the consortium, and the registry the applications read them from.

Institutions are data: stored in Elasticsearch (``indexer.institutions``), seeded once from
``institutions.toml`` next to this module, managed by the administrators. Every process keeps an
:class:`InstitutionRegistry` (a read-only mapping, so templates and exporters read it synchronously)
and replaces its content when the institutions change.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import override

SEED_FILE = Path(__file__).with_name("institutions.toml")
SLUG_PATTERN = r"^[a-z][a-z0-9_-]{1,31}$"


class InstitutionStatus(StrEnum):
    """Whether an institution is a member today."""

    ACTIVE = "active"
    LEFT = "left"


class Institution(BaseModel):
    """A member institution holding resources."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=SLUG_PATTERN, description="Stable short id, e.g. riken-brc.")
    name_ja: str = Field(min_length=1, max_length=200, description="Name in Japanese.")
    name_en: str = Field(min_length=1, max_length=200, description="Name in English.")
    homepage: str | None = Field(None, pattern=r"^https?://\S+$", description="Public website.")
    contact_email: str | None = Field(
        None, pattern=r"^[^@\s]+@[^@\s]+$",
        description="Where usage requests and reminders go while the institution has no active staff account.")
    mta_note_ja: str | None = Field(None, max_length=2000, description="Distribution conditions (Japanese).")
    mta_note_en: str | None = Field(None, max_length=2000, description="Distribution conditions (English).")
    mta_url: str | None = Field(None, pattern=r"^https?://\S+$",
                                description="Link to the material transfer agreement or distribution terms.")
    status: InstitutionStatus = Field(InstitutionStatus.ACTIVE, description="active, or left the consortium.")

    def name(self, lang: str) -> str:
        """The name in ``lang`` (ja or en)."""
        return self.name_ja if lang == "ja" else self.name_en


class InstitutionRegistry(Mapping[str, Institution]):
    """Slug → institution, as last loaded. One per process; :meth:`replace` swaps the content."""

    def __init__(self, institutions: Iterable[Institution] = ()) -> None:
        self._by_slug: dict[str, Institution] = {i.slug: i for i in institutions}

    @override
    def __getitem__(self, slug: str) -> Institution:
        return self._by_slug[slug]

    @override
    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._by_slug))

    @override
    def __len__(self) -> int:
        return len(self._by_slug)

    def replace(self, institutions: Iterable[Institution]) -> None:
        """Swap in a freshly loaded list."""
        self._by_slug = {i.slug: i for i in institutions}

    def put(self, institution: Institution) -> None:
        """Add or update one institution (after it was stored)."""
        self._by_slug = {**self._by_slug, institution.slug: institution}

    def name(self, slug: str, lang: str) -> str:
        """The institution's name in ``lang``; an unknown slug (never harvested, since adapters must
        name a known institution) is shown as such rather than as the bare slug."""
        inst = self._by_slug.get(slug)
        if inst is not None:
            return inst.name(lang)
        return f"(未登録の機関 {slug})" if lang == "ja" else f"(unregistered institution {slug})"


def seed_institutions(path: Path = SEED_FILE) -> list[Institution]:
    """The institutions of a seed file (``[[institution]]`` tables)."""
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Institution.model_validate(table) for table in doc.get("institution", [])]
