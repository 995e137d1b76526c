"""The root of the errors ``schemas`` raises."""

from __future__ import annotations


class SchemaError(Exception):
    """Root of the schemas package's errors."""


class VocabularyError(SchemaError):
    """A controlled vocabulary's data is incomplete (raised at import: a packaging bug, fix labels.toml)."""
