"""HTML catalog toolkit: list pages with pagination, then detail pages, parsed with lxml.

Selectors are XPath, or CSS when prefixed ``css:`` (cssselect). A field selector may end in
``/@attr`` (XPath) to read an attribute; text is whitespace-collapsed. robots.txt is fetched through
the same HTTP layer and obeyed (RFC 9309: 4xx = no rules, 5xx/unreachable = stay away); its
``Crawl-delay`` spaces requests to the host. Detail pages forbidden by robots.txt are skipped and
counted (``robots_disallowed``); a forbidden list page is a ``ProtocolError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import urllib.robotparser
from collections.abc import AsyncGenerator, AsyncIterator, Coroutine
from functools import cached_property, lru_cache
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from pydantic import Field, field_validator
from typing_extensions import override

from adapters.config import AdapterConfig
from adapters.contract import Adapter
from adapters.errors import ProtocolError, SourceUnreachableError
from adapters.events import HarvestItem, RawRecord
from adapters.http import StreamResponse
from adapters.paging import NextUrlPaginator, PageRequest, Paginator, SinglePage
from schemas.harvest import Checkpoint

T = TypeVar("T")


@lru_cache(maxsize=512)
def compile_selector(selector: str) -> etree.XPath:
    """An XPath for an XPath or ``css:`` selector (raises ``ValueError`` if it does not compile)."""
    if selector.startswith("css:"):
        from cssselect import GenericTranslator, SelectorError

        try:
            selector = GenericTranslator().css_to_xpath(selector[4:].strip())
        except SelectorError as exc:
            raise ValueError(f"bad CSS selector: {exc}") from exc
    try:
        return etree.XPath(selector)
    except etree.XPathSyntaxError as exc:
        raise ValueError(f"bad XPath {selector!r}: {exc}") from exc


def select_texts(node: Any, selector: str) -> list[str]:
    """Whitespace-collapsed texts (or attribute values) a selector finds under ``node``."""
    out = []
    for hit in compile_selector(selector)(node):
        text = hit.text_content() if hasattr(hit, "text_content") else str(hit)
        if text := " ".join(text.split()):
            out.append(text)
    return out


def select_links(node: Any, selector: str) -> list[str]:
    """Link targets a selector finds: ``href`` of elements, or attribute values as they are."""
    out = []
    for hit in compile_selector(selector)(node):
        href = hit.get("href") if hasattr(hit, "get") else str(hit)
        if href and href.strip():
            out.append(href.strip())
    return out


def crawl_delay(robots_txt: str, user_agent: str) -> float | None:
    """``Crawl-delay`` for us, fractional values included (urllib.robotparser reads integers only)."""
    token = user_agent.split("/")[0].lower()
    agents: list[str] = []
    found: dict[str, float] = {}
    in_rules = False
    for raw in robots_txt.splitlines():
        key, _, value = raw.split("#")[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            agents = [] if in_rules else agents
            agents.append(value.lower())
            in_rules = False
        elif key == "crawl-delay":
            in_rules = True
            with contextlib.suppress(ValueError):
                for agent in agents:
                    found[agent] = float(value)
        elif key:
            in_rules = True
    hit = next((v for a, v in found.items() if a != "*" and a in token), found.get("*"))
    return hit


class HtmlCatalogConfig(AdapterConfig):
    """An HTML catalog: ``endpoint`` is the first list page."""

    item_links: str | None = Field(None, description="Selector of detail-page links on a list page (href).")
    rows: str | None = Field(None, description="Selector of record rows when list pages hold all data.")
    next_page: str | None = Field(None, description="Selector of the next list page's link (href).")
    fields: dict[str, str] = Field(description="Raw field → selector on a detail page (or row).")
    encoding: str | None = Field(None, description="Page encoding if neither header nor meta says it.")
    max_pages: int = Field(10_000, ge=1, description="Safety stop for list pages.")
    respect_robots: bool = Field(True, description="Obey robots.txt (switch off only for your own test server).")

    @field_validator("fields")
    @classmethod
    def _selectors(cls, value: dict[str, str]) -> dict[str, str]:
        for selector in value.values():
            compile_selector(selector)
        return value

    @field_validator("item_links", "rows", "next_page")
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        if value is not None:
            compile_selector(value)
        return value


async def in_order(coros: list[Coroutine[Any, Any, T]]) -> AsyncIterator[T]:
    """Run ``coros`` concurrently (callers bound them with a semaphore) and yield their results in
    order; the rest are cancelled if the consumer stops early."""
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        for task in tasks:
            yield await task
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class HtmlCatalogAdapter(Adapter[HtmlCatalogConfig]):
    """Scrapes an HTML catalog (list pages → detail pages)."""

    name = "html"
    config_model = HtmlCatalogConfig

    _robots: urllib.robotparser.RobotFileParser | None = None

    async def robots(self) -> urllib.robotparser.RobotFileParser:
        """The source host's robots.txt rules (fetched once per adapter)."""
        if self._robots is None:
            parts = urlsplit(self.config.endpoint)
            url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            rules = urllib.robotparser.RobotFileParser(url)
            try:
                resp, body = await self.http.fetch(url, self.policy, ok=frozenset(range(200, 500)), max_bytes=512 * 1024)
            except SourceUnreachableError:
                rules.disallow_all = True  # type: ignore[attr-defined]  # documented in robotparser, untyped
            else:
                if resp.status >= 400:
                    rules.allow_all = True  # type: ignore[attr-defined]
                else:
                    text = body.decode("utf-8", errors="replace")
                    rules.parse(text.splitlines())
                    delay = rules.crawl_delay(self.http.user_agent) or crawl_delay(text, self.http.user_agent)
                    if delay:
                        self.http.set_crawl_delay(self.config.endpoint, self.policy, float(delay))
            self._robots = rules
        return self._robots

    async def _allowed(self, url: str) -> bool:
        return not self.config.respect_robots or (await self.robots()).can_fetch(self.http.user_agent, url)

    def parse_page(self, resp: StreamResponse, body: bytes) -> Any:
        """The lxml document of a page (encoding: header, else meta, else config)."""
        charset = resp.headers.get("Content-Type", "").partition("charset=")[2].split(";")[0].strip() or None
        parser = lxml.html.HTMLParser(encoding=charset or self.config.encoding)
        try:
            return lxml.html.document_fromstring(body, parser=parser, base_url=resp.url)
        except (etree.ParserError, ValueError) as exc:
            raise ProtocolError(f"unparseable HTML: {exc}", adapter=self.source, url=resp.url) from exc

    def extract(self, node: Any, url: str) -> RawRecord:
        """A raw record from a detail page or a row: one list of texts per configured field."""
        data: dict[str, Any] = {name: select_texts(node, sel) for name, sel in self.config.fields.items()}
        data["page_url"] = url
        return RawRecord(data, source_id=url)

    async def _detail(self, url: str, gate: asyncio.Semaphore) -> RawRecord | None:
        if not await self._allowed(url):
            self.warn("robots_disallowed")
            return None
        async with gate:
            resp, body = await self.http.fetch(url, self.policy)
        return self.extract(self.parse_page(resp, body), resp.url)

    async def page_records(self, doc: Any, page_url: str, gate: asyncio.Semaphore) -> AsyncIterator[RawRecord]:
        """The records of one list page: its rows, then its item links' detail pages. Override this
        (not ``harvest``, which owns paging, robots.txt and checkpoints) for other page shapes."""
        if self.config.rows:
            for row in compile_selector(self.config.rows)(doc):
                yield self.extract(row, page_url)
        if self.config.item_links:
            links = [urljoin(page_url, href) for href in select_links(doc, self.config.item_links)]
            async for record in in_order([self._detail(link, gate) for link in dict.fromkeys(links)]):
                if record is not None:
                    yield record

    @cached_property
    def paginator(self) -> Paginator[Any]:
        """The list pages' ``next_page`` link, if the list has more than one page."""
        selector = self.config.next_page
        if not selector:
            return SinglePage()
        return NextUrlPaginator(lambda doc: next(iter(select_links(doc, selector)), None))

    @override
    async def harvest(self, checkpoint: Checkpoint | None) -> AsyncGenerator[HarvestItem, None]:
        url: str | None = (checkpoint.extra.get("next_page") if checkpoint else None) or self.config.endpoint
        gate = asyncio.Semaphore(self.config.concurrency)
        pages = 0
        while url:
            pages += 1
            if pages > self.config.max_pages:
                raise ProtocolError(f"more than {self.config.max_pages} list pages", adapter=self.source)
            if not await self._allowed(url):
                raise ProtocolError("robots.txt forbids the list page", adapter=self.source, url=url)
            resp, body = await self.http.fetch(url, self.policy)
            doc = self.parse_page(resp, body)
            async for record in self.page_records(doc, resp.url, gate):
                yield record
            nxt = self.paginator.next(doc, PageRequest(resp.url), count=0, links={})
            url = nxt.url if nxt else None
            if url:
                yield Checkpoint(extra={"next_page": url})
        yield Checkpoint()
