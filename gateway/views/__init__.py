"""Thin HTTP views: parse, call a service, render or dump."""
