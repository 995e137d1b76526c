"""Staff accounts, their API tokens and login sessions (stored in ``{prefix}-accounts``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"


class StaffRole(StrEnum):
    """What a staff account may do."""

    STAFF = "staff"  # one or more institutions' requests
    ADMIN = "admin"  # the consortium: everything


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Account(_Model):
    """A staff member (institution staff or consortium administrator)."""

    username: str = Field(pattern=USERNAME_PATTERN, description="Login name.")
    email: str = Field(description="Where notifications and reminders go.")
    display_name: str = Field("", description="Name shown in histories and threads.")
    role: StaffRole = Field(description="staff or admin.")
    institutions: list[str] = Field(default_factory=list, description="Institutions a staff member handles.")
    language: str = Field("ja", description="Preferred UI and mail language.")
    password_hash: str = Field(description="argon2id hash (empty until an invited user sets a password).")
    invited: bool = Field(False, description="Invited and no password set yet: cannot log in, gets no mail.")
    disabled: bool = Field(False, description="Disabled accounts cannot log in or use tokens.")
    failed_logins: int = Field(0, description="Consecutive failed logins.")
    locked_until: datetime | None = Field(None, description="No login before this time.")
    created_at: datetime = Field(description="Creation time.")

    def can_see(self, institution: str) -> bool:
        """Whether this account may see requests of ``institution``."""
        return self.role is StaffRole.ADMIN or institution in self.institutions


class ApiTokenRecord(_Model):
    """An API token of an account, for an institution's own systems. Only a hash is stored."""

    token_id: str = Field(description="Public part of the token.")
    username: str = Field(description="Owner; the token acts with the owner's role and scope.")
    name: str = Field(description="What the token is for.")
    secret_sha256: str = Field(description="SHA-256 of the secret part (the secret is random, 256 bits).")
    created_at: datetime = Field(description="Creation time.")
    revoked: bool = Field(False, description="Revoked tokens are refused.")


class StaffSession(_Model):
    """A login session; the cookie holds a random token whose SHA-256 is the document id."""

    username: str = Field(description="Who is logged in.")
    created_at: datetime = Field(description="Login time.")
    expires_at: datetime = Field(description="End of the session.")


class LinkPurpose(StrEnum):
    """What a single-use account link is for."""

    INVITE = "invite"  # set the first password
    RESET = "reset"  # set a new password


class AccountLink(_Model):
    """A single-use, expiring invitation or password-reset link; the id is the SHA-256 of its secret."""

    username: str = Field(description="Account the link sets a password for.")
    purpose: LinkPurpose = Field(description="invite or reset.")
    created_at: datetime = Field(description="When the link was made.")
    expires_at: datetime = Field(description="The link does nothing after this time.")
