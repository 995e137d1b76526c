"""Run the simulated institution sources: ``python -m demo.sources --total 50000 --port 8800``."""

from __future__ import annotations

import argparse
import logging

from aiohttp import web

from demo.server import create_sources_app


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m demo.sources", description=__doc__)
    parser.add_argument("--total", type=int, default=50_000, help="records across all institutions (1,000-1,000,000)")
    parser.add_argument("--seed", type=int, default=42, help="generator seed (same seed, same bytes)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8800)
    parser.add_argument("--oai-page-size", type=int, default=500)
    parser.add_argument("--nies-page-size", type=int, default=50)
    parser.add_argument("--crawl-delay", type=float, default=1.0, help="Crawl-delay announced in robots.txt")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_sources_app(args.total, args.seed, oai_page_size=args.oai_page_size,
                             nies_page_size=args.nies_page_size, crawl_delay=args.crawl_delay)
    web.run_app(app, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
