"""Signed links of usage requests: the email-verification link and the requester's private status link.

Each carries the submission id signed with the gateway secret (itsdangerous: HMAC over a timestamped
payload, a different salt per purpose, so one kind of link never works as the other); they cannot be
forged and they expire. Links signed with one of ``gateway.previous_secret_keys`` stay valid while
that key is listed, so a key can be rotated without breaking the links already mailed.
"""

from __future__ import annotations

from urllib.parse import quote

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from gateway.errors import InvalidLinkError
from schemas.settings import Settings

_VERIFY, _TRACK = "biocross-verify", "biocross-track"
_SAVED_CONFIRM, _SAVED_UNSUBSCRIBE = "biocross-saved-confirm", "biocross-saved-unsubscribe"
#: Unsubscribe links in digests keep working this long (a digest can sit in a mailbox for months).
UNSUBSCRIBE_SECONDS = 400 * 86400


class RequestLinks:
    """Signed links of usage requests (implements :class:`desk.notices.RequestLinks`)."""

    def __init__(self, settings: Settings) -> None:
        self.base = settings.gateway.public_url.rstrip("/")
        self.verify_seconds = settings.requests.verify_link_hours * 3600
        self.track_seconds = settings.requests.track_link_days * 86400
        # itsdangerous signs with the last key of the list and verifies with any of them.
        self.serializer = URLSafeTimedSerializer(list(reversed(settings.gateway.signing_keys())))

    def verify_token(self, submission_id: str) -> str:
        """Token of the email-verification link."""
        return self.serializer.dumps(submission_id, salt=_VERIFY)

    def track_token(self, submission_id: str) -> str:
        """Token of the requester's private status page."""
        return self.serializer.dumps(submission_id, salt=_TRACK)

    def verify_url(self, submission_id: str) -> str:
        """Absolute verification link."""
        return f"{self.base}/requests/verify/{self.verify_token(submission_id)}"

    def track_url(self, submission_id: str) -> str:
        """Absolute private status link."""
        return f"{self.base}/requests/track/{self.track_token(submission_id)}"

    def saved_confirm_token(self, saved_id: str) -> str:
        """Token of a saved search's confirmation link."""
        return self.serializer.dumps(saved_id, salt=_SAVED_CONFIRM)

    def saved_unsubscribe_token(self, saved_id: str) -> str:
        """Token of a saved search's unsubscribe link."""
        return self.serializer.dumps(saved_id, salt=_SAVED_UNSUBSCRIBE)

    def saved_confirm_url(self, saved_id: str) -> str:
        """Absolute confirmation link of a saved search."""
        return f"{self.base}/saved-searches/confirm/{self.saved_confirm_token(saved_id)}"

    def saved_unsubscribe_url(self, saved_id: str) -> str:
        """Absolute unsubscribe link of a saved search (also the RFC 8058 one-click POST target)."""
        return f"{self.base}/saved-searches/unsubscribe/{self.saved_unsubscribe_token(saved_id)}"

    def read_saved_confirm(self, token: str) -> str:
        """The saved-search id of a confirmation token (:class:`InvalidLinkError` if bad or expired)."""
        return self._read(token, _SAVED_CONFIRM, self.verify_seconds)

    def read_saved_unsubscribe(self, token: str) -> str:
        """The saved-search id of an unsubscribe token (:class:`InvalidLinkError` if bad or expired)."""
        return self._read(token, _SAVED_UNSUBSCRIBE, UNSUBSCRIBE_SECONDS)

    def portal_url(self, request_id: str) -> str:
        """Absolute portal link of a request."""
        return f"{self.base}/portal/requests/{quote(request_id, safe='')}"

    def _read(self, token: str, salt: str, max_age: int) -> str:
        try:
            value = self.serializer.loads(token, salt=salt, max_age=max_age)
        except SignatureExpired as exc:
            raise InvalidLinkError("this link has expired") from exc
        except BadSignature as exc:
            raise InvalidLinkError("this link is not valid") from exc
        if not isinstance(value, str):
            raise InvalidLinkError("this link is not valid")
        return value

    def read_verify(self, token: str) -> str:
        """The submission id of a verification token (:class:`InvalidLinkError` if bad or expired)."""
        return self._read(token, _VERIFY, self.verify_seconds)

    def read_track(self, token: str) -> str:
        """The submission id of a private-link token (:class:`InvalidLinkError` if bad or expired)."""
        return self._read(token, _TRACK, self.track_seconds)
