"""Data files of the schemas package (a package so that setuptools ships them)."""
