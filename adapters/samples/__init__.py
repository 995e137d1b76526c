"""Sample sources (aiohttp apps) the toolkits' contract fixtures, tests and benchmarks serve."""
