"""The ``biocross`` command: the composition root that wires settings, services and apps."""

from __future__ import annotations

import logging
import sys

import typer

from biocross.localnode import ES_VERSION, LocalNode, LocalNodeError
from schemas.settings import Settings

app = typer.Typer(help="biocross: federated search over Tsukuba's biomedical resources.", no_args_is_help=True)
es_app = typer.Typer(help="Manage the local development/test Elasticsearch node.", no_args_is_help=True)
app.add_typer(es_app, name="es")


def _settings() -> Settings:
    return Settings()


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


@app.command("serve")
def serve(
    host: str = typer.Option(None, help="Bind address (default from settings)."),
    port: int = typer.Option(None, help="Bind port (default from settings)."),
) -> None:
    """Run the gateway (JSON API and web interface)."""
    from aiohttp import web

    from gateway.app import create_app

    settings = _settings()
    web.run_app(create_app(settings), host=host or settings.gateway.host, port=port or settings.gateway.port,
                print=lambda msg: typer.echo(msg.strip()))


@app.command("demo")
def demo() -> None:
    """Start Elasticsearch and the gateway on http://127.0.0.1:8080 (grows with the demo sources)."""
    from biocross.demo import run_demo

    try:
        run_demo(_settings())
    except LocalNodeError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from exc


def main() -> None:
    """Entry point of the ``biocross`` console script."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    app()


if __name__ == "__main__":
    main()
