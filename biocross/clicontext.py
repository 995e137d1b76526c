"""The settings of one ``biocross`` command: built once, when the command starts, and shared by its parts."""

from __future__ import annotations

import click

from schemas.settings import Settings


def current_settings() -> Settings:
    """This command's settings: built on first use and kept on the root click context (no global)."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    if root is not None and isinstance(root.obj, Settings):
        return root.obj
    settings = Settings()
    if root is not None:
        root.obj = settings
    return settings
