"""Field-level encryption of requesters' personal data in the stored request documents.

Names, email addresses, affiliations, positions, postal addresses, purposes, free-text messages and
comments, mail recipients and bodies are Fernet tokens (AES-128-CBC + HMAC-SHA256, from
``cryptography``) in Elasticsearch, written as ``"pd1:<token>"``; everything the services search,
sort or count on (ids, institution, status, dates, roles, actions, country) stays in clear. A
keyed hash (HMAC-SHA256) of the normalised email address sits beside the ciphertext as
``requester_email_hmac``, so one requester's requests can be found without decrypting anything.

The keys come from settings (:meth:`schemas.settings.Settings.personal_data_keys`): the first
encrypts, all decrypt (rotation). A value without the marker is read as it is, so documents written
before encryption stay readable and are sealed at their next write.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from desk.errors import PersonalDataKeyError

MARK = "pd1:"
#: Fields of the submission form that identify or describe the requester.
FORM_FIELDS = ("name", "email", "affiliation", "position", "purpose", "planned_use", "ethics_approval",
               "shipping_address", "message")
EMAIL_HASH_FIELD = "requester_email_hmac"


def normalise_email(email: str) -> str:
    """The form of an address its keyed hash is taken of."""
    return email.strip().lower()


class PersonalDataCipher:
    """Seals and opens the personal fields of a request document (a ``UsageRequest`` dumped as JSON)."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise PersonalDataKeyError("no key for personal data")
        self._fernet = MultiFernet([Fernet(base64.urlsafe_b64encode(k)) for k in keys])
        self._hash_key = hmac.new(keys[0], b"biocross\0email-lookup", hashlib.sha256).digest()

    def email_digest(self, email: str) -> str:
        """The keyed hash stored beside an encrypted address (for lookups by address)."""
        return hmac.new(self._hash_key, normalise_email(email).encode(), hashlib.sha256).hexdigest()

    def encrypt(self, value: str) -> str:
        """One value sealed (the empty string stays empty: nothing to hide, and it keeps forms simple)."""
        if not value or value.startswith(MARK):
            return value
        return MARK + self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, value: str) -> str:
        """One value opened (a value without the marker is returned as it is)."""
        if not isinstance(value, str) or not value.startswith(MARK):
            return value
        try:
            return self._fernet.decrypt(value[len(MARK):].encode()).decode()
        except InvalidToken as exc:
            raise PersonalDataKeyError("personal data sealed with a key that is not configured") from exc

    def _walk(self, doc: dict[str, Any], apply: Callable[[str], str]) -> dict[str, Any]:
        out = dict(doc)
        requester = dict(out.get("requester") or {})
        for name in FORM_FIELDS:
            if isinstance(requester.get(name), str):
                requester[name] = apply(requester[name])
        out["requester"] = requester
        out["events"] = [{**e, "comment": apply(e.get("comment", "")),
                          "actor": apply(e["actor"]) if e.get("role") == "requester" else e.get("actor")}
                         for e in out.get("events", [])]
        out["messages"] = [{**m, "body": apply(m.get("body", "")),
                            "author": apply(m["author"]) if m.get("role") == "requester" else m.get("author")}
                           for m in out.get("messages", [])]
        out["outbox"] = [{**m, "to": [apply(t) for t in m.get("to", [])], "subject": apply(m.get("subject", "")),
                          "body": apply(m.get("body", ""))} for m in out.get("outbox", [])]
        return out

    def seal(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The document as stored: personal fields encrypted, the address's keyed hash beside them."""
        email = (doc.get("requester") or {}).get("email", "")
        sealed = self._walk(doc, self.encrypt)
        erased = doc.get("anonymised_at") is not None
        sealed[EMAIL_HASH_FIELD] = "" if erased or not email else self.email_digest(email)
        return sealed

    def open(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The document as the services use it (without the keyed hash)."""
        opened = self._walk(doc, self.decrypt)
        opened.pop(EMAIL_HASH_FIELD, None)
        return opened
