"""Two requests per numbered page, page numbers, and cursors past the numbered window."""

from __future__ import annotations

import pytest
from elasticsearch import AsyncElasticsearch

from indexer.errors import InvalidSearchError
from indexer.search.service import SearchService
from schemas.search import SearchQuery, SearchResponse


class CountingService(SearchService):
    """The real service, counting the Elasticsearch requests it sends."""

    requests = 0

    async def send(self, body: dict[str, object]) -> object:
        self.requests += 1
        return await super().send(body)


async def _walk(service: SearchService, q: str, page_size: int, sort: str = "relevance") -> list[SearchResponse]:
    pages: list[SearchResponse] = []
    cursor = None
    for _ in range(300):
        page = await service.search(SearchQuery.model_validate({"q": q, "page_size": page_size, "sort": sort,
                                                                "cursor": cursor}))
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    return pages


def _keys(pages: list[SearchResponse]) -> list[str]:
    return [g.entity_key for p in pages for g in p.groups]


async def test_a_numbered_page_is_two_elasticsearch_requests(es: AsyncElasticsearch, search_prefix: str) -> None:
    """The collapsed page with facets and counts, then the page's holdings; at any page number."""
    service = CountingService(es, search_prefix)
    for q in ("", "cell", "マウス"):
        for page in (1, 2, 4):
            before = service.requests
            result = await service.search(SearchQuery(q=q, page_size=5, page=page))
            assert service.requests - before == 2, (q, page)
            assert result.page == page and result.groups


@pytest.mark.parametrize(("q", "sort"), [("", "relevance"), ("cell", "relevance"), ("マウス", "name"), ("mouse", "updated")])
async def test_past_the_window_cursors_go_on_in_the_same_order(es: AsyncElasticsearch, search_prefix: str,
                                                               service: SearchService, q: str, sort: str) -> None:
    """A window of 21 entities (3 pages of 7): later pages come by search_after, same order, no repeats."""
    small = SearchService(es, search_prefix, service.synonyms, cursor_keys=service.cursor_keys, page_window=21)
    numbered = await _walk(service, q, 7, sort)
    windowed = await _walk(small, q, 7, sort)
    assert len(numbered) >= 4, q
    assert _keys(windowed) == _keys(numbered)
    assert len(set(_keys(windowed))) == len(_keys(windowed)) == numbered[0].total_entities
    assert [p.page for p in windowed[:3]] == [1, 2, 3] and all(p.page is None for p in windowed[3:])
    assert [p.page for p in numbered] == list(range(1, len(numbered) + 1))
    assert numbered[0].last_page == len(numbered) and windowed[0].last_page == 3


async def test_a_page_number_shows_what_next_links_reach(service: SearchService) -> None:
    pages = await _walk(service, "mouse", 4)
    assert len(pages) >= 4
    for number in (2, 3, len(pages)):
        jumped = await service.search(SearchQuery(q="mouse", page_size=4, page=number))
        assert [g.entity_key for g in jumped.groups] == [g.entity_key for g in pages[number - 1].groups]
        assert jumped.next_cursor is None if number == len(pages) else jumped.next_cursor


async def test_page_numbers_past_the_window_or_with_a_cursor_are_refused(service: SearchService) -> None:
    with pytest.raises(InvalidSearchError, match="page numbers end at page 500") as beyond:
        await service.search(SearchQuery(q="mouse", page=501))
    assert beyond.value.parameter == "page"
    first = await service.search(SearchQuery(q="mouse", page_size=3))
    with pytest.raises(InvalidSearchError, match="not both"):
        await service.search(SearchQuery(q="mouse", page_size=3, page=2, cursor=first.next_cursor))


async def test_a_card_lists_matching_holdings_first_then_the_others(service: SearchService) -> None:
    """RCB0007 is HeLa at RIKEN; the JCRB holding of the same cell line does not match the id itself."""
    result = await service.search(SearchQuery(q="RCB0007"))
    hela = result.groups[0]
    assert [(h.catalog_id, h.matched) for h in hela.holdings] == [("RCB0007", True), ("JCRB9004", False)]
    assert hela.holdings_total == 2
    filtered = await service.search(SearchQuery(q="HeLa", institution=["jcrb"]))
    assert [h.catalog_id for h in filtered.groups[0].holdings] == ["JCRB9004"]  # the selected institution's
