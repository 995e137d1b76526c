"""The errors of the composition root (the ``biocross`` command and its wiring)."""

from __future__ import annotations


class BiocrossError(Exception):
    """Root of the composition root's errors; the command reports one and exits non-zero."""


class LocalNodeError(BiocrossError):
    """Raised by the local node manager when the node cannot be fetched, started or stopped."""
