"""Data files of the analysis package (a package so that setuptools ships them)."""
