"""``biocross sources``: retire a source, rename one without duplicate holdings, tidy leftovers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import typer

from biocross import exitcodes
from biocross.clicontext import current_settings
from schemas.settings import Settings

app = typer.Typer(help="Harvest sources: retire, rename, reinstate, clean up.", no_args_is_help=True)
T = TypeVar("T")


def _with_es(work: Callable[[Any, str, Settings], Awaitable[T]]) -> T:
    from indexer.client import make_client
    from indexer.sources import SourceStateError

    settings = current_settings()

    async def main() -> T:
        es = make_client(settings.es)
        try:
            return await work(es, settings.es.index_prefix, settings)
        except SourceStateError as exc:
            typer.secho(f"error: {exc}", fg="red", err=True)
            raise typer.Exit(exitcodes.CONFIG) from exc
        finally:
            await es.close()

    return asyncio.run(main())


@app.command("retire")
def retire(name: str = typer.Argument(..., help="The source (adapter name) to retire.")) -> None:
    """Withdraw every record of a source (kept as withdrawn, with history) and refuse its harvests."""
    from indexer.sources import retire_source

    run = _with_es(lambda es, prefix, settings: retire_source(
        es, prefix, name, protect_days=settings.harvest.protect_viewed_days))
    typer.echo(f"{name}: retired, {run['withdrawn']:,} record(s) withdrawn (run {run['run_id']})")
    for item in run.get("protected") or []:
        typer.secho(f"  in use: {item['id']}: {item['reason']}", fg="yellow")
    typer.echo(f"  remove [adapters.{name}] from adapters.toml; `biocross sources reinstate {name}` undoes the refusal")


@app.command("rename")
def rename(old: str = typer.Argument(..., help="The source's current name."),
           new: str = typer.Argument(..., help="Its new name (as in adapters.toml).")) -> None:
    """Move a source's published records to a new adapter name: one holding per record afterwards."""
    from indexer.sources import rename_source

    run = _with_es(lambda es, prefix, _settings: rename_source(es, prefix, old, new))
    typer.echo(f"{old} → {new}: {run['indexed']:,} record(s) moved, {run['withdrawn']:,} withdrawn "
               f"(run {run['run_id']}); harvest `{new}` from now on")


@app.command("reinstate")
def reinstate(name: str = typer.Argument(..., help="A retired source.")) -> None:
    """Allow harvests of a retired source again."""
    from indexer.sources import reinstate_source

    _with_es(lambda es, prefix, _settings: reinstate_source(es, prefix, name))
    typer.echo(f"{name}: harvests allowed again; its next full harvest republishes what it holds")


@app.command("cleanup")
def cleanup(name: str = typer.Argument(..., help="The source to tidy up.")) -> None:
    """Close abandoned `running` runs and drop generations nothing needs (every run does this too)."""
    from indexer.runs import cleanup_generations, close_stale_runs
    from indexer.store import HarvestStore

    async def work(es: Any, prefix: str, settings: Settings) -> tuple[list[str], list[str]]:
        stale = timedelta(minutes=settings.harvest.stale_run_minutes)
        closed = await close_stale_runs(HarvestStore(es, prefix), name, stale_after=stale)
        return closed, await cleanup_generations(es, prefix, name, stale_after=stale)

    closed, dropped = _with_es(work)
    typer.echo(f"{name}: {len(closed)} abandoned run(s) closed, {len(dropped)} generation(s) dropped")
