"""Index names and mappings of usage requests and accounts, and their creation.

Only the fields the services search or sort on are mapped (``dynamic: false``); the history,
thread and outbox stay in ``_source`` as written. Personal data is ciphertext
(:mod:`desk.sealing`) and not mapped; ``requester_email_hmac`` finds a requester.
"""

from __future__ import annotations

from typing import Any

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
                   "invited": {"type": "boolean"}, "created_at": _DATE, "expires_at": _DATE},
}


AUDIT_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {"at": _DATE, "action": _KW, "actor": _KW, "subject": _KW, "requests": _KW,
                   "saved_searches": _KW},
}
