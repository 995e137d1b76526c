"""Staff accounts, login sessions and API tokens in ``{prefix}-accounts``.

Passwords are argon2id hashes (argon2-cffi). An unknown user name costs the same argon2 verify
(against a dummy hash) as a known one, and nothing is written on a failed login, so neither the
answer nor its timing tells which names exist. Accounts are never locked by failures (an anonymous
visitor could lock out anybody); the gateway slows guessing down per address and per account
instead (:mod:`gateway.throttle`).
Session cookies and API tokens are random secrets of which only a SHA-256 is stored. They, like
accounts, are read by id (real-time), so only writes that a search must see wait for a refresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from elasticsearch import AsyncElasticsearch
from elasticsearch import ConflictError as EsConflictError
from elasticsearch import NotFoundError as EsNotFoundError

from desk.errors import (
    AccountExistsError,
    AccountNotFoundError,
    AuthenticationError,
    InvitationError,
)
from desk.mappings import ACCOUNTS_MAPPING
from indexer.indices import ensure_index
from indexer.names import accounts_index
from schemas.accounts import Account, AccountLink, ApiTokenRecord, LinkPurpose, StaffRole, StaffSession

TOKEN_PREFIX = "bxt_"
_BAD = "wrong user name or password"


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class AccountStore:
    """Accounts, sessions and tokens. One per application (holds the password hasher)."""

    def __init__(self, es: AsyncElasticsearch, prefix: str, hasher: PasswordHasher | None = None) -> None:
        self.es = es
        self.index = accounts_index(prefix)
        self.hasher = hasher or PasswordHasher()
        self._ready = False
        self._dummy_hash: str | None = None

    async def ensure(self) -> None:
        """Create the index on first use."""
        if not self._ready:
            await ensure_index(self.es, self.index, ACCOUNTS_MAPPING)
            self._ready = True

    async def _get(self, doc_id: str) -> dict[str, Any] | None:
        await self.ensure()
        try:
            return dict((await self.es.get(index=self.index, id=doc_id)).body)
        except EsNotFoundError:
            return None

    async def add(self, username: str, email: str, role: StaffRole, password: str, *,
                  institutions: list[str] | None = None, display_name: str = "", language: str = "ja") -> Account:
        """Create an account; :class:`AccountExistsError` if the name is taken."""
        password_hash = await asyncio.to_thread(self.hasher.hash, password)
        account = Account(username=username, email=email, role=role, institutions=institutions or [],
                          display_name=display_name or username, language=language, password_hash=password_hash,
                          created_at=_now())
        await self.ensure()
        try:
            await self.es.create(index=self.index, id=f"user:{username}", refresh="wait_for",
                                 document={"kind": "user", **account.model_dump(mode="json")})
        except EsConflictError as exc:
            raise AccountExistsError(f"account {username!r} exists already") from exc
        return account

    async def get(self, username: str) -> Account | None:
        """The account named ``username``, if any."""
        doc = await self._get(f"user:{username}")
        return Account.model_validate({k: v for k, v in doc["_source"].items() if k != "kind"}) if doc else None

    async def list_accounts(self) -> list[Account]:
        """Every account, by user name."""
        await self.ensure()
        resp = await self.es.search(index=self.index, query={"term": {"kind": "user"}}, size=1000,
                                    sort=[{"username": "asc"}])
        return [Account.model_validate({k: v for k, v in h["_source"].items() if k != "kind"})
                for h in resp["hits"]["hits"]]

    async def _update(self, username: str, **fields: Any) -> Account:
        doc = await self._get(f"user:{username}")
        if doc is None:
            raise AccountNotFoundError(f"no account {username!r}")
        source = {**doc["_source"], **fields}
        await self.es.index(index=self.index, id=f"user:{username}", document=source, refresh="wait_for",
                            if_seq_no=doc["_seq_no"], if_primary_term=doc["_primary_term"])
        return Account.model_validate({k: v for k, v in source.items() if k != "kind"})

    async def set_disabled(self, username: str, disabled: bool = True) -> Account:
        """Disable (or re-enable) an account; its sessions and tokens stop working at once."""
        return await self._update(username, disabled=disabled)

    async def set_password(self, username: str, password: str) -> Account:
        """Give an account a new password (hashed here)."""
        password_hash = await asyncio.to_thread(self.hasher.hash, password)
        return await self._update(username, password_hash=password_hash)

    async def _active_emails(self, *filters: dict[str, Any]) -> list[str]:
        await self.ensure()
        resp = await self.es.search(index=self.index, size=200, query={"bool": {
            "filter": [{"term": {"kind": "user"}}, {"term": {"disabled": False}}, *filters],
            "must_not": [{"term": {"invited": True}}]}})
        return sorted({h["_source"]["email"] for h in resp["hits"]["hits"]})

    async def staff_emails(self, institution: str) -> list[str]:
        """Addresses of the active staff handling ``institution`` (not disabled, invitation accepted)."""
        return await self._active_emails({"term": {"role": "staff"}}, {"term": {"institutions": institution}})

    async def admin_emails(self) -> list[str]:
        """Addresses of the active administrators."""
        return await self._active_emails({"term": {"role": "admin"}})

    async def invite(self, username: str, email: str, role: StaffRole, *, institutions: list[str] | None = None,
                     display_name: str = "", language: str = "ja", hours: int = 72) -> tuple[Account, str]:
        """Create an account without a password and a single-use invitation link secret for it."""
        account = Account(username=username, email=email, role=role, institutions=institutions or [],
                          display_name=display_name or username, language=language, password_hash="",
                          invited=True, created_at=_now())
        await self.ensure()
        try:
            await self.es.create(index=self.index, id=f"user:{username}", refresh="wait_for",
                                 document={"kind": "user", **account.model_dump(mode="json")})
        except EsConflictError as exc:
            raise AccountExistsError(f"account {username!r} exists already") from exc
        return account, await self.create_link(username, LinkPurpose.INVITE, hours)

    async def update(self, username: str, *, role: StaffRole, institutions: list[str], email: str) -> Account:
        """Change an account's role, institutions and address."""
        return await self._update(username, role=role.value, institutions=institutions, email=email)

    async def create_link(self, username: str, purpose: LinkPurpose, hours: int) -> str:
        """A new single-use link secret (only its SHA-256 is stored)."""
        secret = secrets.token_urlsafe(32)
        now = _now()
        link = AccountLink(username=username, purpose=purpose, created_at=now, expires_at=now + timedelta(hours=hours))
        await self.ensure()
        await self.es.index(index=self.index, id=f"link:{_sha256(secret)}",
                            document={"kind": "link", **link.model_dump(mode="json")})
        return secret

    async def reset_link(self, email_or_username: str, hours: int = 2) -> tuple[Account, str] | None:
        """A password-reset link for the active account with this user name or address (None if none;
        the caller answers the same either way)."""
        wanted = email_or_username.strip().lower()
        account = next((a for a in await self.list_accounts()
                        if not a.disabled and not a.invited and wanted in (a.username, a.email.lower())), None)
        if account is None:
            return None
        return account, await self.create_link(account.username, LinkPurpose.RESET, hours)

    async def peek_link(self, secret: str) -> AccountLink:
        """The live link of ``secret`` without using it; :class:`InvitationError` if it is not valid."""
        doc = await self._get(f"link:{_sha256(secret)}")
        if doc is None:
            raise InvitationError("this link is not valid or was used already; ask for a new one")
        link = AccountLink.model_validate({k: v for k, v in doc["_source"].items() if k != "kind"})
        if link.expires_at <= _now():
            raise InvitationError("this link has expired; ask for a new one")
        return link

    async def redeem_link(self, secret: str, password: str) -> Account:
        """Use a link once: set the password and end the invitation. A second use fails."""
        link = await self.peek_link(secret)
        doc = await self._get(f"link:{_sha256(secret)}")
        if doc is None:
            raise InvitationError("this link is not valid or was used already; ask for a new one")
        try:  # deleting first, conditionally, makes the link single-use even under concurrent posts
            await self.es.delete(index=self.index, id=f"link:{_sha256(secret)}", refresh="wait_for",
                                 if_seq_no=doc["_seq_no"], if_primary_term=doc["_primary_term"])
        except (EsConflictError, EsNotFoundError) as exc:
            raise InvitationError("this link was used already; ask for a new one") from exc
        account = await self.get(link.username)
        if account is None or account.disabled:
            raise InvitationError("the account is disabled; ask an administrator")
        password_hash = await asyncio.to_thread(self.hasher.hash, password)
        return await self._update(link.username, password_hash=password_hash, invited=False)

    async def change_password(self, username: str, current: str, new: str) -> Account:
        """A logged-in user's own change; the current password must be right."""
        await self.authenticate(username, current)
        return await self.set_password(username, new)

    async def authenticate(self, username: str, password: str) -> Account:
        """The account, if the password is right and the account usable; else
        :class:`AuthenticationError`, the same for an unknown name, a wrong password and a disabled
        account (each costs one argon2 verify)."""
        doc = await self._get(f"user:{username}")
        if doc is None:
            await asyncio.to_thread(self._verify, await self._dummy(), password)  # same cost either way
            raise AuthenticationError(_BAD)
        account = Account.model_validate({k: v for k, v in doc["_source"].items() if k != "kind"})
        stored = account.password_hash or await self._dummy()  # an invitation not yet accepted costs the same
        ok = await asyncio.to_thread(self._verify, stored, password) and bool(account.password_hash)
        if not ok or account.disabled:
            raise AuthenticationError(_BAD)
        if self.hasher.check_needs_rehash(account.password_hash):
            new_hash = await asyncio.to_thread(self.hasher.hash, password)
            with contextlib.suppress(EsConflictError):  # changed meanwhile: the next login rehashes
                await self.es.index(index=self.index, id=f"user:{username}",
                                    document={**doc["_source"], "password_hash": new_hash},
                                    if_seq_no=doc["_seq_no"], if_primary_term=doc["_primary_term"])
        return account

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await asyncio.to_thread(self.hasher.hash, secrets.token_urlsafe(16))
        return self._dummy_hash

    async def _active(self, username: str) -> Account:
        account = await self.get(username)
        if account is None or account.disabled:
            raise AuthenticationError("the account no longer exists or is disabled")
        return account

    async def create_session(self, username: str, hours: int) -> str:
        """A new login session; returns the cookie value (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        now = _now()
        session = StaffSession(username=username, created_at=now, expires_at=now + timedelta(hours=hours))
        await self.es.index(index=self.index, id=f"session:{_sha256(token)}",
                            document={"kind": "session", **session.model_dump(mode="json")})
        return token

    async def session_account(self, token: str) -> Account:
        """The account of a live session; :class:`AuthenticationError` otherwise."""
        doc = await self._get(f"session:{_sha256(token)}")
        if doc is None:
            raise AuthenticationError("not logged in")
        session = StaffSession.model_validate({k: v for k, v in doc["_source"].items() if k != "kind"})
        if session.expires_at <= _now():
            raise AuthenticationError("the session expired; log in again")
        return await self._active(session.username)

    async def end_session(self, token: str) -> None:
        """Log out: the session document is deleted."""
        await self.ensure()
        await self.es.options(ignore_status=404).delete(index=self.index, id=f"session:{_sha256(token)}")

    async def create_token(self, username: str, name: str) -> str:
        """A new API token acting as ``username``; the full token is returned once, never stored."""
        await self._active(username)
        token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        record = ApiTokenRecord(token_id=token_id, username=username, name=name, secret_sha256=_sha256(secret),
                                created_at=_now())
        await self.es.index(index=self.index, id=f"token:{token_id}",
                            document={"kind": "token", **record.model_dump(mode="json")})
        return f"{TOKEN_PREFIX}{token_id}.{secret}"

    async def token_account(self, token: str) -> Account:
        """The account an API token acts as; :class:`AuthenticationError` if it is not valid."""
        token_id, _, secret = token.removeprefix(TOKEN_PREFIX).partition(".")
        if not token.startswith(TOKEN_PREFIX) or not token_id.isalnum() or not secret:
            raise AuthenticationError("invalid API token")
        doc = await self._get(f"token:{token_id}")
        if doc is None:
            raise AuthenticationError("invalid API token")
        record = ApiTokenRecord.model_validate({k: v for k, v in doc["_source"].items() if k != "kind"})
        if record.revoked or not hmac.compare_digest(record.secret_sha256, _sha256(secret)):
            raise AuthenticationError("invalid API token")
        return await self._active(record.username)
