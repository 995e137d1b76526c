"""Index names and mappings of usage requests and accounts, and their creation.

Only the fields the services search or sort on are mapped (``dynamic: false``); the history,
thread and outbox stay in ``_source`` as written. Personal data is ciphertext
(:mod:`indexer.requests.sealing`) and not mapped; ``requester_email_hmac`` finds a requester.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError

_KW = {"type": "keyword"}
_DATE = {"type": "date"}

REQUESTS_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "id": _KW, "submission_id": _KW, "institution": _KW, "status": _KW, "status_since": _DATE,
        "created_at": _DATE, "updated_at": _DATE, "has_pending_mail": {"type": "boolean"},
        "requester_email_hmac": _KW, "anonymised_at": _DATE,
        "requester": {"properties": {"country": _KW}},
    },
}

ACCOUNTS_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {"kind": _KW, "username": _KW, "role": _KW, "institutions": _KW, "disabled": {"type": "boolean"},
                   "created_at": _DATE, "expires_at": _DATE},
}


AUDIT_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {"at": _DATE, "action": _KW, "actor": _KW, "subject": _KW, "requests": _KW},
}


def audit_index(prefix: str) -> str:
    """Audit trail of exports and erasures of personal data."""
    return f"{prefix}-audit"


def requests_index(prefix: str) -> str:
    """The usage-requests index."""
    return f"{prefix}-requests"


def accounts_index(prefix: str) -> str:
    """The staff accounts index (accounts, API tokens and login sessions, told apart by ``kind``)."""
    return f"{prefix}-accounts"


async def ensure_index(es: AsyncElasticsearch, index: str, mapping: dict[str, Any]) -> None:
    """Create ``index`` with ``mapping`` unless it exists (safe when several processes race)."""
    if await es.indices.exists(index=index):
        return
    try:
        await es.indices.create(index=index, mappings=mapping, settings={"number_of_shards": 1, "auto_expand_replicas": "0-1"})
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise
