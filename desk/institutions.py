"""The member institutions in ``{prefix}-institutions``: seeded once, then managed by administrators.

Each process reads them into its :class:`schemas.institution.InstitutionRegistry` at start
(:meth:`InstitutionStore.load`) and after every change it makes; the seed file is only read when the
index holds no institution at all, so an edit made in the admin pages is never overwritten.
"""

from __future__ import annotations

from elasticsearch import AsyncElasticsearch
from elasticsearch import ConflictError as EsConflictError
from elasticsearch import NotFoundError as EsNotFoundError

from desk.errors import InstitutionExistsError, InstitutionNotFoundError
from indexer.indices import ensure_index
from indexer.names import institutions_index
from schemas.institution import Institution, InstitutionRegistry, seed_institutions

_KW = {"type": "keyword"}
INSTITUTIONS_MAPPING = {"dynamic": False, "properties": {"slug": _KW, "status": _KW}}


class InstitutionStore:
    """Institutions by slug, and the registry this process reads them from."""

    def __init__(self, es: AsyncElasticsearch, prefix: str, registry: InstitutionRegistry | None = None) -> None:
        self.es = es
        self.index = institutions_index(prefix)
        self.registry = registry if registry is not None else InstitutionRegistry()
        self._ready = False

    async def ensure(self) -> None:
        """Create the index on first use."""
        if not self._ready:
            await ensure_index(self.es, self.index, INSTITUTIONS_MAPPING)
            self._ready = True

    async def list(self) -> list[Institution]:
        """Every institution, by slug."""
        await self.ensure()
        resp = await self.es.search(index=self.index, size=1000, sort=[{"slug": "asc"}], query={"match_all": {}})
        return [Institution.model_validate(h["_source"]) for h in resp["hits"]["hits"]]

    async def load(self) -> InstitutionRegistry:
        """Seed an empty index from ``institutions.toml``, then fill the registry from the index."""
        await self.ensure()
        if (await self.es.count(index=self.index))["count"] == 0:
            for institution in seed_institutions():
                await self.es.options(ignore_status=409).create(
                    index=self.index, id=institution.slug, document=institution.model_dump(mode="json"))
            await self.es.indices.refresh(index=self.index)
        self.registry.replace(await self.list())
        return self.registry

    async def get(self, slug: str) -> Institution:
        """One institution; :class:`InstitutionNotFoundError` if there is none."""
        await self.ensure()
        try:
            resp = await self.es.get(index=self.index, id=slug)
        except EsNotFoundError as exc:
            raise InstitutionNotFoundError(f"no institution {slug!r}") from exc
        return Institution.model_validate(resp["_source"])

    async def add(self, institution: Institution) -> Institution:
        """Store a new institution; :class:`InstitutionExistsError` if the slug is taken."""
        await self.ensure()
        try:
            await self.es.create(index=self.index, id=institution.slug, refresh="wait_for",
                                 document=institution.model_dump(mode="json"))
        except EsConflictError as exc:
            raise InstitutionExistsError(f"institution {institution.slug!r} exists already") from exc
        self.registry.put(institution)
        return institution

    async def update(self, institution: Institution) -> Institution:
        """Replace an existing institution's fields (the slug never changes)."""
        await self.get(institution.slug)
        await self.es.index(index=self.index, id=institution.slug, refresh="wait_for",
                            document=institution.model_dump(mode="json"))
        self.registry.put(institution)
        return institution
