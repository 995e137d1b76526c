"""Every index and alias name biocross uses, in one place (resources, system indices, usage
requests, accounts, audit log and usage events).

Resources live in one index per source and generation, ``{prefix}-resources-v{mapping}-{source}-{generation}``,
all behind the read alias ``{prefix}-resources``. A full harvest of one source builds a new generation
and swaps only that source's index in the alias, so sources are re-harvested independently and readers
never see a half-built catalog.
"""

from __future__ import annotations

from collections.abc import Callable

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


def resources_template(prefix: str) -> str:
    """The index template every resources generation of the current mapping version is created from."""
    return f"{prefix}-resources-v{RESOURCES_MAPPING_VERSION}"


def resources_template_pattern(prefix: str) -> str:
    """The index pattern of that template (every generation of the current mapping version)."""
    return f"{resources_template(prefix)}-*"


def system_index(prefix: str, name: str) -> str:
    """A system index (``indexer.mappings.system.SYSTEM_INDICES`` has their mappings), e.g. ``harvest-runs``."""
    return f"{prefix}-{name}"


def _named(suffix: str, holds: str) -> Callable[[str], str]:
    def name(prefix: str) -> str:
        return system_index(prefix, suffix)

    name.__doc__ = holds
    return name


# The harvest's bookkeeping (mappings in indexer.mappings.system), then the indices of the request desk, the
# usage statistics and the administration (one line each).
harvest_runs_index = _named("harvest-runs", "Every harvest run's record (``schemas.harvest.RunRecord``).")
quarantine_index = _named("quarantine", "Rejected records with their reasons and payloads.")
harvest_state_index = _named("harvest-state", "Each source's checkpoint, in-flight run and lifecycle.")
locks_index = _named("locks", "Leases of the scheduler (one harvest of a source at a time).")
requests_index = _named("requests", "Usage requests (one document per institution's part of a submission).")
accounts_index = _named("accounts", "Staff accounts, their sessions and API tokens.")
audit_index = _named("audit", "The audit log of administrators' actions on personal data.")
usage_index = _named("usage-events", "Anonymous usage events (searches, views).")
institutions_index = _named("institutions", "The member institutions (seeded from ``schemas/institutions.toml``, managed by administrators).")
admin_audit_index = _named("admin-audit", "The audit log of administrators' actions on accounts, institutions and webhooks.")
mail_queue_index = _named("mail-queue", "Mails that belong to no usage request (invitations, resets, alerts), waiting or sent.")
harvest_alerts_index = _named("harvest-alerts", "Harvest runs already reported to their institution (one document per run id).")
webhooks_index = _named("webhooks", "Webhook endpoints the administrators registered, and every delivery to them.")
saved_searches_index = _named("saved-searches", "Researchers' saved searches (digest mails of new matches).")
