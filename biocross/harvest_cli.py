"""``biocross harvest``: harvest the configured sources into Elasticsearch, with live progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from biocross import exitcodes
from biocross.clicontext import current_settings
from schemas.harvest import RunRecord
from schemas.settings import Settings


def load_specs(settings: Settings, config: Path | None, names: list[str]) -> tuple[Any, list[Any], Path]:
    """The registry, the chosen sources of the adapters file and its path; exits CONFIG on any problem."""
    from adapters.config import load_adapters_file
    from adapters.errors import AdapterConfigError
    from adapters.registry import load_registry
    from biocross.harvest import SourceSpec

    path = config or settings.harvest.adapters_file or Path("adapters.toml")
    registry = load_registry()
    try:
        configs = load_adapters_file(path, registry)
    except AdapterConfigError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        for problem in getattr(exc, "problems", []) or []:
            typer.secho(f"  - {problem}", fg="red", err=True)
        raise typer.Exit(exitcodes.CONFIG) from exc
    from biocross.institutions_cli import known_institutions

    known = known_institutions(settings)
    strangers = sorted(f"adapters.{n}.institution: unknown institution {c.institution!r}"
                       for n, c in configs.items() if c.institution not in known)
    if strangers:  # an adapter must name a registered institution (biocross institutions add)
        typer.secho(f"error: {path} names institutions that are not registered", fg="red", err=True)
        for problem in strangers:
            typer.secho(f"  - {problem}", fg="red", err=True)
        raise typer.Exit(exitcodes.CONFIG)
    unknown = [n for n in names if n not in configs]
    if unknown:
        typer.secho(f"error: not configured in {path}: {', '.join(unknown)} (known: {', '.join(configs)})", fg="red", err=True)
        raise typer.Exit(exitcodes.CONFIG)
    chosen = [SourceSpec(n, c) for n, c in configs.items() if (n in names if names else c.enabled)]
    return registry, chosen, path


def harvest(
    adapters: list[str] = typer.Argument(None, help="Adapters to harvest (default: every enabled one)."),
    full: bool = typer.Option(False, "--full", help="Full harvest: build and publish a new generation."),
    incremental: bool = typer.Option(False, "--incremental", help="Only changes since the last checkpoint."),
    accept: str = typer.Option(None, "--accept", metavar="RUN_ID", help="Publish a run the safety valve held."),
    config: Path = typer.Option(None, "--config", help="adapters.toml (default: settings, then ./adapters.toml)."),
) -> None:
    """Harvest adapters into Elasticsearch, concurrently, with live progress (exit codes: biocross.exitcodes)."""
    import asyncio
    from datetime import timedelta

    from biocross.harvest import ConsoleProgress, harvest_all, harvest_in_processes
    from indexer.client import make_client
    from indexer.errors import RunNotFoundError
    from indexer.runs import AcceptRefusedError, accept_run
    from schemas.harvest import HarvestMode

    if full and incremental:
        typer.secho("error: choose --full or --incremental", fg="red", err=True)
        raise typer.Exit(exitcodes.CONFIG)
    settings = current_settings()

    async def run_accept() -> None:
        es = make_client(settings.es)
        try:
            run = await accept_run(es, settings.es.index_prefix, accept,
                                   max_age=timedelta(hours=settings.harvest.held_run_ttl_hours))
        except AcceptRefusedError as exc:
            typer.secho(f"refused: {exc}", fg="red", err=True)
            raise typer.Exit(exitcodes.REVIEW) from exc
        except RunNotFoundError as exc:
            typer.secho(f"error: {exc}", fg="red", err=True)
            raise typer.Exit(exitcodes.CONFIG) from exc
        finally:
            await es.close()
        typer.echo(f"published {run['index']} for {run['source']} (run {accept})")

    if accept:
        asyncio.run(run_accept())
        return
    registry, specs, path = load_specs(settings, config, adapters or [])
    mode = HarvestMode.INCREMENTAL if incremental else HarvestMode.FULL

    async def run_all() -> list[RunRecord]:
        if settings.harvest.workers > 1 and len(specs) > 1:
            with ConsoleProgress([s.name for s in specs]) as progress:
                return await harvest_in_processes(settings, path.read_text(encoding="utf-8"), [s.name for s in specs],
                                                  mode, workers=settings.harvest.workers, progress=progress,
                                                  origin=str(path))
        es = make_client(settings.es)
        try:
            with ConsoleProgress([s.name for s in specs]) as progress:
                return await harvest_all(es, settings.es.index_prefix, registry, specs, mode,
                                         concurrency=settings.harvest.concurrency, chunk_size=settings.harvest.bulk_chunk,
                                         safety_valve=settings.harvest.safety_valve, progress=progress,
                                         policy=settings.harvest)
        finally:
            await es.close()

    runs = asyncio.run(run_all())
    for run in runs:
        colour = "green" if run["outcome"] in ("published", "updated") else "red"
        typer.secho(f"{run['source']:<12} {run['outcome']:<10} indexed {run['indexed']:>8,}  rejected {run['rejected']:>6,}  "
                    f"withdrawn {run['withdrawn']:>6,}  run {run['run_id']}", fg=colour)
        if run.get("errors"):
            typer.echo(f"             {run['errors']}")
        _print_withdrawals(run)
    if code := exitcodes.for_runs(runs):
        raise typer.Exit(code)


def _print_withdrawals(run: RunRecord, shown: int = 10) -> None:
    """The first withdrawn ids of a run with their reasons (all of them are in the run record)."""
    withdrawals = run.get("withdrawals") or []
    if not withdrawals:
        return
    verb = "would withdraw" if run["outcome"] == "held" else "withdrew"
    typer.echo(f"             {verb} {len(withdrawals):,}:")
    for item in withdrawals[:shown]:
        typer.echo(f"               {item['id']}  {item.get('name') or ''}  ({item['reason']})")
    if len(withdrawals) > shown:
        typer.echo(f"               ... and {len(withdrawals) - shown:,} more (run record {run['run_id']})")
    for item in run.get("protected") or []:
        typer.secho(f"             in use: {item['id']}: {item['reason']}", fg="yellow")
