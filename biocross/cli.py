"""The ``biocross`` command: the composition root that wires settings, services and apps."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import typer

from biocross import exitcodes
from biocross.adapters_cli import app as adapters_app
from biocross.institutions_cli import app as institutions_app
from biocross.localnode import ES_VERSION, LocalNode, LocalNodeError
from biocross.sources_cli import app as sources_app
from biocross.users_cli import app as users_app
from schemas.settings import InsecureSecretKeyError, Settings

app = typer.Typer(help="biocross: federated search over Tsukuba's biomedical resources.", no_args_is_help=True)
es_app = typer.Typer(help="Manage the local development/test Elasticsearch node.", no_args_is_help=True)
app.add_typer(es_app, name="es")
app.add_typer(adapters_app, name="adapters")
app.add_typer(users_app, name="users")
app.add_typer(sources_app, name="sources")
app.add_typer(institutions_app, name="institutions")


def _settings() -> Settings:
    return Settings()


def _keyed_settings() -> Settings:
    """Settings of a process that signs or checks cookies and links: it does not start without a
    safe secret key."""
    settings = _settings()
    try:
        settings.gateway.signing_keys()
    except InsecureSecretKeyError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from exc
    return settings


def _node() -> LocalNode:
    return LocalNode(_settings().local_node)


@es_app.command("start")
def es_start() -> None:
    """Fetch (once), configure and start the local node; waits until it is healthy."""
    try:
        status = _node().start()
    except LocalNodeError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Elasticsearch {status.es_version} {status.message}")


@es_app.command("stop")
def es_stop() -> None:
    """Stop the local node."""
    typer.echo(f"Elasticsearch: {_node().stop()}")


@es_app.command("status")
def es_status() -> None:
    """Show whether the node runs, and the Elasticsearch, client and JDK versions."""
    from elasticsearch import __versionstr__ as client_version

    from biocross.localnode import find_jdk

    node = _node()
    status = node.status()
    try:
        jdk_home, jdk_major = find_jdk()
        jdk_line = f"{status.jdk or 'JDK ' + str(jdk_major)} ({jdk_home})"
    except LocalNodeError as exc:
        jdk_line = f"none usable: {exc}"
    typer.echo(f"node:            {status.message}")
    typer.echo(f"url:             {status.url}")
    typer.echo(f"elasticsearch:   {status.es_version or ES_VERSION + ' (pinned; not running)'}")
    typer.echo(f"python client:   elasticsearch-py {client_version}")
    typer.echo(f"jdk:             {jdk_line}")
    typer.echo(f"cache:           {node.cache}")
    if not status.running:
        raise typer.Exit(1 if status.stale_pid else 3)


@es_app.command("logs")
def es_logs(lines: int = typer.Option(50, help="How many lines from the end.")) -> None:
    """Print the end of the local node's log."""
    path = _node().log_file()
    if not path.exists():
        typer.echo(f"no log yet at {path}")
        raise typer.Exit(1)
    typer.echo("\n".join(path.read_text(errors="replace").splitlines()[-lines:]))


def _load_specs(config: Path | None, names: list[str]) -> tuple[Any, list[Any], Path]:
    from adapters.config import load_adapters_file
    from adapters.errors import AdapterConfigError
    from adapters.registry import load_registry
    from biocross.harvest import SourceSpec

    settings = _settings()
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


@app.command("harvest")
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
    settings = _settings()

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
    registry, specs, path = _load_specs(config, adapters or [])
    mode = HarvestMode.INCREMENTAL if incremental else HarvestMode.FULL

    async def run_all() -> list[dict[str, Any]]:
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


def _print_withdrawals(run: dict[str, Any], shown: int = 10) -> None:
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


@app.command("scheduler")
def scheduler(
    config: Path = typer.Option(None, "--config", help="adapters.toml (default: settings, then ./adapters.toml)."),
    tick: float = typer.Option(60.0, help="Seconds between checks for due adapters."),
    once: bool = typer.Option(False, "--once", help="Run one tick and exit."),
) -> None:
    """Harvest each adapter on its configured schedule (safe to run in several processes)."""
    import asyncio

    from biocross.scheduler import run_due, run_forever
    from indexer.client import make_client

    settings = _keyed_settings()
    registry, specs, _path = _load_specs(config, [])
    options: dict[str, Any] = {"chunk_size": settings.harvest.bulk_chunk, "safety_valve": settings.harvest.safety_valve,
                               "policy": settings.harvest}

    async def main() -> None:
        es = make_client(settings.es)
        try:
            if once:
                runs = await run_due(es, settings.es.index_prefix, registry, specs, **options)
                typer.echo(f"{len(runs)} harvest(s) run")
            else:
                await run_forever(es, settings.es.index_prefix, registry, specs, tick=tick, **options)
        finally:
            await es.close()

    asyncio.run(main())


@app.command("serve")
def serve(
    host: str = typer.Option(None, help="Bind address (default from settings)."),
    port: int = typer.Option(None, help="Bind port (default from settings)."),
) -> None:
    """Run the gateway (JSON API and web interface)."""
    from aiohttp import web

    from gateway.app import create_app

    settings = _keyed_settings()
    web.run_app(create_app(settings), host=host or settings.gateway.host, port=port or settings.gateway.port,
                print=lambda msg: typer.echo(msg.strip()), access_log=None)


@app.command("mailer")
def mailer(once: bool = typer.Option(False, "--once", help="One pass (reminders, then delivery) and exit.")) -> None:
    """Send usage-request mail from the outboxes (with reminders), until stopped."""
    import asyncio

    from biocross.mailer import Mailer
    from indexer.client import make_client

    settings = _keyed_settings()

    async def main() -> None:
        es = make_client(settings.es)
        try:
            worker = Mailer.build(settings, es)
            if once:
                reminders, report = await worker.mailer_pass()
                typer.echo(f"{reminders} reminder(s) queued, {len(report.sent)} sent, {len(report.failed)} failed")
            else:
                await worker.run_forever()
        finally:
            await es.close()

    asyncio.run(main())


@app.command("reseal")
def reseal() -> None:
    """Rewrite every usage request with the current personal-data key (after upgrading to encrypted
    storage, or before removing an old key from requests.previous_data_keys)."""
    import asyncio

    from desk.factory import build_desk
    from gateway.signing import RequestLinks
    from indexer.client import make_client

    settings = _keyed_settings()

    async def main() -> int:
        es = make_client(settings.es)
        try:
            return await build_desk(es, settings, RequestLinks(settings)).privacy.reseal()
        finally:
            await es.close()

    typer.echo(f"{asyncio.run(main())} request(s) rewritten with the current key")


@app.command("demo")
def demo(
    total: int = typer.Option(60_000, help="Records across the simulated institutions (1,000 - 1,000,000)."),
    sources_port: int = typer.Option(8800, help="Port of the simulated institution sources."),
) -> None:
    """Elasticsearch, simulated institution sources, a harvest of every adapter, then the gateway."""
    from biocross.demo import run_demo

    try:
        run_demo(_settings(), total=total, sources_port=sources_port)
    except LocalNodeError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from exc


def main() -> None:
    """Entry point of the ``biocross`` console script."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    # Per-request lines of the Elasticsearch client and of the simulated sources drown the progress.
    for noisy in ("elastic_transport.transport", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    app()


if __name__ == "__main__":
    main()
