"""Every index and alias name biocross uses, in one place (resources, system indices, usage
requests, accounts, audit log and usage events).

Resources live in one index per source and generation, ``{prefix}-resources-v{mapping}-{source}-{generation}``,
all behind the read alias ``{prefix}-resources``. A full harvest of one source builds a new generation
and swaps only that source's index in the alias, so sources are re-harvested independently and readers
never see a half-built catalog.
"""

from __future__ import annotations

from indexer.mappings.resources import RESOURCES_MAPPING_VERSION


def resources_alias(prefix: str) -> str:
    """The read alias over every source's live generation."""
    return f"{prefix}-resources"


def source_alias(prefix: str, source: str) -> str:
    """Alias naming one source's live generation (for incremental writes)."""
    return f"{prefix}-resources-src-{source}"


def resources_index(prefix: str, source: str, generation: str) -> str:
    """A generation index of one source."""
    return f"{prefix}-resources-v{RESOURCES_MAPPING_VERSION}-{source}-g{generation}"


def resources_index_pattern(prefix: str, source: str | None = None) -> str:
    """Pattern matching every generation (of one source, or of all)."""
    return f"{prefix}-resources-v*-{source}-g*" if source else f"{prefix}-resources-v*"


def requests_index(prefix: str) -> str:
    """Usage requests (one document per institution's part of a submission)."""
    return f"{prefix}-requests"


def accounts_index(prefix: str) -> str:
    """Staff accounts, their sessions and API tokens."""
    return f"{prefix}-accounts"


def audit_index(prefix: str) -> str:
    """The audit log of administrators' actions on personal data."""
    return f"{prefix}-audit"


def usage_index(prefix: str) -> str:
    """Anonymous usage events (searches, views)."""
    return f"{prefix}-usage-events"


def institutions_index(prefix: str) -> str:
    """The member institutions (seeded from ``schemas/institutions.toml``, managed by administrators)."""
    return f"{prefix}-institutions"



def admin_audit_index(prefix: str) -> str:
    """The audit log of administrators' actions on accounts, institutions and webhooks."""
    return f"{prefix}-admin-audit"


def mail_queue_index(prefix: str) -> str:
    """Mails that belong to no usage request (invitations, resets, alerts), waiting or sent."""
    return f"{prefix}-mail-queue"


def harvest_alerts_index(prefix: str) -> str:
    """Harvest runs already reported to their institution (one document per run id)."""
    return f"{prefix}-harvest-alerts"


def webhooks_index(prefix: str) -> str:
    """Webhook endpoints the administrators registered, and every delivery to them."""
    return f"{prefix}-webhooks"


def saved_searches_index(prefix: str) -> str:
    """Researchers' saved searches (digest mails of new matches)."""
    return f"{prefix}-saved-searches"
