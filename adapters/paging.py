"""Paginators: where the next page of a listing is, given the page just read.

A ``Paginator[T]`` knows one paging scheme over pages of type ``T`` (a decoded JSON page, an HTML
document, an OAI-PMH page end): ``first(request)`` adds what the first request needs,
``next(page, request, count=..., links=...)`` gives the next request or None after the last page.
The toolkits pick one from configuration; an adapter for an odd API writes its own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import urljoin

from typing_extensions import override

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    """One page's URL and query parameters."""

    url: str
    params: dict[str, str] = field(default_factory=dict)


class Paginator(ABC, Generic[T]):
    """One paging scheme over pages of type ``T``."""

    def first(self, request: PageRequest) -> PageRequest:
        """The first page's request (by default as given)."""
        return request

    @abstractmethod
    def next(self, page: T, request: PageRequest, *, count: int,
             links: Mapping[str, str]) -> PageRequest | None:
        """The request of the page after ``page`` (read by ``request``; ``count`` records, the
        response's RFC 8288 ``links`` by relation), or None if it was the last."""


class SinglePage(Paginator[T]):
    """The listing is one page."""

    @override
    def next(self, page: T, request: PageRequest, *, count: int,
             links: Mapping[str, str]) -> PageRequest | None:
        return None


@dataclass(frozen=True)
class OffsetPaginator(Paginator[T]):
    """``?offset=N``: the next offset is this one plus the records read; stops on a short page or
    at the declared ``total`` (where the page gives one)."""

    param: str
    page_size: int
    total: Callable[[T], int | None] = lambda page: None

    @override
    def first(self, request: PageRequest) -> PageRequest:
        return PageRequest(request.url, {**request.params, self.param: "0"})

    @override
    def next(self, page: T, request: PageRequest, *, count: int,
             links: Mapping[str, str]) -> PageRequest | None:
        if count == 0 or count < self.page_size:
            return None
        offset = int(request.params.get(self.param, "0")) + count
        total = self.total(page)
        if total is not None and offset >= total:
            return None
        return PageRequest(request.url, {**request.params, self.param: str(offset)})


@dataclass(frozen=True)
class PageNumberPaginator(Paginator[T]):
    """``?page=N`` from ``first_page``; stops on a short page."""

    param: str
    page_size: int
    first_page: int = 1

    @override
    def first(self, request: PageRequest) -> PageRequest:
        return PageRequest(request.url, {**request.params, self.param: str(self.first_page)})

    @override
    def next(self, page: T, request: PageRequest, *, count: int,
             links: Mapping[str, str]) -> PageRequest | None:
        if count == 0 or count < self.page_size:
            return None
        return PageRequest(request.url, {**request.params, self.param: str(int(request.params[self.param]) + 1)})


@dataclass(frozen=True)
class CursorPaginator(Paginator[T]):
    """The page names the next cursor, sent back as ``param``; no cursor, no next page."""

    param: str
    cursor: Callable[[T], str | None]

    @override
    def next(self, page: T, request: PageRequest, *, count: int,
             links: Mapping[str, str]) -> PageRequest | None:
        found = self.cursor(page)
        return PageRequest(request.url, {**request.params, self.param: found}) if found else None


@dataclass(frozen=True)
class NextUrlPaginator(Paginator[T]):
    """The page gives the next page's URL (relative to this page's), carrying its own parameters."""

    next_url: Callable[[T], str | None]

    @override
    def next(self, page: T, request: PageRequest, *, count: int,
             links: Mapping[str, str]) -> PageRequest | None:
        found = self.next_url(page)
        return PageRequest(urljoin(request.url, found)) if found else None


class LinkHeaderPaginator(Paginator[T]):
    """RFC 8288: the response's ``Link: <...>; rel="next"`` header."""

    @override
    def next(self, page: T, request: PageRequest, *, count: int,
             links: Mapping[str, str]) -> PageRequest | None:
        found = links.get("next")
        return PageRequest(urljoin(request.url, found)) if found else None


@dataclass(frozen=True)
class ResumptionTokenPaginator(Paginator[T]):
    """OAI-PMH: the page ends with a resumption token; the next request carries the verb and the
    token only (the protocol forbids repeating the other arguments)."""

    token: Callable[[T], str | None]
    verb: str = "ListRecords"

    def resume(self, url: str, token: str) -> PageRequest:
        """The request continuing a list at ``token`` (also for a crashed run's checkpoint)."""
        return PageRequest(url, {"verb": self.verb, "resumptionToken": token})

    @override
    def next(self, page: T, request: PageRequest, *, count: int,
             links: Mapping[str, str]) -> PageRequest | None:
        found = self.token(page)
        return self.resume(request.url, found) if found else None
