"""Opaque search_after cursors, bound to the query that produced them and signed.

A cursor is ``base64(payload) "." base64(mac)``: the payload holds where the next page starts (an
entity offset within the numbered window, or the sort values to resume after beyond it) and a
fingerprint of the query; the mac is an HMAC-SHA256 over both with a key derived from the
gateway secret. A client can read a cursor but not make one, so whatever reaches Elasticsearch as
``search_after`` was produced by us; a forged or damaged cursor is :class:`InvalidSearchError` (400).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

import orjson

from indexer.errors import InvalidSearchError
from schemas.search import SearchQuery

_MAC_BYTES = 16
MAX_CURSOR_CHARS = 2048


def query_fingerprint(query: SearchQuery) -> str:
    """Hash of everything but the cursor and page size: a cursor is only valid for the same search."""
    payload = query.model_dump(mode="json", exclude={"cursor", "page_size", "page"})
    return hashlib.blake2b(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS), digest_size=6).hexdigest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, b"cursor\0" + payload, hashlib.sha256).digest()[:_MAC_BYTES]


def encode_cursor(query: SearchQuery, after: list[Any] | int, key: bytes) -> str:
    """Cursor starting at entity offset ``after`` (an int) or resuming after the resource whose sort
    values are ``after`` (a list), signed with ``key``."""
    where = {"o": after} if isinstance(after, int) else {"a": after}
    payload = orjson.dumps({"v": 3, "h": query_fingerprint(query), **where})
    return f"{_b64(payload)}.{_b64(_mac(key, payload))}"


def decode_cursor(query: SearchQuery, keys: Sequence[bytes]) -> list[Any] | int | None:
    """The entity offset or the ``search_after`` values of ``query.cursor`` (signed with one of
    ``keys``); InvalidSearchError when it is not ours."""
    if not query.cursor:
        return None
    encoded, dot, signature = query.cursor.partition(".")
    if not dot or len(query.cursor) > MAX_CURSOR_CHARS:
        raise InvalidSearchError("cursor is malformed")
    try:
        payload, mac = _unb64(encoded), _unb64(signature)
    except (binascii.Error, ValueError) as exc:
        raise InvalidSearchError("cursor is malformed") from exc
    if not any(hmac.compare_digest(mac, _mac(key, payload)) for key in keys):
        raise InvalidSearchError("cursor is not valid (damaged, forged or too old); start again without a cursor")
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise InvalidSearchError("cursor is malformed") from exc
    if not isinstance(data, dict) or data.get("v") != 3:
        raise InvalidSearchError("cursor is malformed")
    if data.get("h") != query_fingerprint(query):
        raise InvalidSearchError("cursor belongs to a different search; start again without a cursor")
    offset = data.get("o")
    if isinstance(offset, int) and not isinstance(offset, bool) and offset >= 0:
        return offset
    if not isinstance(data.get("a"), list):
        raise InvalidSearchError("cursor is malformed")
    after: list[Any] = data["a"]
    if len(after) != 2 or not all(isinstance(v, str | int | float) or v is None for v in after):
        raise InvalidSearchError("cursor is malformed")
    return after
