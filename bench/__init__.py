"""Benchmarks of biocross (not tests): ``.venv/bin/python -m bench run --records 100000``.

Every figure is measured next to a baseline taken in the same run on the same machine (raw
``async_bulk`` for the harvest, Elasticsearch queried directly for search), and written as JSON to
``bench/results/`` plus a Markdown table (``bench/results/summary.md``). See ``docs/benchmarks.md``.
"""
