"""Sample sources the demo and the benchmarks serve at run time (an in-memory OAI-PMH repository)."""
