"""URLs the pages build from the current query: add or remove a filter, next page, language."""

from __future__ import annotations

from urllib.parse import urlencode

from multidict import MultiMapping

#: Parameters that restart paging when the search changes.
_PAGING = ("cursor",)


def _encode(path: str, items: list[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(items)}" if items else path


def with_filter(path: str, query: MultiMapping[str], name: str, value: str) -> str:
    """``path`` with the current search plus ``name=value`` (back to the first page)."""
    items = [(k, v) for k, v in query.items() if k not in _PAGING and not (k == name and v == value)]
    return _encode(path, [*items, (name, value)])


def without_filter(path: str, query: MultiMapping[str], name: str, value: str) -> str:
    """``path`` with the current search minus ``name=value`` (back to the first page)."""
    return _encode(path, [(k, v) for k, v in query.items() if k not in _PAGING and not (k == name and v == value)])


def with_params(path: str, query: MultiMapping[str], **params: str) -> str:
    """``path`` with the current query, each of ``params`` replacing any previous value."""
    items = [(k, v) for k, v in query.items() if k not in params]
    return _encode(path, [*items, *params.items()])


def export_link(query: MultiMapping[str], fmt: str) -> str:
    """The export of the current search in ``fmt``: every match, so the page's own paging and
    language are left out (the export would ignore them anyway)."""
    items = [(k, v) for k, v in query.items() if k not in ("cursor", "page_size", "lang", "format", "limit")]
    return _encode("/api/export", [*items, ("format", fmt)])


def selected(query: MultiMapping[str], name: str) -> set[str]:
    """The values of ``name`` currently selected."""
    return set(query.getall(name, []))


def local_target(value: str | None, default: str) -> str:
    """``value`` if it is a path on this site (no open redirects), else ``default``."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default

