"""Errors of the usage-request services, grouped by what the caller should do.

The gateway maps each to HTTP in its one problem table; messages are written for the client.
"""

from __future__ import annotations

from indexer.errors import IndexerError, NotFoundError


class RequestError(IndexerError):
    """Root of the usage-request errors."""


class RequestNotFoundError(NotFoundError, RequestError):
    """No such request, or not one the caller may see (staff of another institution get this too,
    so they cannot learn that it exists). Do not retry (404)."""


class ContentionError(RequestError):
    """A document kept changing under every attempt of a read-modify-write (raised by the stores after
    their last attempt). Retriable later; the gateway answers 500 and logs it."""


class ActionNotPermittedError(RequestError):
    """The caller's role may not take this action. Raised by the service; do not retry (403)."""


class ConflictError(RequestError):
    """The request is no longer in a state that allows the action: someone else changed it first,
    or the action does not apply to its current state. Reload and decide again (409)."""


class StaleRevisionError(ConflictError):
    """The request changed since the caller loaded it (another staff member or the requester acted).
    Raised when the revision the caller saw is not the current one (409)."""


class CommentRequiredError(RequestError):
    """The action needs a comment (asking for information, answering, rejecting). Fix the input (400)."""


class SubmissionError(RequestError):
    """The submission cannot be made as is (empty cart, withdrawn resource). Fix the input (400)."""


class AccountError(RequestError):
    """Root of the staff-account errors."""


class AuthenticationError(AccountError):
    """Wrong user name or password, a disabled account, or an unknown, revoked or expired token or
    session. The same message for every case, so it reveals nothing (401)."""


class AccountExistsError(AccountError):
    """An account with this user name exists already. Raised by the CLI path; choose another name."""


class AccountNotFoundError(AccountError):
    """No account with this user name. Raised by the CLI path."""


class PersonalDataKeyError(RequestError):
    """Personal data cannot be sealed or opened: no key configured, or a document sealed with a key
    that is no longer configured. Fatal for the operation; configure ``requests.data_key`` (and keep
    old keys in ``requests.previous_data_keys``) — raised by :mod:`desk.sealing`."""


class DeliveryError(RequestError):
    """A mail could not be handed to the SMTP server now. Retriable: the outbox keeps it and the
    mailer tries again later with backoff. Raised by the mailer's send function."""


class InstitutionExistsError(RequestError):
    """An institution with this slug exists already. Raised by the institution store; choose another slug (409)."""


class InstitutionNotFoundError(NotFoundError, RequestError):
    """No institution with this slug. Raised by the institution store (404)."""


class InvitationError(AccountError):
    """An invitation or password-reset link is unknown, used or expired. Ask for a new one (400)."""
