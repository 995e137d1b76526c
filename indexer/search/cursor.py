"""Opaque search_after cursors, bound to the query that produced them."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

import orjson

from indexer.errors import InvalidSearchError
from schemas.search import SearchQuery


def query_fingerprint(query: SearchQuery) -> str:
    """Hash of everything but the cursor and page size: a cursor is only valid for the same search."""
    payload = query.model_dump(mode="json", exclude={"cursor", "page_size"})
    return hashlib.blake2b(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS), digest_size=6).hexdigest()


def encode_cursor(query: SearchQuery, after: list[Any]) -> str:
    """Cursor resuming after the resource whose sort values are ``after``."""
    raw = orjson.dumps({"v": 1, "h": query_fingerprint(query), "a": after})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(query: SearchQuery) -> list[Any] | None:
    """The ``search_after`` values of ``query.cursor``; InvalidSearchError when it is not ours."""
    if not query.cursor:
        return None
    try:
        padded = query.cursor + "=" * (-len(query.cursor) % 4)
        data = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as exc:
        raise InvalidSearchError("cursor is malformed") from exc
    if not isinstance(data, dict) or data.get("v") != 1 or not isinstance(data.get("a"), list):
        raise InvalidSearchError("cursor is malformed")
    if data.get("h") != query_fingerprint(query):
        raise InvalidSearchError("cursor belongs to a different search; start again without a cursor")
    after: list[Any] = data["a"]
    if len(after) != 2 or not all(isinstance(v, str | int | float) or v is None for v in after):
        raise InvalidSearchError("cursor is malformed")
    return after
