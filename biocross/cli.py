"""The ``biocross`` command: the composition root that wires settings, services and apps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from biocross.adapters_cli import app as adapters_app
from biocross.clicontext import current_settings
from biocross.errors import LocalNodeError
from biocross.es_cli import app as es_app
from biocross.harvest_cli import harvest, load_specs
from biocross.institutions_cli import app as institutions_app
from biocross.logs import configure_logging
from biocross.sources_cli import app as sources_app
from biocross.users_cli import app as users_app
from schemas.settings import InsecureSecretKeyError, Settings

app = typer.Typer(help="biocross: federated search over Tsukuba's biomedical resources.", no_args_is_help=True)
app.add_typer(es_app, name="es")
app.add_typer(adapters_app, name="adapters")
app.add_typer(users_app, name="users")
app.add_typer(sources_app, name="sources")
app.add_typer(institutions_app, name="institutions")
app.command("harvest")(harvest)


@app.callback()
def configure() -> None:
    """Builds this command's settings (once) and configures logging from them."""
    settings = current_settings()
    configure_logging(settings.log.format, settings.log.level)


def _keyed_settings() -> Settings:
    """Settings of a process that signs or checks cookies and links: it does not start without a
    safe secret key."""
    settings = current_settings()
    try:
        settings.gateway.signing_keys()
    except InsecureSecretKeyError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from exc
    return settings


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
    registry, specs, _path = load_specs(settings, config, [])
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
        run_demo(current_settings(), total=total, sources_port=sources_port)
    except LocalNodeError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from exc


def main() -> None:
    """Entry point of the ``biocross`` console script."""
    app()


if __name__ == "__main__":
    main()
