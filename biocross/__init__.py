"""biocross package."""
