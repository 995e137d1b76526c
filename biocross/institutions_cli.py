"""``biocross institutions``: list, add and edit the member institutions (stored in Elasticsearch)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import typer
from pydantic import ValidationError

from biocross.clicontext import current_settings
from desk.admin_audit import AdminAuditLog
from desk.errors import RequestError
from desk.institutions import InstitutionStore
from indexer.client import make_client
from schemas.institution import Institution, InstitutionRegistry, InstitutionStatus
from schemas.settings import Settings

app = typer.Typer(help="Manage the consortium's member institutions.", no_args_is_help=True)
T = TypeVar("T")
CLI_ACTOR = "cli"


def _run(work: Callable[[InstitutionStore, AdminAuditLog], Awaitable[T]]) -> T:
    settings = current_settings()

    async def main() -> T:
        es = make_client(settings.es)
        try:
            store = InstitutionStore(es, settings.es.index_prefix)
            await store.load()
            return await work(store, AdminAuditLog(es, settings.es.index_prefix))
        finally:
            await es.close()

    try:
        return asyncio.run(main())
    except RequestError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from exc


def _validated(fields: Mapping[str, Any]) -> Institution:
    try:
        return Institution.model_validate(fields)
    except ValidationError as exc:
        for e in exc.errors():
            typer.secho(f"error: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}", fg="red", err=True)
        raise typer.Exit(2) from exc


def known_institutions(settings: Settings) -> InstitutionRegistry:
    """The institutions in Elasticsearch (seeded on first use), for checking adapter configs."""
    async def main() -> InstitutionRegistry:
        es = make_client(settings.es)
        try:
            return await InstitutionStore(es, settings.es.index_prefix).load()
        finally:
            await es.close()

    return asyncio.run(main())


@app.command("list")
def list_institutions() -> None:
    """Every institution: slug, state, contact address and names."""
    for i in _run(lambda store, _audit: store.list()):
        typer.echo(f"{i.slug:<18} {i.status.value:<7} {i.contact_email or '-':<30} {i.name_en} / {i.name_ja}")


@app.command("add")
def add(
    slug: str = typer.Argument(..., help="Stable short id (lower case, digits, - _), used in adapter configs."),
    name_ja: str = typer.Option(..., "--name-ja", help="Name in Japanese."),
    name_en: str = typer.Option(..., "--name-en", help="Name in English."),
    homepage: str = typer.Option(None, "--homepage", help="Public website."),
    contact_email: str = typer.Option(None, "--contact-email", help="Receives requests while no staff account is active."),
    mta_note_ja: str = typer.Option(None, "--mta-ja", help="Distribution conditions (Japanese)."),
    mta_note_en: str = typer.Option(None, "--mta-en", help="Distribution conditions (English)."),
    mta_url: str = typer.Option(None, "--mta-url", help="Link to the MTA or distribution terms."),
) -> None:
    """Add an institution."""
    institution = _validated({k: v for k, v in {
        "slug": slug, "name_ja": name_ja, "name_en": name_en, "homepage": homepage, "contact_email": contact_email,
        "mta_note_ja": mta_note_ja, "mta_note_en": mta_note_en, "mta_url": mta_url}.items() if v is not None})

    async def work(store: InstitutionStore, audit: AdminAuditLog) -> Institution:
        added = await store.add(institution)
        await audit.record(CLI_ACTOR, "institution.add", added.slug, added.name_en)
        return added

    typer.echo(f"added {_run(work).slug}")


@app.command("edit")
def edit(
    slug: str = typer.Argument(..., help="Institution to change."),
    name_ja: str = typer.Option(None, "--name-ja"), name_en: str = typer.Option(None, "--name-en"),
    homepage: str = typer.Option(None, "--homepage"), contact_email: str = typer.Option(None, "--contact-email"),
    mta_note_ja: str = typer.Option(None, "--mta-ja"), mta_note_en: str = typer.Option(None, "--mta-en"),
    mta_url: str = typer.Option(None, "--mta-url"),
    status: InstitutionStatus = typer.Option(None, "--status", help="active, or left (kept for history)."),
) -> None:
    """Change some fields of an institution (an empty string clears an optional field)."""
    changes = {k: (v or None) for k, v in {
        "name_ja": name_ja, "name_en": name_en, "homepage": homepage, "contact_email": contact_email,
        "mta_note_ja": mta_note_ja, "mta_note_en": mta_note_en, "mta_url": mta_url, "status": status}.items()
        if v is not None}

    async def work(store: InstitutionStore, audit: AdminAuditLog) -> Institution:
        current = await store.get(slug)
        updated = await store.update(_validated({**current.model_dump(), **changes}))
        await audit.record(CLI_ACTOR, "institution.edit", slug, ", ".join(sorted(changes)))
        return updated

    typer.echo(f"updated {_run(work).slug}")
