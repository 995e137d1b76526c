"""HTTP views of the simulated sources, one module per institution."""
